"""A person's name in a template as `people.lookup.as_seen_by` shows it to the page's
user: in full inside their jurisdiction, masked outside it (a site or a clinic serves
people of every county). `{% load persons_seen %}{{ stay.person|name_seen_by:user }}`."""

from django import template

from epicommand.people import lookup

register = template.Library()


@register.filter
def name_seen_by(person, who) -> str:
    return lookup.as_seen_by(who, person).name
