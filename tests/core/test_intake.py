"""core.intake on its own: the device-time rule (naive is Beijing time, all year round),
the client ids, the replay check and the result, with a small app that keeps its items
in a dict."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import IntegrityError

from epicommand.core import intake, policy

NOW = datetime(2021, 1, 12, 8, 0, tzinfo=UTC)


# The device-time rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, utc",
    [
        # Beijing is UTC+8 in winter and in summer alike: no daylight saving.
        ("2021-01-12T08:30:00", datetime(2021, 1, 12, 0, 30, tzinfo=UTC)),
        ("2021-07-12T08:30:00", datetime(2021, 7, 12, 0, 30, tzinfo=UTC)),
        # The night Europe and America move their clocks is an ordinary night in Beijing.
        ("2021-03-28 02:30", datetime(2021, 3, 27, 18, 30, tzinfo=UTC)),
        ("2021-11-07 01:30", datetime(2021, 11, 6, 17, 30, tzinfo=UTC)),
        # As people type it into a lab's sheet.
        ("2021-01-12 8:30", datetime(2021, 1, 12, 0, 30, tzinfo=UTC)),
    ],
)
def test_a_time_without_an_offset_is_beijing_time(text, utc):
    at = intake.parse_time(text)
    assert at == utc
    assert at.tzinfo == UTC


@pytest.mark.parametrize(
    "text, utc",
    [
        ("2021-01-12T08:30:00Z", datetime(2021, 1, 12, 8, 30, tzinfo=UTC)),
        ("2021-01-12T08:30:00+00:00", datetime(2021, 1, 12, 8, 30, tzinfo=UTC)),
        ("2021-01-12T08:30:00+09:00", datetime(2021, 1, 11, 23, 30, tzinfo=UTC)),
        ("2021-01-12T08:30:00-05:00", datetime(2021, 1, 12, 13, 30, tzinfo=UTC)),
    ],
)
def test_a_time_with_an_offset_is_converted_to_utc(text, utc):
    at = intake.parse_time(text)
    assert at == utc
    assert at.tzinfo == UTC


def test_datetimes_follow_the_same_rule_as_text():
    assert intake.parse_time(datetime(2021, 1, 12, 8, 30)) == datetime(
        2021, 1, 12, 0, 30, tzinfo=UTC
    )
    tokyo = datetime(2021, 1, 12, 8, 30, tzinfo=timezone(timedelta(hours=9)))
    assert intake.parse_time(tokyo) == datetime(2021, 1, 11, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    ["yesterday", "", "2021-13-01T00:00", "2021-01-12T08:30" + " " * 40, 1610440200, [2021], None],
)
def test_what_is_no_time_is_none(value):
    assert intake.parse_time(value) is None


def test_a_time_outside_the_calendar_in_utc_is_none():
    assert intake.parse_time("9999-12-31T23:59:00-14:00") is None


def test_a_clock_a_few_minutes_fast_is_accepted_and_beyond_the_policys_skew_refused():
    skew = timedelta(minutes=policy.active().device_clock_skew_minutes)
    assert intake.time_problem(NOW + skew, NOW) is None
    assert intake.time_problem(NOW + skew + timedelta(seconds=1), NOW) == "is in the future"


def test_a_time_older_than_the_policys_age_is_refused():
    days = policy.active().device_max_age_days
    assert intake.time_problem(NOW - timedelta(days=days), NOW) is None
    assert (
        intake.time_problem(NOW - timedelta(days=days, seconds=1), NOW)
        == f"is more than {days} days ago"
    )


def test_an_app_may_allow_a_planned_time_ahead_or_ask_for_a_younger_one():
    assert intake.time_problem(NOW + timedelta(days=1), NOW, ahead=timedelta(days=2)) is None
    assert (
        intake.time_problem(NOW - timedelta(days=8), NOW, max_age=timedelta(days=7))
        == "is more than 7 days ago"
    )


def test_an_items_time_is_named_by_its_field():
    errors = intake.ItemErrors()
    assert intake.device_time(errors, 0, "at", "2021-01-12T08:30", NOW) is not None
    assert intake.device_time(errors, 1, "at", None, NOW) is None
    assert intake.device_time(errors, 2, "at", None, NOW, default=NOW) == NOW
    assert intake.device_time(errors, 3, "at", "2021-01-13T08:30:00Z", NOW) is None
    assert [(e.path, e.reason) for e in errors.in_order()] == [
        ("items[1].at", "is required, as an ISO 8601 date and time"),
        ("items[3].at", "is in the future"),
    ]


# A batch -------------------------------------------------------------------------------------


class Notes(intake.BatchApp):
    """A small app: items {"client_id", "text", "at"} kept in `store`."""

    fields = ("text", "at")

    def __init__(self, store: dict, *, taken=(), clash=False):
        super().__init__(NOW)
        self.store, self.taken, self.clash = store, set(taken), clash
        self.writes = []

    def seen(self, client_ids):
        found = {cid: {"text": self.store[cid]} for cid in client_ids if cid in self.store}
        return found | {cid: intake.CLIENT_ID_TAKEN for cid in client_ids if cid in self.taken}

    def parse(self, index, client_id, item, errors):
        text = item.get("text")
        if not isinstance(text, str):
            errors.add(index, "text", "must be text")
        at = intake.device_time(errors, index, "at", item.get("at"), self.now)
        return None if errors.of(index) else (client_id, text, at)

    def resolve(self, rows, errors):
        for index, (_cid, text, _at) in enumerate(rows):
            if text == "unknown":
                errors.add(index, "text", "no such thing")

    def write(self, rows, replayed):
        if self.clash:
            raise IntegrityError("a concurrent retry")
        self.writes.append((len(rows), replayed))
        for cid, text, _at in rows:
            self.store[cid] = text
        return intake.Written([{"text": text} for _cid, text, _at in rows], {"kept": len(rows)})


def note(cid, text="fever", at="2021-01-12T15:00"):
    return {"client_id": cid, "text": text, "at": at}


@pytest.mark.django_db
def test_a_good_batch_is_written_and_answered_item_by_item():
    store = {}
    result = intake.run(Notes(store), [note("a"), note("b", "cough")])
    assert store == {"a": "fever", "b": "cough"}
    assert result.body() == {
        "accepted": 2,
        "replayed": 0,
        "rejected": 0,
        "errors": [],
        "kept": 2,
        "items": [
            {"client_id": "a", "status": "accepted", "text": "fever"},
            {"client_id": "b", "status": "accepted", "text": "cough"},
        ],
    }


@pytest.mark.django_db
def test_stored_client_ids_are_replays_that_are_not_parsed_again():
    store = {"a": "fever"}
    app = Notes(store)
    # A replay days later: its time has aged, and it is still only a replay.
    result = intake.run(app, [note("a", at="2020-01-01T00:00"), note("b")])
    assert [(i["client_id"], i["status"]) for i in result.items] == [
        ("a", "replayed"),
        ("b", "accepted"),
    ]
    assert result.items[0]["text"] == "fever"
    assert app.writes == [(1, 1)]


@pytest.mark.django_db
def test_every_error_is_named_in_item_and_field_order_and_nothing_is_written():
    store = {}
    items = [
        note("a", "unknown"),
        {"client_id": "b", "at": "tomorrow", "text": 7},
        note("a"),
        "not an object",
        note("bad id!"),
        {"text": "fever", "at": "2021-01-12T15:00"},
    ]
    with pytest.raises(intake.BatchRefused) as refused:
        intake.run(Notes(store), items)
    assert [(e.path, e.reason) for e in refused.value.errors] == [
        ("items[0].text", "no such thing"),
        ("items[1].text", "must be text"),
        ("items[1].at", "is not a date and time (ISO 8601)"),
        ("items[2].client_id", "repeats the client id of items[0]"),
        ("items[3]", "must be an object"),
        ("items[4].client_id", "must be 1 to 64 letters, digits or . _ : -"),
        ("items[5].client_id", "is required"),
    ]
    assert refused.value.rejected == 6
    assert refused.value.detail == "6 of the batch's items are not valid; nothing was recorded"
    assert refused.value.message_dict["items[1].at"] == ["is not a date and time (ISO 8601)"]
    assert store == {}


@pytest.mark.django_db
def test_a_client_id_stored_in_another_jurisdiction_is_refused_not_shown():
    with pytest.raises(intake.BatchRefused) as refused:
        intake.run(Notes({}, taken={"a"}), [note("a")])
    assert [(e.path, e.reason) for e in refused.value.errors] == [
        ("items[0].client_id", "is already used")
    ]


@pytest.mark.django_db
def test_the_size_of_a_batch_is_checked_first():
    for items in ([], "items", [note(f"n{i}") for i in range(intake.MAX_ITEMS + 1)]):
        with pytest.raises(intake.BatchRefused) as refused:
            intake.run(Notes({}), items)
        assert [e.path for e in refused.value.errors] == ["items"]
    assert intake.run(Notes({}), [note(f"n{i}") for i in range(intake.MAX_ITEMS)]).accepted == (
        intake.MAX_ITEMS
    )


@pytest.mark.django_db
def test_a_clash_with_a_concurrent_retry_refuses_the_batch_to_be_sent_again():
    with pytest.raises(intake.BatchRefused) as refused:
        intake.run(Notes({}, clash=True), [note("a")])
    assert [e.path for e in refused.value.errors] == ["items"]
    assert "send again" in refused.value.errors[0].reason
