"""Installed into the footmark test venv only: point aliyunsdkcore's ECS endpoint at the sandbox.

footmark builds its own `AcsClient` and has no endpoint option (reference/ecs-api.md §6.3), so the one place to
redirect it without touching footmark or the modules is aliyunsdkcore's own endpoint table,
`region_provider.modify_point` (the first resolver in its chain). Python runs this file at interpreter start, in
ansible-playbook and in every module it runs with this venv's interpreter; it does nothing unless
`ACK_SANDBOX_ECS_ENDPOINT` is set (host:port), for the regions in `ACK_SANDBOX_ECS_REGIONS` (comma-separated;
default `ALICLOUD_REGION`). No request is rewritten: the SDK signs and sends to that host:port itself, over
plain HTTP (aliyunsdkcore's default protocol; the sandbox runs with `--http`).
"""

import os

_ENDPOINT = os.environ.get("ACK_SANDBOX_ECS_ENDPOINT")
if _ENDPOINT:
    from aliyunsdkcore.profile import region_provider

    _REGIONS = os.environ.get("ACK_SANDBOX_ECS_REGIONS") or os.environ.get("ALICLOUD_REGION") or "cn-hangzhou"
    for _region in _REGIONS.split(","):
        region_provider.modify_point("Ecs", _region.strip(), _ENDPOINT)
