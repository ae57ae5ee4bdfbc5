"""ACK Edge node pools, versions and images (ack-facts §1.3, §1.4, §3) through the official SDKs."""

from alibabacloud_cs20151215 import models as m
from alibabacloud_ecs20140526 import models as em

from conftest import EDGE, PASSWORD, REGION, VSW_H, VSW_I, wait_for
from helpers import error_of, run, wait_running


def pools(cs, cluster=EDGE):
    return {p.nodepool_info.name: p for p in
            cs.describe_cluster_node_pools(cluster, m.DescribeClusterNodePoolsRequest()).body.nodepools}


def test_default_pool_holds_the_data_plane_vswitches(sb):
    cs = sb.cs()
    found = pools(cs)
    assert {name: p.nodepool_info.type for name, p in found.items()} == {
        "default-nodepool": "ess", "cloud-pool-2": "ess", "edge-pool-1": "edge"}
    default = found["default-nodepool"]
    assert default.nodepool_info.is_default and sorted(default.scaling_group.vswitch_ids) == [VSW_H, VSW_I]
    cluster = cs.describe_cluster_detail(EDGE).body
    assert not set(cluster.vswitch_ids) & set(default.scaling_group.vswitch_ids)
    assert found["cloud-pool-2"].scaling_group.security_group_ids != default.scaling_group.security_group_ids
    err = error_of(lambda: cs.delete_cluster_nodepool(EDGE, default.nodepool_info.nodepool_id,
                                                      m.DeleteClusterNodepoolRequest()))
    assert err.code == "ErrorDefaultNodePoolUndeletable"


def test_pool_attach_refuses_what_the_pool_owns_and_the_batch_limit(sb):
    ecs, cs = sb.ecs(), sb.cs()
    pool = pools(cs)["cloud-pool-2"].nodepool_info.nodepool_id
    ids = run(ecs, 1, v_switch_id=VSW_I)
    wait_running(ecs, ids)
    for field, value in (("key_pair", "kp"), ("image_id", "aliyun_3_x64_20G_alibase_20241218.vhd"),
                         ("user_data", "ZWNobw=="), ("cpu_policy", "static")):
        err = error_of(lambda: cs.attach_instances(EDGE, m.AttachInstancesRequest(
            instances=ids, password=PASSWORD, nodepool_id=pool, **{field: value})))
        assert err.code == "InvalidParameter" and field in err.message
    too_many = [f"i-{n}" for n in range(21)]
    err = error_of(lambda: cs.attach_instances_to_node_pool(EDGE, pool, m.AttachInstancesToNodePoolRequest(
        instances=too_many, password=PASSWORD)))
    assert err.code == "InvalidParameter" and "At most 20" in err.message
    sb.control("POST", "/settings", {"attach_max_instances": 100})
    err = error_of(lambda: cs.attach_instances_to_node_pool(EDGE, pool, m.AttachInstancesToNodePoolRequest(
        instances=too_many, password=PASSWORD)))
    assert err.code == "ErrorInstanceNotFound"
    # the pool's login serves when no password is given
    body = cs.attach_instances_to_node_pool(EDGE, pool, m.AttachInstancesToNodePoolRequest(instances=ids)).body
    assert wait_for(lambda: cs.describe_task_info(body.task_id).body.state == "success")


def test_centos_refused_from_1_30_and_image_families(sb):
    ecs, cs = sb.ecs(), sb.cs()
    centos = "centos_7_6_x64_20G_alibase_20211130.vhd"
    ids = run(ecs, 1, image_id=centos)
    wait_running(ecs, ids)
    err = error_of(lambda: cs.attach_instances(EDGE, m.AttachInstancesRequest(instances=ids, password=PASSWORD)))
    assert err.code == "ErrorImageNotSupported"
    old = sb.control("POST", "/clusters", {"name": "edge-128", "version": "1.28.9-aliyun.1"})["cluster_id"]
    task = cs.attach_instances(old, m.AttachInstancesRequest(instances=ids, password=PASSWORD)).body.task_id
    wait_for(lambda: cs.describe_task_info(task).body.state == "success")
    assert sb.control("POST", "/clusters", {"name": "edge-134", "version": "1.34.1-aliyun.1"})["cluster_id"]

    def family(name, owner="system"):
        return ecs.describe_images(em.DescribeImagesRequest(region_id=REGION, image_family=name,
                                                            image_owner_alias=owner)).body.images.image
    newest = family("acs:alibaba_cloud_linux_3_2104_lts_x64")
    assert [i.image_id for i in newest][:2] == ["aliyun_3_x64_20G_alibase_20250629.vhd",
                                                "aliyun_3_x64_20G_alibase_20241218.vhd"]
    assert all(i.image_owner_alias == "system" for i in newest)
    assert [i.image_id for i in family("acs:alibaba_cloud_linux_3_2104_lts_x64", "self")] == [
        "m-bp1sandboxcustomalinux3"]
    assert family("acs:containeros_3_x64")[0].image_id.startswith("lifsea_3")
