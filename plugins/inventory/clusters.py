# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: clusters
short_description: ACK Edge clusters as inventory hosts, one per cluster
version_added: 0.1.0
description:
  - Lists the ACK clusters of the account's regions (by default only ACK Edge clusters) and makes one host per
    cluster, with C(cloud_nodes_cluster_id), C(cloud_nodes_region) (the cluster's region) and the cluster's facts
    (C(ack_cluster)) as host variables and C(ansible_connection=local), so the collection's playbooks can provision
    a whole fleet, across regions, from the inventory alone.
  - The configuration file must end in C(clusters.yml) or C(clusters.yaml).
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  plugin:
    description: The name of this plugin.
    type: str
    required: true
    choices: [ack_edge.cloud_nodes.clusters]
  regions:
    description: Regions to read; empty reads O(alicloud_region).
    type: list
    elements: str
    default: []
  cluster_type:
    description: Only clusters of this type.
    type: str
    default: ManagedKubernetes
  profile:
    description: Only clusters with this profile; V(Edge) for ACK Edge. Empty for every profile.
    type: str
    default: Edge
  name:
    description: Only clusters whose name contains this text.
    type: str
  states:
    description: Only clusters in these states; empty for every state.
    type: list
    elements: str
    default: []
  hostnames:
    description:
      - Host name preferences - cluster facts such as C(name) or C(cluster_id); the first with a value that no other
        cluster has taken wins.
    type: list
    elements: str
    default: [name, cluster_id]
requirements:
  - alibabacloud-cs20151215 >= 7.0.0
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - ack_edge.cloud_nodes.auth.inventory
"""

EXAMPLES = r"""
# fleet.clusters.yml - every running ACK Edge cluster of two regions, grouped by region and version
plugin: ack_edge.cloud_nodes.clusters
regions: [cn-hangzhou, cn-shanghai]
states: [running]
keyed_groups:
  - key: ack_cluster.region_id
    prefix: region
  - key: ack_cluster.current_version.split('-')[0]
    prefix: k8s
compose:
  cloud_nodes_count: "3"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ack_edge_clusters
cache_timeout: 600
"""

from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs
from ansible_collections.ack_edge.cloud_nodes.plugins.plugin_utils import _inventory


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "ack_edge.cloud_nodes.clusters"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("clusters.yml", "clusters.yaml"))

    def _read(self):
        found = []
        for api in _inventory.apis(self, ("cs",)):
            found += _cs.list_clusters(api, self.get_option("name"), self.get_option("cluster_type"),
                                       self.get_option("profile") or None)
        states = self.get_option("states")
        return [c for c in found if not states or c.get("state") in states]

    @staticmethod
    def _facts(cluster):
        """The host's variables; cloud_nodes_region sends every module call of the host's plays to its region."""
        return {"cloud_nodes_cluster_id": cluster["cluster_id"], "cloud_nodes_region": cluster.get("region_id"),
                "ack_cluster": cluster, "ansible_connection": "local"}

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        _inventory.populate(self, _inventory.fetch(self, path, cache, self._read), "cluster_id", self._facts)
