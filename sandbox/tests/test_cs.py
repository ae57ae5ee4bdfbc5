"""CS (ACK@Edge) behaviour through the official CS SDK: clusters, attach, nodes, tasks, removal, add-ons."""

import time

import pytest
from alibabacloud_cs20151215 import models as m

from conftest import EDGE, MANAGED_NAME, OTHER_SG, OTHER_VSW, PASSWORD, VSW_I, wait_for
from helpers import error_of, run, statuses, wait_running


def attach(cs, ids, cluster=EDGE, **fields):
    fields.setdefault("password", PASSWORD)
    return cs.attach_instances(cluster, m.AttachInstancesRequest(instances=ids, **fields)).body


def task_done(cs, task_id, timeout=15):
    return wait_for(lambda: (lambda t: t if t.state != "running" else None)(cs.describe_task_info(task_id).body),
                    timeout)


def nodes(cs, cluster=EDGE, **query):
    query.setdefault("page_size", "100")
    return cs.describe_cluster_nodes(cluster, m.DescribeClusterNodesRequest(**query)).body.nodes


def test_clusters(sb):
    cs = sb.cs()
    body = cs.describe_clusters_v1(m.DescribeClustersV1Request()).body
    assert body.page_info.total_count == 2
    edge = cs.describe_clusters_v1(m.DescribeClustersV1Request(cluster_type="ManagedKubernetes", profile="Edge")).body
    [cluster] = edge.clusters
    assert (cluster.cluster_id, cluster.profile, cluster.state) == (EDGE, "Edge", "running")
    detail = cs.describe_cluster_detail(EDGE).body
    assert detail.current_version.startswith("1.30") and detail.vpc_id == "vpc-bp1edgesandbox0000001"
    assert len(detail.vswitch_ids) == 2 and detail.security_group_id.startswith("sg-")
    named = cs.describe_clusters_v1(m.DescribeClustersV1Request(name=MANAGED_NAME)).body.clusters
    assert named[0].profile == "Default"
    err = error_of(lambda: cs.describe_cluster_detail("c0000000000000000000000000000000f"))
    assert (err.code, err.status_code) == ("ErrorClusterNotFound", 404)


def test_fixture_nodes_and_pools(sb):
    cs = sb.cs()
    listed = nodes(cs)
    assert len(listed) == 4 and all(n.state == "running" and n.node_status == "Ready" for n in listed)
    pools = {p.nodepool_info.nodepool_id: p.nodepool_info.type for p in
             cs.describe_cluster_node_pools(EDGE, m.DescribeClusterNodePoolsRequest()).body.nodepools}
    assert sorted(pools.values()) == ["edge", "ess", "ess"]  # default-nodepool, cloud-pool-2, edge-pool-1
    assert sum(pools[n.nodepool_id] == "ess" for n in listed) == 1
    page = cs.describe_cluster_nodes(EDGE, m.DescribeClusterNodesRequest(page_size="3", page_number="2")).body
    assert (len(page.nodes), page.page.total_count) == (1, 4)


