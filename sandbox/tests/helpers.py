"""Small request builders shared by the sandbox tests."""

import json
import time

from alibabacloud_ecs20140526 import models as ecs_models
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException

from conftest import ALINUX3, PASSWORD, REGION, SG, VSW_H


def run_request(amount=3, token=None, **overrides):
    fields = dict(region_id=REGION, image_id=ALINUX3, instance_type="ecs.g6.large", v_switch_id=VSW_H,
                  security_group_id=SG, amount=amount, client_token=token, password=PASSWORD,
                  tag=[ecs_models.RunInstancesRequestTag(key="cloud-nodes", value="test")])
    fields.update(overrides)
    return ecs_models.RunInstancesRequest(**fields)


def run(ecs, amount=3, token=None, **overrides):
    return ecs.run_instances(run_request(amount, token, **overrides)).body.instance_id_sets.instance_id_set


def describe(ecs, ids=None, **filters):
    request = ecs_models.DescribeInstancesRequest(region_id=REGION, page_size=100, **filters)
    if ids is not None:
        request.instance_ids = json.dumps(ids)
    return ecs.describe_instances(request).body


def statuses(ecs, ids):
    return {i.instance_id: i.status for i in describe(ecs, ids).instances.instance}


def wait_running(ecs, ids, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        current = statuses(ecs, ids)
        if len(current) == len(ids) and set(current.values()) == {"Running"}:
            return current
        time.sleep(0.2)
    raise AssertionError(f"instances not Running: {statuses(ecs, ids)}")


def error_of(call):
    """Run `call`, expecting an API error; return it."""
    try:
        call()
    except (ClientException, ServerException, ThrottlingException) as err:
        return err
    raise AssertionError("the call succeeded but an error was expected")
