"""ensure / present / absent against an in-memory cloud that keeps state: deadlines, partial results, busy clusters
and the release plan that decommission drains."""
import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cs_cluster_node import ClusterNodes
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._ecs_instance import InstanceSet, surplus
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, InvalidInput
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import WaitTimeout
from ansible_collections.ack_edge.cloud_nodes.tests.unit.fake_cloud import FakeCloud, context
from ansible_collections.ack_edge.cloud_nodes.tests.unit.plugins.module_utils.test_cs_cluster_node import \
    params as node_params
from ansible_collections.ack_edge.cloud_nodes.tests.unit.plugins.module_utils.test_ecs_instance import \
    params as instance_params

MATCH = {"cloud-nodes/cluster": "c1", "cloud-nodes/role": "management"}


def instance_set(cloud, timeout=600, check_mode=False, **overrides):
    p = instance_params(match_tags=dict(MATCH), wait_timeout=timeout, **overrides)
    return InstanceSet(context(cloud, timeout, check_mode), p)


def cluster_nodes(cloud, timeout=600, check_mode=False, **overrides):
    return ClusterNodes(context(cloud, timeout, check_mode), node_params(wait_timeout=timeout, **overrides))


# -- ecs_instance --------------------------------------------------------------------------------------------------
def test_grow_buys_the_difference_and_waits_until_running():
    cloud = FakeCloud()
    cloud.add_instance(tags=MATCH)
    result = instance_set(cloud, exact_count=3).ensure()
    assert len(result["created_instance_ids"]) == 2 and result["changed"]
    assert all(cloud.instances[i]["status"] == "Running" for i in result["instance_ids"])
    assert [c[0] for c in cloud.mutating()] == ["RunInstances"]


def test_a_timeout_fails_at_the_deadline_with_what_was_bought():
    cloud = FakeCloud(boot=100.0)
    with pytest.raises(WaitTimeout) as caught:
        instance_set(cloud, timeout=10, exact_count=2).ensure()
    details = caught.value.details
    assert details["changed"] and len(details["created_instance_ids"]) == 2
    assert set(details["pending"]) == set(details["created_instance_ids"])
    assert 10.0 <= cloud.clock.now <= 10.0 + 5.0  # the deadline, plus at most one poll interval
    # The rerun finds them by their tags and buys nothing more.
    rerun = instance_set(cloud, exact_count=2).ensure()  # they are still booting: it waits for them
    assert not rerun["changed"] and sorted(rerun["instance_ids"]) == sorted(details["created_instance_ids"])
    assert [i["status"] for i in rerun["instances"]] == ["Running", "Running"] and cloud.clock.now >= 100.0
    assert [c[0] for c in cloud.mutating()] == ["RunInstances"]


def test_grow_shrink_grow_buys_again_instead_of_replaying_a_released_purchase():
    """1 -> 2 -> 1 -> 2: the last grow has the same intent as the second, so the same derived ClientToken; ECS
    replays the first purchase, whose instance is gone. The module must notice and buy under a new token."""
    cloud = FakeCloud()
    first = instance_set(cloud, exact_count=1).ensure()["instance_ids"]
    cloud.clock.sleep(60)  # a minute later, so the second instance is unambiguously the newest
    second = instance_set(cloud, exact_count=2).ensure()["created_instance_ids"]
    shrunk = instance_set(cloud, exact_count=1, allow_release=True, max_release=1).ensure()
    assert shrunk["released_instance_ids"] == second and shrunk["instance_ids"] == first
    regrown = instance_set(cloud, exact_count=2).ensure()
    assert regrown["changed"] and len(regrown["created_instance_ids"]) == 1
    assert regrown["created_instance_ids"] != second and regrown["created_instance_ids"][0] in cloud.instances
    assert sorted(regrown["instance_ids"]) == sorted(first + regrown["created_instance_ids"])
    rerun = instance_set(cloud, exact_count=2).ensure()
    assert not rerun["changed"] and len([i for i in cloud.instances.values() if i["tags"] == MATCH]) == 2


def test_a_lost_response_retried_gets_the_same_instances_back():
    """The token stays stable for one intent: the retry after a lost response buys nothing more."""
    cloud = FakeCloud()
    cloud.add_instance(tags=MATCH)
    lost = instance_set(cloud, exact_count=2)
    real = cloud._RunInstances

    def lose_once(**kwargs):
        real(**kwargs)  # the purchase goes through, the response is lost
        cloud._RunInstances = real
        raise AlicloudError("read timed out", code="RequestTimeout")
    cloud._RunInstances = lose_once
    with pytest.raises(AlicloudError):
        lost.ensure()
    # Not yet visible to the rerun's listing (tags not indexed yet): the same intent replays the same purchase.
    hidden = [i for i, inst in cloud.instances.items() if inst["status"] == "Pending"]
    saved = {i: cloud.instances[i]["tags"] for i in hidden}
    for iid in hidden:
        cloud.instances[iid]["tags"] = {}
    replayed = instance_set(cloud, exact_count=2)
    replayed.current = lambda: [i for i in InstanceSet.current(replayed) if i["instance_id"] not in hidden]
    for iid, tags in saved.items():
        cloud.instances[iid]["tags"] = tags
    result = replayed.ensure()
    assert result["created_instance_ids"] == hidden and len(cloud.instances) == 2


