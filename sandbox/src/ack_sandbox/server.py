"""HTTP(S) front: one loopback listener each for ECS, CS and the control API, plus one per cluster for its
Kubernetes API. Every call is authenticated, may meet a fault, runs in one world transaction and is logged."""

import json
import os
import socket
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import control, cs, ecs, ecs_legacy, fixture, tls  # noqa: F401 (ecs_legacy registers its actions)
from .errors import ApiError
from .faults import Faults
from .redact import SIGNING, redact
from .signing import NonceCache, Verifier
from .store import Store
from .world import World, new_id, request_id

JSON = "application/json;charset=utf-8"
# reference/ack-facts.md §4.2 (RAM/STS FAQ)
THROTTLE_MESSAGES = {"Throttling": "Request was denied due to flow control.",
                     "Throttling.User": "Request was denied due to user flow control.",
                     "Throttling.Api": "Request was denied due to api flow control."}


class Context:
    """What an action handler sees of its request."""

    def __init__(self, sandbox, params=None, query=None, body=None, path=None, region=None):
        self.world = sandbox.world
        self.region = region
        self.faults = sandbox.faults
        self.params = params or {}
        self.query = query or {}
        self.body = body
        self.path = path or {}
        self.request_id = request_id()
        self.ca_pem = sandbox.ca_pem
        self.k8s_endpoint = sandbox.k8s_endpoint


def cs_region(headers):
    """The region a CS request is for. The real API is regional: its endpoint, cs.<region>.aliyuncs.com, says which
    region (reference/cs-api.md §0), and the V3 SDK sends the region nowhere else. The sandbox serves every region
    on one endpoint, so it reads the region from `x-acs-region-id`, the header CS clients that call one endpoint
    for all regions send (denverdino/aliyungo cs/client.go `Invoke`). Without it, the request is for the default
    region, as if sent to cs.cn-hangzhou.aliyuncs.com."""
    return headers.get("x-acs-region-id") or fixture.REGION


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, handler, ssl_context):
        super().__init__(address, handler)
        self.ssl_context = ssl_context

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the connection's own thread, so one slow or plain-HTTP client blocks no one.
        if self.ssl_context is not None:
            try:
                request.settimeout(30)
                request = self.ssl_context.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                return
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, ssl.SSLError, socket.timeout)):
            super().handle_error(request, client_address)


