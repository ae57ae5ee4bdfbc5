"""A second region: ECS and CS answer per region, as the real regional APIs do, and the default region sees exactly
what it saw before the second region existed."""

import json

from alibabacloud_cs20151215 import models as m
from alibabacloud_ecs20140526 import models as em
from alibabacloud_tea_openapi.utils_models import GlobalParameters

from conftest import EDGE, PASSWORD, wait_for
from helpers import error_of, run, wait_running

SHANGHAI = "cn-shanghai"
VSW_E = "vsw-uf6edgesandboxzonee01"
SG_SH = "sg-uf6edgesandbox00000001"


def cs_in(sb, region):
    """A CS client for one region: the sandbox serves every region on one endpoint and reads x-acs-region-id."""
    return sb.cs(region_id=region, global_parameters=GlobalParameters(headers={"x-acs-region-id": region}))


def shanghai_cluster(sb):
    [cluster] = cs_in(sb, SHANGHAI).describe_clusters_v1(m.DescribeClustersV1Request()).body.clusters
    return cluster


def test_cs_lists_and_finds_clusters_of_the_asked_region_only(sb):
    cluster = shanghai_cluster(sb)
    assert (cluster.name, cluster.region_id, cluster.profile) == ("edge-shanghai", SHANGHAI, "Edge")
    assert cluster.vpc_id == "vpc-uf6edgesandbox0000001" and cluster.security_group_id == SG_SH
    hangzhou = sb.cs().describe_clusters_v1(m.DescribeClustersV1Request()).body  # no header: the default region
    assert hangzhou.page_info.total_count == 2 and SHANGHAI not in {c.region_id for c in hangzhou.clusters}
    shanghai = cs_in(sb, SHANGHAI)
    assert shanghai.describe_cluster_detail(cluster.cluster_id).body.region_id == SHANGHAI
    for client, cid in ((shanghai, EDGE), (sb.cs(), cluster.cluster_id), (cs_in(sb, "cn-hangzhou"), cluster.cluster_id)):
        err = error_of(lambda: client.describe_cluster_detail(cid))
        assert (err.code, err.status_code) == ("ErrorClusterNotFound", 404)
    assert [c["region"] for c in sb.calls(service="cs")][-3:] == [SHANGHAI, "cn-hangzhou", "cn-hangzhou"]


def test_a_cloud_node_in_the_second_region(sb):
    ecs = sb.ecs(region_id=SHANGHAI)
    cluster = shanghai_cluster(sb)
    shanghai = cs_in(sb, SHANGHAI)
    [fixture_node] = [n for n in shanghai.describe_cluster_nodes(cluster.cluster_id, m.DescribeClusterNodesRequest())
                      .body.nodes if n.is_aliyun_node]
    assert fixture_node.instance_id.startswith("i-uf6") and fixture_node.node_name.startswith("cn-shanghai.10.100.")

    [iid] = run(ecs, 1, region_id=SHANGHAI, v_switch_id=VSW_E, security_group_id=SG_SH)
    assert iid.startswith("i-uf6")
    wait_for(lambda: _status(ecs, SHANGHAI, iid) == "Running")
    assert _status(sb.ecs(), "cn-hangzhou", iid) is None  # not seen from the default region
    body = shanghai.attach_instances(cluster.cluster_id, m.AttachInstancesRequest(instances=[iid], password=PASSWORD))
    task = body.body.task_id
    err = error_of(lambda: sb.cs().describe_task_info(task))
    assert err.code == "ErrorTaskNotFound"
    wait_for(lambda: shanghai.describe_task_info(task).body.state == "success")

    # An instance of the default region cannot join the second region's cluster.
    [hz] = run(sb.ecs(), 1)
    wait_running(sb.ecs(), [hz])
    err = error_of(lambda: shanghai.attach_instances(cluster.cluster_id,
                                                     m.AttachInstancesRequest(instances=[hz], password=PASSWORD)))
    assert err.code == "ErrorInstanceNotFound" and SHANGHAI in err.message

    state = sb.control("GET", f"/state?region={SHANGHAI}")
    [summary] = state["clusters"]
    assert sorted(summary["cloud_nodes"]) == sorted([fixture_node.instance_id, iid])
    assert state["instances"]["ids"] == sorted([fixture_node.instance_id, iid])
    default = sb.control("GET", "/state")
    assert default["region"] == "cn-hangzhou" and default["regions"] == ["cn-hangzhou", SHANGHAI]
    assert default["instances"]["total"] == 3 and iid not in default["instances"]["ids"]  # 2 fixture nodes + hz
    assert [c["name"] for c in default["clusters"]] == ["edge-hangzhou", "managed-hangzhou"]


def _status(ecs, region, iid):
    found = ecs.describe_instances(em.DescribeInstancesRequest(region_id=region, instance_ids=json.dumps([iid])))
    return next((i.status for i in found.body.instances.instance), None)


def test_ecs_network_of_each_region(sb):
    ecs = sb.ecs()
    groups = ecs.describe_security_groups(em.DescribeSecurityGroupsRequest(region_id=SHANGHAI)).body
    assert [g.security_group_id for g in groups.security_groups.security_group] == [SG_SH]
    switches = ecs.describe_vswitches(em.DescribeVSwitchesRequest(region_id=SHANGHAI)).body.v_switches.v_switch
    assert {s.zone_id for s in switches} == {"cn-shanghai-e", "cn-shanghai-f"}
    hangzhou = ecs.describe_security_groups(em.DescribeSecurityGroupsRequest(region_id="cn-hangzhou")).body
    assert SG_SH not in {g.security_group_id for g in hangzhou.security_groups.security_group}
    err = error_of(lambda: run(ecs, 1, v_switch_id=VSW_E, security_group_id=SG_SH))  # Shanghai's, asked in Hangzhou
    assert err.code == "InvalidVSwitchId.NotFound"


def test_control_adds_clusters_in_a_region(sb):
    added = sb.control("POST", "/clusters", {"name": "fleet-sh", "region": SHANGHAI})
    names = {c.name for c in cs_in(sb, SHANGHAI).describe_clusters_v1(m.DescribeClustersV1Request()).body.clusters}
    assert names == {"edge-shanghai", "fleet-sh"}
    assert added["cluster_id"] not in {c["cluster_id"] for c in sb.control("GET", "/state")["clusters"]}
