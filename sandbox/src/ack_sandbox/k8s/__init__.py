"""Per-cluster Kubernetes API endpoints for the sandbox: what kubectl, the kubernetes client and kubernetes.core
need from an API server (reference/k8s-api.md), with nodes that follow the cloud side and workloads that are
scheduled by nodeSelector, taints and tolerations."""

import json
import sys
import threading
import time
import traceback

from ..redact import redact
from .api import ClusterApi, Reply, query_of
from .controllers import Controllers
from .objects import KubeError
from .store import Store

CLOUD_KINDS = {"node", "cluster", "addon", "task", "instance"}


class ClusterState:
    def __init__(self, kube, cluster_id):
        self.kube = kube
        self.world = kube.world
        self.cid = cluster_id
        self.store = Store(self.world, cluster_id, kube.notify)
        self.controllers = Controllers(self)
        self.api = ClusterApi(self)
        self.due = 0.0

    def reconcile(self, now):
        self.due = self.controllers.reconcile(now) or float("inf")


class KubeApi:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.world = sandbox.world
        self.states = {}
        self.dirty = set()
        self._changed = threading.Condition()
        self.world.listeners.append(self._on_change)
        self.world.after_tick.append(self._after_tick)

    # -- state ----------------------------------------------------------------------------------------------
    def state(self, cluster_id):
        if cluster_id not in self.states:
            self.states[cluster_id] = ClusterState(self, cluster_id)
            self.dirty.add(cluster_id)
        return self.states[cluster_id]

    def _on_change(self, world, kind, obj, deleted):
        if kind in CLOUD_KINDS:
            cluster = obj.get("cluster_id") or (obj.get("id") if kind == "cluster" else None)
            if cluster:
                self.dirty.add(cluster)
            elif kind == "instance":
                self.dirty.update(self.states)

    def _after_tick(self, world, now):
        for cluster in world.all("cluster"):
            cid = cluster["id"]
            state = self.state(cid)
            if cid in self.dirty or state.due <= now:
                self.dirty.discard(cid)
                state.reconcile(now)
        for cid in list(self.states):
            if world.get("cluster", cid) is None:
                del self.states[cid]

    def notify(self):
        with self._changed:
            self._changed.notify_all()

    def wait_for_change(self, seconds):
        with self._changed:
            self._changed.wait(max(0.0, seconds))

    def reset(self):
        with self.world.lock:
            self.states.clear()
            self.dirty.clear()

    def close(self):
        self.notify()

    # -- HTTP -----------------------------------------------------------------------------------------------
    def _authorised(self, cluster, headers):
        if self.sandbox.use_http:
            return True  # kubectl sends no token over plain HTTP (reference/k8s-api.md 0.2)
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return False
        token = auth[7:].strip()
        return token == cluster["k8s_token"] or cluster.get("temporary_tokens", {}).get(token, 0) > self.world.now()

    def handle(self, handler, service, url, pairs, headers, body):
        cluster_id = service.split(":", 1)[1]
        started = time.time()
        query = query_of(pairs)
        entry = {"service": "k8s", "action": f"{handler.command} {url.path}", "cluster_id": cluster_id,
                 "params": redact({"query": dict(pairs)}), "mutating": False, "time": started, "error_code": None,
                 "fault": None, "request_id": None}
        reply = None
        try:
            if url.path in ("/healthz", "/livez", "/readyz"):
                reply = Reply(body=b"ok", content_type="text/plain")
            else:
                with self.world.transaction():
                    cluster = self.world.get("cluster", cluster_id)
                    if cluster is None:
                        raise KubeError(503, "ServiceUnavailable", f"cluster {cluster_id} no longer exists")
                    if not self._authorised(cluster, headers):
                        raise KubeError(401, "Unauthorized", "Unauthorized")
                    reply = self.state(cluster_id).api.handle(handler.command, url.path, query, headers, body,
                                                              headers.get("host", ""))
        except KubeError as err:
            reply = Reply(err.status, err.status_object())
            entry["error_code"] = err.code
        except Exception as exc:  # a sandbox bug: answer 500, keep the traceback local
            traceback.print_exc(file=sys.stderr)
            reply = Reply(500, KubeError(500, "InternalError", f"sandbox error: {type(exc).__name__}")
                          .status_object())
            entry["error_code"] = "InternalError"
        writes = handler.command in ("POST", "PUT", "PATCH", "DELETE") and "All" not in query.get("dryRun", [])
        entry.update(status=reply.status, mutating=writes, duration_ms=round((time.time() - started) * 1000, 1))
        if reply.stream is not None:
            entry["action"] += " (watch)"
            self.sandbox.record(entry)
            self._stream(handler, reply.stream)
            return
        self.sandbox.record(entry)
        handler._send(reply.status, reply.body if reply.body is not None else {}, {}, reply.content_type)

    def _stream(self, handler, watch):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()

        def send(event):
            data = json.dumps(event).encode() + b"\n"
            try:
                handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                handler.wfile.flush()
                return True
            except OSError:
                return False

        watch.run(send)
        try:
            handler.wfile.write(b"0\r\n\r\n")
            handler.wfile.flush()
        except OSError:
            handler.close_connection = True
