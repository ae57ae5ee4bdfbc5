import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cloud_node_policy as cnp

TAINT = {"key": "node-role.alibabacloud.com/addon", "value": None, "effect": "NoSchedule"}
PARAMS = {"required_labels": {"alibabacloud.com/is-edge-worker": "false"}, "required_taints": [TAINT],
          "check_foreign_pods": True, "instance_ids": None, "wait_timeout": 300}


def node(name="n1", labels=None, taints=None, ready=True, provider="cn-hangzhou.i-abc"):
    return {"metadata": {"name": name, "labels": {"alibabacloud.com/is-edge-worker": "false"} if labels is None
                         else labels},
            "spec": {"providerID": provider, "taints": [dict(TAINT, value=None)] if taints is None else taints},
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def pod(name, node_name="n1", tolerations=None, owner=None, phase="Running", annotations=None):
    meta = {"name": name, "namespace": "default", "annotations": annotations or {}}
    if owner:
        meta["ownerReferences"] = [{"kind": owner, "controller": True}]
    return {"metadata": meta, "spec": {"nodeName": node_name, "tolerations": tolerations or []},
            "status": {"phase": phase}}


def test_a_good_node_has_no_violations():
    report = cnp.assess(node(), [pod("ok", tolerations=[{"key": TAINT["key"], "operator": "Exists"}])], PARAMS)
    assert report["violations"] == [] and report["ready"] and report["instance_id"] == "i-abc"


def test_missing_label_taint_and_readiness_are_each_named():
    report = cnp.assess(node(labels={"alibabacloud.com/is-edge-worker": "true"}, taints=[], ready=False), [], PARAMS)
    assert report["missing_labels"] == {"alibabacloud.com/is-edge-worker": "false"}
    assert report["missing_taints"] == [{"key": TAINT["key"], "effect": "NoSchedule"}]
    assert report["violations"] == [
        "n1: not Ready", "n1: label alibabacloud.com/is-edge-worker=false missing (it is 'true')",
        "n1: taint node-role.alibabacloud.com/addon:NoSchedule missing"]


def test_a_taint_with_another_effect_or_value_does_not_count():
    assert cnp.assess(node(taints=[dict(TAINT, effect="NoExecute")]), [], PARAMS)["missing_taints"]
    assert cnp.assess(node(taints=[dict(TAINT, value="x")]), [], PARAMS)["missing_taints"]


@pytest.mark.parametrize("candidate, is_foreign", [
    (pod("plain"), True),
    (pod("tolerates", tolerations=[{"key": TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}]), False),
    (pod("everything", tolerations=[{"operator": "Exists"}]), False),
    (pod("wrong-effect", tolerations=[{"key": TAINT["key"], "operator": "Exists", "effect": "NoExecute"}]), True),
    (pod("equal-no-value", tolerations=[{"key": TAINT["key"], "operator": "Equal"}]), False),
    (pod("daemon", owner="DaemonSet"), False),
    (pod("replica", owner="ReplicaSet"), True),
    (pod("mirror", annotations={"kubernetes.io/config.mirror": "x"}), False),
    (pod("done", phase="Succeeded"), False),
    (pod("elsewhere", node_name="n2"), False),
])
def test_foreign_pods(candidate, is_foreign):
    report = cnp.assess(node(), [candidate], PARAMS)
    assert (report["foreign_pods"] == [f"default/{candidate['metadata']['name']}"]) is is_foreign


def test_repair_adds_what_is_missing_and_keeps_other_taints():
    other = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    broken = node(labels={}, taints=[other])
    body = cnp.repair(broken, cnp.assess(broken, [], PARAMS))
    assert body == {"metadata": {"labels": {"alibabacloud.com/is-edge-worker": "false"}},
                    "spec": {"taints": [other, {"key": TAINT["key"], "effect": "NoSchedule"}]}}
    assert cnp.repair(node(), cnp.assess(node(), [], PARAMS)) == {}


def test_instance_ids_come_from_the_provider_id_or_the_label():
    assert cnp.instance_id(node(provider="cn-hangzhou.i-xyz")) == "i-xyz"
    labelled = node(provider=None, labels={"alibabacloud.com/instance-id": "i-lab"})
    assert cnp.instance_id(labelled) == "i-lab"


def test_input_problems_and_failure_message():
    bad = dict(PARAMS, required_taints=[{"key": "", "effect": "Sometimes"}], instance_ids=[], wait_timeout=0)
    assert [p[0] for p in cnp.problems(bad)] == ["required_taints", "required_taints", "instance_ids", "wait_timeout"]
    message = cnp.failure_message("verify", [f"v{i}" for i in range(25)])
    assert message.startswith("Cloud node policy: 25 violation(s): v0; v1") and "and 5 more" in message
    assert "mode=enforce" in message and "mode=enforce" not in cnp.failure_message("enforce", ["x"])
