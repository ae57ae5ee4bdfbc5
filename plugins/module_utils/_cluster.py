# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: one cluster's CS side, for one task (the K8sService pattern of kubernetes.core).

It caches the cluster's detail and node pools, lists nodes, attaches and removes them, follows ACK tasks and waits
until the cluster accepts changes. Every call and every wait draws on the task's one deadline, and a busy cluster
is waited out in one place.
"""

from __future__ import annotations

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, is_busy
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import (
    ADDON, CLUSTER, NODE, TASK, TASK_FAILED, describe_state)

JOINED = {"running", "initial"}
# AttachInstances refuses an instance that is a node already (sandbox; the real code is UNCONFIRMED, ack-facts 1).
ALREADY_ATTACHED = {"ErrorInstanceAlreadyAttached"}
ATTACH_TASK_TYPES = {"cluster_scaleout", "cluster_attach"}  # node states that count as attached; initial means still joining


def task_progress(task_id, task, size=None):
    """How far an ACK task has got, for progress lines: its state, current stage and results (ack-facts §2)."""
    if task is None:
        return f"task {task_id}: not listed yet"
    parts = [str(task.get("state") or "unknown")]
    if task.get("current_stage"):
        parts.append(f"stage {task['current_stage']}")
    results = [r for r in task.get("task_result") or [] if isinstance(r, dict)]
    done = sum(1 for r in results if r.get("status") == "success")
    if size:
        parts.append(f"{done} of {size} instances done")
    elif results:
        parts.append(f"{done} of {len(results)} done")
    return f"task {task_id}: {', '.join(parts)}"


class ClusterService:
    def __init__(self, ctx, cluster_id):
        self.ctx = ctx
        self.cluster_id = cluster_id
        self._detail = None
        self._pools = None

    @property
    def api(self):
        return self.ctx.api

    # -- reads ------------------------------------------------------------------------------------------------
    def detail(self, fresh=False):
        if self._detail is None or fresh:
            self._detail = _cs.describe_cluster(self.api, self.cluster_id)
        return self._detail

    def pools(self):
        if self._pools is None:
            self._pools = _cs.node_pools(self.api, self.cluster_id)
        return self._pools

    def nodes(self, instance_ids=None, state=None):
        if instance_ids is not None and not instance_ids:
            return []
        return _cs.describe_nodes(self.api, self.cluster_id, self.pools(), instance_ids=instance_ids, state=state)

    def nodes_by_instance(self, instance_ids):
        """{instance ID: its node, or None when it is not a node}."""
        found = {n["instance_id"]: n for n in self.nodes(instance_ids)}
        return {iid: found.get(iid) for iid in instance_ids}

    # -- waits --------------------------------------------------------------------------------------------------
    def wait_accepting(self):
        """Until the cluster is running again; a busy cluster (scaling, updating...) is waited out, a broken one
        fails at once."""
        def failed(dummy, cluster):
            state = cluster["state"]
            return None if state == "running" or state in _cs.BUSY_STATES else f"the cluster is {state}"

        found = self.ctx.until(f"cluster {self.cluster_id} to accept changes",
                               lambda: {self.cluster_id: self.detail(fresh=True)}, CLUSTER["accepting"],
                               lambda c: describe_state(c, "state"), failed)
        return found and found[self.cluster_id]

    def follow_tasks(self, task_ids, sizes=None):
        """Each ACK task as it ended; unfinished ones are polled together, once per round. `sizes` (task ID ->
        instances it attaches) completes the progress lines' "2 of 3 instances done"."""
        ended = {}

        def fetch():
            for task_id in task_ids:
                if not TASK["ended"](ended.get(task_id)):
                    ended[task_id] = _cs.describe_task(self.api, task_id)
            return dict(ended)

        return self.ctx.until(f"task(s) {', '.join(task_ids)} to end", fetch, TASK["ended"],
                              lambda t: describe_state(t, "state"),
                              describe=lambda task_id, task: task_progress(task_id, task, (sizes or {}).get(task_id))) or {}

    def wait_nodes(self, instance_ids, state, what):
        """Until the nodes of these instances are in `state` (a key of NODE); return them by instance ID."""
        return self.ctx.until(what, lambda: self.nodes_by_instance(instance_ids), NODE[state],
                              lambda n: describe_state(n, "state"))

    def wait_addon(self, name):
        """Until an add-on that is still changing has settled; return it (None when it is gone)."""
        found = self.ctx.until(f"add-on {name} to settle", lambda: {name: _cs.addon(self.api, self.cluster_id, name)},
                               ADDON["settled"], lambda a: describe_state(a, "state"))
        return found and found[name]

    # -- changes --------------------------------------------------------------------------------------------------
    def change(self, call):
        """Make a cluster-mutating call; while the cluster refuses it as busy, wait until it accepts changes."""
        waiter = self.ctx.waiter
        delay = waiter.first_delay
        while True:
            try:
                return call()
            except AlicloudError as err:
                if not is_busy(err):
                    raise
                if self.ctx.deadline.expired():
                    err.msg += " The cluster stayed busy until wait_timeout ran out; rerun the task later."
                    raise
                self.wait_accepting()
                # The gate may lag behind the cluster's state: back off, so a lagging gate is not hammered.
                waiter.pause(delay)
                delay = min(waiter.max_delay, delay * waiter.factor)

    def attach(self, body):
        """One AttachInstances call; its task ID, or None when the instances turned out to be joining already.

        AttachInstances has no client token, so it is never blindly repeated: after an ambiguous failure the nodes
        are looked up first. The same lookup settles a race: a concurrent run of the same job may have attached
        some of them to this cluster a moment ago, which is done, not an error; only the rest are attached.
        """
        try:
            return self.change(lambda: _cs.attach_instances(self.api, self.cluster_id, body))["task_id"]
        except AlicloudError as err:
            if not (err.network or (err.http_status or 0) >= 500 or err.code in ALREADY_ATTACHED):
                raise
            ours = {n["instance_id"] for n in self.nodes(body["instances"]) if n["state"] in JOINED | {"failed"}}
            rest = [i for i in body["instances"] if i not in ours]
            if not rest:  # the call went through, or a concurrent run made it
                return self.running_attach_task() if err.code not in ALREADY_ATTACHED else None
            if err.code in ALREADY_ATTACHED and len(rest) < len(body["instances"]):
                return self.attach(dict(body, instances=rest))
            raise

    def running_attach_task(self):
        """After a lost AttachInstances response whose instances are joining: the running attach task to follow, so
        its failures are reported, or None to follow the nodes. The task type of an attach is cluster_scaleout, or
        perhaps cluster_attach (ack-facts §2, UNCONFIRMED); a cluster that cannot list its tasks gives None."""
        try:
            tasks = _cs.describe_cluster_tasks(self.api, self.cluster_id)
        except AlicloudError:
            return None
        running = [t for t in tasks if t.get("task_type") in ATTACH_TASK_TYPES and t.get("state") == "running"]
        return max(running, key=lambda t: t.get("created") or "")["task_id"] if running else None

    def remove(self, node_names, drain, release):
        return self.change(lambda: _cs.delete_nodes(self.api, self.cluster_id, node_names, drain,
                                                    release))["task_id"]


def task_error(tasks):
    """The first error among ended tasks, as {code, message}, or {}."""
    return next(((t.get("error") or {}) for t in tasks.values() if t.get("error") or t["state"] in TASK_FAILED), {})
