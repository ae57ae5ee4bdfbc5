# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The taint_expectation filter: which cloud-node taints must be there, and which are only worth a warning
(docs: taint_expectation.yml).

reference/ack-facts.md §3: the taint node-role.alibabacloud.com/addon:NoSchedule is documented only for the
management node of old clusters; whether clusters of 1.26 and later still taint their cloud nodes is UNCONFIRMED.
So the taint stays the default expectation, and from 1.26 a missing one can be told as a warning instead.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._node_image import minor

WARN_FROM = (1, 26)


def taint_expectation(taints, kubernetes_version="", missing_taint="fail"):
    if missing_taint not in ("fail", "warn"):
        raise AnsibleFilterError(f"taints_missing_taint must be fail or warn, got {missing_taint!r}")
    taints = list(taints or [])
    have = minor(kubernetes_version)
    if missing_taint == "warn" and have is not None and have >= WARN_FROM:
        return {"required": [], "warn": taints}
    return {"required": taints, "warn": []}


class FilterModule:
    def filters(self):
        return {"taint_expectation": taint_expectation}
