"""Gatherings' pages: applications and approvals (applications.py), tourist sites, the gate
and the residents' booking page (sites.py)."""

from django.urls import path

from . import applications as a
from . import sites as s

urlpatterns = [
    path("gatherings/", a.application_list, name="application_list"),
    path("gatherings/queue/", a.queue, name="queue"),
    path("gatherings/new/meeting/", a.new_meeting, name="new_meeting"),
    path("gatherings/new/family/", a.new_family_event, name="new_family_event"),
    path("gatherings/new/abroad/", a.new_abroad, name="new_abroad"),
    path("gatherings/wartime/", a.wartime_page, name="wartime"),
    path("gatherings/<int:application_id>/", a.application_detail, name="application_detail"),
    path("gatherings/<int:application_id>/check/", a.attendee_check, name="attendee_check"),
    path("tourist-sites/", s.board, name="board"),
    path("tourist-sites/gates/", s.gates, name="gates"),
    path("tourist-sites/<int:site_id>/", s.site_detail, name="site_detail"),
    path("tourist-sites/<int:site_id>/gate/", s.gate, name="gate"),
    path("visit/", s.visit, name="visit"),
    path("visit/<int:site_id>/", s.visit_site, name="visit_site"),
]
