import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import Waiter


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def time(self):
        return self.now


def waiter(check_mode=False):
    clock = FakeClock()
    return Waiter(check_mode=check_mode, sleep=clock.sleep, clock=clock.time), clock


def test_returns_the_value_that_is_done_with_growing_delays():
    w, clock = waiter()
    values = iter(["Pending", "Starting", "Starting", "Running"])
    assert w.wait(lambda: next(values), lambda v: v == "Running", 60, "boot") == "Running"
    assert w.polls == 4 and clock.sleeps == sorted(clock.sleeps) and clock.sleeps[0] == 0.5


def test_fails_fast_on_a_terminal_state():
    w, clock = waiter()
    with pytest.raises(AlicloudError) as caught:
        w.wait(lambda: "fail", lambda v: v == "success", 600, "the attach task",
               failed=lambda v: "the task failed" if v == "fail" else None)
    assert "the task failed" in caught.value.msg and clock.sleeps == []


def test_timeout_reports_the_last_state():
    w, clock = waiter()
    with pytest.raises(AlicloudError) as caught:
        w.wait(lambda: {"i-1": "Starting"}, lambda v: False, 10, "instances to be Running")
    assert caught.value.code == "WaitTimeout"
    assert "Starting" in caught.value.msg and caught.value.details["last_state"] == "{'i-1': 'Starting'}"
    assert clock.now == pytest.approx(10)


def test_check_mode_never_waits_nor_reads():
    w, clock = waiter(check_mode=True)
    assert w.wait(lambda: pytest.fail("fetched in check mode"), lambda v: True, 60, "x") is None
    assert clock.sleeps == []
