# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pod_placement filter: how many of each workload's pods run on cloud nodes (docs: pod_placement.yml)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def pod_placement(results, cloud_nodes):
    """For each k8s_info result (looped over workloads), the workload, its pod count and how many run on a node of
    `cloud_nodes` (node names, or Node objects)."""
    names = {n["metadata"]["name"] if isinstance(n, dict) else n for n in cloud_nodes or []}
    rows = []
    for result in results or []:
        workload = result.get("item") or {}
        if not isinstance(workload, dict) or "kind" not in workload:
            raise AnsibleFilterError("pod_placement expects the results of a k8s_info task looped over workloads")
        pods = result.get("resources") or []
        rows.append({"workload": f"{workload['kind']}/{workload['metadata']['name']}", "pods": len(pods),
                     "on_cloud_nodes": sum(1 for p in pods if (p.get("spec") or {}).get("nodeName") in names)})
    return rows


class FilterModule:
    def filters(self):
        return {"pod_placement": pod_placement}