class _Dropped(Exception):
    """The connection is to be closed without a response."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ack-sandbox"
    timeout = 120
    sandbox = None
    service = None

    def log_message(self, fmt, *args):  # the default would print query strings, which can hold secrets
        pass

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def _dispatch(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        pairs = parse_qsl(url.query, keep_blank_values=True)
        try:
            if url.path.startswith("/_sandbox"):
                status, payload = control.handle(self.sandbox, self.command, url.path, dict(pairs), body)
                self._send(status, payload, {})
            elif self.service == "ecs":
                self._rpc(url.path, pairs, headers, body)
            elif self.service == "cs":
                self._roa(url.path, pairs, headers, body)
            else:
                self.sandbox.k8s.handle(self, self.service, url, pairs, headers, body)
        except _Dropped:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # -- ECS (RPC) --------------------------------------------------------------------------------------------
    def _rpc(self, path, pairs, headers, body):
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded") and body:
            pairs = pairs + parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        query = dict(pairs)
        name = headers.get("x-acs-action") or query.get("Action") or ""
        params = {k: v for k, v in query.items() if k not in SIGNING and k != "SecurityToken"}
        handler = ecs.ACTIONS.get(name)
        mutating = name not in ecs.READ_ONLY and query.get("DryRun", "").lower() != "true"

        def run(ctx):
            if handler is None:
                raise ApiError(404, "InvalidAction.NotFound", "Specified api is not found, please check your url "
                                                              "and method.")
            ctx.params = params
            return handler(ctx)

        self._call("ecs", name, params, mutating, path, pairs, headers, body, run,
                   Context(self.sandbox, region=query.get("RegionId")))

    # -- CS (ROA) ---------------------------------------------------------------------------------------------
    def _roa(self, path, pairs, headers, body):
        found = cs.resolve(self.command, path)
        name = found[0] if found else headers.get("x-acs-action", "")
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = ValueError
        query = dict(pairs)
        log_params = dict(found[3] if found else {}, **query)
        if parsed is not None and parsed is not ValueError:
            log_params["body"] = parsed
        mutating = bool(found) and not found[2]

        def run(ctx):
            if not found:
                raise ApiError(404, "InvalidApi.NotFound", f"Specified api is not found: {self.command} {path}")
            if parsed is ValueError:
                raise ApiError(400, "InvalidParameter", "The request body is not valid JSON.")
            ctx.query, ctx.body, ctx.path = query, parsed, found[3]
            return found[1](ctx)

        self._call("cs", name, log_params, mutating, path, pairs, headers, body, run,
                   Context(self.sandbox, region=cs_region(headers)))

    # -- the common path of every cloud call ---------------------------------------------------------------------
    def _call(self, service, name, params, mutating, path, pairs, headers, body, run, ctx):
        started = time.time()
        entry = {"service": service, "action": name, "params": redact(params), "mutating": mutating,
                 "request_id": ctx.request_id, "time": started, "status": 200, "error_code": None, "fault": None,
                 "region": ctx.region}
        status, payload, extra = 200, None, {}
        try:
            try:
                entry["access_key_id"] = self.sandbox.verifier.verify(self.command, path, pairs, headers, body)
                self.sandbox.rate_window(name)
                drop_after = False
                for fault in self.sandbox.faults.for_call(service, name):
                    if fault["kind"] == "drop_after":
                        drop_after = True
                        continue
                    entry["fault"] = fault["kind"]
                    self._apply(fault)
                with self.sandbox.world.transaction():
                    payload = run(ctx)
                if drop_after:
                    entry["fault"] = "drop_after"
                    raise _Dropped()
            except ApiError as err:
                status, extra = err.status, err.headers
                entry["error_code"] = err.code
                payload = self._error(service, err, ctx.request_id)
            except _Dropped:
                status = 0
                raise
            except Exception as exc:  # a sandbox bug: answer like the real gateway, keep the details local
                traceback.print_exc(file=sys.stderr)
                status = 500
                entry["error_code"] = "InternalError"
                payload = self._error(service, ApiError(500, "InternalError", "The request processing has failed "
                                                        f"due to some unknown error: {type(exc).__name__}."),
                                      ctx.request_id)
        finally:
            entry["status"] = status
            entry["duration_ms"] = round((time.time() - started) * 1000, 1)
            self.sandbox.record(entry)
        if service == "ecs" and status < 400:
            payload = dict(payload or {}, RequestId=ctx.request_id)
        extra = dict(extra, **{"x-acs-request-id": ctx.request_id})
        self._send(status, payload if payload is not None else {}, extra)

    def _apply(self, fault):
        kind = fault["kind"]
        if kind == "latency":
            time.sleep(float(fault.get("seconds", 1)))
        elif kind == "throttle":
            code = fault.get("code", "Throttling.User")
            raise ApiError(int(fault.get("status", 400)), code, THROTTLE_MESSAGES.get(code, THROTTLE_MESSAGES["Throttling"]),
                           {"x-acs-retry-after": str(int(fault.get("retry_after_ms", 200)))})
        elif kind == "conflict":
            raise ApiError(400, "OperationConflict", "Request was denied due to conflict with a previous request.")
        elif kind == "unavailable":
            raise ApiError(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the "
                                                      "server.")
        elif kind == "drop_before":
            raise _Dropped()

    def _error(self, service, err, rid):
        if service == "ecs":
            return {"RequestId": rid, "HostId": self.headers.get("host", ""), "Code": err.code, "Message": err.message,
                    "Recommend": f"https://api.aliyun.com/troubleshoot?q={err.code}&product=Ecs&requestId={rid}"}
        return {"code": err.code, "message": err.message, "requestId": rid, "status": err.status}

    def _send(self, status, payload, headers, content_type=JSON):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class Sandbox:
    def __init__(self, state_dir, profile, seed=0, use_http=False, host="127.0.0.1", quiet=False,
                 rehearsal_keys=False):
        os.makedirs(state_dir, exist_ok=True)
        self.state_dir = state_dir
        self.host = host
        self.use_http = use_http
        self.quiet = quiet
        self.store = Store(os.path.join(state_dir, "sandbox.db"))
        self.world = World(self.store, profile)
        self.world.after_tick.append(ecs.reap_released)
        if not self.world.tables.get("region"):
            self.world.replace_all(fixture.build(time.time()))
        self.credentials = self._ensure_credentials()
        if rehearsal_keys:  # in place of the random pair for this run only; the state keeps its own
            self.credentials = dict(self.credentials, **fixture.REHEARSAL_KEYS)
        self.certs = tls.ensure_certificates(state_dir)
        with open(self.certs[tls.CA_FILE]) as handle:
            self.ca_pem = handle.read()
        self.faults = Faults(seed)
        self._window, self._window_lock = {}, threading.Lock()  # per-minute call counts (rate_window)
        self.verifier = Verifier(self._credential, NonceCache())
        self._servers = {}
        self._threads = []
        from .k8s import KubeApi  # the cluster APIs build on the cloud side
        self.k8s = KubeApi(self)

    # -- credentials ----------------------------------------------------------------------------------------
    def _ensure_credentials(self):
        creds = self.store.get_meta("credentials")
        if creds is None:
            creds = {
                "access_key_id": new_id("LTAI5t", 18, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"),
                "access_key_secret": new_id("", 30),
                "sts_access_key_id": new_id("STS.NT", 20),
                "sts_access_key_secret": new_id("", 32),
                "sts_security_token": "CAIS" + new_id("", 60),
            }
            self.store.set_meta("credentials", creds)
        return creds

    def _credential(self, access_key_id):
        c = self.credentials
        if access_key_id == c["access_key_id"]:
            return {"secret": c["access_key_secret"]}
        if access_key_id == c["sts_access_key_id"]:
            return {"secret": c["sts_access_key_secret"], "security_token": c["sts_security_token"]}
        return None

    # -- lifecycle ------------------------------------------------------------------------------------------
    def _listen(self, name, service):
        """Listen on the port this endpoint had last time if it is free, so env files and kubeconfigs stay valid."""
        handler = type(f"{name.title()}Handler", (Handler,), {"sandbox": self, "service": service})
        context = None if self.use_http else tls.server_context(self.certs)
        ports = self.store.get_meta("ports", {})
        try:
            server = _Server((self.host, ports.get(name, 0)), handler, context)
        except OSError:
            server = _Server((self.host, 0), handler, context)
        ports[name] = server.server_address[1]
        self.store.set_meta("ports", ports)
        self._servers[name] = server
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                                  name=f"serve-{name}")
        thread.start()
        self._threads.append(thread)
        return server

    def url(self, name):
        scheme = "http" if self.use_http else "https"
        return f"{scheme}://{self.host}:{self._servers[name].server_address[1]}"

    def endpoint(self, name):
        return f"{self.host}:{self._servers[name].server_address[1]}"

    def k8s_endpoint(self, cluster_id):
        if f"k8s:{cluster_id}" not in self._servers:
            self._listen(f"k8s:{cluster_id}", f"k8s:{cluster_id}")
        return self.url(f"k8s:{cluster_id}")

    def start(self):
        self._listen("ecs", "ecs")
        self._listen("cs", "cs")
        self._listen("control", "control")
        with self.world.transaction():
            for cluster in self.world.all("cluster"):
                cluster["api_endpoint"] = self.k8s_endpoint(cluster["id"])
                self.world.put("cluster", cluster["id"], cluster)
        self._ticker = threading.Thread(target=self._tick_forever, daemon=True, name="ticker")
        self._stopping = threading.Event()
        self._ticker.start()

    def _tick_forever(self):
        while not self._stopping.wait(0.1):
            try:
                with self.world.transaction():
                    pass
            except Exception:  # keep ticking; the next request will surface the problem
                traceback.print_exc(file=sys.stderr)

    def stop(self):
        self._stopping.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        self.k8s.close()
        self.store.close()

    def record(self, entry):
        self.store.add_call(entry)
        if not self.quiet and entry["service"] != "k8s":
            code = entry["error_code"] or "-"
            fault = f" fault={entry['fault']}" if entry.get("fault") else ""
            print(f"{entry['service']} {entry['action'] or '?'} {entry['status']} {code}{fault}", file=sys.stderr,
                  flush=True)

    def rate_window(self, action):
        """The optional per-minute limit of an API (setting throttle_per_minute {action: calls}). As ECS describes
        it (ack-facts §4.2), once throttled in minute T a call is allowed again from T+1; x-acs-retry-after says
        when, in milliseconds."""
        limit = (self.world.setting("throttle_per_minute") or {}).get(action)
        if not limit:
            return
        now = self.world.now()
        minute = int(now // 60)
        with self._window_lock:
            key = (action, minute)
            self._window = {k: v for k, v in self._window.items() if k[1] >= minute}
            self._window[key] = self._window.get(key, 0) + 1
            if self._window[key] <= int(limit):
                return
        retry_after = max(1, int(((minute + 1) * 60 - now) * 1000))
        raise ApiError(400, "Throttling.Api", THROTTLE_MESSAGES["Throttling.Api"],
                       {"x-acs-retry-after": str(retry_after)})

    def apply_cluster_faults(self):
        with self.world.transaction():
            now = self.world.now()
            for cluster_id, seconds, state in self.faults.busy_clusters():
                cluster = self.world.get("cluster", cluster_id)
                if cluster is None:
                    raise ApiError(400, "InvalidParameter", f"cluster_busy: unknown cluster {cluster_id}")
                if state not in cs.FAULT_BUSY_STATES:
                    raise ApiError(400, "InvalidParameter", f"cluster_busy: state must be one of "
                                                            f"{', '.join(cs.FAULT_BUSY_STATES)}")
                cluster["state"] = state
                cluster["transitions"] = [[now + float(seconds), {"state": "running"}]]
                self.world.put("cluster", cluster_id, cluster)

    def env(self):
        c = self.credentials
        return {
            "ALICLOUD_ACCESS_KEY": c["access_key_id"],
            "ALICLOUD_SECRET_KEY": c["access_key_secret"],
            "ALICLOUD_REGION": fixture.REGION,
            "ALICLOUD_ECS_ENDPOINT": self.endpoint("ecs"),
            "ALICLOUD_CS_ENDPOINT": self.endpoint("cs"),
            "ALICLOUD_CA_BUNDLE": os.path.abspath(self.certs[tls.CA_FILE]),
            "ACK_SANDBOX_CONTROL": self.url("control") + "/_sandbox",
            "ACK_SANDBOX_STS_ACCESS_KEY": c["sts_access_key_id"],
            "ACK_SANDBOX_STS_SECRET_KEY": c["sts_access_key_secret"],
            "ACK_SANDBOX_STS_TOKEN": c["sts_security_token"],
            "ACK_SANDBOX_PROTOCOL": "http" if self.use_http else "https",
        }
