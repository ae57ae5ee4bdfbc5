#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cs_cluster_info
short_description: Read ACK clusters, with what cloud nodes need from them
version_added: 0.1.0
description:
  - Returns clusters with their VPC, vSwitches, security group, state, profile, type and version, and whether they
    are ACK Edge clusters.
  - With O(cluster_id), returns that one cluster, and fails with a clear message if it does not exist.
  - Otherwise lists the clusters of the region that match O(name), O(cluster_type) and O(profile).
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  cluster_id:
    description: The cluster to read. Mutually exclusive with the filters.
    type: str
  name:
    description: Only clusters whose name contains this text.
    type: str
  cluster_type:
    description: Only clusters of this type, for example V(ManagedKubernetes).
    type: str
  profile:
    description: Only clusters with this profile; V(Edge) for ACK Edge.
    type: str
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.info_module
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
"""

EXAMPLES = r"""
- name: The cluster the cloud nodes are for
  ack_edge.cloud_nodes.cs_cluster_info:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
  register: edge

- name: Its VPC and vSwitches
  ansible.builtin.debug:
    msg: "{{ edge.clusters[0].vpc_id }} {{ edge.clusters[0].vswitch_ids }}"

- name: Every ACK Edge cluster in the region
  ack_edge.cloud_nodes.cs_cluster_info:
    cluster_type: ManagedKubernetes
    profile: Edge
"""

RETURN = r"""
clusters:
  description: The matching clusters; empty when nothing matches a filter.
  returned: always
  type: list
  elements: dict
  contains:
    cluster_id:
      description: Cluster ID.
      type: str
      sample: c06f4ee49f430ccdb94c22abc073301fb
    name:
      description: Cluster name.
      type: str
      sample: edge-hangzhou
    vpc_id:
      description: VPC of the cluster; cloud nodes must be in it.
      type: str
      sample: vpc-bp1edgesandbox0000001
    vswitch_ids:
      description: vSwitches of the cluster.
      type: list
      elements: str
      sample: [vsw-bp1edgesandboxzoneh01, vsw-bp1edgesandboxzonei01]
    security_group_id:
      description: Security group of the cluster's nodes.
      type: str
      sample: sg-bp1edgesandbox00000001
    state:
      description: Cluster state, for example V(running) or V(scaling).
      type: str
      sample: running
    profile:
      description: Cluster profile; V(Edge) for ACK Edge.
      type: str
      sample: Edge
    cluster_type:
      description: Cluster type.
      type: str
      sample: ManagedKubernetes
    current_version:
      description: Kubernetes version.
      type: str
      sample: 1.30.1-aliyun.1
    is_edge:
      description: Whether this is an ACK Edge cluster (C(ManagedKubernetes) with profile C(Edge)).
      type: bool
      sample: true
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import AlicloudModule


def main():
    module = AlicloudModule({
        "cluster_id": {"type": "str"},
        "name": {"type": "str"},
        "cluster_type": {"type": "str"},
        "profile": {"type": "str"},
    }, services=("cs",), supports_check_mode=True,
        mutually_exclusive=[("cluster_id", "name"), ("cluster_id", "cluster_type"), ("cluster_id", "profile")])
    p = module.params

    def read():
        if p["cluster_id"]:
            return {"changed": False, "clusters": [_cs.describe_cluster(module.ctx.api, p["cluster_id"])]}
        return {"changed": False, "clusters": _cs.list_clusters(module.ctx.api, p["name"], p["cluster_type"],
                                                                p["profile"])}

    module.run(read)


if __name__ == "__main__":
    main()
