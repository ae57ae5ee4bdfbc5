# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Twin of AUTH_ARGUMENT_SPEC in plugins/module_utils/_module.py: the options every Alibaba Cloud module takes."""

    DOCUMENTATION = r"""
options:
  alicloud_access_key:
    description:
      - Alibaba Cloud AccessKey ID.
      - When neither this nor O(alicloud_secret_key) is set (directly or through the environment), the default
        credential chain of C(alibabacloud-credentials) is used, which reads its profile file, the ECS RAM role or OIDC.
      - Falls back to the first set of E(ALICLOUD_ACCESS_KEY) and E(ALIBABA_CLOUD_ACCESS_KEY_ID).
    type: str
    aliases: [access_key, access_key_id]
  alicloud_secret_key:
    description:
      - Alibaba Cloud AccessKey secret. Never logged or returned.
      - Falls back to the first set of E(ALICLOUD_SECRET_KEY) and E(ALIBABA_CLOUD_ACCESS_KEY_SECRET).
    type: str
    aliases: [secret_key, access_key_secret]
  alicloud_security_token:
    description:
      - STS security token, for temporary credentials. Never logged or returned.
      - Falls back to the first set of E(ALICLOUD_SECURITY_TOKEN) and E(ALIBABA_CLOUD_SECURITY_TOKEN).
    type: str
  alicloud_region:
    description:
      - Region ID, for example V(cn-hangzhou).
      - Falls back to the first set of E(ALICLOUD_REGION) and E(ALIBABA_CLOUD_REGION_ID). One of them is required.
    type: str
    aliases: [region]
  ecs_endpoint:
    description:
      - ECS API endpoint as C(host[:port]); a C(https://) or C(http://) prefix is accepted and sets the protocol.
      - Defaults to the public regional endpoint. Falls back to E(ALICLOUD_ECS_ENDPOINT).
    type: str
  cs_endpoint:
    description:
      - Container Service (ACK) API endpoint as C(host[:port]); a scheme prefix is accepted as for O(ecs_endpoint).
      - Defaults to the public regional endpoint. Falls back to E(ALICLOUD_CS_ENDPOINT).
    type: str
  ca_bundle:
    description:
      - Path to a PEM file of CA certificates to trust in addition to the system ones.
      - TLS is always verified; this only adds trust, for example for a proxy or a local sandbox.
      - Falls back to E(ALICLOUD_CA_BUNDLE).
    type: path
notes:
  - Credentials can be set once for a whole play with
    C(module_defaults) and the action group C(group/ack_edge.cloud_nodes.alicloud).
requirements:
  - python >= 3.10
  - alibabacloud-tea-openapi >= 0.4.0
  - alibabacloud-credentials >= 1.0.0
"""

    # For inventory plugins, which read the same settings from their configuration file or the environment.
    INVENTORY = r"""
options:
  alicloud_access_key:
    description: Alibaba Cloud AccessKey ID; without one, the alibabacloud-credentials chain is used.
    type: str
    aliases: [access_key, access_key_id]
    env:
      - name: ALICLOUD_ACCESS_KEY
      - name: ALIBABA_CLOUD_ACCESS_KEY_ID
  alicloud_secret_key:
    description: Alibaba Cloud AccessKey secret.
    type: str
    aliases: [secret_key, access_key_secret]
    env:
      - name: ALICLOUD_SECRET_KEY
      - name: ALIBABA_CLOUD_ACCESS_KEY_SECRET
  alicloud_security_token:
    description: STS security token.
    type: str
    env:
      - name: ALICLOUD_SECURITY_TOKEN
      - name: ALIBABA_CLOUD_SECURITY_TOKEN
  alicloud_region:
    description: The region to read when O(regions) is empty.
    type: str
    aliases: [region]
    env:
      - name: ALICLOUD_REGION
      - name: ALIBABA_CLOUD_REGION_ID
  ecs_endpoint:
    description: ECS API endpoint as C(host[:port]).
    type: str
    env:
      - name: ALICLOUD_ECS_ENDPOINT
  cs_endpoint:
    description: Container Service API endpoint as C(host[:port]).
    type: str
    env:
      - name: ALICLOUD_CS_ENDPOINT
  ca_bundle:
    description: A PEM file of CA certificates to trust in addition to the system ones.
    type: path
    env:
      - name: ALICLOUD_CA_BUNDLE
"""
