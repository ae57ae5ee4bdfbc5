# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: a Kubernetes client for a cluster, from a kubeconfig file or from the cluster's ID.

With a cluster ID the kubeconfig is fetched from ACK with short-lived credentials, kept in memory only, and its
secrets are registered with Ansible's no_log machinery.
"""

from __future__ import annotations

import json
import os

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError, check_input

SECRET_FIELDS = ("token", "client-key-data", "client-certificate-data", "password")
CREDENTIAL_MINUTES = 60


def mask_kubeconfig(ctx, text):
    """Register a kubeconfig's content and every credential in it as no_log values: the one scrub of both
    cs_kubeconfig and the modules that fetch a kubeconfig for themselves."""
    ctx.mask(text)
    for line in text.splitlines():
        key, sep, value = line.strip().partition(":")
        if sep and key.strip() in SECRET_FIELDS:
            ctx.mask(value.strip().strip('"'))


def api_client(ctx, kubeconfig=None, context=None, cluster_id=None):
    """A kubernetes ApiClient for a kubeconfig file or, with a cluster ID, a short-lived one kept in memory."""
    import yaml  # pylint: disable=import-outside-toplevel
    from kubernetes import client, config  # pylint: disable=import-error,import-outside-toplevel

    if kubeconfig is not None and not cluster_id:  # the client's own words would be "No configuration found"
        problem = ("" if os.path.isfile(kubeconfig) and os.path.getsize(kubeconfig)
                   else "is empty" if os.path.isfile(kubeconfig) or not kubeconfig
                   else "is a directory, not a file" if os.path.isdir(kubeconfig) else "not found")
        if problem:
            check_input([("kubeconfig", f"{kubeconfig or 'the path'} {problem}; write it with "
                                        "ack_edge.cloud_nodes.cs_kubeconfig, or use cluster_id instead")])
    configuration = client.Configuration()
    try:
        if kubeconfig:
            config.load_kube_config(config_file=kubeconfig, context=context, client_configuration=configuration)
        else:
            text = _cs.user_kubeconfig(ctx.api, cluster_id, minutes=CREDENTIAL_MINUTES).get("config") or ""
            mask_kubeconfig(ctx, text)
            config.load_kube_config_from_dict(yaml.safe_load(text), context=context,
                                              client_configuration=configuration)
    except (config.ConfigException, OSError, yaml.YAMLError) as exc:
        raise AlicloudError(f"kubeconfig: cannot use it: {exc}", code="InvalidKubeconfig")
    return client.ApiClient(configuration)


class CoreV1:
    """The core/v1 calls the collection makes, answered as plain dicts.

    The requests are the ones kubernetes' CoreV1Api sends (its ApiClient serializes them, authenticates them and
    picks the PATCH Content-Type: strategic merge for a dict body), without importing CoreV1Api: its few hundred
    validated methods and the models they name cost 0.5 to 0.8 s of CPU in every task that talks to a cluster, and
    the answers became dicts anyway.
    """

    def __init__(self, api_client):
        self.api_client = api_client

    def _request(self, method, path, query=(), body=None, _request_timeout=None):
        from kubernetes.client.exceptions import ApiException  # pylint: disable=import-error,import-outside-toplevel

        headers = {"Accept": "application/json"}
        if body is not None:  # CoreV1Api's default; the client's rest.py turns it into strategic merge for a dict
            headers["Content-Type"] = "application/json-patch+json"
        serialized = self.api_client.param_serialize(method, path, query_params=[q for q in query if q[1] is not None],
                                                     header_params=headers, body=body, auth_settings=["BearerToken"])
        response = self.api_client.call_api(*serialized, _request_timeout=_request_timeout)
        response.read()
        text = response.data.decode("utf-8") if response.data else ""
        if not 200 <= response.status <= 299:
            raise ApiException.from_response(http_resp=response, body=text, data=None)
        return json.loads(text) if text else {}

    def list_node(self, label_selector=None, _request_timeout=None):
        return self._request("GET", "/api/v1/nodes", [("labelSelector", label_selector)],
                             _request_timeout=_request_timeout)

    def list_pod_for_all_namespaces(self, _request_timeout=None):
        return self._request("GET", "/api/v1/pods", _request_timeout=_request_timeout)

    def patch_node(self, name, body, dry_run=None, _request_timeout=None):
        return self._request("PATCH", f"/api/v1/nodes/{name}", [("dryRun", dry_run)], body=body,
                             _request_timeout=_request_timeout)


def from_kube(exc, attempted):
    """A kubernetes client error as the collection's error, with the API server's message and status."""
    status = getattr(exc, "status", None)
    if status:
        try:
            body = json.loads(getattr(exc, "body", "") or "{}")
        except ValueError:
            body = {}
        reason = body.get("reason") or getattr(exc, "reason", None) or "KubernetesError"
        message = body.get("message") or getattr(exc, "reason", "") or str(exc)
        return AlicloudError(f"{attempted} failed: {message} (HTTP {status} {reason}).", code=reason,
                             http_status=status)
    return AlicloudError(f"{attempted} failed: cannot reach the Kubernetes API ({type(exc).__name__}). Check that "
                         "the cluster's API endpoint is reachable from the controller.", code="NetworkError",
                         network=True)


def call(retry, attempted, func, *args, **kwargs):
    """One Kubernetes API call through the collection's retry policy (429, 5xx and lost connections), with a socket
    timeout that follows what is left of the task's deadline (between 10 and 60 s), as the cloud calls do."""
    remaining = retry.deadline.remaining() if retry.deadline is not None else None
    kwargs.setdefault("_request_timeout", 60 if remaining is None else max(10, min(60, remaining)))

    def attempt():
        try:
            return func(*args, **kwargs)
        except Exception as exc:  # pylint: disable=broad-except
            raise from_kube(exc, attempted) from None

    return retry.run(attempt, attempted)
