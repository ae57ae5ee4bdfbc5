#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_instance_info
short_description: List ECS instances by IDs, tags, VPC, vSwitch or name
version_added: 0.1.0
description:
  - Returns the ECS instances that match every given filter, oldest first.
  - IDs are looked up 100 per call; other filters page 100 at a time.
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  instance_ids:
    description: Instance IDs; any number.
    type: list
    elements: str
  tags:
    description: Tags every instance must carry. An empty value matches any value of that key.
    type: dict
  vpc_id:
    description: Only instances in this VPC.
    type: str
  vswitch_id:
    description: Only instances in this vSwitch.
    type: str
  instance_name:
    description: Instance name; C(*) matches any characters.
    type: str
  status:
    description: Only instances in this state.
    type: str
    choices: [Pending, Starting, Running, Stopping, Stopped]
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.info_module
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
"""

EXAMPLES = r"""
- name: The management instances of one cluster
  ack_edge.cloud_nodes.ecs_instance_info:
    alicloud_region: cn-hangzhou
    tags:
      cloud-nodes/cluster: c06f4ee49f430ccdb94c22abc073301fb
  register: found

- name: Everything running in the cluster VPC
  ack_edge.cloud_nodes.ecs_instance_info:
    vpc_id: vpc-bp1edgesandbox0000001
    status: Running
"""

RETURN = r"""
instances:
  description: Matching instances, oldest first, snake_case, tags as a dictionary. Empty when nothing matches.
  returned: always
  type: list
  elements: dict
  sample:
    - instance_id: i-bp1o5p0ww4uuggc473sb
      status: Running
      vpc_id: vpc-bp1edgesandbox0000001
      vswitch_id: vsw-bp1edgesandboxzoneh01
      private_ip_address: 192.168.0.12
      tags: {cloud-nodes/role: management}
instance_ids:
  description: IDs of the matching instances.
  returned: always
  type: list
  elements: str
  sample: [i-bp1o5p0ww4uuggc473sb]
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _ecs
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import AlicloudModule


def main():
    module = AlicloudModule({
        "instance_ids": {"type": "list", "elements": "str"},
        "tags": {"type": "dict"},
        "vpc_id": {"type": "str"},
        "vswitch_id": {"type": "str"},
        "instance_name": {"type": "str"},
        "status": {"type": "str", "choices": ["Pending", "Starting", "Running", "Stopping", "Stopped"]},
    }, services=("ecs",), supports_check_mode=True)
    p = module.params

    def read():
        instances = [] if p["instance_ids"] == [] else _ecs.describe_instances(
            module.ctx.api, ids=p["instance_ids"], tags=p["tags"], vpc_id=p["vpc_id"], vswitch_id=p["vswitch_id"],
            name=p["instance_name"], status=p["status"])
        return {"changed": False, "instances": instances, "instance_ids": [i["instance_id"] for i in instances]}

    module.run(read)


if __name__ == "__main__":
    main()
