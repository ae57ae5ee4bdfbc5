# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in_region filter: the auth options of a host, in the host's region (docs: in_region.yml). The playbooks and
roles pass `cloud_nodes_auth | in_region(cloud_nodes_region)` as module_defaults, so each host of a fleet that
spans regions calls the APIs of its own region."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

REGION_KEYS = ("alicloud_region", "region")  # the option and its alias; Ansible lets the alias win, so drop both


def in_region(auth, region=None):
    if auth is None:
        auth = {}
    if not isinstance(auth, dict):
        raise AnsibleFilterError(f"in_region expects the auth options (cloud_nodes_auth) as a dict, got "
                                 f"{type(auth).__name__}")
    if not region:
        return dict(auth)
    if not isinstance(region, str):
        raise AnsibleFilterError(f"cloud_nodes_region must be a region ID such as cn-hangzhou, got {region!r}")
    found = {k: v for k, v in auth.items() if k not in REGION_KEYS}
    found["alicloud_region"] = region
    return found


class FilterModule:
    def filters(self):
        return {"in_region": in_region}
