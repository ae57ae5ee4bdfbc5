# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The match_tags filter: the tags that find the instances this collection keeps for a cluster (docs:
match_tags.yml). The roles and playbooks use it, so the tags are spelled once, in module_utils/_constants.py."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._constants import match_tags as _match_tags


def match_tags(cluster_id):
    if not cluster_id or not isinstance(cluster_id, str):
        raise AnsibleFilterError(f"match_tags expects a cluster ID (cloud_nodes_cluster_id), got {cluster_id!r}")
    return _match_tags(cluster_id)


class FilterModule:
    def filters(self):
        return {"match_tags": match_tags}
