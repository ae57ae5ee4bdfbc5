"""Start a real sandbox process and talk to it only through the official SDKs (and the control API)."""

import json
import os
import shlex
import signal
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest
from alibabacloud_cs20151215.client import Client as CsClient
from alibabacloud_ecs20140526.client import Client as EcsClient
from alibabacloud_tea_openapi.utils_models import Config

REGION = "cn-hangzhou"
EDGE = "c06f4ee49f430ccdb94c22abc073301fb"  # cluster_id_for("edge-hangzhou")
MANAGED_NAME = "managed-hangzhou"
VPC = "vpc-bp1edgesandbox0000001"
VSW_H = "vsw-bp1edgesandboxzoneh01"
VSW_I = "vsw-bp1edgesandboxzonei01"
SG = "sg-bp1edgesandbox00000001"
OTHER_VSW = "vsw-bp1othersandboxzoneh1"
OTHER_SG = "sg-bp1othersandbox0000001"
ALINUX3 = "aliyun_3_x64_20G_alibase_20241218.vhd"
PASSWORD = "Sandbox-Pa55word!"  # grepped for in the sandbox's output by test_secrets


class SandboxProcess:
    """One `ack-sandbox serve` child process with its own state directory and captured output."""

    def __init__(self, state_dir, *extra):
        self.state_dir = state_dir
        self.env_file = os.path.join(state_dir, "sandbox.env")
        self.log_path = os.path.join(state_dir, "sandbox.log")
        self.extra = extra
        self.proc = None
        self.env = {}

    def start(self, timeout=30):
        os.makedirs(self.state_dir, exist_ok=True)
        if os.path.exists(self.env_file):
            os.remove(self.env_file)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ack_sandbox.cli", "serve", "--state", self.state_dir, "--env-file",
             self.env_file, *self.extra], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while not os.path.exists(self.env_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("sandbox did not start:\n" + open(self.log_path).read())
            time.sleep(0.05)
        self.env = {}
        with open(self.env_file) as handle:
            for line in handle:
                key, _, value = line.strip()[len("export "):].partition("=")
                self.env[key] = shlex.split(value)[0] if value else ""
        return self

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def output(self):
        with open(self.log_path, errors="replace") as handle:
            return handle.read()

    # -- clients -------------------------------------------------------------------------------------------
    def config(self, endpoint_var, **overrides):
        values = dict(access_key_id=self.env["ALICLOUD_ACCESS_KEY"],
                      access_key_secret=self.env["ALICLOUD_SECRET_KEY"], region_id=REGION,
                      endpoint=self.env[endpoint_var], ca=self.env["ALICLOUD_CA_BUNDLE"])
        values.update(overrides)
        return Config(**values)

    def ecs(self, **overrides):
        return EcsClient(self.config("ALICLOUD_ECS_ENDPOINT", **overrides))

    def cs(self, **overrides):
        return CsClient(self.config("ALICLOUD_CS_ENDPOINT", **overrides))

    # -- control API ---------------------------------------------------------------------------------------
    def control(self, method, route, body=None):
        context = ssl.create_default_context(cafile=self.env["ALICLOUD_CA_BUNDLE"])
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.env["ACK_SANDBOX_CONTROL"] + route, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return json.loads(response.read())

    def calls(self, **filters):
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        return self.control("GET", "/calls" + (f"?{query}" if query else ""))["calls"]

    def faults(self, *rules, seed=None):
        return self.control("POST", "/faults", {"faults": list(rules), "seed": seed})


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    box = SandboxProcess(str(tmp_path_factory.mktemp("sandbox"))).start()
    yield box
    assert box.stop() == 0, box.output()
    output = box.output()
    for secret in (box.env["ALICLOUD_SECRET_KEY"], PASSWORD):
        assert secret not in output, "a secret reached the sandbox output"


@pytest.fixture
def sb(sandbox):
    """The session sandbox, reset to its fixture with an empty call log and no faults."""
    sandbox.control("POST", "/reset")
    return sandbox


def wait_for(predicate, timeout=15, interval=0.1):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


@pytest.fixture
def kube(sb, tmp_path):
    """The edge cluster's kubeconfig (from DescribeClusterUserKubeconfig) and ways to drive its API."""
    from alibabacloud_cs20151215 import models as cs_models
    config = sb.cs().describe_cluster_user_kubeconfig(EDGE, cs_models.DescribeClusterUserKubeconfigRequest()).body
    path = tmp_path / "kubeconfig"
    path.write_text(config.config)
    return Kube(str(path), str(tmp_path))


class Kube:
    def __init__(self, kubeconfig, home):
        self.kubeconfig = kubeconfig
        self.home = home

    def client(self):
        from kubernetes import client, config
        configuration = client.Configuration()
        config.load_kube_config(self.kubeconfig, client_configuration=configuration)
        return client.ApiClient(configuration)

    def kubectl(self, *args, check=True, timeout=60):
        import shutil
        if not shutil.which("kubectl"):
            pytest.skip("kubectl is not installed on this machine")
        env = dict(os.environ, KUBECONFIG=self.kubeconfig, HOME=self.home)
        result = subprocess.run(["kubectl", *args], capture_output=True, text=True, env=env, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result
