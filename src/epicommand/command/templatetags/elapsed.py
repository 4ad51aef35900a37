"""`{{ duration|elapsed }}`: a timedelta as officials say it, "2 d 3 h", "3 h 15 min"."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def elapsed(value):
    if not isinstance(value, timedelta):
        return "—"
    sign = "-" if value < timedelta(0) else ""
    minutes = int(abs(value).total_seconds()) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        text = _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    else:
        text = _("%(m)d min") % {"m": minutes}
    return sign + text
