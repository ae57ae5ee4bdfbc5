"""The report rows come from the modules' structured results; nothing parses message text."""
from ansible_collections.ack_edge.cloud_nodes.plugins.filter.cloud_node_report import (
    cloud_node_report, cloud_node_report_lines)
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cloud_node_policy import assess

TAINT = {"key": "node-role.alibabacloud.com/addon", "value": None, "effect": "NoSchedule"}
POLICY = {"required_labels": {"alibabacloud.com/is-edge-worker": "false"}, "required_taints": [TAINT],
          "check_foreign_pods": True}


def kube_node(name, iid, labels=None, taints=None):
    return {"metadata": {"name": name, "labels": {"alibabacloud.com/is-edge-worker": "false"} if labels is None
                         else labels},
            "spec": {"providerID": f"cn-hangzhou.{iid}", "taints": [dict(TAINT)] if taints is None else taints},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


def pod(name, node):
    return {"metadata": {"name": name, "namespace": "default"}, "spec": {"nodeName": node, "tolerations": []},
            "status": {"phase": "Running"}}


def cs_node(name, iid):
    return {"node_name": name, "instance_id": iid, "ip_address": "192.168.0.1", "node_status": "Ready"}


def test_a_tainted_node_with_foreign_pods_and_a_node_missing_only_its_label():
    pods = [pod("web-1", "n1"), pod("web-2", "n1")]
    policy = {"nodes": [assess(kube_node("n1", "i-1"), pods, POLICY),
                        assess(kube_node("n2", "i-2", labels={}), pods, POLICY)]}
    instances = [{"instance_id": "i-1", "zone_id": "cn-hangzhou-h", "tags": {"cloud-nodes/role": "management"}},
                 {"instance_id": "i-2", "zone_id": "cn-hangzhou-i", "tags": {}}]
    rows = cloud_node_report([cs_node("n1", "i-1"), cs_node("n2", "i-2")], policy=policy, instances=instances)
    assert rows[0] == {"node": "n1", "instance_id": "i-1", "zone": "cn-hangzhou-h", "ip": "192.168.0.1",
                       "ready": True, "label_ok": True, "taint_ok": True, "foreign_pods": 2, "managed": True}
    assert (rows[1]["label_ok"], rows[1]["taint_ok"], rows[1]["foreign_pods"], rows[1]["managed"]) == \
        (False, True, 0, False)
    lines = cloud_node_report_lines(rows)
    assert lines[0].split()[:3] == ["NODE", "INSTANCE", "ZONE"]
    n1 = lines[1].split()
    assert n1[5:8] == ["ok", "ok", "2"] and n1[-1] == "managed"
    assert lines[2].split()[5:7] == ["MISSING", "ok"] and lines[-1].startswith("2 cloud node(s): 0 fully compliant")


def test_a_node_the_policy_did_not_check_is_unknown_not_fine():
    rows = cloud_node_report([cs_node("n3", "i-3")], policy={"nodes": []})
    assert (rows[0]["label_ok"], rows[0]["taint_ok"], rows[0]["foreign_pods"]) == (None, None, None)
    assert cloud_node_report_lines(rows)[1].split()[5:8] == ["MISSING", "MISSING", "-"]
