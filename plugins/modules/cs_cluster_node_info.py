#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cs_cluster_node_info
short_description: List the nodes of an ACK cluster, cloud or edge
version_added: 0.1.0
description:
  - Returns the nodes of a cluster with their role, state, readiness and instance.
  - The role comes from the node pool - ECS node pools hold C(cloud) nodes, edge node pools C(edge) nodes.
  - Pages through every node; filters by instance ID go 100 per call.
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  cluster_id:
    description: The cluster.
    type: str
    required: true
  instance_ids:
    description: Only the nodes of these instances.
    type: list
    elements: str
  state:
    description: Only nodes in this ACK state.
    type: str
    choices: [running, initial, failed, removing]
  role:
    description: Only cloud or only edge nodes.
    type: str
    choices: [cloud, edge]
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.info_module
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
"""

EXAMPLES = r"""
- name: The cloud nodes of an edge cluster
  ack_edge.cloud_nodes.cs_cluster_node_info:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    role: cloud
  register: cloud

- name: How many are Ready
  ansible.builtin.debug:
    msg: "{{ cloud.nodes | selectattr('node_status', 'eq', 'Ready') | list | length }}"
"""

RETURN = r"""
nodes:
  description: The matching nodes, oldest first; empty when none match.
  returned: always
  type: list
  elements: dict
  contains:
    instance_id:
      description: ECS instance ID (for edge nodes, the ID ACK gives them).
      type: str
      sample: i-bp1o5p0ww4uuggc473sb
    node_name:
      description: Kubernetes node name.
      type: str
      sample: cn-hangzhou.192.168.0.12
    role:
      description: V(cloud) or V(edge).
      type: str
      sample: cloud
    state:
      description: ACK node state - V(initial), V(running), V(failed), V(removing).
      type: str
      sample: running
    node_status:
      description: Kubernetes readiness - V(Ready), V(NotReady), V(Unknown).
      type: str
      sample: Ready
    ip_address:
      description: The node's first IP address.
      type: str
      sample: 192.168.0.12
    nodepool_id:
      description: Node pool of the node.
      type: str
      sample: np2c8d5d0b8a1e4fb3a8f2d0c4e5f6a7b8
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cluster import ClusterService
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import AlicloudModule


def main():
    module = AlicloudModule({
        "cluster_id": {"type": "str", "required": True},
        "instance_ids": {"type": "list", "elements": "str"},
        "state": {"type": "str", "choices": ["running", "initial", "failed", "removing"]},
        "role": {"type": "str", "choices": ["cloud", "edge"]},
    }, services=("cs",), supports_check_mode=True)
    p = module.params

    def read():
        nodes = ClusterService(module.ctx, p["cluster_id"]).nodes(p["instance_ids"], p["state"])
        return {"changed": False, "nodes": [n for n in nodes if not p["role"] or n["role"] == p["role"]]}

    module.run(read)


if __name__ == "__main__":
    main()
