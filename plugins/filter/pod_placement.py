# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pod_placement and placement_lookups filters: where the pods of the management apps and of the ACK-managed
add-ons run, counted against the cloud nodes (docs: pod_placement.yml, placement_lookups.yml).

Pods are matched to their workload through ownerReferences (pod -> ReplicaSet -> Deployment, pod -> Job ->
CronJob), not through label selectors: Jobs and bare Pods usually have no selector in their manifest, and a
CronJob's Jobs carry names the manifest cannot know."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.filter.cloud_placement import POD_SPEC_PATHS

ADDON_NAMESPACE = "kube-system"
# Kinds whose pods pass through one more owner on their way to the manifest's object: kind -> (apiVersion, the
# kind of the manifest's object that needs them listed).
INTERMEDIATE = {"ReplicaSet": ("apps/v1", "Deployment"), "Job": ("batch/v1", "CronJob")}
# The workloads an ACK-managed add-on may run, found by the add-on's name; its DaemonSets run on every node by
# design and are not checked. That the workload is named after the add-on is UNCONFIRMED for real ACK (it holds
# for metrics-server and the sandbox); an add-on with no such workload is skipped, not reported as a fault.
ADDON_KINDS = {"Deployment": "apps/v1", "StatefulSet": "apps/v1"}
# Kinds that may legitimately have no pod at a given moment.
MAY_BE_EMPTY = {"Job", "CronJob"}
SHOWN = 5


def _pod_makers(documents):
    return [d for d in documents or [] if isinstance(d, dict) and d.get("kind") in POD_SPEC_PATHS
            and d["kind"] != "PodTemplate"]


def _namespace(obj):
    return (obj.get("metadata") or {}).get("namespace") or "default"


def _present_addons(addons):
    """Names of the add-ons that should be installed: `addons_managed` items (or plain names), not state absent."""
    names = []
    for addon in addons or []:
        if isinstance(addon, dict):
            if addon.get("state", "present") != "absent" and addon.get("name"):
                names.append(addon["name"])
        else:
            names.append(addon)
    return names


def placement_lookups(documents, addons=None):
    """What to list (api_version, kind, namespace) so that pod_placement can tell where each workload's pods run:
    the Pods of each namespace, and the ReplicaSets or Jobs only where a Deployment or CronJob needs them."""
    kinds = {}  # namespace -> the kinds of its pod-making manifests
    for document in _pod_makers(documents):
        kinds.setdefault(_namespace(document), set()).add(document["kind"])
    if _present_addons(addons):
        kinds.setdefault(ADDON_NAMESPACE, set()).update(ADDON_KINDS)
    lookups = []
    for namespace in sorted(kinds):
        wanted = [("Pod", "v1")] + [(kind, version) for kind, (version, needed_by) in INTERMEDIATE.items()
                                    if needed_by in kinds[namespace]]
        lookups += [{"api_version": v, "kind": k, "namespace": namespace} for k, v in wanted]
    if _present_addons(addons):
        lookups += [{"api_version": v, "kind": k, "namespace": ADDON_NAMESPACE} for k, v in ADDON_KINDS.items()]
    return lookups


def _controller(obj):
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    ref = next((r for r in refs if r.get("controller")), refs[0] if refs else None)
    return (ref["kind"], ref["name"]) if ref else None


def _listed(results):
    """{kind: [objects]} from the results of a k8s_info task looped over placement_lookups."""
    found = {}
    for result in results or []:
        lookup = result.get("item") if isinstance(result, dict) else None
        if not isinstance(lookup, dict) or "kind" not in lookup:
            raise AnsibleFilterError("pod_placement: listed expects the results of a k8s_info task looped over "
                                     "placement_lookups")
        found.setdefault(lookup["kind"], []).extend(result.get("resources") or [])
    return found


