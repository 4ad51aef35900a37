"""seed-information: a bulletin published for each day of the outbreak, a dozen refuted
rumours, some articles; asked again with --if-empty it does nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from epicommand.core.models import Role
from epicommand.information.models import Article, Bulletin, PressConference, Rumour

pytestmark = pytest.mark.django_db


def test_seed_information_publishes_every_day_and_refutes_a_dozen(outbreak, make_user, city):
    make_user("party_secretary", Role.LEADER, city.sjz)
    make_user("mayor", Role.LEADER, city.sjz)
    call_command("seed_information", stdout=StringIO())
    published = Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED)
    assert published.count() == 4  # the outbreak's first day until yesterday
    assert not Bulletin.objects.filter(status=Bulletin.Status.DRAFT).exists()
    assert sum(b.figures["city"]["reclassified"] for b in published) >= 2
    assert Rumour.objects.filter(refuted_at__isnull=False).count() == 12
    assert Rumour.objects.filter(referral="detained").exists()
    assert Article.objects.filter(language="en").exists()
    assert PressConference.objects.exists()
    out = StringIO()
    call_command("seed_information", "--if-empty", stdout=out)
    assert "nothing to do" in out.getvalue()
