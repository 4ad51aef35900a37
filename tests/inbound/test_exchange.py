"""Exchange files from another city (issue 17, item 1): the travellers handed over, imported
once whatever the retries, on the destination county's list with their facts; a bad file
refused whole with line, column and reason; through the service, the API and the page."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from epicommand.control.models import HealthCode
from epicommand.core.models import Role
from epicommand.inbound.models import Arrival
from epicommand.inbound.services.exchange import import_exchange
from tests.conftest import login
from tests.tokens import live_token

from .world import (  # noqa: F401  fixtures
    make_person,
    port_staff_fixture,
    port_unit_fixture,
)

pytestmark = pytest.mark.django_db
HEADER = "document,name,phone,from,risk,arrived_at,destination_address,region_code,mode"


def line(document, region, *, risk="high", at=None, mode="road", origin="天津市"):
    at = at or timezone.localtime(timezone.now() - timedelta(hours=5))
    when = at.strftime("%Y-%m-%d %H:%M") if not isinstance(at, str) else at
    return (
        f"{document},旅客,13800000000,{origin},{risk},{when},{region.name} 1号,{region.code},{mode}"
    )


def csv(lines) -> io.BytesIO:
    return io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode())


@pytest.fixture
def gaocheng_office(make_user, city):
    return make_user("gaocheng_office", Role.COUNTY_OFFICE, city.gaocheng)


@pytest.fixture
def changan_office(make_user, city):
    return make_user("changan_office", Role.COUNTY_OFFICE, city.changan)


def test_an_exchange_file_is_imported_once_and_lands_on_each_destination_county(
    port_staff, city, gaocheng_office, changan_office
):
    person = make_person(city.xgz)
    rows = [line(person.id_number, city.xgz), line("E12345678", city.community, risk="medium")]
    result = import_exchange(port_staff, csv(rows), "tianjin.csv")
    assert (result.created, result.matched, result.error_count) == (2, 1, 0)
    arrival = Arrival.objects.get(document=person.id_number)
    assert (arrival.source, arrival.mode, arrival.origin, arrival.risk, arrival.phone) == (
        "exchange",
        "road",
        "天津市",
        "high",
        "13800000000",
    )
    assert arrival.person == person and arrival.stage == "landed"
    assert HealthCode.objects.get(person=person).colour == "red"
    again = import_exchange(port_staff, csv(rows), "tianjin.csv")
    assert (again.created, again.already) == (0, 2)
    assert Arrival.objects.count() == 2
    assert [a.region_id for a in Arrival.objects.visible_to(gaocheng_office)] == [city.xgz.code]
    assert [a.region_id for a in Arrival.objects.visible_to(changan_office)] == [
        city.community.code
    ]


def test_a_json_file_says_the_same(port_staff, city):
    at = timezone.localtime(timezone.now() - timedelta(hours=5)).isoformat()
    body = {
        "travellers": [
            {
                "document": "E12345678",
                "name": "旅客",
                "phone": "13800000000",
                "from": "天津市",
                "risk": "medium",
                "arrived_at": at,
                "destination_address": "建北社区 3 栋",
                "region_code": city.community.code,
                "mode": "train",
                "trip_number": "g 123",
            }
        ]
    }
    result = import_exchange(port_staff, io.BytesIO(json.dumps(body).encode()), "x.json")
    assert (result.created, result.error_count) == (1, 0)
    assert (Arrival.objects.get().mode, Arrival.objects.get().trip_number) == ("train", "G123")


def test_a_bad_file_is_refused_whole_with_line_column_and_reason(port_staff, city):
    future = timezone.localtime(timezone.now() + timedelta(days=1))
    old = timezone.localtime(timezone.now() - timedelta(days=40))
    rows = [
        line("E00000001", city.xgz),
        line("E00000002", city.xgz, at=future),
        line("E00000003", city.xgz, at=old),
        line("E00000004", city.xgz, at="yesterday"),
        line("E00000005", city.xgz, risk="unknown"),
        line("E00000006", city.xgz, mode="boat"),
        line("E00000001", city.xgz),
        line("", city.xgz),
    ]
    result = import_exchange(port_staff, csv(rows), "bad.csv")
    found = {(e.line, e.column, e.message) for e in result.errors}
    assert found == {
        (3, "arrived_at", "is in the future"),
        (4, "arrived_at", "is more than 30 days ago"),
        (5, "arrived_at", "is not a date and time (ISO 8601)"),
        (6, "risk", "must be one of: overseas, high, medium, low"),
        (7, "mode", "must be one of: flight, train, road"),
        (8, "document", "is already on line 2 of the file"),
        (9, "document", "is required"),
    }
    assert result.created == 0 and not Arrival.objects.exists()


def test_a_county_office_imports_only_for_its_own_jurisdiction(city, gaocheng_office):
    rows = [line("E00000001", city.xgz), line("E00000002", city.community)]
    result = import_exchange(gaocheng_office, csv(rows), "x.csv")
    assert {(e.line, e.column, e.message) for e in result.errors} == {
        (3, "region_code", "is outside your jurisdiction")
    }
    assert not Arrival.objects.exists()


def test_a_file_without_the_columns_is_refused(port_staff, city):
    result = import_exchange(port_staff, io.BytesIO(b"document,name\nE1,x\n"), "x.csv")
    assert result.error_count == 1 and result.errors[0].line == 1
    assert "missing: phone, from, risk" in result.errors[0].message


# The API and the page


def test_the_api_imports_and_refuses_naming_line_and_column(port_staff, city):
    client = login(port_staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    good = SimpleUploadedFile("x.csv", csv([line("E00000001", city.xgz)]).getvalue())
    response = client.post("/api/v1/inbound/exchanges", {"file": good})
    assert response.status_code == 201, response.content
    assert response.json() == {"created": 1, "already": 0, "matched": 0}
    bad = SimpleUploadedFile("y.csv", csv([line("E00000002", city.xgz, risk="x")]).getvalue())
    refused = client.post("/api/v1/inbound/exchanges", {"file": bad})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "line 2: risk"
    assert Arrival.objects.count() == 1


def test_a_revoked_token_and_a_role_without_the_port_import_nothing(port_staff, city, make_user):
    token, secret = live_token(
        name="交换", role=Role.PORT_STAFF, unit=port_staff.unit, region=city.sjz
    )
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    file = SimpleUploadedFile("x.csv", csv([line("E00000001", city.xgz)]).getvalue())
    device = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert device.post("/api/v1/inbound/exchanges", {"file": file}).status_code == 401
    officer = login(make_user("officer", Role.CHECKPOINT_OFFICER, city.gaocheng))
    file.seek(0)
    assert officer.post("/api/v1/inbound/exchanges", {"file": file}).status_code == 403
    assert officer.get("/inbound/exchange/").status_code == 403
    assert not Arrival.objects.exists()


def test_the_page_uploads_and_lists_the_errors(port_staff, city):
    client = login(port_staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert 'name="file"' in client.get("/inbound/exchange/").content.decode()
    bad = SimpleUploadedFile("y.csv", csv([line("E00000002", city.xgz, mode="boat")]).getvalue())
    refused = client.post("/inbound/exchange/", {"file": bad})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "nothing was imported" in html and "must be one of: flight, train, road" in html
    good = SimpleUploadedFile("x.csv", csv([line("E00000001", city.xgz)]).getvalue())
    done = client.post("/inbound/exchange/", {"file": good})
    assert done.status_code == 200
    assert "1 arrivals imported" in done.content.decode()
    listed = client.get("/inbound/arrivals/").content.decode()
    assert 'data-source="exchange"' in listed and "/inbound/exchange/" in listed
