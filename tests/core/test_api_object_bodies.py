"""A JSON body is an object of named fields: a list or a bare value (`[null,null]`) is
refused as a 400 naming `body`, never read as an empty object and acted upon."""

from datetime import timedelta

import pytest
from django.utils import timezone

from epicommand.tracing.models import Case
from epicommand.tracing.services.cases import register_case
from tests.conftest import login


@pytest.fixture
def case(gaocheng_epi, gaocheng_person):
    return register_case(
        gaocheng_epi,
        gaocheng_person,
        classification="mild",
        detection_route="fever_clinic",
        onset_date=timezone.localdate() - timedelta(days=1),
    )


@pytest.mark.parametrize("body", ["[null,null]", "[]", "3", '"text"', "null"])
def test_a_body_that_is_not_an_object_is_refused_naming_the_body(gaocheng_epi, case, body):
    client = login(gaocheng_epi)
    for path in (f"/api/v1/cases/{case.pk}/transfer", "/api/v1/quarantine/stays/1/hospital"):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 400, (path, response.content)
        assert [e["field"] for e in response.json()["errors"]] == ["body"]
    assert Case.objects.get(pk=case.pk).transfer_ordered_at is None
