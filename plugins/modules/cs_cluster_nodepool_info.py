#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cs_cluster_nodepool_info
short_description: List the node pools of an ACK cluster, with their type, vSwitches, node count and OS
version_added: 0.2.0
description:
  - Returns the node pools of a cluster with C(DescribeClusterNodePools).
  - In ACK Edge, cloud nodes live in cloud node pools (type V(ess)); V(default-nodepool) is the one created with the
    cluster, cannot be deleted and must keep one node. Edge nodes live in edge node pools (type V(edge)).
  - The vSwitches and security groups of a pool are where its nodes go. The cluster's own vSwitches
    (M(ack_edge.cloud_nodes.cs_cluster_info)) are the control plane's, not the nodes'.
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  cluster_id:
    description: The cluster.
    type: str
    required: true
  name:
    description: Only the node pool of this name, for example V(default-nodepool).
    type: str
  type:
    description: Only cloud (V(ess)) or only edge (V(edge)) node pools.
    type: str
    choices: [ess, edge]
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.info_module
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
"""

EXAMPLES = r"""
- name: Where the nodes of default-nodepool go
  ack_edge.cloud_nodes.cs_cluster_nodepool_info:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    name: default-nodepool
  register: pool

- name: Its vSwitches
  ansible.builtin.debug:
    msg: "{{ pool.nodepools[0].vswitch_ids }}"
"""

RETURN = r"""
nodepools:
  description: The matching node pools, the default one first; empty when none match.
  returned: always
  type: list
  elements: dict
  contains:
    nodepool_id:
      description: Node pool ID.
      type: str
      sample: np2c8d5d0b8a1e4fb3a8f2d0c4e5f6a7b8
    name:
      description: Node pool name.
      type: str
      sample: default-nodepool
    type:
      description: V(ess) for a cloud node pool, V(edge) for an edge node pool.
      type: str
      sample: ess
    is_default:
      description: Whether this is the cluster's default node pool.
      type: bool
      sample: true
    vswitch_ids:
      description: The vSwitches the pool's nodes go in.
      type: list
      elements: str
      sample: [vsw-bp1edgesandboxzoneh01]
    security_group_ids:
      description: The security groups of the pool's nodes.
      type: list
      elements: str
      sample: [sg-bp1edgesandbox00000001]
    image_id:
      description: The pool's OS image.
      type: str
      sample: aliyun_3_x64_20G_alibase_20241218.vhd
    image_type:
      description: The pool's OS, as ACK names it, for example V(AliyunLinux3) or V(ContainerOS).
      type: str
      sample: AliyunLinux3
    total_nodes:
      description: How many nodes the pool has.
      type: int
      sample: 1
    healthy_nodes:
      description: How many of them are Ready.
      type: int
      sample: 1
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
        "name": {"type": "str"},
        "type": {"type": "str", "choices": ["ess", "edge"]},
    }, services=("cs",), supports_check_mode=True)
    p = module.params

    def read():
        pools = sorted(ClusterService(module.ctx, p["cluster_id"]).pools().values(),
                       key=lambda x: (not x["is_default"], x["name"] or ""))
        return {"changed": False, "nodepools": [x for x in pools if (not p["name"] or x["name"] == p["name"])
                                                and (not p["type"] or x["type"] == p["type"])]}

    module.run(read)


if __name__ == "__main__":
    main()
