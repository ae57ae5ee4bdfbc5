"""`ack-sandbox serve`: start the sandbox, write the env file once it is ready, stop cleanly on SIGTERM."""

import argparse
import json
import os
import shlex
import signal
import sys
import threading

from .profiles import PROFILES, Profile


def _write_env(path, env):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        for key, value in env.items():
            handle.write(f"export {key}={shlex.quote(value)}\n")
    os.replace(tmp, path)


def _load_faults(path):
    with open(path) as handle:
        data = json.load(handle)
    if isinstance(data, list):
        return data, None
    return data.get("faults", []), data.get("seed")


def serve(args):
    from .server import Sandbox

    sandbox = Sandbox(args.state, Profile(args.profile, args.time_scale), seed=args.seed, use_http=args.http,
                      quiet=args.quiet, rehearsal_keys=args.rehearsal_keys)
    if args.faults:
        rules, seed = _load_faults(args.faults)
        sandbox.faults.load(rules, seed)
    sandbox.start()
    if args.faults:
        sandbox.apply_cluster_faults()
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    _write_env(args.env_file, sandbox.env())
    print(f"ack-sandbox ready ({args.profile}): ECS {sandbox.endpoint('ecs')}, CS {sandbox.endpoint('cs')}, "
          f"control {sandbox.url('control')}/_sandbox; env in {args.env_file}", file=sys.stderr, flush=True)
    stop.wait()
    sandbox.stop()
    try:
        os.remove(args.env_file)
    except OSError:
        pass
    print("ack-sandbox stopped", file=sys.stderr, flush=True)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ack-sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="run the sandbox in the foreground")
    run.add_argument("--state", required=True, help="state directory (SQLite, CA, keys); reused across restarts")
    run.add_argument("--env-file", required=True, help="where to write the export lines once ready")
    run.add_argument("--profile", choices=sorted(PROFILES), default="fast")
    run.add_argument("--time-scale", type=float, default=1.0, help="multiply every profile duration")
    run.add_argument("--faults", help="JSON file of fault rules ({seed, faults: [...]} or a list)")
    run.add_argument("--seed", type=int, default=0, help="seed for fault decisions")
    run.add_argument("--http", action="store_true", help="serve plain HTTP instead of HTTPS")
    run.add_argument("--quiet", action="store_true", help="do not print one line per call")
    run.add_argument("--rehearsal-keys", action="store_true",
                     help="accept the fixed rehearsal key pair (docs/examples/fleet's vault) instead of the random one")
    args = parser.parse_args(argv)
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
