"""The one deadline and the waiter: every wait of a task draws on one clock, and a timeout names what is pending."""
import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._retry import RetryPolicy
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import (
    INSTANCE, TASK, Deadline, Waiter, WaitTimeout, describe_state)


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def time(self):
        return self.now


def waiter(timeout=60, check_mode=False):
    clock = FakeClock()
    return Waiter(Deadline(timeout, clock.time), check_mode=check_mode, sleep=clock.sleep), clock


def states(*sequence):
    values = iter(sequence)
    return lambda: {"i-1": {"status": next(values)}}


def status(item):
    return describe_state(item, "status")


def test_returns_what_is_ready_with_growing_delays():
    w, clock = waiter()
    found = w.until("boot", states("Pending", "Starting", "Starting", "Running"), INSTANCE["Running"], status)
    assert found == {"i-1": {"status": "Running"}}
    assert w.polls == 4 and clock.sleeps == sorted(clock.sleeps) and clock.sleeps[0] == 0.5


def test_fails_fast_when_an_item_can_never_be_ready():
    w, clock = waiter()
    with pytest.raises(AlicloudError) as caught:
        w.until("boot", lambda: {"i-1": None}, INSTANCE["Running"], status,
                failed=lambda key, item: "it disappeared" if item is None else None)
    assert caught.value.code == "WaitFailed" and "i-1: it disappeared" in caught.value.msg and clock.sleeps == []


def test_timeout_names_what_is_pending_and_comes_one_poll_after_the_deadline():
    w, clock = waiter(timeout=10)
    with pytest.raises(WaitTimeout) as caught:
        w.until("the attach", lambda: {"T-1": {"state": "running"}, "T-2": {"state": "success"}}, TASK["ended"],
                lambda t: describe_state(t, "state"))
    assert "still pending: T-1 (running)" in caught.value.msg and "T-2" not in caught.value.msg
    assert caught.value.details["pending"] == {"T-1": "running"}
    assert caught.value.last["T-1"] == {"state": "running"}
    assert clock.now == pytest.approx(10.0)  # sleeps are cut at the deadline, then one last poll


def test_two_waits_share_one_deadline():
    w, clock = waiter(timeout=10)

    def pending():
        return {"i-1": {"status": "Starting"}}

    with pytest.raises(WaitTimeout):
        w.until("first", pending, INSTANCE["Running"], status)
    polls = w.polls
    with pytest.raises(WaitTimeout):
        w.until("second", pending, INSTANCE["Running"], status)
    assert w.polls == polls + 1 and clock.now == pytest.approx(10.0)  # no new clock: one poll, no sleep


def test_check_mode_never_waits_nor_reads():
    w, clock = waiter(check_mode=True)
    assert w.until("boot", lambda: pytest.fail("read in check mode"), INSTANCE["Running"], status) is None
    assert clock.sleeps == []


def test_absent_is_ready_when_the_item_is_gone():
    w, dummy = waiter()
    assert w.until("release", lambda: {"i-1": None}, INSTANCE["absent"], status) == {"i-1": None}


def test_a_deadline_without_seconds_never_expires():
    clock = FakeClock()
    deadline = Deadline(None, clock.time)
    clock.now = 1e9
    assert not deadline.expired() and deadline.remaining() is None


def test_retries_stop_at_the_deadline():
    clock = FakeClock()
    policy = RetryPolicy(sleep=clock.sleep, rng=lambda: 0.0, deadline=Deadline(3, clock.time))

    def throttled():
        clock.now += 0.1
        raise AlicloudError("throttled", code="Throttling", retry_after=1.0)

    with pytest.raises(AlicloudError) as caught:
        policy.run(throttled, "Listing")
    assert "wait_timeout reached" in caught.value.msg and clock.now <= 3.0


def test_task_progress_names_the_stage_and_the_instances_done():
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cluster import task_progress
    task = {"state": "running", "current_stage": "InitNodes",
            "task_result": [{"data": "i-1", "status": "success"}, {"data": "i-2", "status": "success"},
                            {"data": "i-3", "status": "initial"}]}
    assert task_progress("T-1", task, 3) == "task T-1: running, stage InitNodes, 2 of 3 instances done"
    assert task_progress("T-1", dict(task, current_stage="")) == "task T-1: running, 2 of 3 done"
    assert task_progress("T-1", {"state": "running"}) == "task T-1: running"
    assert task_progress("T-1", None) == "task T-1: not listed yet"