def test_attach_three_then_again_and_refusals(sb):
    ecs, cs = sb.ecs(), sb.cs()
    ids = run(ecs, 3)
    wait_running(ecs, ids)
    body = attach(cs, ids, tags=[m.Tag(key="team", value="platform")])
    assert [(i.code, i.instance_id) for i in body.list] == [("200", i) for i in ids]
    assert body.task_id.startswith("T-")
    initial = nodes(cs, instance_ids=",".join(ids))
    assert {n.state for n in initial} == {"initial"}
    task = task_done(cs, body.task_id)
    assert task.state == "success" and {r.data for r in task.task_result} == set(ids)
    attached = nodes(cs, instance_ids=",".join(ids), state="running")
    assert sorted(n.instance_id for n in attached) == sorted(ids)
    assert all(n.node_name == f"cn-hangzhou.{n.ip_address[0]}" for n in attached)
    wait_for(lambda: all(n.node_status == "Ready" for n in nodes(cs, instance_ids=",".join(ids))))

    err = error_of(lambda: attach(cs, ids))
    assert err.code == "ErrorInstanceAlreadyAttached" and all(i in err.message for i in ids)

    [other] = run(ecs, 1, v_switch_id=OTHER_VSW, security_group_id=OTHER_SG)
    wait_running(ecs, [other])
    err = error_of(lambda: attach(cs, [other]))
    assert err.code == "ErrorInstanceNotInVpc" and other in err.message

    [stopped] = run(ecs, 1)
    wait_running(ecs, [stopped])
    from alibabacloud_ecs20140526 import models as em
    ecs.stop_instances(em.StopInstancesRequest(region_id="cn-hangzhou", instance_id=[stopped]))
    wait_for(lambda: statuses(ecs, [stopped])[stopped] == "Stopped")
    err = error_of(lambda: attach(cs, [stopped]))
    assert err.code == "ErrorInstanceNotRunning" and "Stopped" in err.message

    [fresh] = run(ecs, 1)
    wait_running(ecs, [fresh])
    for bad in ("Sh0rt!", "nouppercase1", 'Has"Quote1', "A" * 31 + "a1"):
        err = error_of(lambda: attach(cs, [fresh], password=bad))
        assert err.code == "InvalidParameter" and "password" in err.message.lower()
        assert bad not in err.message
    assert error_of(lambda: attach(cs, [fresh], password=None)).code == "InvalidParameter"
    assert error_of(lambda: attach(cs, [f"i-{n}" for n in range(101)])).code == "InvalidParameter"
    assert error_of(lambda: attach(cs, ["i-doesnotexist"])).code == "ErrorInstanceNotFound"
    managed = cs.describe_clusters_v1(m.DescribeClustersV1Request(name=MANAGED_NAME)).body.clusters[0].cluster_id
    assert len([c for c in sb.calls(action="AttachInstances") if c["status"] == 200]) == 1
    assert managed != EDGE


def test_attach_marks_instances_like_ack(sb):
    ecs, cs = sb.ecs(), sb.cs()
    ids = run(ecs, 2, instance_name="keep-me")
    wait_running(ecs, ids)
    task_done(cs, attach(cs, ids[:1], keep_instance_name=True).task_id)
    task_done(cs, attach(cs, ids[1:], keep_instance_name=False).task_id)
    from helpers import describe
    by_id = {i.instance_id: i for i in describe(ecs, ids).instances.instance}
    assert by_id[ids[0]].instance_name == "keep-me"
    assert by_id[ids[1]].instance_name == f"worker-k8s-for-cs-{EDGE}"
    assert all({t.tag_key: t.tag_value for t in i.tags.tag}["ack.aliyun.com"] == EDGE for i in by_id.values())


def test_attach_task_failure_for_one_of_three_then_retry(sb):
    ecs, cs = sb.ecs(), sb.cs()
    ids = run(ecs, 3)
    wait_running(ecs, ids)
    sb.faults({"kind": "attach_fail", "count": 1, "times": 1})
    task = task_done(cs, attach(cs, ids).task_id)
    assert task.state == "fail"
    assert ids[0] in task.error.message
    assert {r.data: r.status for r in task.task_result} == {ids[0]: "failed", ids[1]: "success", ids[2]: "success"}
    failed = nodes(cs, state="failed")
    assert [n.instance_id for n in failed] == [ids[0]] and failed[0].error_message
    retry = task_done(cs, attach(cs, [ids[0]]).task_id)
    assert retry.state == "success"
    assert len(nodes(cs, instance_ids=",".join(ids), state="running")) == 3


@pytest.mark.parametrize("state", ["scaling", "updating", "removing"])
def test_busy_cluster_refuses_mutations_until_it_settles(sb, state):
    ecs, cs = sb.ecs(), sb.cs()
    ids = run(ecs, 1)
    wait_running(ecs, ids)
    sb.faults({"kind": "cluster_busy", "cluster_id": EDGE, "seconds": 1.5, "state": state})
    assert cs.describe_cluster_detail(EDGE).body.state == state
    err = error_of(lambda: attach(cs, ids))
    assert (err.code, err.status_code) == ("InvalidStatus.Forbidden", 400)
    assert f"cannot operate cluster where state is {state}" in err.message
    wait_for(lambda: cs.describe_cluster_detail(EDGE).body.state == "running", timeout=5)
    assert task_done(cs, attach(cs, ids).task_id).state == "success"


