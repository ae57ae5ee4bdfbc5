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


def test_the_last_cloud_node_is_never_removed():
    cloud = FakeCloud()
    iid = cloud.add_instance(node=True)
    with pytest.raises(InvalidInput) as caught:
        cluster_nodes(cloud, state="absent", instance_ids=[iid]).absent()
    assert caught.value.details["invalid_options"] == ["instance_ids"] and cloud.mutating() == []


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
