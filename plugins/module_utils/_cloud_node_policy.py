# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what cloud_node_policy checks and repairs on the cluster's cloud nodes."""

from __future__ import annotations

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _ecs, _kube
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cluster import ClusterService
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._constants import match_tags
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._retry import RetryPolicy
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import KUBE_NODE, WaitTimeout

INSTANCE_LABELS = ("alibabacloud.com/instance-id",)
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
MIRROR = "kubernetes.io/config.mirror"
SHOWN = 20  # violations spelled out in a failure message


def problems(p):
    found = []
    for index, taint in enumerate(p["required_taints"] or []):
        if not taint.get("key"):
            found.append(("required_taints", f"entry {index + 1} needs a key"))
        if taint.get("effect") not in EFFECTS:
            found.append(("required_taints", f"entry {index + 1}: effect must be one of {', '.join(EFFECTS)}"))
    if p["instance_ids"] == []:
        found.append(("instance_ids", "must list at least one instance when given"))
    if p["wait_timeout"] < 1:
        found.append(("wait_timeout", "must be at least 1 second"))
    return found


def taint_text(taint):
    value = f"={taint['value']}" if taint.get("value") else ""
    return f"{taint['key']}{value}:{taint['effect']}"


def instance_id(node):
    provider = (node.get("spec") or {}).get("providerID") or ""
    if "." in provider:
        return provider.rsplit(".", 1)[1]
    labels = node["metadata"].get("labels") or {}
    return next((labels[k] for k in INSTANCE_LABELS if labels.get(k)), None)


def has_taint(taints, wanted):
    return any(t.get("key") == wanted["key"] and t.get("effect") == wanted["effect"]
               and (t.get("value") or "") == (wanted.get("value") or "") for t in taints or [])


def tolerates(tolerations, taint):
    for tol in tolerations or []:
        if tol.get("effect") and tol["effect"] != taint["effect"]:
            continue
        operator = tol.get("operator") or "Equal"
        if not tol.get("key"):
            if operator == "Exists":
                return True
            continue
        if tol["key"] == taint["key"] and (operator == "Exists" or
                                           (tol.get("value") or "") == (taint.get("value") or "")):
            return True
    return False


def foreign(pod, taints):
    """A pod that runs on a cloud node without tolerating its taints; DaemonSet and mirror pods are exempt."""
    meta, spec = pod["metadata"], pod.get("spec") or {}
    if any(ref.get("kind") == "DaemonSet" and ref.get("controller") for ref in meta.get("ownerReferences") or []):
        return False
    if MIRROR in (meta.get("annotations") or {}):
        return False
    if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return False
    return not all(tolerates(spec.get("tolerations"), t) for t in taints)


def assess(node, pods, p):
    """The report for one node: what it has, what it lacks, which pods do not belong."""
    name = node["metadata"]["name"]
    labels = node["metadata"].get("labels") or {}
    taints = (node.get("spec") or {}).get("taints") or []
    wanted_labels = {k: str(v) for k, v in (p["required_labels"] or {}).items()}
    missing_labels = {k: v for k, v in wanted_labels.items() if labels.get(k) != v}
    missing_taints = [dict(t) for t in p["required_taints"] or [] if not has_taint(taints, t)]
    strangers = sorted(f"{q['metadata']['namespace']}/{q['metadata']['name']}" for q in pods
                       if q["spec"].get("nodeName") == name and foreign(q, p["required_taints"] or []))
    ready = KUBE_NODE["Ready"](node)
    violations = [] if ready else [f"{name}: not Ready"]
    violations += [f"{name}: label {k}={v} missing (it is {labels[k]!r})" if k in labels else
                   f"{name}: label {k}={v} missing" for k, v in missing_labels.items()]
    violations += [f"{name}: taint {taint_text(t)} missing" for t in missing_taints]
    if p["check_foreign_pods"]:
        violations += [f"{name}: pod {pod} does not tolerate the cloud-node taint" for pod in strangers]
    return {"name": name, "instance_id": instance_id(node), "ready": ready,
            "labels": {k: labels.get(k) for k in wanted_labels}, "taints": [dict(t) for t in taints],
            "missing_labels": missing_labels, "missing_taints": [{k: v for k, v in t.items() if v is not None}
                                                                 for t in missing_taints],
            "foreign_pods": strangers if p["check_foreign_pods"] else [], "violations": violations}


def repair(node, report):
    """The strategic-merge patch that adds what a node lacks; taints are sent as a whole list, as kubectl does."""
    body = {}
    if report["missing_labels"]:
        body["metadata"] = {"labels": dict(report["missing_labels"])}
    if report["missing_taints"]:
        kept = [t for t in (node.get("spec") or {}).get("taints") or []
                if not any(t.get("key") == m["key"] and t.get("effect") == m["effect"] for m in report["missing_taints"])]
        body["spec"] = {"taints": kept + [dict(t) for t in report["missing_taints"]]}
    return body