def test_a_vswitch_outside_the_wanted_vpc_is_refused_before_any_purchase():
    """Issue 10 item 4: instances bought outside the cluster's VPC can never join it; blame the vSwitch."""
    cloud = FakeCloud()
    with pytest.raises(InvalidInput) as caught:
        instance_set(cloud, exact_count=2, vswitch_id=None, vswitch_ids=["vsw-9"], vpc_id="vpc-a").ensure()
    assert caught.value.problems == [("vswitch_ids", "vsw-9 is in vpc-b, not in vpc_id vpc-a: instances there "
                                                     "could never join")]
    assert cloud.mutating() == []


def test_instances_outside_the_vpc_do_not_count_and_are_left_alone():
    """Two bought in the wrong VPC (before vpc_id) must not stand in for the cluster's nodes, nor be touched."""
    cloud = FakeCloud()
    strays = [cloud.add_instance(tags=MATCH) for dummy in range(2)]
    for iid in strays:
        cloud.instances[iid]["vswitch"] = "vsw-9"
    result = instance_set(cloud, exact_count=2, vpc_id="vpc-a").ensure()
    assert result["outside_vpc_instance_ids"] == strays and len(result["created_instance_ids"]) == 2
    assert not set(strays) & set(result["instance_ids"]) and all(i in cloud.instances for i in strays)


def test_check_mode_plans_without_changing_or_sleeping():
    cloud = FakeCloud()
    result = instance_set(cloud, check_mode=True, exact_count=2).ensure()
    assert result["plan"]["create"] == 2 and cloud.mutating() == [] and cloud.clock.now == 0.0


# -- cs_cluster_node -----------------------------------------------------------------------------------------------
def test_a_busy_cluster_until_just_before_the_deadline_is_waited_out():
    cloud = FakeCloud(busy_until=8.0, attach=1.0)
    iid = cloud.add_instance()
    result = cluster_nodes(cloud, timeout=20, instance_ids=[iid]).present()
    assert result["attached_instance_ids"] == [iid] and cloud.nodes[iid]["state"] == "running"
    assert [c[0] for c in cloud.mutating()] == ["AttachInstances"]


def test_a_busy_cluster_until_after_the_deadline_fails_in_time_and_attaches_nothing():
    cloud = FakeCloud(busy_until=60.0)
    iid = cloud.add_instance()
    with pytest.raises(AlicloudError) as caught:
        cluster_nodes(cloud, timeout=10, instance_ids=[iid]).present()
    assert caught.value.code == "WaitTimeout" and "scaling" in caught.value.msg
    assert caught.value.details["pending_instance_ids"] == [iid] and not caught.value.details["changed"]
    assert 10.0 <= cloud.clock.now <= 15.0 and cloud.nodes == {}


def test_a_slow_attach_fails_at_the_deadline_and_a_rerun_finishes_it():
    cloud = FakeCloud(attach=30.0)
    iid = cloud.add_instance()
    with pytest.raises(WaitTimeout) as caught:
        cluster_nodes(cloud, timeout=10, instance_ids=[iid]).present()
    assert caught.value.details["task_id"] and caught.value.details["changed"]
    assert "running" in caught.value.msg and cloud.clock.now <= 15.0
    rerun = cluster_nodes(cloud, instance_ids=[iid]).present()  # the node is still joining: it waits for it
    assert not rerun["changed"] and rerun["nodes"][0]["state"] == "running" and cloud.clock.now >= 30.0
    assert len([c for c in cloud.mutating() if c[0] == "AttachInstances"]) == 1


def test_waits_that_each_fit_but_not_together_fail_at_the_one_deadline():
    cloud = FakeCloud(attach=7.0)
    iid = cloud.add_instance(status="Pending")
    cloud.instances[iid]["ready_at"] = 6.0  # boots in 6 s, then the attach task runs 7 s: 13 s in all
    with pytest.raises(WaitTimeout) as caught:
        cluster_nodes(cloud, timeout=10, instance_ids=[iid]).present()
    assert 10.0 <= cloud.clock.now <= 15.0 and caught.value.details["task_id"]


