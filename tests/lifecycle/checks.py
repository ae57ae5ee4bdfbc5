"""The invariants, each a function of ground truth (sandbox state, Kubernetes objects, the call log).

Every check returns a list of Violation; an empty list means it holds. A violation names its invariant, so the
shrinker can keep a step sequence only while the same invariant still fails.
"""

from ground import CLOUD_LABEL, CLOUD_TAINT


class Violation:
    def __init__(self, invariant, host, detail, run=None):
        self.invariant, self.host, self.detail, self.run = invariant, host, detail, run

    def __repr__(self):
        return f"[{self.invariant}] {self.host or 'fleet'}: {self.detail}"


def snapshot(ground, hosts):
    """Everything the checks need, read once: per cluster its CS cloud nodes, Node objects, pods and managed
    instances, plus every instance in the region."""
    state = {c["cluster_id"]: c for c in ground.state()["clusters"]}
    instances = ground.instances()
    snap = {"instances": {i["id"]: i for i in instances}, "clusters": {}}
    for host, cid in hosts.items():
        snap["clusters"][host] = {
            "id": cid, "state": state[cid]["state"], "cloud_nodes": set(state[cid]["cloud_nodes"]),
            "nodes": ground.nodes(cid), "pods": ground.pods(cid),
            "managed": sorted((i for i in instances if i["tags"].get("cloud-nodes/cluster") == cid
                               and i["tags"].get("cloud-nodes/role") == "management"), key=lambda i: i["id"])}
    return snap


def instance_of(node):
    provider = (node.get("spec") or {}).get("providerID") or ""
    return provider.rsplit(".", 1)[1] if "." in provider else None


def _ready(node):
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def _tolerates(pod):
    for tol in (pod.get("spec") or {}).get("tolerations") or []:
        if tol.get("effect") not in (None, "", CLOUD_TAINT[1]):
            continue
        if (not tol.get("key") and tol.get("operator") == "Exists") or tol.get("key") == CLOUD_TAINT[0]:
            return True
    return False


def foreign(pod):
    """Same rule as the issue: a running pod without the toleration; DaemonSet and mirror pods are exempt."""
    meta = pod["metadata"]
    if any(r.get("kind") == "DaemonSet" and r.get("controller") for r in meta.get("ownerReferences") or []):
        return False
    if "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
        return False
    return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed") and not _tolerates(pod)


def node_problems(cluster, only=None):
    """What is wrong with each cloud node - CS's cloud nodes joined with the managed instances, not the label -
    as "<node or instance>: <problem>" lines; `only` limits it to some instance IDs."""
    by_instance = {instance_of(n): n for n in cluster["nodes"]}
    wanted = cluster["cloud_nodes"] | {i["id"] for i in cluster["managed"]}
    found = []
    for iid in sorted(wanted if only is None else wanted & set(only)):
        node = by_instance.get(iid)
        if node is None:
            found.append(f"{iid}: no Node")
            continue
        name, labels = node["metadata"]["name"], node["metadata"].get("labels") or {}
        if not _ready(node):
            found.append(f"{name} ({iid}): not Ready")
        if labels.get(CLOUD_LABEL[0]) != CLOUD_LABEL[1]:
            found.append(f"{name} ({iid}): no label {CLOUD_LABEL[0]}={CLOUD_LABEL[1]}")
        if not any(t.get("key") == CLOUD_TAINT[0] and t.get("effect") == CLOUD_TAINT[1]
                   for t in (node.get("spec") or {}).get("taints") or []):
            found.append(f"{name} ({iid}): no taint {CLOUD_TAINT[0]}:{CLOUD_TAINT[1]}")
        for pod in cluster["pods"]:
            if pod["spec"].get("nodeName") == name and foreign(pod):
                found.append(f"{name} ({iid}): foreign pod {pod['metadata']['namespace']}/{pod['metadata']['name']}")
    return found


def verify_expected(cluster, count):
    """Why verify must fail for this cluster (empty: it must pass). `count` is the host's cloud_nodes_count."""
    why = node_problems(cluster)
    if cluster["state"] != "running":
        why.append(f"cluster is {cluster['state']}")
    if len(cluster["managed"]) != count:
        why.append(f"{len(cluster['managed'])} managed instances, cloud_nodes_count {count}")
    return why


def verdict(run, snap, counts):
    """verify's exit status per host matches the ground truth exactly."""
    failed = run.failed_hosts()
    found = []
    for host, cluster in snap["clusters"].items():
        why = verify_expected(cluster, counts.get(host) or 0)
        if bool(why) != (host in failed):
            found.append(Violation("verify-verdict", host, ("verify passed, but " + "; ".join(why)) if why else
                                   "verify failed, but every cloud node complies and the count matches", run))
    return found


def converged(snap, host, count, initial, policy=True):
    """After a clean rerun converged: exactly `count` managed instances, each a Ready, labelled, tainted node;
    no instance anywhere that is neither managed nor from the starting world; a cloud node left in every cluster."""
    cluster = snap["clusters"][host]
    found = []
    if count is not None and len(cluster["managed"]) != count:
        found.append(Violation("count", host, f"{len(cluster['managed'])} managed instances "
                                              f"({', '.join(i['id'] for i in cluster['managed'])}), requested {count}"))
    not_nodes = [i["id"] for i in cluster["managed"] if i["id"] not in cluster["cloud_nodes"]]
    if not_nodes:
        found.append(Violation("leak", host, f"managed instances that are not cloud nodes: {', '.join(not_nodes)}"))
    problems = node_problems(cluster, only=[i["id"] for i in cluster["managed"]]) if policy else []
    if problems:
        found.append(Violation("policy", host, "after provision converged: " + "; ".join(problems)))
    return found + fleet_wide(snap, initial)


