"""Whose it is, on any page: `{% load responsibility %}` then

    {% responsible_for task as person %}{% include "command/_responsible.html" with person=person %}

or simply `{% show_responsible task %}`. For a list, call
`command.services.chain.attach_responsibles(tasks)` in the view (one query for the page) and
include the template with `person=task.responsible`."""

from django import template

from ..services.chain import responsible_for as _responsible_for

register = template.Library()


@register.simple_tag
def responsible_for(target):
    """The first responsible person of a task, unit or region (with fallbacks up the chain)."""
    if target is None or target == "":
        return None
    return _responsible_for(target)


@register.inclusion_tag("command/_responsible.html")
def show_responsible(target):
    return {"person": responsible_for(target)}
