#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cs_cluster_node
short_description: Attach ECS instances to an ACK Edge cluster as cloud nodes, or remove them
version_added: 0.1.0
description:
  - V(present) attaches the instances that are not yet nodes with C(AttachInstances) into the default node pool, or
    with C(AttachInstancesToNodePool) into the node pool of O(nodepool_id) or O(nodepool_name), O(attach_batch_size)
    per call; it follows the attach tasks and waits until the nodes are C(running). Instances that already are nodes are left alone, so a
    rerun makes no change and no mutating call.
  - Before any change it checks that the cluster exists, runs and is an ACK Edge cluster, that the password meets
    the rule, and that every instance exists, is in the cluster's VPC and is not stopped; each problem names the
    instance or option.
  - A cluster that is busy (scaling, updating) is waited out within O(wait_timeout).
  - If the attach fails for some instances, the task fails with a per-instance report; the next run retries only
    those.
  - V(absent) removes the nodes with C(DeleteClusterNodes), draining them first by default. It refuses to remove
    the cluster's last cloud node, and the last node of C(default-nodepool), which an ACK Edge cluster needs to
    work. Instances that are not nodes are ignored.
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  cluster_id:
    description: The ACK Edge cluster.
    type: str
    required: true
  instance_ids:
    description: The ECS instances to attach or remove.
    type: list
    elements: str
    required: true
  state:
    description: Whether the instances should be nodes of the cluster.
    type: str
    choices: [present, absent]
    default: present
  password:
    description:
      - Root password ACK sets on the instances. Never logged or returned.
      - 8 to 30 characters, at least three of upper case, lower case, digits and special characters, and no
        backslash or double quote.
      - One of O(password) and O(key_pair) is required to attach, unless O(nodepool_id) is set.
    type: str
  key_pair:
    description: Key pair to log in to the instances instead of a password.
    type: str
  tags:
    description:
      - Node labels. Despite the API name, ACK applies these as Kubernetes labels on the nodes, not as cloud tags.
      - At most 20; keys up to 64 characters, values up to 128; neither may start with C(aliyun), C(acs:),
        C(http://) or C(https://).
    type: dict
  format_disk:
    description: Format the last data disk for container storage. Its data is lost.
    type: bool
    default: false
  keep_instance_name:
    description: Keep the instance names; otherwise ACK renames them C(worker-k8s-for-cs-<cluster_id>).
    type: bool
    default: true
  nodepool_id:
    description:
      - Attach into this cloud node pool with C(AttachInstancesToNodePool), the call ACK recommends.
      - That call takes only the instances, O(password), O(format_disk) and O(keep_instance_name); the node pool sets
        the key pair, image, runtime, labels and user data, so O(key_pair), O(image_id), O(runtime), O(tags) and
        O(user_data) may not be set. Without O(password), the node pool's login is used.
      - The pool must exist and be a cloud (ECS) node pool, or the module fails before any change.
    type: str
  nodepool_name:
    description: Like O(nodepool_id), by the node pool's name, for example V(default-nodepool).
    type: str
    version_added: 0.2.0
  attach_batch_size:
    description:
      - Instances per attach call. The real per-call limit is undocumented; the Auto Scaling group behind a node
        pool takes at most 20, hence the default.
    type: int
    default: 20
    version_added: 0.2.0
  image_id:
    description: Replace the system disk with this image while attaching.
    type: str
  runtime:
    description: Container runtime.
    type: dict
    suboptions:
      name:
        description: Runtime name, for example V(containerd).
        type: str
      version:
        description: Runtime version.
        type: str
  user_data:
    description: User data ACK runs on the nodes. Never logged or returned.
    type: str
  drain:
    description: With O(state=absent), drain the nodes before removing them.
    type: bool
    default: true
  release_instances:
    description: With O(state=absent), also release the ECS instances.
    type: bool
    default: false
  allow_non_edge:
    description: Allow a cluster that is not an ACK Edge cluster.
    type: bool
    default: false
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.wait
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
attributes:
  check_mode:
    support: full
    details: Says which instances would be attached or removed, after the same checks as a real run.
  diff_mode:
    support: full
    details: Shows which of the instances are nodes before and after.
  idempotent:
    support: full
"""

EXAMPLES = r"""
- name: The cloud management instances bought for the cluster (ecs_instance's example)
  ack_edge.cloud_nodes.ecs_instance_info:
    tags:
      cloud-nodes/cluster: c06f4ee49f430ccdb94c22abc073301fb
      cloud-nodes/role: management
  register: managed

- name: Attach them as cloud nodes (those already attached stay as they are)
  ack_edge.cloud_nodes.cs_cluster_node:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    instance_ids: "{{ managed.instance_ids }}"
    password: "{{ vault_node_password }}"
    tags:
      team: platform
  register: attach

- name: Or attach them into a named cloud node pool, whose key pair, image and labels apply
  ack_edge.cloud_nodes.cs_cluster_node:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    instance_ids: "{{ managed.instance_ids }}"
    nodepool_name: cloud-pool-2
    password: "{{ vault_node_password }}"

- name: Remove one of them, drain it and release its instance
  ack_edge.cloud_nodes.cs_cluster_node:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    instance_ids: "{{ managed.instance_ids[:1] }}"
    state: absent
    release_instances: true
"""

RETURN = r"""
nodes:
  description: The cluster nodes of O(instance_ids) after the change (see M(ack_edge.cloud_nodes.cs_cluster_node_info)).
  returned: always
  type: list
  elements: dict
  sample:
    - {instance_id: i-bp1o5p0ww4uuggc473sb, node_name: cn-hangzhou.192.168.0.12, role: cloud, state: running}
attached_instance_ids:
  description: Instances this run attached (in check mode, would attach).
  returned: when O(state=present)
  type: list
  elements: str
  sample: [i-bp1o5p0ww4uuggc473sb]
removed_instance_ids:
  description: Instances this run removed from the cluster (in check mode, would remove).
  returned: when O(state=absent)
  type: list
  elements: str
  sample: []
task_id:
  description: The ACK task of the change (the first, if several batches were needed).
  returned: always
  type: str
  sample: T-925be16387484148b50d102f
task_ids:
  description: Every attach task of this run, one per batch of O(attach_batch_size) instances.
  returned: when O(state=present)
  type: list
  elements: str
  sample: [T-925be16387484148b50d102f]
results:
  description: What happened to each instance - V(attached), V(already_attached), V(failed), V(would_attach).
  returned: when O(state=present)
  type: list
  elements: dict
  sample:
    - {instance_id: i-bp1o5p0ww4uuggc473sb, outcome: attached, message: joined the cluster}
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cs_cluster_node import ClusterNodes, problems
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import WAIT_ARGUMENT_SPEC, AlicloudModule


def argument_spec():
    spec = {
        "cluster_id": {"type": "str", "required": True},
        "instance_ids": {"type": "list", "elements": "str", "required": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "password": {"type": "str", "no_log": True},
        "key_pair": {"type": "str", "no_log": False},
        "tags": {"type": "dict"},
        "format_disk": {"type": "bool", "default": False},
        "keep_instance_name": {"type": "bool", "default": True},
        "nodepool_id": {"type": "str"},
        "nodepool_name": {"type": "str"},
        "attach_batch_size": {"type": "int", "default": 20},
        "image_id": {"type": "str"},
        "runtime": {"type": "dict", "options": {"name": {"type": "str"}, "version": {"type": "str"}}},
        "user_data": {"type": "str", "no_log": True},
        "drain": {"type": "bool", "default": True},
        "release_instances": {"type": "bool", "default": False},
        "allow_non_edge": {"type": "bool", "default": False},
    }
    spec.update(WAIT_ARGUMENT_SPEC)
    return spec


def main():
    module = AlicloudModule(argument_spec(), services=("ecs", "cs"), supports_check_mode=True,
                            mutually_exclusive=[("password", "key_pair"), ("nodepool_id", "nodepool_name")])
    p = module.params
    module.run(lambda: ClusterNodes(module.ctx, p).ensure(), problems(p))


if __name__ == "__main__":
    main()
