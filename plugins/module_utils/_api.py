# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: one way to call any ECS or CS action. Requests are plain dicts with the API's own
parameter names, responses come back as plain dicts, every call goes through the retry policy, and SDK objects
never leave this file."""

from __future__ import annotations

import inspect

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._clients import ClientFactory, endpoint_in_use, no_credentials
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import AlicloudError
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._retry import RetryPolicy


def chunks(items, size):
    """Batches of at most `size`, in order: the per-call limits of the APIs."""
    items = list(items)
    return [items[i:i + size] for i in range(0, len(items), size)]


class Api:
    def __init__(self, params, retry=None, factory=None):
        self.retry = retry or RetryPolicy()
        self.factory = factory or ClientFactory(params, self.retry.deadline)
        self.params = params
        self.region = params.get("alicloud_region")
        self._methods = {}

    @property
    def retries(self):
        return self.retry.retries

    def _method(self, service, action):
        key = (service, action)
        if key not in self._methods:
            client = self.factory.client(service)
            names = {name.replace("_", ""): name for name in dir(client) if not name.startswith("_")}
            method = getattr(client, names[action.lower()])
            takes_request = "request" in inspect.signature(method).parameters
            request_class = getattr(self.factory.models(service), action + "Request", None)
            self._methods[key] = (method, request_class if takes_request else None)
        return self._methods[key]

    def call(self, service, action, *path, request=None, repeatable=True, attempted=None):
        """Call `action` with path arguments (CS) and a request dict; return the response body as a dict or list.

        `repeatable=False` marks a call that must not be sent twice after an ambiguous failure (a create without a
        client token, for example); throttled calls are still retried because they were never carried out.
        """
        method, request_class = self._method(service, action)
        args = list(path)
        if request_class is not None:
            args.append(request_class().from_map(request or {}))
        attempted = attempted or action

        def send():
            try:
                return method(*args)
            except Exception as exc:  # pylint: disable=broad-except
                raise no_credentials(exc, attempted) or exc

        try:
            response = self.retry.run(send, attempted, repeatable)
        except AlicloudError as err:
            if err.code == "ConnectionRefused":
                option, value = endpoint_in_use(self.params, service)
                err.msg += f" Check {option} (now {value}) and that the endpoint is reachable from here."
            raise
        body = getattr(response, "body", None)
        if body is None:
            return {}
        return body.to_map() if hasattr(body, "to_map") else body

    def ecs(self, action, request=None, **kwargs):
        request = dict(request or {})
        request.setdefault("RegionId", self.region)
        return self.call("ecs", action, request=request, **kwargs)

    def cs(self, action, *path, request=None, **kwargs):
        return self.call("cs", action, *path, request=request, **kwargs)
