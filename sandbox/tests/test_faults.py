"""Faults: throttling, 5xx, dropped connections before and after the work, latency, and seeded replay."""

import time

import pytest
from alibabacloud_ecs20140526 import models as em
from alibabacloud_tea_openapi.exceptions import ThrottlingException

from conftest import REGION
from helpers import describe, error_of, run


def test_throttling_carries_retry_after(sb):
    sb.faults({"kind": "throttle", "action": "DescribeInstances", "retry_after_ms": 350})
    err = error_of(lambda: describe(sb.ecs()))
    assert isinstance(err, ThrottlingException)
    assert (err.code, err.retry_after) == ("Throttling.User", 350)
    assert sb.calls()[-1]["fault"] == "throttle"


@pytest.mark.parametrize("code", ["Throttling", "Throttling.Api"])
def test_throttling_codes_are_chosen_and_always_carry_retry_after(sb, code):
    sb.faults({"kind": "throttle", "action": "DescribeInstances", "code": code})
    err = error_of(lambda: describe(sb.ecs()))
    assert (err.code, err.retry_after) == (code, 200)


def test_a_per_minute_window_throttles_until_the_next_minute(sb):
    sb.control("POST", "/settings", {"throttle_per_minute": {"DescribeRegions": 2}})
    ecs = sb.ecs()
    for dummy in range(2):
        ecs.describe_regions(em.DescribeRegionsRequest())
    err = error_of(lambda: ecs.describe_regions(em.DescribeRegionsRequest()))
    assert err.code == "Throttling.Api" and 0 < err.retry_after <= 60000
    with pytest.raises(Exception, match="400"):
        sb.control("POST", "/settings", {"no_such": 1})


def test_conflict_and_token_processing_then_success(sb):
    ecs = sb.ecs()
    sb.faults({"kind": "conflict", "action": "RunInstances", "times": 1}, {"kind": "token_processing", "times": 1})
    assert error_of(lambda: run(ecs, 1, token="t-busy")).code == "OperationConflict"
    assert error_of(lambda: run(ecs, 1, token="t-busy")).code == "IdempotentProcessing"
    assert len(run(ecs, 1, token="t-busy")) == 1


def test_a_failed_purchase_spends_its_token(sb):
    ecs = sb.ecs()
    sb.faults({"kind": "no_stock", "zone": "cn-hangzhou-h", "times": 1})
    assert error_of(lambda: run(ecs, 1, token="t-failed")).code == "OperationDenied.NoStock"
    assert error_of(lambda: run(ecs, 1, token="t-failed")).code == "IdempotentFailed"
    assert len(run(ecs, 1, token="t-new")) == 1


@pytest.mark.parametrize("after_release", ["replay", "forget"])
def test_a_token_whose_instances_are_released_replays_or_buys_as_set(sb, after_release):
    ecs = sb.ecs()
    sb.control("POST", "/settings", {"token_after_release": after_release})
    first = run(ecs, 1, token="t-released")
    ecs.delete_instances(em.DeleteInstancesRequest(region_id=REGION, instance_id=first, force=True))
    deadline = time.time() + 10
    while describe(ecs, first).instances.instance and time.time() < deadline:  # a release takes a moment
        time.sleep(0.1)
    again = run(ecs, 1, token="t-released")
    assert (again == first) == (after_release == "replay")


def test_service_unavailable(sb):
    sb.faults({"kind": "unavailable", "service": "ecs", "times": 1})
    err = error_of(lambda: describe(sb.ecs()))
    assert (err.code, err.status_code) == ("ServiceUnavailable", 503)
    describe(sb.ecs())  # `times: 1` lets the next call through


def test_drop_before_the_work_creates_nothing(sb):
    sb.faults({"kind": "drop_before", "action": "RunInstances"})
    with pytest.raises(Exception):
        run(sb.ecs(), 3, token="lost-before")
    assert sb.control("GET", "/state")["instances"]["total"] == 2


def test_response_lost_after_the_work_then_replay(sb):
    ecs = sb.ecs()
    sb.faults({"kind": "drop_after", "action": "RunInstances", "times": 1})
    with pytest.raises(Exception) as caught:
        run(ecs, 3, token="lost-after")
    assert "Connection aborted" in str(caught.value) or "RemoteDisconnected" in str(caught.value)
    state = sb.control("GET", "/state")
    assert state["instances"]["total"] == 5  # the work was done
    ids = run(ecs, 3, token="lost-after")
    assert len(ids) == 3 and sb.control("GET", "/state")["instances"]["total"] == 5
    assert [c["fault"] for c in sb.calls(action="RunInstances")] == ["drop_after", None]


def test_latency(sb):
    sb.faults({"kind": "latency", "action": "DescribeRegions", "seconds": 0.5})
    started = time.time()
    sb.ecs().describe_regions(em.DescribeRegionsRequest())
    assert time.time() - started >= 0.5


def hit_pattern(sb, seed):
    sb.control("DELETE", "/calls")
    sb.faults({"kind": "throttle", "action": "DescribeRegions", "rate": 0.5}, seed=seed)
    ecs = sb.ecs()
    pattern = []
    for _ in range(20):
        try:
            ecs.describe_regions(em.DescribeRegionsRequest(accept_language=None))
            pattern.append(0)
        except ThrottlingException:
            pattern.append(1)
    return pattern


def test_faults_are_seeded_and_replayable(sb):
    first = hit_pattern(sb, seed=7)
    assert 3 <= sum(first) <= 17
    assert hit_pattern(sb, seed=7) == first
    assert hit_pattern(sb, seed=8) != first


def test_fault_file_is_loaded_at_start(tmp_path):
    import json
    from conftest import SandboxProcess
    path = tmp_path / "faults.json"
    path.write_text(json.dumps({"seed": 3, "faults": [{"kind": "unavailable", "action": "DescribeRegions"}]}))
    box = SandboxProcess(str(tmp_path / "state"), "--faults", str(path), "--quiet").start()
    try:
        assert error_of(lambda: box.ecs().describe_regions(em.DescribeRegionsRequest())).status_code == 503
        assert box.control("GET", "/faults")["seed"] == 3
    finally:
        assert box.stop() == 0