@pytest.mark.parametrize("raced", [1, 2])
def test_a_concurrent_run_that_attached_first_is_done_not_an_error(raced):
    """Issue 15: two provision runs of one cluster; the other one attached some (or all) of ours a moment ago."""
    cloud = FakeCloud(attach=1.0)
    ids = [cloud.add_instance(), cloud.add_instance()]
    real = cloud._AttachInstances

    def other_run_first(cluster_id, instances=(), **kwargs):
        cloud._AttachInstances = real
        real(cluster_id, instances=ids[:raced])
        return real(cluster_id, instances=instances, **kwargs)
    cloud._AttachInstances = other_run_first
    result = cluster_nodes(cloud, instance_ids=ids).present()
    assert all(cloud.nodes[i]["state"] == "running" for i in ids)
    assert sorted(n["instance_id"] for n in result["nodes"]) == sorted(ids)


def test_a_lost_attach_response_is_recovered_not_resent():
    """Issue 11: the attach went through but its answer was lost; the module finds the nodes joining and the running
    task (DescribeClusterTasks), follows that task, and sends AttachInstances once."""
    cloud = FakeCloud(attach=1.0)
    ids = [cloud.add_instance(), cloud.add_instance()]
    real = cloud._AttachInstances

    def lost(cluster_id, instances=(), **kwargs):
        real(cluster_id, instances=instances, **kwargs)
        raise AlicloudError("the connection was lost", code="NetworkError", network=True)
    cloud._AttachInstances = lost
    result = cluster_nodes(cloud, instance_ids=ids).present()
    assert [c[0] for c in cloud.mutating()] == ["AttachInstances"]
    assert result["task_id"] == next(iter(cloud.tasks)) and all(cloud.nodes[i]["state"] == "running" for i in ids)


def test_a_lost_attach_response_never_follows_another_runs_task():
    cloud = FakeCloud(attach=1.0)
    other, ids = cloud.add_instance(), [cloud.add_instance()]
    real = cloud._AttachInstances

    def lost(cluster_id, instances=(), **kwargs):
        real(cluster_id, instances=instances, **kwargs)
        real(cluster_id, instances=[other])  # someone else's attach, a moment later: the newest running task
        raise AlicloudError("the connection was lost", code="NetworkError", network=True)
    cloud._AttachInstances = lost
    result = cluster_nodes(cloud, instance_ids=ids).present()
    ours = [t for t, task in cloud.tasks.items() if task["instances"] == ids]
    assert result["task_id"] == ours[0]


def test_a_token_mismatch_names_the_secrets_as_what_changed():
    cloud = FakeCloud()

    def mismatch(**dummy):
        raise AlicloudError("RunInstances failed: retried with updated parameters.", code="IdempotentParameterMismatch")
    cloud._RunInstances = mismatch
    with pytest.raises(AlicloudError) as caught:
        instance_set(cloud, exact_count=1).ensure()
    assert "what changed since the first request with it is password, user_data, or how many" in caught.value.msg
    assert cloud.instances == {}


def test_the_last_cloud_node_is_never_removed():
    cloud = FakeCloud()
    iid = cloud.add_instance(node=True)
    with pytest.raises(InvalidInput) as caught:
        cluster_nodes(cloud, state="absent", instance_ids=[iid]).absent()
    assert caught.value.details["invalid_options"] == ["instance_ids"] and cloud.mutating() == []


# -- node pools (issue 11) -----------------------------------------------------------------------------------------
def with_pools(cloud):
    """The ACK Edge pools: default-nodepool (cloud), cloud-pool-2, edge-pool-1; AttachInstancesToNodePool as attach."""
    def pools(cluster_id):
        return {"nodepools": [{"nodepool_info": {"nodepool_id": pid, "name": name, "type": kind, "is_default": default}}
                              for pid, name, kind, default in (("np-cloud", "default-nodepool", "ess", True),
                                                               ("np-2", "cloud-pool-2", "ess", False),
                                                               ("np-edge", "edge-pool-1", "edge", False))]}

    def pool_attach(cluster_id, nodepool_id, **body):
        cloud.pool_bodies.append(dict(body, nodepool=nodepool_id))
        return cloud._AttachInstances(cluster_id, **body)
    cloud._DescribeClusterNodePools = pools
    cloud._AttachInstancesToNodePool = pool_attach
    cloud.pool_bodies = []
    return cloud


@pytest.mark.parametrize("pool, why", [("edge-pool-1", "is an edge node pool"), ("nope", "has no node pool nope")])
def test_an_edge_or_unknown_pool_is_refused_before_any_change(pool, why):
    cloud = with_pools(FakeCloud())
    iid = cloud.add_instance()
    with pytest.raises(InvalidInput) as caught:
        cluster_nodes(cloud, instance_ids=[iid], nodepool_name=pool).present()
    assert caught.value.details["invalid_options"] == ["nodepool_name"] and why in caught.value.msg
    assert cloud.mutating() == []


