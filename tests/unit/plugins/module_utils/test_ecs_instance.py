import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _ecs_instance as ei

BASE = {
    "match_tags": {"cluster": "c1", "role": "mgmt"}, "exact_count": 3, "state": "present", "tags": None,
    "purge_tags": False, "vswitch_id": "vsw-1", "vswitch_ids": None, "spread": True, "security_group_ids": ["sg-1"], "image_id": "img",
    "instance_type": "ecs.g6.large", "instance_name": None, "host_name": None, "system_disk": None,
    "internet_max_bandwidth_out": None, "key_pair_name": None, "password": None, "user_data": None,
    "validate": False, "max_create": None, "allow_release": False, "max_release": None, "expected_release": None, "wait": True,
    "wait_timeout": 600, "vpc_id": None,
    "alicloud_region": "cn-hangzhou",
}


def params(**overrides):
    p = dict(BASE)
    p.update(overrides)
    return p


def inst(iid, status="Running", created="2026-01-01T00:00Z", **tags):
    return {"instance_id": iid, "status": status, "creation_time": created, "tags": dict(tags)}


def test_plan_buys_only_what_is_missing():
    todo = ei.plan([inst("i-1")], params())
    assert todo == {"create": 2, "release": [], "start": [], "stop": [], "tag": [], "untag": {}}
    assert ei.plan([inst("i-1"), inst("i-2"), inst("i-3")], params())["create"] == 0


def test_release_prefers_non_nodes_then_not_running_then_newest():
    current = [inst("i-old", created="2026-01-01T00:00Z"), inst("i-new", created="2026-01-03T00:00Z"),
               inst("i-stopped", "Stopped", created="2026-01-01T00:00Z"),
               inst("i-node", created="2026-01-04T00:00Z", **{"ack.aliyun.com": "c1"})]
    assert ei.plan(current, params(exact_count=2))["release"] == ["i-stopped", "i-new"]
    assert ei.plan(current, params(exact_count=0))["release"][-1] == "i-node"


def test_release_needs_permission_a_cap_and_never_takes_cluster_nodes():
    two = [inst("i-1"), inst("i-2")]
    assert ei.release_refusal(two, params(exact_count=0))[0] == "allow_release"
    assert ei.release_refusal(two, params(exact_count=0, allow_release=True))[0] == "max_release"
    assert ei.release_refusal(two, params(exact_count=0, allow_release=True, max_release=2)) is None
    assert ei.release_refusal(two[:1], params(state="absent")) is None
    node = [inst("i-3", **{"ack.aliyun.com": "c1"})]
    option, rule = ei.release_refusal(node, params(exact_count=0, allow_release=True, max_release=5))
    assert "i-3" in rule and "cs_cluster_node" in rule


def test_check_mode_previews_the_release_of_nodes_the_playbook_removes_first():
    node = [inst("i-3", **{"ack.aliyun.com": "c1"})]
    p = params(exact_count=0, allow_release=True, max_release=1, expected_release=["i-3"])
    assert ei.release_refusal(node, p, check_mode=True) is None
    assert ei.release_refusal(node, p)[0] == "allow_release"
    assert ei.release_refusal(node, params(exact_count=0, allow_release=True, max_release=1), check_mode=True)


def test_power_and_tags_plan():
    current = [inst("i-1", "Stopped", role="mgmt", cluster="c1", old="x"),
               inst("i-2", "Running", cluster="c1", role="mgmt", team="ops")]
    running = ei.plan(current, params(exact_count=2, state="running"))
    assert running["start"] == ["i-1"] and running["stop"] == []
    stopped = ei.plan(current, params(exact_count=2, state="stopped"))
    assert stopped["stop"] == ["i-2"]
    tagged = ei.plan(current, params(exact_count=2, tags={"team": "ops"}, purge_tags=True))
    assert tagged["tag"] == ["i-1"] and tagged["untag"] == {"i-1": ["old"]}
    system = [inst("i-9", cluster="c1", role="mgmt", **{"ack.aliyun.com": "c1", "acs:x": "1"})]
    assert ei.plan(system, params(exact_count=1, tags={}, purge_tags=True))["untag"] == {}


