#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloud_node_policy
short_description: Verify or repair the label, taint and readiness of ACK@Edge cloud nodes
version_added: 0.1.0
description:
  - Checks, through the cluster's Kubernetes API, that every cloud management node is Ready and carries the label
    C(alibabacloud.com/is-edge-worker=false) and the taint C(node-role.alibabacloud.com/addon:NoSchedule), and that
    no pod runs on it without tolerating that taint (DaemonSet pods excepted).
  - Selects the cloud nodes by ECS instance, matched on the node's C(providerID) or instance-ID label - O(instance_ids),
    or with O(cluster_id) every cloud node the cluster lists (its ECS node pools, whoever bought it) plus every
    instance this collection keeps for the cluster, so a node that lost its label and an instance that never joined
    are both caught. Only with a O(kubeconfig) and no O(instance_ids) does it select by label (O(node_selector)).
  - First waits up to O(wait_timeout) for the selected nodes to exist and be Ready.
  - O(mode=verify) only reads, and fails with the list of violations unless O(fail_on_violation=false).
  - O(mode=enforce) adds missing labels and taints, reports a change and a diff, and fails on what it cannot repair
    (a node that is not Ready, a foreign pod, a missing node). Check mode predicts the repair with a server-side
    dry run.
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  kubeconfig:
    description:
      - Path to a kubeconfig for the cluster. Mutually exclusive with O(cluster_id).
      - Falls back to E(K8S_AUTH_KUBECONFIG).
    type: path
  context:
    description: The kubeconfig context to use.
    type: str
  cluster_id:
    description:
      - The ACK cluster; its kubeconfig is fetched with temporary credentials and kept in memory only.
      - Needs the Alibaba Cloud credentials, as every module of the action group.
    type: str
  mode:
    description: V(verify) reports; V(enforce) repairs labels and taints.
    type: str
    choices: [verify, enforce]
    default: verify
  node_selector:
    description:
      - Label selector of the cloud nodes, used only with O(kubeconfig) and without O(instance_ids).
      - A node that lost the label is not selected; prefer O(cluster_id), which selects from the cluster's node list.
    type: str
    default: alibabacloud.com/is-edge-worker=false
  instance_ids:
    description:
      - Check the nodes of these ECS instances instead of selecting by label. Use this to repair nodes whose label
        is missing, since a label selector cannot find them.
    type: list
    elements: str
  required_labels:
    description: Labels every cloud node must carry.
    type: dict
    default:
      alibabacloud.com/is-edge-worker: "false"
  required_taints:
    description: Taints every cloud node must carry.
    type: list
    elements: dict
    default:
      - key: node-role.alibabacloud.com/addon
        effect: NoSchedule
    suboptions:
      key:
        description: Taint key.
        type: str
        required: true
      value:
        description: Taint value; none by default.
        type: str
      effect:
        description: Taint effect.
        type: str
        required: true
        choices: [NoSchedule, PreferNoSchedule, NoExecute]
  check_foreign_pods:
    description: Report pods on cloud nodes that do not tolerate the required taints.
    type: bool
    default: true
  fail_on_violation:
    description: Fail when violations remain. With V(false) the task succeeds and returns them.
    type: bool
    default: true
  wait:
    description: Wait for the nodes to exist and be Ready before checking. Check mode never waits.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the nodes; after that, missing or NotReady nodes are violations.
    type: int
    default: 300
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
attributes:
  check_mode:
    support: full
    details: In enforce mode, the repair is sent as a server-side dry run and its result reported.
  diff_mode:
    support: full
    details: Shows the required labels and the taints of each repaired node, before and after.
  idempotent:
    support: full
requirements:
  - kubernetes >= 24.2.0
"""

EXAMPLES = r"""
- name: Audit the cloud nodes of an edge cluster
  ack_edge.cloud_nodes.cloud_node_policy:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb

