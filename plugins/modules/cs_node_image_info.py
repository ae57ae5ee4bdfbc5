#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cs_node_image_info
short_description: Pick the OS image for cloud nodes of an ACK cluster version
version_added: 0.2.0
description:
  - With O(image_id), reads that image and checks that nodes of O(kubernetes_version) may run its OS. An image that
    does not exist is returned as given, with RV(image) null.
  - Without it, looks up the newest image of the O(os) family with C(DescribeImages) (C(ImageFamily),
    C(ImageOwnerAlias=system)), so new nodes get the current patch level.
  - From Kubernetes 1.30, CentOS and Alibaba Cloud Linux 2 are refused (ACK no longer supports them as node pool
    OS); ContainerOS needs 1.24 or later. A refusal fails before anything is bought or changed.
  - With O(end_of_life), warns when the version's end of life has passed.
author:
  - ack_edge.cloud_nodes maintainers (@ack-edge)
options:
  kubernetes_version:
    description: The cluster's Kubernetes version, for example V(1.34.1-aliyun.1) (C(current_version) of
      M(ack_edge.cloud_nodes.cs_cluster_info)).
    type: str
    required: true
  image_id:
    description: The image to check; empty looks one up by O(os).
    type: str
  os:
    description: The OS to look up when O(image_id) is empty.
    type: str
    choices: [alinux3, containeros]
    default: alinux3
  image_family:
    description: The image family to look up instead of the one of O(os).
    type: str
  image_owner_alias:
    description: Whose images the lookup considers; V(system) are Alibaba Cloud's public images.
    type: str
    choices: [system, self, others, marketplace]
    default: system
  end_of_life:
    description:
      - End-of-life dates (C(YYYY-MM-DD)) by Kubernetes minor version, for example V(1.30) mapped to V(2026-06-30).
    type: dict
extends_documentation_fragment:
  - ack_edge.cloud_nodes.auth
  - ack_edge.cloud_nodes.attributes
  - ack_edge.cloud_nodes.attributes.info_module
  - ack_edge.cloud_nodes.attributes.actiongroup_alicloud
"""

EXAMPLES = r"""
- name: The cluster
  ack_edge.cloud_nodes.cs_cluster_info:
    cluster_id: c06f4ee49f430ccdb94c22abc073301fb
  register: cluster

- name: The newest Alibaba Cloud Linux 3 image for its nodes
  ack_edge.cloud_nodes.cs_node_image_info:
    kubernetes_version: "{{ cluster.clusters[0].current_version }}"
  register: node_image

- name: Check a chosen image
  ack_edge.cloud_nodes.cs_node_image_info:
    kubernetes_version: 1.30.7-aliyun.1
    image_id: aliyun_3_x64_20G_alibase_20241218.vhd
"""

RETURN = r"""
image_id:
  description: The image for the nodes.
  returned: always
  type: str
  sample: aliyun_3_x64_20G_alibase_20250629.vhd
image:
  description: That image, as C(DescribeImages) gives it, in snake_case, with its O(os); null when O(image_id) names
    no image.
  returned: always
  type: dict
  sample: {image_id: aliyun_3_x64_20G_alibase_20250629.vhd, os: alinux3, creation_time: "2025-06-29T00:00:00Z"}
os:
  description: The image's OS - V(alinux3), V(containeros), V(alinux2), V(centos) or V(other); null when there is no
    image.
  returned: always
  type: str
  sample: alinux3
end_of_life:
  description: The version's end-of-life date from O(end_of_life), or null when it has none.
  returned: always
  type: str
  sample: "2026-06-30"
past_end_of_life:
  description: Whether that date has passed.
  returned: always
  type: bool
  sample: false
retries:
  description: How many API calls were retried after throttling or transient errors.
  returned: always
  type: int
  sample: 0
"""

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _node_image
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, InvalidInput
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._module import AlicloudModule


def pick(ctx, p):
    date, past = _node_image.support(p["kubernetes_version"], p["end_of_life"])
    if past:
        ctx.warn(f"Kubernetes {p['kubernetes_version']} reached its end of life on {date}; upgrade the cluster "
                 "(ACK no longer fixes it).")
    result = {"changed": False, "end_of_life": date, "past_end_of_life": past}
    if p["image_id"]:
        found = _node_image.describe_images(ctx.api, image_ids=[p["image_id"]])
        if not found:  # an info module: nothing found is an answer; the buyer's guard names the missing image
            return dict(result, image_id=p["image_id"], image=None, os=None)
        option = "image_id"
    else:
        family = p["image_family"] or _node_image.FAMILIES[p["os"]]
        found = _node_image.describe_images(ctx.api, family=family, owner=p["image_owner_alias"])
        if not found:
            raise AlicloudError(f"No {p['image_owner_alias']} image of family {family} in region {ctx.api.region}; "
                                "set image_id, or image_family to a family the region has.", code="ImageNotFound")
        option = "image_family" if p["image_family"] else "os"
    image = found[0]
    problem = _node_image.os_problem(image["os"], p["kubernetes_version"])
    if problem:
        raise InvalidInput([(option, f"{image['image_id']}: {problem}")])
    return dict(result, image_id=image["image_id"], image=image, os=image["os"])


def main():
    module = AlicloudModule({
        "kubernetes_version": {"type": "str", "required": True},
        "image_id": {"type": "str"},
        "os": {"type": "str", "choices": ["alinux3", "containeros"], "default": "alinux3"},
        "image_family": {"type": "str"},
        "image_owner_alias": {"type": "str", "choices": ["system", "self", "others", "marketplace"],
                              "default": "system"},
        "end_of_life": {"type": "dict"},
    }, services=("ecs",), supports_check_mode=True)
    p = module.params
    module.run(lambda: pick(module.ctx, p))


if __name__ == "__main__":
    main()
