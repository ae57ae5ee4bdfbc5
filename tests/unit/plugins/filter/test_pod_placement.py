"""pod_placement and placement_lookups: every pod-making manifest and ACK-managed add-on is matched to its pods
through their owners, including Jobs, CronJob-made Jobs and bare Pods (issue 10 item 8)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.filter.pod_placement import (
    FilterModule, placement_lookups, pod_placement)

CLOUD = [{"metadata": {"name": "cloud-1"}}]


def doc(kind, name, namespace=None, **spec):
    metadata = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": "v1", "kind": kind, "metadata": metadata, "spec": spec}


def obj(kind, name, owner=None, namespace="default", node=None, **extra):
    metadata = {"name": name, "namespace": namespace}
    if owner:
        metadata["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    metadata.update(extra)
    body = {"metadata": metadata}
    if kind == "Pod":
        body["spec"] = {"nodeName": node} if node else {}
    return body


def listed(**objects):
    """k8s_info results looped over lookups, one per kind (namespaces are in the objects)."""
    return [{"item": {"kind": kind}, "resources": found} for kind, found in objects.items()]


def rows_by_workload(rows):
    return {r["workload"]: r for r in rows}


WORLD = listed(
    Pod=[obj("Pod", "op-5d8-a", ("ReplicaSet", "op-5d8"), node="cloud-1"),
         obj("Pod", "op-5d8-b", ("ReplicaSet", "op-5d8"), node="edge-1"),
         obj("Pod", "once-x7", ("Job", "once"), node="cloud-1"),
         obj("Pod", "nightly-2901-q", ("Job", "nightly-2901"), node="edge-2"),
         obj("Pod", "debug", node="cloud-1"),
         obj("Pod", "opx-9-a", ("ReplicaSet", "opx-9"), node="edge-1"),  # another Deployment's, similar name
         obj("Pod", "op-old-z", ("ReplicaSet", "op-5d8"), node="edge-1",
             deletionTimestamp="2026-12-02T05:00:00Z")],  # going away: not counted
    ReplicaSet=[obj("ReplicaSet", "op-5d8", ("Deployment", "op")), obj("ReplicaSet", "opx-9", ("Deployment", "opx"))],
    Job=[obj("Job", "once"), obj("Job", "nightly-2901", ("CronJob", "nightly"))])


def test_pods_are_found_through_their_owners_for_every_kind():
    documents = [doc("Deployment", "op"), doc("Job", "once"), doc("CronJob", "nightly"), doc("Pod", "debug"),
                 doc("Service", "op"), {"kind": "PodTemplate", "metadata": {"name": "t"}}]
    rows = rows_by_workload(pod_placement(documents, CLOUD, listed=WORLD))
    assert set(rows) == {"Deployment/op", "Job/once", "CronJob/nightly", "Pod/debug"}
    assert (rows["Deployment/op"]["pods"], rows["Deployment/op"]["on_cloud_nodes"]) == (2, 1)
    assert "op-5d8-b on edge-1" in rows["Deployment/op"]["problem"]
    assert rows["Job/once"] == {"workload": "Job/once", "namespace": "default", "source": "manifest", "pods": 1,
                                "on_cloud_nodes": 1, "problem": None}
    assert "1 of 1 pods are not on a cloud node (nightly-2901-q on edge-2)" in rows["CronJob/nightly"]["problem"]
    assert rows["Pod/debug"]["problem"] is None and rows["Pod/debug"]["pods"] == 1


def test_a_workload_without_pods_is_a_problem_unless_it_may_have_none():
    documents = [doc("Deployment", "gone"), doc("Deployment", "scaled-down", replicas=0), doc("Job", "cleaned"),
                 doc("CronJob", "not-yet"), doc("Pod", "missing", "ops"), doc("DaemonSet", "agent")]
    rows = rows_by_workload(pod_placement(documents, ["cloud-1"], listed=listed(Pod=[])))
    assert {w for w, r in rows.items() if r["problem"]} == {"Deployment/gone", "Pod/missing", "DaemonSet/agent"}
    assert rows["Pod/missing"]["problem"] == "Pod/missing: no pod found in namespace ops"


def test_pending_pods_and_namespaces_count():
    world = listed(Pod=[obj("Pod", "p", namespace="ops"), obj("Pod", "p", node="edge-1")])
    rows = pod_placement([doc("Pod", "p", "ops")], CLOUD, listed=world)
    assert rows[0]["pods"] == 1 and "p on (no node yet)" in rows[0]["problem"]


def test_ack_managed_addons_are_checked_by_name_in_kube_system():
    world = listed(
        Pod=[obj("Pod", "metrics-server-7-a", ("ReplicaSet", "metrics-server-7"), "kube-system", node="edge-1")],
        ReplicaSet=[obj("ReplicaSet", "metrics-server-7", ("Deployment", "metrics-server"), "kube-system")],
        Deployment=[obj("Deployment", "metrics-server", namespace="kube-system"),
                    obj("Deployment", "metrics-server", namespace="default")],
        StatefulSet=[])
    addons = [{"name": "metrics-server"}, {"name": "logtail-ds"}, {"name": "old", "state": "absent"}]
    rows = pod_placement([], CLOUD, listed=world, addons=addons)
    assert [(r["workload"], r["source"], r["pods"]) for r in rows] == [("Deployment/metrics-server", "ack-managed", 1)]
    assert "metrics-server-7-a on edge-1" in rows[0]["problem"]


def test_lookups_cover_the_namespaces_of_pod_making_manifests_and_the_addons():
    documents = [doc("Deployment", "op", "ops"), doc("ConfigMap", "c", "other"), doc("Job", "j"),
                 doc("CronJob", "cj", "batch")]
    assert placement_lookups(documents) == [
        {"api_version": "v1", "kind": "Pod", "namespace": "batch"},
        {"api_version": "batch/v1", "kind": "Job", "namespace": "batch"},
        {"api_version": "v1", "kind": "Pod", "namespace": "default"},
        {"api_version": "v1", "kind": "Pod", "namespace": "ops"},
        {"api_version": "apps/v1", "kind": "ReplicaSet", "namespace": "ops"}]
    kube_system = placement_lookups([], addons=["metrics-server"])
    assert [k["kind"] for k in kube_system] == ["Pod", "ReplicaSet", "Deployment", "StatefulSet"]
    assert {k["namespace"] for k in kube_system} == {"kube-system"}
    assert placement_lookups([], addons=[{"name": "x", "state": "absent"}]) == []


def test_the_older_input_still_works_and_bad_input_is_named():
    results = [{"item": doc("Deployment", "op"), "resources": [obj("Pod", "a", node="cloud-1")]}]
    assert pod_placement(results, CLOUD) == [{"workload": "Deployment/op", "pods": 1, "on_cloud_nodes": 1}]
    with pytest.raises(AnsibleFilterError, match="placement_lookups"):
        pod_placement([], CLOUD, listed=[{"resources": []}])
    assert set(FilterModule().filters()) == {"pod_placement", "placement_lookups"}