def _pods_by_owner(found):
    """{(namespace, kind, name): [pods]} for each pod's own name, its owner and its owner's owner."""
    parents = {(_namespace(o), kind, o["metadata"]["name"]): _controller(o)
               for kind in INTERMEDIATE for o in found.get(kind, [])}
    owned = {}
    for pod in found.get("Pod", []):
        metadata = pod.get("metadata") or {}
        if metadata.get("deletionTimestamp"):
            continue
        namespace = _namespace(pod)
        chain = [("Pod", metadata.get("name"))]
        owner = _controller(pod)
        if owner:
            chain.append(owner)
            if parents.get((namespace, *owner)):
                chain.append(parents[(namespace, *owner)])
        for kind, name in chain:
            owned.setdefault((namespace, kind, name), []).append(pod)
    return owned


def _expects_pods(workload):
    kind = workload["kind"]
    if kind in MAY_BE_EMPTY:
        return False
    if kind in ("Pod", "DaemonSet"):
        return True
    replicas = (workload.get("spec") or {}).get("replicas")
    return replicas is None or int(replicas) > 0


def _row(workload, pods, cloud, source):
    label = f"{workload['kind']}/{(workload.get('metadata') or {}).get('name') or '(no name)'}"
    elsewhere = [f"{p['metadata']['name']} on {(p.get('spec') or {}).get('nodeName') or '(no node yet)'}"
                 for p in pods if (p.get("spec") or {}).get("nodeName") not in cloud]
    problem = None
    if elsewhere:
        shown = ", ".join(elsewhere[:SHOWN]) + (f" and {len(elsewhere) - SHOWN} more" if len(elsewhere) > SHOWN else "")
        problem = f"{label}: {len(elsewhere)} of {len(pods)} pods are not on a cloud node ({shown})"
    elif not pods and _expects_pods(workload):
        problem = f"{label}: no pod found in namespace {_namespace(workload)}"
    return {"workload": label, "namespace": _namespace(workload), "source": source, "pods": len(pods),
            "on_cloud_nodes": len(pods) - len(elsewhere), "problem": problem}


def _legacy(results, names):
    rows = []
    for result in results or []:
        workload = result.get("item") or {}
        if not isinstance(workload, dict) or "kind" not in workload:
            raise AnsibleFilterError("pod_placement expects the results of a k8s_info task looped over workloads")
        pods = result.get("resources") or []
        rows.append({"workload": f"{workload['kind']}/{workload['metadata']['name']}", "pods": len(pods),
                     "on_cloud_nodes": sum(1 for p in pods if (p.get("spec") or {}).get("nodeName") in names)})
    return rows


def pod_placement(workloads, cloud_nodes, listed=None, addons=None):
    """One row per workload that makes pods: its pod count, how many run on a node of `cloud_nodes` (node names,
    or Node objects) and, when not all of them do (or a workload that should have pods has none), a `problem`.

    `workloads` are manifests (PodTemplates and kinds that make no pods are skipped); `listed` is the result of
    k8s_info looped over placement_lookups. `addons` (names, or `addons_managed` items) are ACK-managed add-ons
    whose Deployment or StatefulSet of the same name in kube-system is checked too. Without `listed`, `workloads` is the older input: k8s_info
    results looped over workloads, each with that workload's pods.
    """
    cloud = {n["metadata"]["name"] if isinstance(n, dict) else n for n in cloud_nodes or []}
    if listed is None:
        return _legacy(workloads, cloud)
    found = _listed(listed)
    owned = _pods_by_owner(found)
    rows = []
    for workload in _pod_makers(workloads):
        key = (_namespace(workload), workload["kind"], (workload.get("metadata") or {}).get("name"))
        rows.append(_row(workload, owned.get(key, []), cloud, "manifest"))
    for name in _present_addons(addons):
        for kind in ADDON_KINDS:
            for obj in found.get(kind, []):
                if obj["metadata"]["name"] == name and _namespace(obj) == ADDON_NAMESPACE:
                    rows.append(_row(dict(obj, kind=kind), owned.get((ADDON_NAMESPACE, kind, name), []), cloud,
                                     "ack-managed"))
    return rows


class FilterModule:
    def filters(self):
        return {"pod_placement": pod_placement, "placement_lookups": placement_lookups}
