# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: which OS image a cloud node of an ACK cluster version may run, and how to find the
newest system image of a family.

reference/ack-facts.md §3: from Kubernetes 1.30, CentOS and Alibaba Cloud Linux 2 are no longer supported as node
pool OS; Alibaba Cloud Linux 3 or ContainerOS are recommended; ContainerOS needs 1.24 or later.
"""

from __future__ import annotations

import datetime

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _normalize

# System image families (DescribeImages ImageFamily) per OS. The names follow ECS's acs:<os>_<version>_x64 pattern;
# ack-facts does not list them (UNCONFIRMED), so the image_family option can name another.
FAMILIES = {"alinux3": "acs:alibaba_cloud_linux_3_2104_lts_x64", "containeros": "acs:containeros_3_x64"}
REFUSED_FROM = ("1.30", ("centos", "alinux2"))  # ack-facts §3
CONTAINEROS_FROM = "1.24"  # ack-facts §3
OS_NAMES = {"centos": "CentOS", "alinux2": "Alibaba Cloud Linux 2", "alinux3": "Alibaba Cloud Linux 3",
            "containeros": "ContainerOS", "other": "an unknown OS"}


def minor(version):
    """(1, 30) for 1.30.7-aliyun.1; None for text that is no version."""
    try:
        major, rest = str(version).split(".", 1)
        return int(major), int(rest.split(".", 1)[0].split("-", 1)[0])
    except ValueError:
        return None


def os_of(image):
    """centos, alinux2, alinux3, containeros or other, from the image's family, ID, name and OS name."""
    fields = ("image_family", "image_id", "image_name", "os_name_en", "os_name")
    text = " ".join(str(image.get(k) or "") for k in fields).lower()
    for name, marks in (("centos", ("centos",)),
                        ("alinux2", ("linux_2", "aliyun_2", "alibaba cloud linux 2", "alibaba cloud linux  2")),
                        ("alinux3", ("linux_3", "aliyun_3", "alibaba cloud linux 3", "alibaba cloud linux  3")),
                        ("containeros", ("containeros", "lifsea"))):
        if any(mark in text for mark in marks):
            return name
    return "other"


def os_problem(os_name, version):
    """Why a node of this Kubernetes version may not run this OS, or None."""
    have = minor(version)
    if have is None:
        return None
    if os_name in REFUSED_FROM[1] and have >= minor(REFUSED_FROM[0]):
        return (f"{OS_NAMES[os_name]} is not supported for nodes from Kubernetes {REFUSED_FROM[0]} (the cluster runs "
                f"{version}); use Alibaba Cloud Linux 3 or ContainerOS")
    if os_name == "containeros" and have < minor(CONTAINEROS_FROM):
        return f"ContainerOS needs Kubernetes {CONTAINEROS_FROM} or later (the cluster runs {version})"
    return None


def describe_images(api, image_ids=None, family=None, owner=None):
    """Images, newest first (DescribeImages; at most 100 per page, which a family never exceeds here)."""
    request = {"PageSize": 100, "Status": "Available"}
    if image_ids:
        request["ImageId"] = ",".join(image_ids)
    if family:
        request["ImageFamily"] = family
    if owner:
        request["ImageOwnerAlias"] = owner
    body = api.ecs("DescribeImages", request=request, attempted="Looking up images")
    images = []
    for raw in (body.get("Images") or {}).get("Image") or []:
        image = _normalize.normalize(raw)
        image["os"] = os_of(image)
        images.append(image)
    return sorted(images, key=lambda i: i.get("creation_time") or "", reverse=True)


def support(version, end_of_life, today=None):
    """(end-of-life date or None, whether it has passed) for the version's minor, from a {"1.30": "2026-06-30"} table."""
    have = minor(version)
    dates = {minor(k): v for k, v in (end_of_life or {}).items() if minor(k)}
    date = dates.get(have) if have else None
    if not date:
        return None, False
    today = today or datetime.date.today().isoformat()
    return str(date), str(date) < today
