import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs_cluster_node as ccn

BASE = {"cluster_id": "c1", "instance_ids": ["i-1", "i-2"], "state": "present", "password": "Good-Pass-1",
        "key_pair": None, "tags": None, "format_disk": False, "keep_instance_name": True, "nodepool_id": None,
        "image_id": None, "runtime": None, "user_data": None, "drain": True, "release_instances": False,
        "allow_non_edge": False, "wait": True, "wait_timeout": 600, "nodepool_name": None,
        "attach_batch_size": 20}
CLUSTER = {"cluster_id": "c1", "region_id": "cn-hangzhou", "vpc_id": "vpc-a"}


def params(**overrides):
    p = dict(BASE)
    p.update(overrides)
    return p


@pytest.mark.parametrize("overrides, option", [
    (dict(instance_ids=[]), "instance_ids"),
    (dict(instance_ids=["i-1", "i-1"]), "instance_ids"),
    (dict(password="Good-Pass\\1"), "password"),
    (dict(password='Good"Pass1'), "password"),
    (dict(password="nouppercase1"), "password"),
    (dict(tags={"aliyun.x": "1"}), "tags"),
    (dict(tags={"k" * 65: "1"}), "tags"),
    (dict(nodepool_id="np-1", tags={"a": "b"}), "tags"),
    (dict(nodepool_id="np-1", key_pair="kp", password=None), "key_pair"),
    (dict(nodepool_name="cloud-pool-2", image_id="img"), "image_id"),
    (dict(nodepool_name="cloud-pool-2", user_data="ZWNobw=="), "user_data"),
    (dict(attach_batch_size=0), "attach_batch_size"),
])
def test_problems_name_the_option(overrides, option):
    assert option in [problem[0] for problem in ccn.problems(params(**overrides))]


def test_good_input():
    assert ccn.problems(params(tags={"team": "ops"})) == []


def test_attach_body_uses_the_api_fields_and_labels_as_tags():
    runtime = {"name": "containerd", "version": "1.6.20"}
    body = ccn.attach_body(params(tags={"tier": "mgmt", "team": None}, runtime=runtime), ["i-1"])
    assert body["instances"] == ["i-1"] and body["password"] == "Good-Pass-1"
    assert body["tags"] == [{"key": "team", "value": ""}, {"key": "tier", "value": "mgmt"}]
    assert body["keep_instance_name"] is True and body["is_edge_worker"] is False
    assert "key_pair" not in body and "user_data" not in body


def inst(iid, vpc="vpc-a", status="Running", **tags):
    return {"instance_id": iid, "vpc_id": vpc, "status": status, "tags": tags}


def test_instance_problems_name_each_instance():
    found = ccn.instance_problems(CLUSTER, ["i-1", "i-2", "i-3", "i-4", "i-5"], {
        "i-1": inst("i-1"), "i-2": inst("i-2", vpc="vpc-b"), "i-3": inst("i-3", status="Stopped"),
        "i-5": inst("i-5", **{"ack.aliyun.com": "c-other"})})
    messages = [problem[1] for problem in found]
    assert len(found) == 4 and all(problem[0] == "instance_ids" for problem in found)
    assert "i-2" in messages[0] and "vpc-b" in messages[0]
    assert "i-3" in messages[1] and "Stopped" in messages[1]
    assert "i-4" in messages[2] and "does not exist" in messages[2]
    assert "i-5" in messages[3] and "c-other" in messages[3]
    assert ccn.instance_problems(CLUSTER, ["i-6"], {"i-6": inst("i-6", status="Starting",
                                                                **{"ack.aliyun.com": "c1"})}) == []


def test_outcomes_report_each_instance():
    nodes = {"i-1": {"state": "running"}, "i-2": {"state": "failed", "error_message": "kubelet did not register"}}
    tasks = {"T-1": {"state": "fail", "error": {"code": "X", "message": "1 of 3 failed"}}}
    results = {r["instance_id"]: r for r in ccn.outcomes(["i-1", "i-2", "i-3"], ["i-0"], nodes, tasks)}
    assert results["i-0"]["outcome"] == "already_attached"
    assert results["i-1"]["outcome"] == "attached"
    assert results["i-2"]["outcome"] == "failed" and "kubelet did not register" in results["i-2"]["message"]
    assert results["i-3"]["outcome"] == "failed" and "1 of 3 failed" in results["i-3"]["message"]
