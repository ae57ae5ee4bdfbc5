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
    assert lines[2].split()[5:7] == ["MISSING", "ok"]
    assert lines[-1] == "2 cloud node(s): 0 fully compliant, 2 Ready, 1 managed by this collection, 1 pre-existing"


def test_a_node_the_policy_did_not_check_is_unknown_not_fine():
    rows = cloud_node_report([cs_node("n3", "i-3")], policy={"nodes": []})
    assert (rows[0]["label_ok"], rows[0]["taint_ok"], rows[0]["foreign_pods"]) == (None, None, None)
    assert cloud_node_report_lines(rows)[1].split()[5:8] == ["MISSING", "MISSING", "-"]


def test_columns_are_fixed_so_runs_and_clusters_line_up_and_the_totals_name_the_cluster():
    short = cloud_node_report_lines([dict(node="n", instance_id="i-1", zone=None, ip=None, ready=True, label_ok=True,
                                          taint_ok=True, foreign_pods=0, managed=False)], cluster_id="c-1")
    usual = cloud_node_report_lines([dict(node="cn-hangzhou.192.168.0.12", instance_id="i-bp1lmxdup7eng70lo8x7",
                                          zone="cn-hangzhou-h", ip="192.168.100.120", ready=False, label_ok=None,
                                          taint_ok=None, foreign_pods=None, managed=True)], cluster_id="c-2")
    assert short[0] == usual[0] == ("NODE                      INSTANCE                ZONE           IP               "
                                    "READY      LABEL    TAINT    FOREIGN PODS  SOURCE")
    assert [line.index("ok") for line in short[1:2]] == [short[0].index("LABEL")]
    assert usual[1].split()[4:7] == ["NOT", "READY", "MISSING"] and usual[1].index("MISSING") == usual[0].index("LABEL")
    assert short[-1] == "cluster c-1: 1 cloud node(s): 1 fully compliant, 1 Ready, 0 managed by this collection, " \
                        "1 pre-existing"


def test_a_node_the_run_did_not_check_takes_its_state_from_the_reports_own_check_as_in_verify():
    """provision checks only the nodes it keeps; the report checks the pre-existing one read-only, as verify does."""
    pre_existing = assess(kube_node("n0", "i-0"), [], POLICY)
    ours = assess(kube_node("n1", "i-1", labels={}), [], POLICY)
    nodes = [cs_node("n0", "i-0"), cs_node("n1", "i-1")]
    verify = cloud_node_report(nodes, policy={"nodes": [pre_existing, ours]})
    provision = cloud_node_report(nodes, policy=[{"nodes": [ours]}, {"nodes": [pre_existing, dict(ours, missing_labels={})]}])
    assert provision == verify  # for n1, the run's own check (first) wins over the report's
    assert cloud_node_report(nodes, policy=[{"nodes": [ours]}, {"skipped": True}])[0]["label_ok"] is None
