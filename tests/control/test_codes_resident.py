"""The resident's own code page: identify with ID (or passport) number and phone, see one's
own code and nobody else's, be forgotten after 30 minutes or on leaving; failures are
throttled and never tell whether a number exists."""

import re
import time
from datetime import date, timedelta

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.utils import timezone

from epicommand.control import identity
from epicommand.control.models import FactKind
from epicommand.control.services import healthcode
from epicommand.core.models import AuditEvent
from epicommand.people.models import Person

CODE = "/code/"
IDENTIFY = "/code/identify/"
NO_MATCH = "These details do not match a registered resident."
# A Redis database of its own, apart from anything else on the machine's Redis.
REDIS_TEST_DB = 13


pytestmark = pytest.mark.usefixtures("fresh_throttle")


def resident_client(address="10.0.0.1") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)


def identify(client, document, phone, **extra):
    return client.post(IDENTIFY, {"document": document, "phone": phone, **extra})


def test_an_unidentified_visitor_is_sent_to_identify_first(city):
    response = resident_client().get(CODE)
    assert response.status_code == 302
    assert response["Location"] == "/code/identify/?next=%2Fcode%2F"
    form = resident_client().get(response["Location"])
    assert form.status_code == 200
    assert b'name="document"' in form.content and b'name="phone"' in form.content


def test_a_resident_identifies_and_sees_their_own_green_code(gaocheng_person):
    client = resident_client()
    response = identify(client, gaocheng_person.id_number, gaocheng_person.phone, next=CODE)
    assert (response.status_code, response["Location"]) == (302, CODE)
    page = client.get(CODE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "张*" in html and "张伟" not in html  # masked even for oneself: others look on
    assert "Green code" in html
    assert "<svg" in html and 'class="qr"' in html
    assert "Nothing on record affects your code." in html
    assert page["Cache-Control"] == "no-store, private"
    assert gaocheng_person.id_number not in html


def test_the_page_shows_the_colour_and_its_reasons_in_plain_words(gaocheng_person, settings):
    settings.PROTOCOL_EDITION = "8"
    at = timezone.now() - timedelta(hours=1)
    healthcode.record_fact(
        gaocheng_person,
        FactKind.HIGH_RISK_VISIT,
        started_at=at,
        ended_at=at,
        source="scan 5",
        source_key="scan:5",
        detail="增村镇",
    )
    client = resident_client()
    identify(client, gaocheng_person.id_number, gaocheng_person.phone)
    html = client.get(CODE).content.decode()
    assert "Red code" in html
    red_until = timezone.localtime(at + timedelta(days=14))
    yellow_until = timezone.localtime(at + timedelta(days=21))
    expected = (
        f"Was in a high-risk area (增村镇) — red until {red_until:%B} {red_until.day} "
        f"{red_until:%H:%M}, then yellow until {yellow_until:%B} {yellow_until.day} "
        f"{yellow_until:%H:%M}"
    )
    assert expected in html
    assert f"{red_until:%Y-%m-%d %H:%M}" in html  # the colour's validity


def test_the_qr_expiry_is_shown_and_the_page_renews_before_it(gaocheng_person, settings):
    settings.HEALTH_CODE_QR_MINUTES = 5
    client = resident_client()
    identify(client, gaocheng_person.id_number, gaocheng_person.phone)
    html = client.get(CODE).content.decode()
    assert 'hx-trigger="every 270s"' in html
    assert '<meta http-equiv="refresh" content="270">' in html
    assert re.search(r"This QR is valid until \d\d:\d\d and renews itself", html)
    # htmx's poll gets the card alone, with a fresh QR.
    card = client.get(CODE, HTTP_HX_REQUEST="true")
    assert card.content.decode().lstrip().startswith('<section id="health-code"')


def test_a_foreigner_identifies_with_passport_number(city):
    visitor = Person.objects.create(
        name="John Smith",
        sex="M",
        birth_date=date(1975, 2, 1),
        passport_number="E12345678",
        nationality="USA",
        phone="13700001111",
        region=city.community,
    )
    client = resident_client()
    assert identify(client, " e12345678 ", "+86 137 0000 1111").status_code == 302
    assert identity.resident_of(_request_of(client)) == visitor


def test_a_wrong_phone_and_an_unknown_number_get_the_same_answer(gaocheng_person):
    wrong_phone = identify(resident_client(), gaocheng_person.id_number, "13900000000")
    unknown = identify(resident_client(), "130102199001010016", gaocheng_person.phone)
    assert wrong_phone.status_code == unknown.status_code == 400
    assert _errors(wrong_phone) == _errors(unknown)
    assert NO_MATCH in _errors(wrong_phone)


def test_another_persons_phone_does_not_open_a_persons_code(gaocheng_person, changan_person):
    client = resident_client()
    assert identify(client, gaocheng_person.id_number, changan_person.phone).status_code == 400
    assert client.get(CODE).status_code == 302


def test_the_page_only_ever_shows_the_sessions_resident(gaocheng_person, changan_person):
    first, second = resident_client(), resident_client("10.0.0.2")
    identify(first, gaocheng_person.id_number, gaocheng_person.phone)
    identify(second, changan_person.id_number, changan_person.phone)
    # The code page takes no person from the URL or the query: only the session counts.
    for query in ("", f"?person={changan_person.pk}", f"?person_id={changan_person.pk}"):
        html = first.get(CODE + query).content.decode()
        assert "张*" in html and "李*" not in html
    assert "李*" in second.get(CODE).content.decode()
    assert first.get(f"/code/{changan_person.pk}/").status_code == 404


def test_leaving_forgets_the_resident(gaocheng_person):
    client = resident_client()
    identify(client, gaocheng_person.id_number, gaocheng_person.phone)
    assert client.get(CODE).status_code == 200
    assert client.get("/code/leave/").status_code == 405  # a link cannot make one leave
    response = client.post("/code/leave/")
    assert (response.status_code, response["Location"]) == (302, IDENTIFY)
    assert client.get(CODE).status_code == 302


def test_an_identification_lasts_30_minutes(gaocheng_person):
    client = resident_client()
    before = time.time()
    identify(client, gaocheng_person.id_number, gaocheng_person.phone)
    session = client.session
    assert 29 * 60 < session[identity.SESSION_UNTIL] - before <= 30 * 60 + 1
    session[identity.SESSION_UNTIL] = time.time() - 1
    session.save()
    assert client.get(CODE).status_code == 302
    # htmx's poll is sent to identify too, with a whole-page redirect.
    polled = client.get(CODE, HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == "/code/identify/?next=%2Fcode%2F"


def test_five_failures_pause_identifying_from_that_browser(gaocheng_person):
    client = resident_client()
    for _ in range(5):
        assert identify(client, gaocheng_person.id_number, "13900000000").status_code == 400
    refused = identify(client, gaocheng_person.id_number, gaocheng_person.phone)
    assert refused.status_code == 429
    assert "Too many attempts that did not match" in _errors(refused)
    assert "wait 15 minutes" in _errors(refused)
    assert client.get(CODE).status_code == 302
    # Another browser elsewhere is not held up by it.
    other = resident_client("10.0.0.9")
    assert identify(other, gaocheng_person.id_number, gaocheng_person.phone).status_code == 302


def test_failures_from_one_address_are_limited_across_browsers(gaocheng_person, settings):
    settings.RESIDENT_IDENTIFY_MAX_FAILURES_PER_ADDRESS = 3
    for _ in range(3):
        identify(resident_client("10.1.1.1"), gaocheng_person.id_number, "13900000000")
    fresh_browser = resident_client("10.1.1.1")
    refused = identify(fresh_browser, gaocheng_person.id_number, gaocheng_person.phone)
    assert refused.status_code == 429


def _forget_this_process_memory():
    """What a worker's restart does to anything it kept in its own memory."""
    from django.core.cache.backends import locmem

    for kept in (locmem._caches, locmem._expire_info, locmem._locks):
        kept.clear()
    caches.close_all()


@pytest.mark.parametrize("store", ["database", "redis"])
def test_the_address_count_is_shared_by_every_worker_and_outlives_a_restart(
    gaocheng_person, settings, store
):
    if store == "redis":  # the Redis these machines run, as an operator configures it
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:6379/{REDIS_TEST_DB}",
            }
        }
        cache.clear()
    settings.RESIDENT_IDENTIFY_MAX_FAILURES_PER_ADDRESS = 3
    for _ in range(3):
        identify(resident_client("10.2.2.2"), gaocheng_person.id_number, "13900000000")
    _forget_this_process_memory()
    another_worker = caches.create_connection("default")
    assert another_worker.get("resident-identify:address:10.2.2.2") == 3
    refused = identify(
        resident_client("10.2.2.2"), gaocheng_person.id_number, gaocheng_person.phone
    )
    assert refused.status_code == 429
    cache.clear()


