# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloud_placement filter: pin workloads to ACK@Edge cloud management nodes (docs: cloud_placement.yml)."""

from __future__ import annotations

import copy

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._constants import CLOUD_LABEL, CLOUD_TAINT

TAINT_KEY = CLOUD_TAINT["key"]
TOLERATION = {"key": TAINT_KEY, "operator": "Exists", "effect": CLOUD_TAINT["effect"]}
# Where each kind that makes pods (or, for PodTemplate, describes them) keeps its pod spec.
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}


def name_of(manifest):
    """`Kind/name` (or `Kind/namespace/name`), how errors and reports name a manifest."""
    metadata = manifest.get("metadata") or {}
    parts = [manifest.get("kind") or "?", metadata.get("namespace"), metadata.get("name") or "(no name)"]
    return "/".join(p for p in parts if p)


def list_items(manifest):
    """The items of a `List` (or `<Kind>List`) document, each with the kind and apiVersion kubernetes.core gives
    it (the list's kind without `List`); None for any other document."""
    kind = manifest.get("kind")
    if not (isinstance(kind, str) and kind.endswith("List") and isinstance(manifest.get("items"), list)):
        return None
    items = []
    for item in manifest["items"]:
        if item is None:
            continue
        if not isinstance(item, dict):
            raise AnsibleFilterError(f"an item of the {name_of(manifest)} is not a mapping")
        item = dict(item)
        if kind[:-4]:
            item.setdefault("kind", kind[:-4])
        if manifest.get("apiVersion"):
            item.setdefault("apiVersion", manifest["apiVersion"])
        items.append(item)
    return items


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
            raise AnsibleFilterError(f"cloud_placement: {name_of(manifest)}: {'.'.join(path)} is not a mapping")
        node = child
    return node


def _cloud_selector(manifest, selector, allow_conflicting_selector):
    """Set the cloud-node label in a nodeSelector; a value that sends the pods elsewhere is an error, since the
    pods would never reach a cloud node (or, if they did, it would be by accident)."""
    value = selector.get(CLOUD_LABEL)
    if value is None or value is False or value == "false":
        selector[CLOUD_LABEL] = "false"  # an unquoted YAML false means the same, but the API wants a string
    elif not allow_conflicting_selector:
        raise AnsibleFilterError(
            f"cloud_placement: {name_of(manifest)} has the nodeSelector {CLOUD_LABEL}: {value!r}, which keeps its "
            f"pods off the cloud nodes. Remove it from the manifest, or set allow_conflicting_selector (the addons "
            f"role's addons_allow_conflicting_selector) to keep it.")


def place(manifest, stable_labels=False, arch="amd64", os="linux", allow_conflicting_selector=False):
    """A copy of one manifest with the cloud-node nodeSelector and toleration merged into its pod spec; the items
    of a List are placed one by one."""
    if not isinstance(manifest, dict):
        raise AnsibleFilterError(f"cloud_placement expects a manifest (a mapping) or a list of them, got "
                                 f"{type(manifest).__name__}")
    placed = copy.deepcopy(manifest)
    items = list_items(placed)
    if items is not None:
        placed["items"] = [place(i, stable_labels, arch, os, allow_conflicting_selector) for i in items]
        return placed
    spec = _pod_spec(placed)
    if spec is None:
        return placed
    prefix = "kubernetes.io" if stable_labels else "beta.kubernetes.io"
    selector = spec.get("nodeSelector") or {}
    _cloud_selector(placed, selector, allow_conflicting_selector)
    for key, value in ((f"{prefix}/arch", arch), (f"{prefix}/os", os)):
        selector.setdefault(key, value)
    spec["nodeSelector"] = selector
    tolerations = list(spec.get("tolerations") or [])
    if not any(_tolerates(t) for t in tolerations if isinstance(t, dict)):
        tolerations.append(dict(TOLERATION))
    spec["tolerations"] = tolerations
    return placed


def cloud_placement(manifests, stable_labels=False, arch="amd64", os="linux",  # pylint: disable=redefined-builtin
                    allow_conflicting_selector=False):
    """Place one manifest, or each of a list; empty documents (None, as `from_yaml_all` yields for a trailing
    `---`) are dropped from a list."""
    if isinstance(manifests, (list, tuple)):
        return [place(m, stable_labels, arch, os, allow_conflicting_selector) for m in manifests if m is not None]
    return place(manifests, stable_labels, arch, os, allow_conflicting_selector)


class FilterModule:
    def filters(self):
        return {"cloud_placement": cloud_placement}