def test_client_token_follows_the_intent_not_the_secrets():
    request = ei.launch_request(params(password="Secret-123"))
    token = ei.client_token("cn-hangzhou", BASE["match_tags"], ["i-2", "i-1"], 3, request)
    assert token == ei.client_token("cn-hangzhou", BASE["match_tags"], ["i-1", "i-2"], 3,
                                    ei.launch_request(params(password="Other-456")))
    assert len(token) <= 64 and token.isascii()
    assert token != ei.client_token("cn-hangzhou", BASE["match_tags"], ["i-1"], 3, request)
    assert token != ei.client_token("cn-hangzhou", BASE["match_tags"], ["i-1", "i-2"], 4, request)
    assert token != ei.client_token("cn-hangzhou", BASE["match_tags"], ["i-1", "i-2"], 3,
                                    ei.launch_request(params(instance_type="ecs.g6.xlarge")))


def test_launch_request_uses_the_api_names_and_sets_tags_at_create():
    request = ei.launch_request(params(tags={"team": "ops"}, system_disk={"category": "cloud_essd", "size": 40},
                                       user_data="#!/bin/sh\n", password="Secret-123"))
    assert request["Tag"] == [{"Key": "cluster", "Value": "c1"}, {"Key": "role", "Value": "mgmt"},
                              {"Key": "team", "Value": "ops"}]
    assert request["SystemDisk"] == {"Category": "cloud_essd", "Size": "40"}
    assert request["UserData"] == "IyEvYmluL3NoCg=="
    assert "Amount" not in request and "ClientToken" not in request


@pytest.mark.parametrize("overrides, option", [
    (dict(exact_count=-1), "exact_count"),
    (dict(exact_count=None), "exact_count"),
    (dict(match_tags={}), "match_tags"),
    (dict(password="weak"), "password"),
    (dict(tags={"role": "other"}), "tags"),
    (dict(instance_name="9lives"), "instance_name"),
    (dict(internet_max_bandwidth_out=101), "internet_max_bandwidth_out"),
    (dict(system_disk={"size": 5}), "system_disk.size"),
    (dict(max_release=-2), "max_release"),
    (dict(security_group_ids=[]), "security_group_ids"),
])
def test_problems_name_the_option(overrides, option):
    assert option in [problem[0] for problem in ei.problems(params(**overrides))]


def test_good_input_has_no_problems():
    assert ei.problems(params(password="Good-Pass-123", tags={"team": "ops"})) == []
    assert ei.problems(params(state="absent", exact_count=None)) == []


def test_distribute_balances_over_zones_counting_what_is_there():
    current = [dict(inst("i-1"), vswitch_id="vsw-a"), dict(inst("i-2"), vswitch_id="vsw-a")]
    assert ei.distribute(current, ["vsw-a", "vsw-b"], 3, spread=True) == {"vsw-b": 2, "vsw-a": 1}
    assert ei.distribute([], ["vsw-a", "vsw-b", "vsw-c"], 4, spread=True) == {"vsw-a": 2, "vsw-b": 1, "vsw-c": 1}
    assert ei.distribute(current, ["vsw-a", "vsw-b"], 3, spread=False) == {"vsw-a": 3}
    assert ei.distribute(current, ["vsw-a"], 0, spread=True) == {}


def test_vswitch_list_or_single():
    assert ei.vswitches(params(vswitch_id=None, vswitch_ids=["b", "a"])) == ["b", "a"]
    assert ei.vswitches(params()) == ["vsw-1"]
    assert ei.missing_launch_options(params(vswitch_id=None))[0][0] == "vswitch_id"
    assert ei.launch_request(params(vswitch_ids=["x", "y"], vswitch_id=None), "y")["VSwitchId"] == "y"