def test_tasks_report_stages_events_results_and_page_by_cluster(sb):
    ecs, cs = sb.ecs(), sb.cs()
    ids = run(ecs, 2)
    wait_running(ecs, ids)
    sb.faults({"kind": "slow_task", "seconds": 30})
    task_id = attach(cs, ids).task_id
    info = cs.describe_task_info(task_id).body
    assert info.state == "running" and info.current_stage == "PrepareInstances"
    assert sorted((r.data, r.status) for r in info.task_result) == sorted((i, "initial") for i in ids)
    assert info.events[0].action == "start" and info.stages[0].end_time == ""
    listed = cs.describe_cluster_tasks(EDGE, m.DescribeClusterTasksRequest(page_size=1, page_number=1)).body
    assert [t.task_id for t in listed.tasks] == [task_id] and listed.page_info.page_size == 1
    assert listed.page_info.total_count >= 1
    cs.pause_task(task_id)
    assert cs.describe_task_info(task_id).body.state == "paused"
    cs.resume_task(task_id)
    assert cs.describe_task_info(task_id).body.state == "running"
    cs.cancel_task(task_id)
    ended = cs.describe_task_info(task_id).body
    assert ended.state == "canceled" and {r.status for r in ended.task_result} == {"failed"}
    assert error_of(lambda: cs.pause_task(task_id)).code == "InvalidParameter"
    assert not [n for n in nodes(cs) if n.instance_id in ids]  # a canceled attach adds no node


@pytest.mark.parametrize("spelling", ["fail", "failed"])
def test_a_failed_task_is_spelled_as_the_setting_says(sb, spelling):
    ecs, cs = sb.ecs(), sb.cs()
    ids = run(ecs, 1)
    wait_running(ecs, ids)
    sb.control("POST", "/settings", {"task_failed_state": spelling})
    sb.faults({"kind": "attach_fail", "count": 1})
    assert task_done(cs, attach(cs, ids).task_id).state == spelling


def test_remove_nodes_keeps_the_last_cloud_node(sb):
    ecs, cs = sb.ecs(), sb.cs()
    [cloud] = [n for n in nodes(cs) if n.is_aliyun_node]
    err = error_of(lambda: cs.delete_cluster_nodes(EDGE, m.DeleteClusterNodesRequest(nodes=[cloud.node_name])))
    assert err.code == "ErrorLastCloudNode" and cloud.node_name in err.message
    assert len(nodes(cs)) == 4

    ids = run(ecs, 2)
    wait_running(ecs, ids)
    task_done(cs, attach(cs, ids).task_id)
    names = [n.node_name for n in nodes(cs, instance_ids=",".join(ids))]
    body = cs.delete_cluster_nodes(EDGE, m.DeleteClusterNodesRequest(nodes=names[:1], drain_node=True,
                                                                      release_node=True)).body
    assert {n.state for n in nodes(cs, node_names=names[0])} == {"removing"}
    assert task_done(cs, body.task_id).state == "success"
    assert [n.node_name for n in nodes(cs, instance_ids=",".join(ids))] == names[1:]
    assert statuses(ecs, ids) == {ids[1]: "Running"}  # the released one is gone

    pool = nodes(cs, instance_ids=ids[1])[0].nodepool_id
    body = cs.remove_node_pool_nodes(EDGE, pool, m.RemoveNodePoolNodesRequest(instance_ids=[ids[1]],
                                                                              release_node=False)).body
    task_done(cs, body.task_id)
    assert statuses(ecs, ids) == {ids[1]: "Running"}  # kept, and no longer a node
    assert nodes(cs, instance_ids=ids[1]) == []


def test_attach_to_node_pool(sb):
    ecs, cs = sb.ecs(), sb.cs()
    pools = cs.describe_cluster_node_pools(EDGE, m.DescribeClusterNodePoolsRequest()).body.nodepools
    cloud = next(p.nodepool_info.nodepool_id for p in pools if p.nodepool_info.type == "ess")
    edge = next(p.nodepool_info.nodepool_id for p in pools if p.nodepool_info.type == "edge")
    ids = run(ecs, 1, v_switch_id=VSW_I)
    wait_running(ecs, ids)
    req = m.AttachInstancesToNodePoolRequest(instances=ids, password=PASSWORD)
    assert error_of(lambda: cs.attach_instances_to_node_pool(EDGE, edge, req)).code == "InvalidParameter"
    body = cs.attach_instances_to_node_pool(EDGE, cloud, req).body
    assert body.request_id and task_done(cs, body.task_id).state == "success"