def test_identifying_is_audited_without_the_numbers_entered(gaocheng_person):
    identify(resident_client(), gaocheng_person.id_number, "13900000000")
    identify(resident_client(), gaocheng_person.id_number, gaocheng_person.phone)
    failed, succeeded = AuditEvent.objects.filter(action="resident.identify").order_by("id")
    assert failed.object_id == "" and failed.reason.startswith("failed")
    assert succeeded.object_id == str(gaocheng_person.pk)
    assert succeeded.region_id == gaocheng_person.region_id
    for event in (failed, succeeded):
        assert gaocheng_person.id_number not in event.reason
        assert "13900000000" not in event.reason


def test_the_next_page_stays_on_this_site(gaocheng_person):
    client = resident_client()
    response = identify(
        client, gaocheng_person.id_number, gaocheng_person.phone, next="https://evil.example/"
    )
    assert response["Location"] == CODE
    client.post("/code/leave/")
    response = identify(client, gaocheng_person.id_number, gaocheng_person.phone, next="/p/abc/")
    assert response["Location"] == "/p/abc/"


def test_an_identified_resident_opening_identify_goes_on_to_the_page(gaocheng_person):
    client = resident_client()
    identify(client, gaocheng_person.id_number, gaocheng_person.phone)
    response = client.get(IDENTIFY + "?next=/code/")
    assert (response.status_code, response["Location"]) == (302, CODE)


def test_an_empty_form_names_the_missing_fields(city):
    response = resident_client().post(IDENTIFY, {"document": "", "phone": ""})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"document", "phone"}


def _errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def _request_of(client):
    """A request carrying the client's session, to ask identity.resident_of."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().get(CODE)
    request.session = SessionStore(client.session.session_key)
    return request
