import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._retry import RetryPolicy


class Flaky:
    """Fails with the given errors in turn, then returns 'ok'."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def policy(**kwargs):
    slept = []
    return RetryPolicy(sleep=slept.append, rng=lambda: 0.5, **kwargs), slept


def throttled(after=None):
    return AlicloudError("throttled", code="Throttling.User", http_status=400, retry_after=after)


def test_throttling_is_retried_even_for_calls_that_must_not_repeat():
    retry, slept = policy()
    call = Flaky(throttled(), throttled())
    assert retry.run(call, "Attaching", repeatable=False) == "ok"
    assert (call.calls, retry.retries, len(slept)) == (3, 2, 2)


@pytest.mark.parametrize("code", ["IdempotentProcessing", "OperationConflict"])
def test_a_call_denied_for_now_is_retried_even_when_it_must_not_repeat(code):
    """Issue 11: the request was not carried out (a token still in progress, a conflict); the same request later is
    what ECS asks for (the same token)."""
    retry, slept = policy()
    call = Flaky(AlicloudError("not now", code=code, http_status=400))
    assert retry.run(call, "Buying", repeatable=False) == "ok" and call.calls == 2


def test_retry_after_is_honoured():
    retry, slept = policy()
    retry.run(Flaky(throttled(after=2.0)), "x")
    assert 2.0 <= slept[0] <= 2.5


def test_backoff_grows_and_is_capped():
    retry, slept = policy(max_delay=3.0, max_attempts=10)
    retry.run(Flaky(*[AlicloudError("x", code="ServiceUnavailable", http_status=503) for dummy in range(6)]), "x")
    assert slept == sorted(slept) and slept[-1] <= 3.0 and slept[0] < slept[2]


def test_ambiguous_failures_are_not_repeated_for_one_shot_calls():
    retry, slept = policy()
    lost = AlicloudError("lost", code="NetworkError", network=True)
    with pytest.raises(AlicloudError) as caught:
        retry.run(Flaky(lost), "Attaching", repeatable=False)
    assert caught.value.code == "NetworkError" and slept == []
    assert retry.run(Flaky(AlicloudError("lost", code="NetworkError", network=True)), "Describing") == "ok"


def test_client_errors_are_not_retried():
    retry = policy()[0]
    call = Flaky(AlicloudError("bad", code="InvalidParameter", http_status=400))
    with pytest.raises(AlicloudError):
        retry.run(call, "x")
    assert call.calls == 1 and retry.retries == 0


def test_gives_up_and_says_so():
    retry = policy(max_attempts=3)[0]
    with pytest.raises(AlicloudError) as caught:
        retry.run(Flaky(*[throttled() for dummy in range(5)]), "Listing")
    assert "gave up after 3 attempts" in caught.value.msg and retry.retries == 2


def test_denied_for_now_is_waited_out_on_the_deadline_not_cut_at_max_attempts():
    from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import Deadline
    now = [0.0]
    retry = RetryPolicy(sleep=lambda s: now.__setitem__(0, now[0] + s), rng=lambda: 0.5, max_attempts=3,
                        deadline=Deadline(120, clock=lambda: now[0]))
    call = Flaky(*[AlicloudError("busy", code="IdempotentProcessing", http_status=400) for dummy in range(6)])
    assert retry.run(call, "Buying", repeatable=False) == "ok" and call.calls == 7 and now[0] >= 30
