# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the names ACK@Edge and this collection agree on, written once.

The roles and playbooks reach the match tags through the ack_edge.cloud_nodes.match_tags filter, so the tags that
find a cluster's instances are spelled here and nowhere else.
"""

from __future__ import annotations

CLUSTER_TAG = "ack.aliyun.com"  # set by ACK on instances that are nodes of a cluster; its value is the cluster ID
CLOUD_LABEL = "alibabacloud.com/is-edge-worker"  # "false" on cloud nodes, "true" on edge nodes
CLOUD_LABELS = {CLOUD_LABEL: "false"}
CLOUD_TAINT = {"key": "node-role.alibabacloud.com/addon", "effect": "NoSchedule"}
CLUSTER_MATCH_TAG = "cloud-nodes/cluster"
ROLE_MATCH_TAG = "cloud-nodes/role"
MANAGEMENT_ROLE = "management"


def match_tags(cluster_id):
    """The tags on every instance this collection keeps for a cluster: how reruns find them."""
    return {CLUSTER_MATCH_TAG: cluster_id, ROLE_MATCH_TAG: MANAGEMENT_ROLE}
