# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud_node_report filters: one row per cloud node from the modules' structured results, and the text of the
report (docs: cloud_node_report.yml, cloud_node_report_lines.yml). No message text is parsed."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._constants import ROLE_MATCH_TAG

COLUMNS = (("node", "NODE"), ("instance_id", "INSTANCE"), ("zone", "ZONE"), ("ip", "IP"), ("ready", "READY"),
           ("label_ok", "LABEL"), ("taint_ok", "TAINT"), ("foreign_pods", "FOREIGN PODS"), ("managed", "SOURCE"))


def _by(items, key):
    return {item.get(key): item for item in items or [] if isinstance(item, dict)}


def cloud_node_report(nodes, policy=None, instances=None):
    """Rows for the cloud nodes of cs_cluster_node_info, with what cloud_node_policy found on each.

    A node the policy did not check has None for ready (unless ACK reports it), label_ok, taint_ok and
    foreign_pods: unknown, not fine, and shown as MISSING.
    """
    if not isinstance(nodes, list):
        raise AnsibleFilterError(f"cloud_node_report expects the nodes of cs_cluster_node_info, got {type(nodes).__name__}")
    checked = _by((policy or {}).get("nodes"), "instance_id")
    by_instance = _by(instances, "instance_id")
    rows = []
    for node in nodes:
        iid = node.get("instance_id")
        report = checked.get(iid)
        instance = by_instance.get(iid) or {}
        ready = report["ready"] if report else (node.get("node_status") == "Ready" if node.get("node_status") else None)
        rows.append({
            "node": node.get("node_name"), "instance_id": iid, "zone": instance.get("zone_id"),
            "ip": node.get("ip_address"), "ready": ready,
            "label_ok": None if report is None else not report.get("missing_labels"),
            "taint_ok": None if report is None else not report.get("missing_taints"),
            "foreign_pods": None if report is None else len(report.get("foreign_pods") or []),
            "managed": ROLE_MATCH_TAG in (instance.get("tags") or {}),
        })
    return rows


def _cell(key, value):
    if key == "ready":
        return {True: "Ready", False: "NOT READY", None: "-"}[value]
    if key in ("label_ok", "taint_ok"):
        return "ok" if value else "MISSING"  # not checked is not fine: never a neutral "-"
    if key == "managed":
        return "managed" if value else "pre-existing"
    return "-" if value is None else str(value)


def cloud_node_report_lines(rows, addon_pods=None):
    """The report as text: a header, one fixed-width line per node, the add-ons' placement, and a totals line."""
    header = [title for dummy, title in COLUMNS]
    table = [header] + [[_cell(key, row.get(key)) for key, dummy in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
    for pods in addon_pods or []:
        lines.append(f"add-on {pods['workload']}: {pods['on_cloud_nodes']} of {pods['pods']} pods on cloud nodes")
    good = sum(1 for r in rows if r["ready"] and r["label_ok"] and r["taint_ok"] and not r["foreign_pods"])
    lines.append(f"{len(rows)} cloud node(s): {good} fully compliant, {sum(1 for r in rows if r['managed'])} managed "
                 f"by this collection")
    return lines


class FilterModule:
    def filters(self):
        return {"cloud_node_report": cloud_node_report, "cloud_node_report_lines": cloud_node_report_lines}
