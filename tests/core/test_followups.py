"""The follow-up mechanism itself (core.followups): a follow-up is claimed once, a failure
is kept on its row for the operator, and the demo seeding can run follow-ups at once."""

import pytest

from epicommand.core import followups
from epicommand.core.models import FollowUp, User

done: list[int] = []


def remember(record_id, changed_at):
    done.append(record_id)


def remember_all(record_ids, changed_at):
    done.append(list(record_ids))


def fail(record_id, changed_at):
    raise RuntimeError("the webhook is down")


@pytest.fixture
def reactions(monkeypatch):
    done.clear()
    monkeypatch.setitem(followups.REACTIONS, "test.remember", followups.Reaction(remember, "x"))
    monkeypatch.setitem(followups.REACTIONS, "test.fail", followups.Reaction(fail, "y"))
    many = followups.Reaction(remember_all, "z", many=True)
    monkeypatch.setitem(followups.REACTIONS, "test.many", many)


@pytest.fixture
def record(db):
    return User.objects.create(username="someone")


def test_the_work_runs_after_commit_once(reactions, record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        followup = followups.after_commit("test.remember", record)
        assert done == []
    assert done == [record.pk]
    assert followups.run(followup.pk) == "taken"
    assert done == [record.pk]
    followup.refresh_from_db()
    assert followup.state == FollowUp.State.DONE and followup.started_at <= followup.finished_at


def test_a_failure_is_kept_on_the_row(reactions, record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as waiting:
        followup = followups.after_commit("test.fail", record)
    with pytest.raises(RuntimeError):
        followups.run(followup.pk)
    followup.refresh_from_db()
    assert followup.state == FollowUp.State.FAILED
    assert followup.error == "RuntimeError: the webhook is down"
    assert len(waiting) == 1


def test_a_failed_follow_up_is_retried_once_fixed(
    reactions, record, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        followup = followups.after_commit("test.fail", record)
    with pytest.raises(RuntimeError):
        followups.run(followup.pk)
    monkeypatch.setitem(followups.REACTIONS, "test.fail", followups.Reaction(remember, "y"))
    with django_capture_on_commit_callbacks(execute=True):
        assert followups.retry(followup.pk)
    followup.refresh_from_db()
    assert (followup.state, followup.error, done) == ("done", "", [record.pk])
    assert not followups.retry(followup.pk)  # done is done


def test_inline_runs_the_work_at_once_in_the_transaction(reactions, record):
    with followups.inline():
        followup = followups.after_commit("test.remember", record)
    assert done == [record.pk]
    assert followups.latest_for(record).pk == followup.pk


def test_an_unknown_kind_is_refused(record):
    with pytest.raises(LookupError):
        followups.after_commit("case.investigaton", record)
    assert not FollowUp.objects.exists()


def test_a_batch_is_one_task_doing_every_record_at_once(
    reactions, record, django_capture_on_commit_callbacks
):
    other = User.objects.create(username="someone_else")
    with django_capture_on_commit_callbacks(execute=True) as queued:
        followups.after_commit_many("test.many", [record, other], changed_at=record.date_joined)
    assert len(queued) == 1
    assert done == [[record.pk, other.pk]]
    assert [followups.latest_for(r).state for r in (record, other)] == ["done", "done"]


def test_a_single_change_is_the_batch_work_over_a_list_of_one(
    reactions, record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        followups.after_commit("test.many", record)
    assert done == [[record.pk]]
