"""Per-cluster Kubernetes API endpoints (bearer-token auth). This first cut answers health and version."""

import json


class KubeApi:
    def __init__(self, sandbox):
        self.sandbox = sandbox

    def reset(self):
        pass

    def close(self):
        pass

    def _authorised(self, cluster, headers):
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return False
        token = auth[7:].strip()
        now = self.sandbox.world.now()
        return token == cluster["k8s_token"] or cluster.get("temporary_tokens", {}).get(token, 0) > now

    def handle(self, handler, service, url, pairs, headers, body):
        cluster_id = service.split(":", 1)[1]
        cluster = self.sandbox.world.get("cluster", cluster_id)
        if cluster is None:
            return self._status(handler, 404, "NotFound", f"cluster {cluster_id} is gone")
        if url.path in ("/healthz", "/livez", "/readyz"):
            return handler._send(200, b"ok", {}, "text/plain")
        if not self._authorised(cluster, headers):
            return self._status(handler, 401, "Unauthorized", "Unauthorized")
        if url.path == "/version":
            major, minor = cluster["current_version"].split(".")[:2]
            return handler._send(200, {"major": major, "minor": minor,
                                       "gitVersion": "v" + cluster["current_version"].split("-")[0],
                                       "platform": "linux/amd64"}, {}, "application/json")
        return self._status(handler, 404, "NotFound", "the server could not find the requested resource")

    def _status(self, handler, code, reason, message):
        handler._send(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": message, "reason": reason, "code": code}, {}, "application/json")
