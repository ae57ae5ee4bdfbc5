# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: ecs
short_description: ECS instances as inventory hosts
version_added: 0.1.0
description:
  - Lists ECS instances by tags, VPC, vSwitch and state (100 per API call) and makes one host per instance, with the
    instance's facts in the host variable C(ecs_instance) (as ack_edge.cloud_nodes.ecs_instance_info returns them)
    and C(ansible_host) set to its private or public IP.
  - The configuration file must end in C(ecs.yml) or C(ecs.yaml).
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  plugin:
    description: The name of this plugin.
    type: str
    required: true
    choices: [ack_edge.cloud_nodes.ecs]
  regions:
    description: Regions to read; empty reads O(alicloud_region).
    type: list
    elements: str
    default: []
  tags:
    description: Tags every instance must carry; an empty value matches any value.
    type: dict
    default: {}
  vpc_id:
    description: Only instances in this VPC.
    type: str
  vswitch_id:
    description: Only instances in this vSwitch.
    type: str
  statuses:
    description: Only instances in these states; empty for every state.
    type: list
    elements: str
    default: [Running]
  hostnames:
    description:
      - Host name preferences - instance facts (C(instance_name), C(instance_id), C(private_ip_address),
        C(public_ip_address), C(host_name)) or C(tag:<key>); the first with a value wins.
      - Instance names need not be unique (numbered names restart with each purchase), so the default is the ID. When
        a name is already taken by another instance, the next preference is used.
    type: list
    elements: str
    default: [instance_id]
  use_public_ip:
    description: Set C(ansible_host) to the public IP instead of the private one, when there is one.
    type: bool
    default: false
requirements:
  - alibabacloud-ecs20140526 >= 7.0.0
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - ack_edge.cloud_nodes.auth.inventory
"""

EXAMPLES = r"""
# cloud-nodes.ecs.yml - the cloud management instances of every edge cluster, grouped by cluster and zone
plugin: ack_edge.cloud_nodes.ecs
regions: [cn-hangzhou]
tags:
  cloud-nodes/role: management
hostnames: [tag:Name, instance_id]
keyed_groups:
  - key: ecs_instance.tags['cloud-nodes/cluster']
    prefix: cluster
  - key: ecs_instance.zone_id
    prefix: zone
compose:
  ansible_user: "'root'"
"""

from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _ecs
from ansible_collections.ack_edge.cloud_nodes.plugins.plugin_utils import _inventory


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "ack_edge.cloud_nodes.ecs"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("ecs.yml", "ecs.yaml"))

    def _read(self):
        found = []
        statuses = self.get_option("statuses") or [None]
        for api in _inventory.apis(self, ("ecs",)):
            for status in statuses:
                found += _ecs.describe_instances(api, tags=self.get_option("tags"), vpc_id=self.get_option("vpc_id"),
                                                 vswitch_id=self.get_option("vswitch_id"), status=status)
        return found

    def _facts(self, instance):
        facts = {"ecs_instance": instance}
        address = instance.get("private_ip_address")
        if self.get_option("use_public_ip") and instance.get("public_ip_address"):
            address = instance["public_ip_address"]
        if address:
            facts["ansible_host"] = address
        return facts

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        _inventory.populate(self, _inventory.fetch(self, path, cache, self._read), "instance_id", self._facts)
