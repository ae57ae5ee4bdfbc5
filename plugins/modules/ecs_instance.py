#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_instance
short_description: Buy, keep and release an exact number of ECS instances
version_added: 0.1.0
description:
  - Keeps exactly O(exact_count) ECS instances carrying the tags in O(match_tags).
  - Existing instances are found by their tags, so reruns and interrupted runs never buy twice. Missing instances are
    bought in one C(RunInstances) call per 100, with a client token derived from the intent; a rerun after a lost
    response replays the token and gets the same instances back.
  - Releasing instances is refused unless O(allow_release) is set, and never more than O(max_release) in one run.
    Instances that are nodes of an ACK cluster (tag C(ack.aliyun.com)) are never released.
  - A run with nothing to do makes no change and no mutating API call.
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  match_tags:
    description:
      - The tags that identify the set of instances this task owns. They are set on every instance it buys.
      - Use tags unique to the set, for example the cluster ID and a role.
    type: dict
    required: true
  exact_count:
    description:
      - How many instances the set should have. Required unless O(state=absent).
      - Must be 0 or more.
    type: int
  state:
    description:
      - V(present) keeps the count and leaves the power state of existing instances alone.
      - V(running) and V(stopped) also start or stop the instances.
      - V(absent) releases every instance of the set (at most O(max_release)).
    type: str
    choices: [present, running, stopped, absent]
    default: present
  vswitch_id:
    description:
      - vSwitch for new instances; it decides the VPC and the zone.
      - One of O(vswitch_id) and O(vswitch_ids) is required to buy.
    type: str
  vswitch_ids:
    description:
      - vSwitches (zones) of one VPC to buy in, in order of preference.
      - With O(spread), new instances are balanced across them, counting the instances already there; otherwise
        they go to the first. A vSwitch whose zone is out of stock hands its share to the others, with a warning;
        the task fails only when all are out of stock.
    type: list
    elements: str
  vpc_id:
    description:
      - The VPC new instances must be in, for example the cluster's. A O(vswitch_ids) or O(security_group_ids) of
        another VPC is refused before any purchase, naming the vSwitch or group.
      - Instances with O(match_tags) outside this VPC do not count toward O(exact_count) and are left alone; they
        are returned in RV(outside_vpc_instance_ids), with a warning.
      - Instances outside a cluster's VPC can never join it; the purchase role sets this to the cluster's VPC.
    type: str
    version_added: 0.2.0
  spread:
    description: Balance new instances across O(vswitch_ids). Without it, the first vSwitch with stock takes all.
    type: bool
    default: true
  security_group_ids:
    description: One to five security groups for new instances, in the VPC of O(vswitch_id). Required to buy.
    type: list
    elements: str
  image_id:
    description: Image for new instances. Required to buy.
    type: str
  instance_type:
    description: Instance type for new instances, for example V(ecs.g6.large). Required to buy.
    type: str
  instance_name:
    description:
      - Name for new instances. A C(prefix[begin,bits]suffix) pattern numbers the instances of one purchase, for
        example V(cloud-node-[1,3]) gives C(cloud-node-001), C(cloud-node-002).
    type: str
  host_name:
    description: Host name for new instances; the same numbering pattern as O(instance_name) applies.
    type: str
  system_disk:
    description: System disk of new instances.
    type: dict
    suboptions:
      category:
        description: Disk category.
        type: str
        choices: [cloud, cloud_efficiency, cloud_ssd, cloud_essd, cloud_auto, cloud_essd_entry]
      size:
        description: Size in GiB, 20 to 500, at least the image size.
        type: int
  internet_max_bandwidth_out:
    description: Outbound public bandwidth in Mbit/s, 0 to 100. Above 0 the instance gets a public IP.
    type: int
  key_pair_name:
    description: Key pair to log in with. Mutually exclusive with O(password).
    type: str
  password:
    description:
      - Login password of new instances. Never logged or returned.
      - 8 to 30 characters with at least three of upper case, lower case, digits and special characters.
    type: str
  user_data:
    description:
      - User data for new instances, as text or Base64 (at most 32 KiB). Never logged or returned.
    type: str
  validate:
    description:
      - Before buying, send C(RunInstances) with C(DryRun) to check stock, quota and permissions.
      - Works in check mode too, since a dry run changes nothing.
    type: bool
    default: false
  max_create:
    description:
      - The most instances one run may buy. A larger purchase fails before anything is bought, naming the numbers.
      - Unset, there is no ceiling of this kind; the module still checks every purchase against the account's
        pay-as-you-go vCPU quota (C(DescribeAccountAttributes)) and the free IPs of the vSwitches, and checks that
        O(instance_type) and O(image_id) exist, before buying.
    type: int
  allow_release:
    description: Allow lowering O(exact_count) to release instances.
    type: bool
    default: false
  max_release:
    description: The most instances one run may release, whatever the state. Defaults to 1.
    type: int
  expected_release:
    description:
      - The instance IDs the caller expects this run to release, for example from the
        P(ack_edge.cloud_nodes.release_plan#filter) filter, which applies the same release order. If the module's
        own plan differs (the set changed in between), it releases nothing and fails.
      - This is how a playbook drains exactly the instances that are released afterwards; the
        C(ack_edge.cloud_nodes.decommission) playbook does so.
    type: list
    elements: str
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.wait
  - ack_edge.cloud_nodes.tags
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
attributes:
  check_mode:
    support: full
    details: Returns the planned purchase, release, power and tag changes, and the predicted instances.
  diff_mode:
    support: full
  idempotent:
    support: full
notes:
  - Which instances are released first when the count goes down - instances that are not cluster nodes, then those
    that are not Running, then the newest. ECS gives creation times to the minute, so within one minute the higher
    number at the end of the instance name goes first, then the higher instance ID.
  - Releasing a cluster node is refused, in check mode too. Remove it from the cluster first; the
    P(ack_edge.cloud_nodes.release_plan#filter) filter tells which instances a lower count releases.
  - The numbering of O(instance_name) patterns restarts with each purchase, as ECS applies it per call.
"""

EXAMPLES = r"""
- name: Keep three cloud management instances for an edge cluster
  ack_edge.cloud_nodes.ecs_instance:
    alicloud_region: cn-hangzhou
    match_tags:
      cloud-nodes/cluster: c06f4ee49f430ccdb94c22abc073301fb
      cloud-nodes/role: management
    exact_count: 3
    vswitch_id: vsw-bp1edgesandboxzoneh01
    security_group_ids: [sg-bp1edgesandbox00000001]
    image_id: aliyun_3_x64_20G_alibase_20241218.vhd
    instance_type: ecs.g6.large
    instance_name: cloud-node-[1,3]
    system_disk:
      category: cloud_essd
      size: 40
    password: "{{ vault_node_password }}"
    tags:
      team: platform
  register: purchase

- name: Set the credentials once for every Alibaba Cloud module
  module_defaults:
    group/ack_edge.cloud_nodes.alicloud:
      alicloud_access_key: "{{ vault_alicloud_access_key }}"
      alicloud_secret_key: "{{ vault_alicloud_secret_key }}"
      alicloud_region: cn-hangzhou
  block:
    - name: Scale the set down to two, releasing at most one instance
      ack_edge.cloud_nodes.ecs_instance:
        match_tags:
          cloud-nodes/cluster: c06f4ee49f430ccdb94c22abc073301fb
          cloud-nodes/role: management
        exact_count: 2
        allow_release: true
        max_release: 1
"""

RETURN = r"""
instances:
  description:
    - The instances of the set after the change, oldest first, with snake_case keys and tags as a dictionary.
    - In check mode, instances that would be bought appear with C(instance_id=null) and C(status=Pending).
  returned: always
  type: list
  elements: dict
  sample:
    - instance_id: i-bp1o5p0ww4uuggc473sb
      instance_name: cloud-node-001
      status: Running
      instance_type: ecs.g6.large
      zone_id: cn-hangzhou-h
      vpc_id: vpc-bp1edgesandbox0000001
      vswitch_id: vsw-bp1edgesandboxzoneh01
      private_ip_address: 192.168.0.12
      public_ip_address: null
      security_group_ids: [sg-bp1edgesandbox00000001]
      tags: {cloud-nodes/role: management}
instance_ids:
  description: IDs of the instances in the set after the change.
  returned: always
  type: list
  elements: str
  sample: [i-bp1o5p0ww4uuggc473sb]
created_instance_ids:
  description: IDs bought by this run. Empty in check mode.
  returned: always
  type: list
  elements: str
  sample: [i-bp1o5p0ww4uuggc473sb]
released_instance_ids:
  description: IDs released by this run. Empty in check mode.
  returned: always
  type: list
  elements: str
  sample: []
outside_vpc_instance_ids:
  description: Instances with O(match_tags) outside O(vpc_id), which did not count and were left alone.
  returned: always
  type: list
  elements: str
  sample: []
  version_added: 0.2.0
plan:
  description: What the run does (or in check mode would do).
  returned: always
  type: dict
  sample: {create: 3, create_in: {vsw-bp1edgesandboxzoneh01: 3}, release: [], start: [], stop: [], tag: [], untag: {}}
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._ecs_instance import InstanceSet, problems
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import (
    TAGS_ARGUMENT_SPEC, WAIT_ARGUMENT_SPEC, AlicloudModule)


def argument_spec():
    spec = {
        "match_tags": {"type": "dict", "required": True},
        "exact_count": {"type": "int"},
        "state": {"type": "str", "default": "present", "choices": ["present", "running", "stopped", "absent"]},
        "vswitch_id": {"type": "str"},
        "vswitch_ids": {"type": "list", "elements": "str"},
        "vpc_id": {"type": "str"},
        "spread": {"type": "bool", "default": True},
        "security_group_ids": {"type": "list", "elements": "str"},
        "image_id": {"type": "str"},
        "instance_type": {"type": "str"},
        "instance_name": {"type": "str"},
        "host_name": {"type": "str"},
        "system_disk": {"type": "dict", "options": {
            "category": {"type": "str", "choices": ["cloud", "cloud_efficiency", "cloud_ssd", "cloud_essd",
                                                    "cloud_auto", "cloud_essd_entry"]},
            "size": {"type": "int"}}},
        "internet_max_bandwidth_out": {"type": "int"},
        "key_pair_name": {"type": "str", "no_log": False},
        "password": {"type": "str", "no_log": True},
        "user_data": {"type": "str", "no_log": True},
        "validate": {"type": "bool", "default": False},
        "max_create": {"type": "int"},
        "allow_release": {"type": "bool", "default": False},
        "max_release": {"type": "int"},
        "expected_release": {"type": "list", "elements": "str"},
    }
    spec.update(WAIT_ARGUMENT_SPEC)
    spec.update(TAGS_ARGUMENT_SPEC)
    return spec


def main():
    module = AlicloudModule(argument_spec(), services=("ecs",), supports_check_mode=True,
                            mutually_exclusive=[("password", "key_pair_name"), ("vswitch_id", "vswitch_ids")])
    p = module.params
    module.run(lambda: InstanceSet(module.ctx, p).ensure(), problems(p))


if __name__ == "__main__":
    main()