def test_a_named_pool_is_attached_with_the_pool_call_and_its_fields_only():
    cloud = with_pools(FakeCloud())
    iid = cloud.add_instance()
    cluster_nodes(cloud, instance_ids=[iid], nodepool_name="cloud-pool-2").present()
    assert [c[0] for c in cloud.mutating()] == ["AttachInstancesToNodePool"]
    assert cloud.pool_bodies == [{"instances": [iid], "password": "Good-Pass-1", "format_disk": False,
                                  "keep_instance_name": True, "nodepool": "np-2"}]


def test_batches_of_attach_batch_size():
    cloud = FakeCloud()
    ids = [cloud.add_instance() for dummy in range(25)]
    cluster_nodes(cloud, instance_ids=ids).present()
    assert [len(c[2]["instances"]) for c in cloud.mutating()] == [20, 5]


# -- decommission: the release plan is the drain plan --------------------------------------------------------------
def decommission(cloud, count):
    """What the decommission playbook does: plan with the release order, drain and remove those, release those."""
    current = instance_set(cloud).current()
    leaving = [i["instance_id"] for i in surplus(current, count)]
    removed = cluster_nodes(cloud, state="absent", instance_ids=leaving).absent()["removed_instance_ids"] \
        if leaving else []
    released = instance_set(cloud, exact_count=len(current) - len(leaving), allow_release=True,
                            max_release=len(leaving), expected_release=leaving).ensure()["released_instance_ids"] \
        if leaving else []
    return leaving, removed, released


def test_decommission_releases_what_it_drained_a_stopped_non_node_first():
    cloud = FakeCloud()
    a = cloud.add_instance(minute=1, tags=MATCH, node=True)
    b = cloud.add_instance(minute=2, status="Stopped", tags=MATCH)
    c = cloud.add_instance(minute=3, tags=MATCH, node=True)
    cloud.add_instance(minute=0, node=True)  # a pre-existing cloud node, not managed
    leaving, removed, released = decommission(cloud, 2)
    assert leaving == [b] and removed == [] and released == [b]
    assert sorted(cloud.instances) == sorted([a, c, *[i for i in cloud.instances if i not in (a, c)]])
    assert b not in cloud.instances and {a, c} <= set(cloud.nodes)


def test_decommission_of_nodes_bought_in_one_minute_takes_the_highest_name_index():
    cloud = FakeCloud()
    cloud.add_instance(minute=0, node=True)
    bought = [cloud.add_instance(iid, minute=5, name=f"cloud-node-{n:03d}", tags=MATCH, node=True)
              for iid, n in (("i-zz", 1), ("i-aa", 2), ("i-mm", 3))]  # IDs do not follow the names
    leaving, removed, released = decommission(cloud, 1)
    assert leaving == ["i-mm", "i-aa"] and sorted(removed) == sorted(leaving) and sorted(released) == sorted(leaving)
    assert set(cloud.instances) >= {bought[0]} and not set(leaving) & set(cloud.instances)


def test_check_mode_refuses_to_release_a_node_as_the_real_run_does():
    cloud = FakeCloud()
    cloud.add_instance(minute=1, tags=MATCH, node=True)
    cloud.add_instance(minute=2, tags=MATCH, node=True)
    for check_mode in (True, False):
        with pytest.raises(InvalidInput, match="nodes of a cluster"):
            instance_set(cloud, check_mode=check_mode, exact_count=1, allow_release=True).ensure()
    assert cloud.mutating() == []


def test_release_refuses_a_plan_that_changed_even_to_nothing():
    cloud = FakeCloud()
    cloud.add_instance(minute=1, tags=MATCH)
    with pytest.raises(InvalidInput) as caught:
        instance_set(cloud, exact_count=1, allow_release=True, expected_release=["i-gone"]).ensure()
    assert caught.value.details["invalid_options"] == ["expected_release"] and "release nothing" in caught.value.msg


def test_release_refuses_a_plan_that_changed():
    cloud = FakeCloud()
    cloud.add_instance(minute=1, tags=MATCH)
    newest = cloud.add_instance(minute=2, tags=MATCH)
    with pytest.raises(InvalidInput) as caught:
        instance_set(cloud, exact_count=1, allow_release=True, expected_release=["i-other"]).ensure()
    assert caught.value.details["invalid_options"] == ["expected_release"] and newest in caught.value.msg
    assert cloud.mutating() == []


def test_a_cluster_of_another_region_changes_nothing():
    cloud = FakeCloud()
    cloud.cluster["region_id"] = "cn-shanghai"
    ids = [cloud.add_instance(), cloud.add_instance()]
    with pytest.raises(AlicloudError, match="cluster c1 is in region cn-shanghai, but the region in use is "
                                            "cn-hangzhou"):
        cluster_nodes(cloud, instance_ids=ids).ensure()
    assert cloud.mutating() == []
