# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Twin of TAGS_ARGUMENT_SPEC in plugins/module_utils/_module.py."""

    DOCUMENTATION = r"""
options:
  tags:
    description:
      - Tags to set on the resources, as a dictionary.
      - Keys must not start with C(acs:) or C(aliyun); keys and values are at most 128 characters.
    type: dict
  purge_tags:
    description:
      - Remove tags that are not in O(tags).
      - Tags that identify the resource (for example C(match_tags) of M(ack_edge.cloud_nodes.ecs_instance)) and tags set by Alibaba Cloud
        services (C(acs:*), C(ack.aliyun.com), C(ack.alibabacloud.com/*)) are never removed.
    type: bool
    default: false
"""
