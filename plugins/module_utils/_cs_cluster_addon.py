# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what cs_cluster_addon does. `plan()` is pure; `ensure()` reads, plans, applies."""

from __future__ import annotations

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cluster import ClusterService, task_error
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, InvalidInput
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._waiter import TASK_FAILED


def plan(current, p, catalog_version):
    """(action, target version) for the installed add-on (or None) and the options."""
    if p["state"] == "absent":
        return ("uninstall", None) if current else ("none", None)
    if current is None:
        return "install", p["version"] or catalog_version
    if p["version"] and p["version"] != current["version"]:
        return "upgrade", p["version"]
    if p["config"] is not None and p["config"] != current.get("config"):
        return "configure", current["version"]
    return "none", current["version"]


def ensure(ctx, p):
    cid, name = p["cluster_id"], p["name"]
    cluster = ClusterService(ctx, cid)

    def settled(found):
        """An add-on still changing from an earlier run is waited out first (never in check mode)."""
        if found is None or found.get("state") == "active" or ctx.check_mode:
            return found
        return cluster.wait_addon(name)

    current = settled(_cs.addon(ctx.api, cid, name))
    catalog_version = None
    if current is None and p["state"] == "present":
        catalog = _cs.addon_catalog(ctx.api, cid)
        if name not in catalog:
            raise InvalidInput([("name", f"{name} is not an add-on ACK offers for this cluster; it offers "
                                         f"{', '.join(sorted(catalog))}")])
        catalog_version = catalog[name]
    action, version = plan(current, p, catalog_version)
    result = {"changed": action != "none", "action": action, "task_id": None, "addon": current or {}}
    if ctx.diff_mode:
        after = {} if p["state"] == "absent" else {
            "version": version, "config": p["config"] if p["config"] is not None else (current or {}).get("config")}
        result["diff"] = {"before": {k: current[k] for k in ("version", "config")} if current else {}, "after": after}
    if action == "none" or ctx.check_mode:
        return result
    try:
        if action == "install":
            result["task_id"] = cluster.change(lambda: _cs.install_addon(ctx.api, cid, name, version, p["config"]))
        elif action == "upgrade":
            result["task_id"] = cluster.change(lambda: _cs.upgrade_addon(ctx.api, cid, name, current["version"],
                                                                         version, p["config"]))
        elif action == "uninstall":
            result["task_id"] = cluster.change(lambda: _cs.uninstall_addon(ctx.api, cid, name))
        else:
            cluster.change(lambda: _cs.configure_addon(ctx.api, cid, name, p["config"]))
        if p["wait"] and result["task_id"]:
            ended = cluster.follow_tasks([result["task_id"]])
            if ended[result["task_id"]]["state"] in TASK_FAILED:
                error = task_error(ended)
                raise AlicloudError(f"The {action} of add-on {name} failed: "
                                    f"{error.get('message') or ended[result['task_id']]['state']}.",
                                    code=error.get("code") or "AddonTaskFailed")
        found = _cs.addon(ctx.api, cid, name)
        result["addon"] = (settled(found) if p["wait"] else found) or {}
    except AlicloudError as err:
        err.details.setdefault("changed", True)
        err.details.setdefault("task_id", result["task_id"])
        raise
    return result
