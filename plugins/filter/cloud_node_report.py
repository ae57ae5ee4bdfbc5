# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud_node_report filters: one row per cloud node from the modules' structured results, and the text of the
report (docs: cloud_node_report.yml, cloud_node_report_lines.yml). No message text is parsed."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._constants import ROLE_MATCH_TAG

# (row key, header, minimum width): widths fixed for the usual IDs, so the reports of provision and verify, and of
# every cluster of a fleet, line up; a longer value widens its column rather than being cut.
COLUMNS = (("node", "NODE", 24), ("instance_id", "INSTANCE", 22), ("zone", "ZONE", 13), ("ip", "IP", 15),
           ("ready", "READY", 9), ("label_ok", "LABEL", 7), ("taint_ok", "TAINT", 7),
           ("foreign_pods", "FOREIGN PODS", 12), ("managed", "SOURCE", 12))


def _by(items, key):
    return {item.get(key): item for item in items or [] if isinstance(item, dict)}


def _checked(policy):
    """The node reports of one cloud_node_policy result, or of several: the first that checked a node wins."""
    checked = {}
    for result in policy if isinstance(policy, list) else [policy]:
        for iid, report in _by((result or {}).get("nodes") if isinstance(result, dict) else None,
                               "instance_id").items():
            checked.setdefault(iid, report)
    return checked


def cloud_node_report(nodes, policy=None, instances=None):
    """Rows for the cloud nodes of cs_cluster_node_info, with what cloud_node_policy found on each.

    A node no policy result checked has None for ready (unless ACK reports it), label_ok, taint_ok and
    foreign_pods: unknown, not fine, and shown as MISSING. The playbooks' report checks, read-only, every node the
    run did not, so a node shows the same states after provision as after verify.
    """
    if not isinstance(nodes, list):
        raise AnsibleFilterError(f"cloud_node_report expects the nodes of cs_cluster_node_info, got {type(nodes).__name__}")
    checked = _checked(policy)
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


def cloud_node_report_lines(rows, addon_pods=None, cluster_id=None):
    """The report as text: a header, one fixed-width line per node, the add-ons' placement, and the totals."""
    header = [title for dummy, title, dummy in COLUMNS]
    table = [header] + [[_cell(key, row.get(key)) for key, dummy, dummy in COLUMNS] for row in rows]
    widths = [max([width] + [len(line[i]) for line in table]) for i, (dummy, dummy, width) in enumerate(COLUMNS)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
    for pods in addon_pods or []:
        lines.append(f"add-on {pods['workload']}: {pods['on_cloud_nodes']} of {pods['pods']} pods on cloud nodes")
    lines.append(totals(rows, cluster_id))
    return lines


def totals(rows, cluster_id=None):
    """One line per cluster: how many nodes, Ready, fully compliant, and whose they are."""
    good = sum(1 for r in rows if r["ready"] and r["label_ok"] and r["taint_ok"] and not r["foreign_pods"])
    managed = sum(1 for r in rows if r["managed"])
    ready = sum(1 for r in rows if r["ready"])
    where = f"cluster {cluster_id}: " if cluster_id else ""
    return (f"{where}{len(rows)} cloud node(s): {good} fully compliant, {ready} Ready, {managed} managed by this "
            f"collection, {len(rows) - managed} pre-existing")


class FilterModule:
    def filters(self):
        return {"cloud_node_report": cloud_node_report, "cloud_node_report_lines": cloud_node_report_lines}