def test_kubeconfig(sb):
    cs = sb.cs()
    body = cs.describe_cluster_user_kubeconfig(EDGE, m.DescribeClusterUserKubeconfigRequest()).body
    assert "certificate-authority-data:" in body.config and "token:" in body.config
    assert "server: https://127.0.0.1:" in body.config and body.expiration.endswith("Z")
    temp = cs.describe_cluster_user_kubeconfig(EDGE, m.DescribeClusterUserKubeconfigRequest(
        private_ip_address=True, temporary_duration_minutes=60)).body
    assert temp.config != body.config
    err = error_of(lambda: cs.describe_cluster_user_kubeconfig(EDGE, m.DescribeClusterUserKubeconfigRequest(
        temporary_duration_minutes=5)))
    assert err.code == "InvalidParameter"


def test_addons_install_upgrade_uninstall(sb):
    cs = sb.cs()
    listed = {a.name: a.version for a in cs.list_cluster_addon_instances(EDGE).body.addons}
    assert "metrics-server" in listed and "alicloud-monitor-controller" not in listed
    body = cs.install_cluster_addons(EDGE, m.InstallClusterAddonsRequest(body=[m.InstallClusterAddonsRequestBody(
        name="alicloud-monitor-controller", version="v1.5.5-abcdef0-aliyun", config='{"replicas": 1}')])).body
    assert cs.get_cluster_addon_instance(EDGE, "alicloud-monitor-controller").body.state == "updating"
    assert task_done(cs, body.task_id).state == "success"
    got = cs.get_cluster_addon_instance(EDGE, "alicloud-monitor-controller").body
    assert (got.version, got.state, got.config) == ("v1.5.5-abcdef0-aliyun", "active", '{"replicas": 1}')
    again = error_of(lambda: cs.install_cluster_addons(EDGE, m.InstallClusterAddonsRequest(body=[
        m.InstallClusterAddonsRequestBody(name="alicloud-monitor-controller", version="v1.5.5-abcdef0-aliyun")])))
    assert again.code == "ErrorAddonAlreadyInstalled"

    body = cs.upgrade_cluster_addons(EDGE, m.UpgradeClusterAddonsRequest(body=[m.UpgradeClusterAddonsRequestBody(
        component_name="alicloud-monitor-controller", next_version="v1.8.3-1234abc-aliyun")])).body
    task_done(cs, body.task_id)
    assert cs.get_cluster_addon_instance(EDGE, "alicloud-monitor-controller").body.version == "v1.8.3-1234abc-aliyun"
    bad = error_of(lambda: cs.upgrade_cluster_addons(EDGE, m.UpgradeClusterAddonsRequest(body=[
        m.UpgradeClusterAddonsRequestBody(component_name="metrics-server", next_version="v9")])))
    assert bad.code == "InvalidParameter" and "v0.3.9.5" in bad.message

    body = cs.un_install_cluster_addons(EDGE, m.UnInstallClusterAddonsRequest(addons=[
        m.UnInstallClusterAddonsRequestAddons(name="alicloud-monitor-controller")])).body
    task_done(cs, body.task_id)
    err = error_of(lambda: cs.get_cluster_addon_instance(EDGE, "alicloud-monitor-controller"))
    assert (err.code, err.status_code) == ("AddonNotFound", 404)
    assert error_of(lambda: cs.describe_task_info("T-000000000000000000000000")).status_code == 404


@pytest.mark.parametrize("count", [5])
def test_control_adds_clusters_for_fleets(sb, count):
    cs = sb.cs()
    for index in range(count):
        sb.control("POST", "/clusters", {"name": f"fleet-{index}"})
    edge = cs.describe_clusters_v1(m.DescribeClustersV1Request(profile="Edge", page_size=50)).body
    assert edge.page_info.total_count == count + 1
    fleet = [c for c in edge.clusters if c.name.startswith("fleet-")]
    assert all(len(nodes(cs, c.cluster_id)) == 4 for c in fleet)
    assert time.time()  # the clusters are running at once
    assert all(c.state == "running" for c in fleet)