class CloudNodePolicy:
    def __init__(self, ctx, params):
        self.ctx = ctx
        self.p = params
        self.retry = RetryPolicy(deadline=ctx.deadline)
        self.selected = None  # instance IDs whose nodes are checked; None selects by node_selector
        self.managed = None  # the instances this collection keeps for the cluster, when it looked them up
        self.strays = []  # of those, the ones the cluster does not list as nodes: nothing to wait for
        from kubernetes import client  # pylint: disable=import-error,import-outside-toplevel

        self.core = _kube.CoreV1(_kube.api_client(ctx, params["kubeconfig"], params["context"],
                                                  params["cluster_id"]))
        self.sanitize = client.ApiClient().sanitize_for_serialization

    def _call(self, attempted, func, *args, **kwargs):
        return self.sanitize(_kube.call(self.retry, attempted, func, *args, **kwargs))

    def select(self):
        """The instances whose nodes are checked, or None to select nodes by label.

        With a cluster ID: every cloud node the cluster lists (its ECS node pools, whoever bought it), plus every
        instance this collection keeps for the cluster. Selecting by the label under check would miss the very
        node that lost it, and an instance that never joined would pass unseen.
        """
        if self.p["instance_ids"]:
            return list(self.p["instance_ids"])
        if not self.p["cluster_id"]:
            return None
        cloud = [n["instance_id"] for n in ClusterService(self.ctx, self.p["cluster_id"]).nodes() if n["role"] == "cloud"]
        managed = [i["instance_id"] for i in _ecs.describe_instances(self.ctx.api, tags=match_tags(self.p["cluster_id"]))]
        self.managed = set(managed)
        self.strays = sorted(self.managed - set(cloud))
        return sorted(set(cloud) | self.managed)

    def nodes(self):
        if self.selected is not None:
            found = self._call("Listing nodes", self.core.list_node)["items"]
            return [n for n in found if instance_id(n) in set(self.selected)]
        return self._call(f"Listing nodes with {self.p['node_selector']}", self.core.list_node,
                          label_selector=self.p["node_selector"])["items"]

    def _keyed(self, nodes):
        """The nodes waited for, by instance ID (or by name when selected by label); None for one not there yet."""
        if self.selected is not None:
            found = {instance_id(n): n for n in nodes}
            return {iid: found.get(iid) for iid in self.selected if iid not in self.strays}
        return {n["metadata"]["name"]: n for n in nodes} or {f"a node matching {self.p['node_selector']}": None}

    def wait_for_nodes(self):
        """Nodes as they are once all exist and are Ready, or as they were when the deadline passed."""
        last = {"nodes": self.nodes()}
        if not self.p["wait"] or self.ctx.check_mode or all(KUBE_NODE["Ready"](n) for n in
                                                            self._keyed(last["nodes"]).values()):
            return last["nodes"]

        def fetch():
            last["nodes"] = self.nodes()
            return self._keyed(last["nodes"])

        try:
            self.ctx.until("cloud nodes to exist and be Ready", fetch, KUBE_NODE["Ready"],
                           lambda n: "absent" if n is None else ("Ready" if KUBE_NODE["Ready"](n) else "NotReady"))
        except WaitTimeout as err:
            self.ctx.warn(err.msg)
        return last["nodes"]

    def run(self):
        self.selected = self.select()
        nodes = self.wait_for_nodes()
        pods = self._call("Listing pods", self.core.list_pod_for_all_namespaces)["items"] \
            if self.p["check_foreign_pods"] and nodes else []
        reports = [assess(n, pods, self.p) for n in nodes]
        for report in reports:
            report["managed"] = report["instance_id"] in self.managed if self.managed is not None else None
        missing = []
        if self.selected is not None:
            present = {r["instance_id"] for r in reports}
            missing = [f"instance {i}: " + ("kept for the cluster but not a node of it (never attached, or "
                                            "removed); attach it, or release it with decommission"
                                            if i in self.strays else "no node in the cluster")
                       for i in self.selected if i not in present]
            if not self.selected:
                missing = ["the cluster lists no cloud node"]
        elif not nodes:
            missing = [f"no node matches {self.p['node_selector']}"]
        patched, before, after = [], {}, {}
        if self.p["mode"] == "enforce":
            for node, report in zip(nodes, reports):
                body = repair(node, report)
                if not body:
                    continue
                name = node["metadata"]["name"]
                result = self._call(f"Repairing node {name}", self.core.patch_node, name, body,
                                    **({"dry_run": "All"} if self.ctx.check_mode else {}))
                before[name] = {"labels": report["labels"], "taints": report["taints"]}
                fixed = assess(result, pods, self.p)
                after[name] = {"labels": fixed["labels"], "taints": fixed["taints"]}
                patched.append(name)
                report.clear()
                report.update(fixed)
        violations = missing + [v for r in reports for v in r["violations"]]
        result = {"changed": bool(patched), "nodes": reports, "violations": violations, "patched_nodes": patched,
                  "retries": self.retry.retries + self.ctx.retries}
        if self.ctx.diff_mode:
            result["diff"] = {"before": before, "after": after}
        return result


def check(ctx, params):
    """Run the policy; with fail_on_violation, violations that remain raise, carrying the whole report."""
    result = CloudNodePolicy(ctx, params).run()
    if result["violations"] and params["fail_on_violation"]:
        raise AlicloudError(failure_message(params["mode"], result["violations"]), code="PolicyViolation", **result)
    return result


def failure_message(mode, violations):
    shown = "; ".join(violations[:SHOWN])
    more = f"; and {len(violations) - SHOWN} more" if len(violations) > SHOWN else ""
    what = "after repairing labels and taints, " if mode == "enforce" else ""
    hint = " Run with mode=enforce to add missing labels and taints." if mode == "verify" else ""
    return f"Cloud node policy: {what}{len(violations)} violation(s): {shown}{more}.{hint}"