def fleet_wide(snap, initial):
    found = []
    all_managed = {i["id"] for c in snap["clusters"].values() for i in c["managed"]}
    strays = sorted(set(snap["instances"]) - all_managed - initial)
    if strays:
        found.append(Violation("leak", None, f"instances neither managed nor from the starting world: {strays}"))
    for host, cluster in snap["clusters"].items():
        if not cluster["cloud_nodes"]:
            found.append(Violation("last-node", host, "the cluster has no cloud node left"))
    return found


def no_writes(run, host, why):
    if run.writes:
        return [Violation("no-writes", host, f"{why}, but it made {len(run.writes)} mutating call(s): "
                                             f"{sorted({c['action'] for c in run.writes})}", run)]
    return []


def idempotent(run, host):
    found = no_writes(run, host, "a clean rerun after convergence")
    if run.rc != 0 or run.changed(host):
        found.append(Violation("idempotent", host, f"a clean rerun after convergence: rc={run.rc}, "
                                                   f"changed={run.changed(host)}", run))
    return found


def _changed_tasks(run, host):
    return sorted({r["task"] for r in run.tasks(host) if r.get("changed") and r["status"] != "skipped"})


def _bought(run, host):
    return sum(int(c["params"].get("Amount", 1)) for c in run.writes if c["action"] == "RunInstances"
               and c.get("status", 200) < 300)


def prediction(check, real, host):
    """A check-mode run predicts the real run that follows: same outcome, same changed tasks, as many instances
    bought, the same instances released."""
    if real is None:
        return []
    found = []
    if (check.rc == 0) != (real.rc == 0):
        found.append(f"check mode rc={check.rc}, the real run rc={real.rc}")
    elif check.rc == 0:
        said, done = _changed_tasks(check, host), _changed_tasks(real, host)
        if said != done:
            found.append(f"changed tasks predicted {said}, done {done}")
        plans = [r["plan"] for r in check.tasks(host) if isinstance(r.get("plan"), dict) and "create" in r["plan"]]
        if plans and sum(p["create"] for p in plans) != _bought(real, host):
            found.append(f"predicted to buy {sum(p['create'] for p in plans)}, bought {_bought(real, host)}")
        leaving = [r["__decommission_leaving"] for r in check.tasks(host) if "__decommission_leaving" in r]
        if leaving and sorted(leaving[-1]) != released_ids([real]):
            found.append(f"predicted to release {sorted(leaving[-1])}, released {released_ids([real])}")
    return [Violation("check-predict", host, "; ".join(found), check)] if found else []


def released_ids(runs):
    ids = []
    for run in runs:
        for call in run.writes:
            if call["action"] in ("DeleteInstances", "DeleteInstance") and call.get("status", 200) < 300:
                ids += [v for k, v in call["params"].items() if k == "InstanceId" or k.startswith("InstanceId.")]
    return sorted(set(ids))


def removed_nodes(runs):
    """(node names, all drained?) of every DeleteClusterNodes / RemoveNodePoolNodes that went through."""
    names, drained = [], True
    for run in runs:
        for call in run.writes:
            if call["action"] in ("DeleteClusterNodes", "RemoveNodePoolNodes") and call.get("status", 200) < 300:
                body = call["params"].get("body") or {}
                names += body.get("nodes") or []
                drained = drained and str(body.get("drain_node", call["params"].get("drain_node"))).lower() == "true"
    return sorted(set(names)), drained


def drain_remove_release(runs, before, host):
    """Drained, removed and released are the same set: no node released without its removal, none removed and
    kept, every removal drained."""
    cluster = before["clusters"][host]
    node_instance = {n["metadata"]["name"]: instance_of(n) for n in cluster["nodes"]}
    names, drained = removed_nodes(runs)
    removed = sorted(node_instance.get(n, n) for n in names)
    released = released_ids(runs)
    were_nodes = sorted(i for i in released if i in cluster["cloud_nodes"])
    found = []
    if removed != were_nodes or not drained:
        found.append(Violation("drain-release", host, f"removed {removed} (drained: {drained}), released "
                                                      f"{released}, of which nodes {were_nodes}", runs[-1]))
    return found


def secrets_in(text, secrets):
    return [f"a secret of {len(s)} characters" for s in secrets if s and s in text]


def placement(cluster):
    """Every pod of the walk's management app runs on a cloud node (issue 10 item 8: pinned in every shape)."""
    cloud = {n["metadata"]["name"] for n in cluster["nodes"] if instance_of(n) in cluster["cloud_nodes"]}
    pods = [p for p in cluster["pods"] if (p["metadata"].get("labels") or {}).get("app") == "lifecycle-app"]
    astray = sorted(f"{p['metadata']['name']} on {p['spec'].get('nodeName') or 'no node'}" for p in pods
                    if p["spec"].get("nodeName") not in cloud)
    return [f"app pods off the cloud nodes: {', '.join(astray)}"] if astray else []


def files_with_secrets(roots, secrets):
    """Files left behind that hold a secret, or a kubeconfig with credentials in it."""
    import os  # pylint: disable=import-outside-toplevel
    found = []
    for root in roots:
        for directory, _, names in os.walk(root):
            for name in names:
                path = os.path.join(directory, name)
                try:
                    with open(path, errors="replace") as handle:
                        text = handle.read(1 << 20)
                except OSError:
                    continue
                why = secrets_in(text, secrets)
                if "users:" in text and ("token:" in text or "client-key-data:" in text):
                    why.append("a kubeconfig with cluster credentials")
                if why:
                    found.append(f"{os.path.relpath(path, root)} ({', '.join(sorted(set(why)))})")
    return found
