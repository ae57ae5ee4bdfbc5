"""Records each task's outcome per host as JSON lines in $LIFECYCLE_RECORD, beside the normal stdout.

The walk reads predictions (check mode) and per-host verdicts from here instead of parsing the screen. Results
are recorded after Ansible's own no_log censoring, and only a few keys of them.
"""

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: lifecycle_recorder
type: aggregate
short_description: task outcomes as JSON lines, for tests/lifecycle
description: Writes one JSON line per task result and one per host recap to the file named by LIFECYCLE_RECORD.
"""

KEPT = ("changed", "failed", "skipped", "msg", "plan", "instance_ids", "created_instance_ids",
        "released_instance_ids", "attached_instance_ids", "removed_instance_ids", "patched_nodes", "violations")
FACTS = ("__decommission_leaving", "cloud_nodes_violations")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "lifecycle_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("LIFECYCLE_RECORD")

    def _write(self, entry):
        if self._path:
            with open(self._path, "a") as handle:
                handle.write(json.dumps(entry, default=str) + "\n")

    def _result(self, result, status):
        res = result._result
        entry = {"host": result._host.get_name(), "task": result._task.get_name(), "status": status,
                 "action": result._task.action}
        entry.update({k: res[k] for k in KEPT if k in res})
        facts = res.get("ansible_facts") or {}
        entry.update({k: facts[k] for k in FACTS if k in facts})
        items = [r for r in res.get("results") or [] if isinstance(r, dict) and "ansible_loop_var" in r]
        if items:  # a loop (not a module's own `results`, as cs_cluster_node returns): was any item changed
            entry["changed"] = any(r.get("changed") for r in items)
        self._write(entry)

    def v2_runner_on_ok(self, result):
        self._result(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_unreachable(self, result):
        self._result(result, "unreachable")

    def v2_runner_on_skipped(self, result):
        self._result(result, "skipped")

    def v2_playbook_on_stats(self, stats):
        for host in sorted(stats.processed):
            self._write({"recap": host, **stats.summarize(host)})
