"""Persistence across restarts, clean SIGTERM, and no secret in the sandbox's output or call log."""

import base64

from alibabacloud_cs20151215 import models as cm
from alibabacloud_ecs20140526 import models as em

from conftest import EDGE, PASSWORD, SandboxProcess
from helpers import error_of, run, statuses, wait_running

USER_DATA = "#!/bin/sh\necho user-data-secret-7f3a\n"


def test_restart_keeps_everything(tmp_path):
    box = SandboxProcess(str(tmp_path / "state")).start()
    ecs, cs = box.ecs(), box.cs()
    ids = run(ecs, 3, token="survives-restart")
    wait_running(ecs, ids)
    task_id = cs.attach_instances(EDGE, cm.AttachInstancesRequest(instances=ids, password=PASSWORD)).body.task_id
    secret = box.env["ALICLOUD_SECRET_KEY"]
    assert box.stop() == 0

    box = SandboxProcess(str(tmp_path / "state")).start()
    try:
        assert box.env["ALICLOUD_SECRET_KEY"] == secret
        ecs, cs = box.ecs(), box.cs()
        assert statuses(ecs, ids) == {i: "Running" for i in ids}
        assert run(ecs, 3, token="survives-restart") == ids  # the client token is remembered
        task = cs.describe_task_info(task_id).body
        if task.state == "running":
            import time
            time.sleep(2.5)
            task = cs.describe_task_info(task_id).body
        assert task.state == "success"  # the task kept running through the restart
        listed = cs.describe_cluster_nodes(EDGE, cm.DescribeClusterNodesRequest(instance_ids=",".join(ids))).body
        assert sorted(n.instance_id for n in listed.nodes) == sorted(ids)
        assert len(box.calls(action="RunInstances")) == 2
    finally:
        assert box.stop() == 0


def test_no_secret_in_output_or_call_log(tmp_path):
    box = SandboxProcess(str(tmp_path / "state")).start()
    try:
        ecs, cs = box.ecs(), box.cs()
        ids = run(ecs, 2, user_data=base64.b64encode(USER_DATA.encode()).decode(), key_pair_name=None)
        wait_running(ecs, ids)
        cs.attach_instances(EDGE, cm.AttachInstancesRequest(instances=ids, password=PASSWORD, user_data=USER_DATA))
        error_of(lambda: cs.attach_instances(EDGE, cm.AttachInstancesRequest(instances=ids, password=PASSWORD + '"')))
        error_of(lambda: run(ecs, 1, password="weakpassword"))
        sts = box.ecs(access_key_id=box.env["ACK_SANDBOX_STS_ACCESS_KEY"],
                      access_key_secret=box.env["ACK_SANDBOX_STS_SECRET_KEY"],
                      security_token=box.env["ACK_SANDBOX_STS_TOKEN"])
        sts.describe_regions(em.DescribeRegionsRequest())
        kube = cs.describe_cluster_user_kubeconfig(EDGE, cm.DescribeClusterUserKubeconfigRequest()).body.config
        token = kube.split("token: ")[1].split()[0]
        import json
        log = json.dumps(box.calls())
    finally:
        assert box.stop() == 0
    output = box.output()
    assert "RunInstances" in output and "AttachInstances" in log and "********" in log
    secrets = [box.env["ALICLOUD_SECRET_KEY"], box.env["ACK_SANDBOX_STS_SECRET_KEY"], box.env["ACK_SANDBOX_STS_TOKEN"],
               PASSWORD, "weakpassword", "user-data-secret-7f3a", base64.b64encode(USER_DATA.encode()).decode(), token]
    for secret in secrets:
        assert secret not in output, "secret leaked into the sandbox output"
        assert secret not in log, "secret leaked into the call log"
