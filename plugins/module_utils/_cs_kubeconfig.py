# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: what cs_kubeconfig does - fetch a cluster's kubeconfig and keep it in a 0600 file."""

from __future__ import annotations

import hashlib
import os
import tempfile

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _cs, _kube
from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils._errors import check_input

MODE = 0o600


def problems(p, check_mode=False):
    """Input errors. In check mode a missing directory is not one: the task that would create it (an earlier
    `file: state=directory`) did not run either, so a check run from a fresh controller must not fail on it."""
    found = []
    minutes = p["temporary_duration_minutes"]
    if minutes is not None and not 15 <= minutes <= 4320:
        found.append(("temporary_duration_minutes", f"must be between 15 and 4320 (got {minutes})"))
    directory = os.path.dirname(p["dest"]) or "."
    if not os.path.isdir(directory) and not (check_mode and not os.path.exists(directory)):
        found.append(("dest", f"the directory {directory} does not exist"))
    return found


def current(dest):
    """(content, mode) of the file, or (None, None) when it does not exist."""
    try:
        with open(dest, "rb") as handle:
            return handle.read(), os.stat(dest).st_mode & 0o7777
    except FileNotFoundError:
        return None, None


def write(dest, content):
    """Write atomically; the temporary file is 0600 from its first byte."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest) or ".", prefix=".kubeconfig-")
    try:
        os.fchmod(fd, MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def checksum(content):
    return None if content is None else "sha256:" + hashlib.sha256(content).hexdigest()


def ensure(ctx, p):
    check_input(problems(p, ctx.check_mode))
    answer = _cs.user_kubeconfig(ctx.api, p["cluster_id"], p["private_ip"], p["temporary_duration_minutes"])
    config = answer.get("config") or ""
    _kube.mask_kubeconfig(ctx, config)
    content = config.encode("utf-8")
    old, mode = current(p["dest"])
    changed = old != content or mode != MODE
    if changed and not ctx.check_mode:
        write(p["dest"], content)
    result = {"changed": changed, "dest": p["dest"], "expiration": answer.get("expiration")}
    if ctx.diff_mode:
        result["diff"] = {"before": {"dest": p["dest"], "content": checksum(old), "mode": oct(mode) if mode else None},
                          "after": {"dest": p["dest"], "content": checksum(content), "mode": oct(MODE)}}
    return result
