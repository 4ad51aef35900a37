"""Delivery of referrals outside the city to the configured webhook, against a real HTTP
server on the loopback: it answers 500 first, then 200. The failed attempt is retried after
1 minute, then 2, 4 ... capped at 60; a 2xx acknowledges the referral. Time is made to pass
by calling deliver_due with a later now."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from epicommand.core.models import AuditEvent
from epicommand.tracing.models import Referral
from epicommand.tracing.services import referrals
from epicommand.tracing.services.referrals import backoff

from .referrals_world import SENT_AT, referral_world  # noqa: F401


@pytest.fixture
def world(city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person):
    return referral_world(
        city, make_user, gaocheng_epi, changan_epi, city_office, gaocheng_person, changan_person
    )


SECRET = "shared-with-the-receiver"


class Receiver:
    """A receiving authority's endpoint that answers the queued statuses in turn."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.headers, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/referrals"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook(settings):
    def configure(statuses):
        receiver = Receiver(statuses)
        settings.REFERRAL_WEBHOOK_URL = receiver.url
        settings.REFERRAL_WEBHOOK_SECRET = SECRET
        return receiver

    return configure


def _outside(world):
    return referrals.refer_outside(
        world.gaocheng_epi,
        world.case,
        name="赵强",
        destination_code="110105",
        degree="close",
        last_exposure_at=SENT_AT - timedelta(hours=20),
        id_number="110105198803070010",
        phone="13600001111",
        address="北京市朝阳区",
        now=SENT_AT,
    )


def test_backoff_doubles_from_one_minute_up_to_an_hour():
    assert [backoff(n).total_seconds() / 60 for n in range(1, 10)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
        60,
    ]


def test_a_failed_post_is_retried_with_backoff_until_the_receiver_answers_2xx(world, webhook):
    with webhook([500, 500, 200]) as receiver:
        referral = _outside(world)
        assert referral.next_attempt_at == SENT_AT

        assert referrals.deliver_due(now=SENT_AT) == 0
        referral.refresh_from_db()
        assert referral.delivery_attempts == 1
        assert referral.last_error == "HTTP 500 Internal Server Error"
        assert referral.next_attempt_at == SENT_AT + timedelta(minutes=1)

        # Not due yet: nothing is posted.
        assert referrals.deliver_due(now=SENT_AT + timedelta(seconds=30)) == 0
        assert len(receiver.requests) == 1

        second = SENT_AT + timedelta(minutes=1)
        assert referrals.deliver_due(now=second) == 0
        referral.refresh_from_db()
        assert referral.delivery_attempts == 2
        assert referral.next_attempt_at == second + timedelta(minutes=2)

        third = second + timedelta(minutes=2)
        assert referrals.deliver_due(now=third) == 1
        referral.refresh_from_db()
        assert len(receiver.requests) == 3

    assert referral.status == Referral.Status.ACKNOWLEDGED
    assert (referral.acknowledged_at, referral.acknowledged_by) == (third, "webhook")
    assert (referral.delivered_at, referral.next_attempt_at, referral.last_error) == (
        third,
        None,
        "",
    )
    assert AuditEvent.objects.get(action="referral.deliver").reason.startswith("HTTP 200")
    # Acknowledged: never posted again.
    assert referrals.deliver_due(now=third + timedelta(hours=1)) == 0


def test_the_post_carries_the_person_in_full_signed_with_the_secret(world, webhook):
    with webhook([200]) as receiver:
        referral = _outside(world)
        assert referrals.deliver_due(now=SENT_AT) == 1
    ((headers, body),) = receiver.requests
    sent = json.loads(body)
    assert sent["referral_id"] == referral.pk
    assert (sent["name"], sent["id_number"], sent["phone"]) == (
        "赵强",
        "110105198803070010",
        "13600001111",
    )
    assert (sent["destination_code"], sent["from_region_code"]) == ("110105", "130109")
    assert sent["degree"] == "close"
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-EpiCommand-Signature"] == expected
    assert headers["Content-Type"] == "application/json"


def test_an_unreachable_receiver_is_an_attempt_with_the_reason(world, settings):
    settings.REFERRAL_WEBHOOK_URL = "http://127.0.0.1:9/referrals"  # discard port: refused
    referral = _outside(world)
    assert referrals.deliver_due(now=SENT_AT) == 0
    referral.refresh_from_db()
    assert referral.delivery_attempts == 1
    assert "refused" in referral.last_error.lower()
    assert referral.next_attempt_at == SENT_AT + timedelta(minutes=1)


def test_without_a_webhook_nothing_is_posted(world, settings):
    settings.REFERRAL_WEBHOOK_URL = ""
    referral = _outside(world)
    assert referral.next_attempt_at is None
    assert referrals.deliver_due(now=SENT_AT + timedelta(hours=1)) == 0


def test_an_undelivered_referral_escalates_and_delivery_goes_on(world, webhook):
    with webhook([503] * 20 + [200]) as receiver:
        _outside(world)
        at = SENT_AT
        for _ in range(8):
            referrals.deliver_due(now=at)
            at = Referral.objects.get().next_attempt_at
        assert referrals.escalate_overdue(now=SENT_AT + timedelta(hours=3)) == 1
        referral = Referral.objects.get()
        assert referral.status == Referral.Status.ESCALATED
        # The times of the attempts: 0, +1, +2, +4, +8, +16, +32, +60 minutes.
        assert referral.delivery_attempts == 8
        assert referral.next_attempt_at == SENT_AT + timedelta(minutes=63 + 60 + 60)
        assert len(receiver.requests) == 8
