# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud_placement filter: pin workloads to ACK@Edge cloud management nodes (docs: cloud_placement.yml)."""

from __future__ import annotations

import copy

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._constants import CLOUD_LABEL, CLOUD_TAINT

TAINT_KEY = CLOUD_TAINT["key"]
TOLERATION = {"key": TAINT_KEY, "operator": "Exists", "effect": CLOUD_TAINT["effect"]}
# Where each kind keeps its pod spec.
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def _tolerates(toleration):
    """Whether an existing toleration already covers the cloud-node taint."""
    operator = toleration.get("operator") or "Equal"
    if toleration.get("effect") not in (None, "", "NoSchedule"):
        return False
    if not toleration.get("key"):
        return operator == "Exists"
    return toleration["key"] == TAINT_KEY and operator == "Exists"


def _pod_spec(manifest):
    path = POD_SPEC_PATHS.get(manifest.get("kind"))
    if path is None:
        return None
    node = manifest
    for key in path:
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        if not isinstance(child, dict):
            raise AnsibleFilterError(f"cloud_placement: {manifest.get('kind')} {'.'.join(path)} is not a mapping")
        node = child
    return node


def place(manifest, stable_labels=False, arch="amd64", os="linux"):
    """A copy of one manifest with the cloud-node nodeSelector and toleration merged into its pod spec."""
    if not isinstance(manifest, dict):
        raise AnsibleFilterError(f"cloud_placement expects a manifest (a mapping) or a list of them, got "
                                 f"{type(manifest).__name__}")
    placed = copy.deepcopy(manifest)
    spec = _pod_spec(placed)
    if spec is None:
        return placed
    prefix = "kubernetes.io" if stable_labels else "beta.kubernetes.io"
    selector = spec.get("nodeSelector") or {}
    for key, value in ((CLOUD_LABEL, "false"), (f"{prefix}/arch", arch), (f"{prefix}/os", os)):
        selector.setdefault(key, value)
    spec["nodeSelector"] = selector
    tolerations = list(spec.get("tolerations") or [])
    if not any(_tolerates(t) for t in tolerations if isinstance(t, dict)):
        tolerations.append(dict(TOLERATION))
    spec["tolerations"] = tolerations
    return placed


def cloud_placement(manifests, stable_labels=False, arch="amd64", os="linux"):  # pylint: disable=redefined-builtin
    if isinstance(manifests, (list, tuple)):
        return [place(m, stable_labels, arch, os) for m in manifests]
    return place(manifests, stable_labels, arch, os)


class FilterModule:
    def filters(self):
        return {"cloud_placement": cloud_placement}
