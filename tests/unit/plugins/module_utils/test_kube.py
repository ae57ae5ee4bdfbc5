"""_kube.CoreV1: the requests kubernetes' CoreV1Api sends, answered as dicts, without importing CoreV1Api."""
import json
import subprocess
import sys

import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _kube
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._retry import RetryPolicy


class Wire:
    """Stands in for urllib3's pool manager: records what would go on the wire and answers from a queue."""

    def __init__(self, *answers):
        self.sent = []
        self.answers = list(answers)

    def request(self, method, url, body=None, headers=None, **kwargs):
        self.sent.append((method, url, dict(headers or {}), json.loads(body) if body else None))
        status, data = self.answers.pop(0)

        class Response:
            reason = "x"

        response = Response()
        response.status, response.data, response.headers = status, json.dumps(data).encode(), {}
        return response


def core(*answers):
    from kubernetes import client

    configuration = client.Configuration()
    configuration.host = "https://127.0.0.1:6443"
    configuration.api_key = {"authorization": "secret-token"}
    configuration.api_key_prefix = {"authorization": "Bearer"}
    api_client = client.ApiClient(configuration)
    api_client.rest_client.pool_manager = Wire(*answers)
    return _kube.CoreV1(api_client), api_client.rest_client.pool_manager


def test_lists_and_patches_go_out_as_core_v1_api_sends_them():
    api, wire = core((200, {"items": [{"metadata": {"name": "n1"}}]}), (200, {"items": []}),
                     (200, {"metadata": {"name": "n1"}}))
    assert api.list_node(label_selector="alibabacloud.com/is-edge-worker=false") == {
        "items": [{"metadata": {"name": "n1"}}]}
    assert api.list_pod_for_all_namespaces(_request_timeout=10) == {"items": []}
    assert api.patch_node("n1", {"metadata": {"labels": {"a": "b"}}}, dry_run="All") == {"metadata": {"name": "n1"}}
    (m1, u1, h1, b1), (m2, u2, dummy, dummy), (m3, u3, h3, b3) = wire.sent
    assert (m1, u1) == ("GET", "https://127.0.0.1:6443/api/v1/nodes?labelSelector=alibabacloud.com/is-edge-worker%3Dfalse")
    assert h1["authorization"] == "Bearer secret-token" and h1["Accept"] == "application/json" and b1 is None
    assert (m2, u2) == ("GET", "https://127.0.0.1:6443/api/v1/pods")
    assert (m3, u3) == ("PATCH", "https://127.0.0.1:6443/api/v1/nodes/n1?dryRun=All")
    assert h3["Content-Type"] == "application/strategic-merge-patch+json"  # reference/k8s-api.md: patch_node(dict)
    assert b3 == {"metadata": {"labels": {"a": "b"}}}


def test_an_api_server_error_keeps_its_status_and_message():
    api, dummy = core((404, {"kind": "Status", "reason": "NotFound", "message": 'nodes "n9" not found'}))
    with pytest.raises(AlicloudError) as caught:
        _kube.call(RetryPolicy(sleep=lambda s: None), "Repairing node n9", api.patch_node, "n9", {"metadata": {}})
    assert caught.value.http_status == 404 and caught.value.code == "NotFound"
    assert 'nodes "n9" not found' in caught.value.msg


def test_talking_to_a_cluster_does_not_import_core_v1_api():
    """Issue 14: CoreV1Api and the models it names cost 0.5 to 0.8 s of CPU in every task that loads them."""
    script = ("import sys\n"
              "from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _kube\n"
              "from kubernetes import client\n"
              "_kube.CoreV1(client.ApiClient(client.Configuration()))\n"
              "print(sorted(m for m in sys.modules if m.startswith('kubernetes.client.api.')))\n")
    loaded = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    assert "core_v1_api" not in loaded