- name: The cloud management instances this collection keeps for the cluster
  ack_edge.cloud_nodes.ecs_instance_info:
    tags:
      cloud-nodes/cluster: c06f4ee49f430ccdb94c22abc073301fb
      cloud-nodes/role: management
  register: managed

- name: Repair the nodes of those instances
  ack_edge.cloud_nodes.cloud_node_policy:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
    instance_ids: "{{ managed.instance_ids }}"
    mode: enforce

- name: Report without failing, from the kubeconfig file that cs_kubeconfig's example writes
  ack_edge.cloud_nodes.cloud_node_policy:
    kubeconfig: ~/.kube/edge.yaml
    fail_on_violation: false
  register: audit
"""

RETURN = r"""
nodes:
  description: One report per cloud node.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Node name.
      type: str
      sample: cn-hangzhou.192.168.0.12
    instance_id:
      description: ECS instance of the node, from its providerID.
      type: str
      sample: i-bp1o5p0ww4uuggc473sb
    ready:
      description: Whether the node is Ready.
      type: bool
      sample: true
    managed:
      description:
        - Whether this collection keeps the node's instance for the cluster (V(false) for a cloud node bought
          otherwise, which the rules apply to all the same).
        - V(null) when the nodes were not selected by O(cluster_id).
      type: bool
      sample: true
    missing_labels:
      description: Required labels the node lacks (after the repair, in enforce mode).
      type: dict
      sample: {}
    missing_taints:
      description: Required taints the node lacks (after the repair, in enforce mode).
      type: list
      elements: dict
      sample: []
    foreign_pods:
      description: Pods (C(namespace/name)) on the node that do not tolerate its taint, DaemonSet pods excepted.
      type: list
      elements: str
      sample: [default/web-7d9f8-abcde]
    violations:
      description: What is wrong with this node, in words.
      type: list
      elements: str
      sample: ["cn-hangzhou.192.168.0.12: taint node-role.alibabacloud.com/addon:NoSchedule missing"]
violations:
  description: Every violation, including instances that have no node.
  returned: always
  type: list
  elements: str
  sample: []
patched_nodes:
  description: Nodes repaired (in check mode, that would be repaired).
  returned: always
  type: list
  elements: str
  sample: []
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import env_fallback

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._cloud_node_policy import check, problems
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._constants import CLOUD_LABEL, CLOUD_LABELS, CLOUD_TAINT
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import AlicloudModule


def main():
    module = AlicloudModule({
        "kubeconfig": {"type": "path", "fallback": (env_fallback, ["K8S_AUTH_KUBECONFIG"])},
        "context": {"type": "str"},
        "cluster_id": {"type": "str"},
        "mode": {"type": "str", "default": "verify", "choices": ["verify", "enforce"]},
        "node_selector": {"type": "str", "default": f"{CLOUD_LABEL}=false"},
        "instance_ids": {"type": "list", "elements": "str"},
        "required_labels": {"type": "dict", "default": dict(CLOUD_LABELS)},
        "required_taints": {"type": "list", "elements": "dict", "options": {
            "key": {"type": "str", "required": True, "no_log": False},
            "value": {"type": "str"},
            "effect": {"type": "str", "required": True, "choices": ["NoSchedule", "PreferNoSchedule", "NoExecute"]},
        }, "default": [dict(CLOUD_TAINT)]},
        "check_foreign_pods": {"type": "bool", "default": True},
        "fail_on_violation": {"type": "bool", "default": True},
        "wait": {"type": "bool", "default": True},
        "wait_timeout": {"type": "int", "default": 300},
    }, services=("kubernetes",), cloud=False, supports_check_mode=True,
        mutually_exclusive=[("kubeconfig", "cluster_id")], required_one_of=[("kubeconfig", "cluster_id")])
    p = module.params
    if p["cluster_id"]:
        module.require_services(("cs", "ecs"))
    module.run(lambda: check(module.ctx, p), problems(p))


if __name__ == "__main__":
    main()
