"""Schemathesis sends generated requests, valid and invalid, to every API route: none may
end in a server error, and every answer must be one the OpenAPI document declares, in the
shape it declares."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from epicommand.core.models import Role
from epicommand.wsgi import application
from tests.tokens import live_token


@pytest.fixture(autouse=True)
def keep_the_test_transaction_open():
    """Schemathesis calls the WSGI application directly, and Django closes a connection
    found inside a transaction at the end of a request; Django's test client turns that
    off the same way, or the test's transaction would be closed under it."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def county_token(city, city_office, gaocheng_person):
    _, secret = live_token(
        name="fuzzing",
        role=Role.COUNTY_OFFICE,
        unit=city.gaocheng_cdc,
        region=city.gaocheng,
    )
    return {"Authorization": f"Bearer {secret}"}


# The document itself needs no database: it is read once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_declared_answers_and_never_a_server_error(case, county_token):
    case.call_and_validate(
        headers=county_token,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
