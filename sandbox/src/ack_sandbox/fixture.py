"""The starting world: the default region with two VPCs, an ACK Edge cluster and a plain one; a second region
with its own VPC and ACK Edge cluster, for multi-region fleets; images and instance types."""

import hashlib
import ipaddress

from .world import default_settings, new_id

REGION = "cn-hangzhou"  # the default region: ALICLOUD_REGION, and the CS API's when a request names none
SECOND_REGION = "cn-shanghai"
# Resource ID prefixes differ per region on the real cloud (reference/ecs-api.md: i-bp... in Hangzhou).
ID_PREFIX = {REGION: "bp1", SECOND_REGION: "uf6"}
SECOND_VPC = "vpc-uf6edgesandbox0000001"
EDGE_VPC = {REGION: "vpc-bp1edgesandbox0000001", SECOND_REGION: SECOND_VPC}  # where new edge clusters go
EDGE_VERSION = "1.30.1-aliyun.1"
# The ACK Edge versions a sandbox cluster may have (POST /_sandbox/clusters `version`): 1.28.9-aliyun.1 and
# 1.30.7-aliyun.1 are named by ack-facts §3; 1.34 is released (ack-facts §3), its patch name here is UNCONFIRMED.
EDGE_VERSIONS = (EDGE_VERSION, "1.28.9-aliyun.1", "1.30.7-aliyun.1", "1.34.1-aliyun.1")
# Pay-as-you-go vCPUs per region. Real ECS counts this quota in vCPUs (DescribeAccountAttributes
# max-postpaid-instance-vcpu-count, per the alibabacloud-ecs20140526 request model); the value is settable.
VCPU_QUOTA = 2000
CENTOS_IMAGE = "centos_7_6_x64_20G_alibase_20211130.vhd"
EXTRA_SG = "sg-bp1edgesandbox00000002"  # a second security group of the edge VPC
KEY_PAIR = "ack-sandbox-key"  # an SSH key pair in every region
ALINUX3_IMAGE = "aliyun_3_x64_20G_alibase_20241218.vhd"
ALINUX3_NEWEST = "aliyun_3_x64_20G_alibase_20250629.vhd"
ALINUX2_IMAGE = "aliyun_2_1903_x64_20G_alibase_20240628.vhd"
CONTAINEROS_IMAGE = "lifsea_3_x64_10G_containerd_1_6_28_alibase_20250120.vhd"
# System image families (DescribeImages ImageFamily). The family names follow the acs:<os>_<version>_x64 pattern of
# ECS's system families; the exact names are UNCONFIRMED (ack-facts has none).
FAMILY_ALINUX3 = "acs:alibaba_cloud_linux_3_2104_lts_x64"
FAMILY_ALINUX2 = "acs:alibaba_cloud_linux_2_1903_lts_x64"
FAMILY_CENTOS7 = "acs:centos_7_9_x64"
FAMILY_CONTAINEROS = "acs:containeros_3_x64"
CLOUD_LABEL = "alibabacloud.com/is-edge-worker"
# `serve --rehearsal-keys` (make rehearse): a fixed, published key pair, so docs/examples/fleet's vault can hold it.
# It opens nothing but a loopback sandbox; without the flag the key pair is the state's random one.
REHEARSAL_KEYS = {"access_key_id": "LTAI5tRehearsalSandbox01", "access_key_secret": "rehearsal-only-sandbox-secret1"}
CLOUD_TAINT = {"key": "node-role.alibabacloud.com/addon", "effect": "NoSchedule"}

# Add-ons ACK offers and the versions it knows, oldest first (names per cs-api.md §7).
ADDON_CATALOG = {
    "metrics-server": ["v0.3.9.4-ff225cd-aliyun", "v0.3.9.5-c65b6d1-aliyun", "v0.3.9.6-4c0e8a3-aliyun"],
    "yurt-app-manager": ["v1.2.0-aliyun.1", "v1.3.0-aliyun.1"],
    "raven-agent-ds": ["v0.3.0-a1b2c3d-aliyun", "v0.4.1-d4e5f6a-aliyun"],
    "alibaba-log-controller": ["v0.4.0.0-3f2c1b0-aliyun", "v0.5.0.0-7a6b5c4-aliyun"],
    "alicloud-monitor-controller": ["v1.5.5-abcdef0-aliyun", "v1.8.3-1234abc-aliyun"],
    "ack-node-problem-detector": ["1.2.16", "1.2.18"],
    "logtail-ds": ["v1.6.0.0-aliyun", "v1.7.1.0-aliyun"],
}
EDGE_DEFAULT_ADDONS = ["metrics-server", "yurt-app-manager", "raven-agent-ds", "alibaba-log-controller"]


def cluster_id_for(name):
    """Cluster IDs are `c` + 32 hex; derived from the name so docs and tests can rely on them."""
    return "c" + hashlib.md5(name.encode()).hexdigest()


def _host(cidr, offset):
    return str(ipaddress.ip_network(cidr)[offset])


def build(now):
    t = {kind: {} for kind in ("region", "zone", "vpc", "vswitch", "security_group", "image", "instance_type",
                               "instance", "cluster", "nodepool", "node", "addon", "task", "token", "setting", "key_pair")}

    def add(kind, obj):
        t[kind][obj["id"]] = obj
        return obj

    for region, name, zones in ((REGION, "China (Hangzhou)", "hij"), (SECOND_REGION, "China (Shanghai)", "ef")):
        add("region", {"id": region, "local_name": name, "vcpu_quota": VCPU_QUOTA, "id_prefix": ID_PREFIX[region]})
        for letter in zones:
            add("zone", {"id": f"{region}-{letter}", "region_id": region,
                         "local_name": f"{name[7:-1]} Zone {letter.upper()}"})

    def vpc(vid, name, cidr, region=REGION):
        return add("vpc", {"id": vid, "region_id": region, "name": name, "cidr": cidr, "created": now,
                           "vrouter_id": "vrt-" + vid[4:]})

    def vswitch(sid, vpc_id, zone, cidr, name):
        return add("vswitch", {"id": sid, "vpc_id": vpc_id, "zone_id": zone, "cidr": cidr, "name": name,
                               "created": now, "next_host": 10})

    vpc("vpc-bp1edgesandbox0000001", "edge-vpc", "192.168.0.0/16")
    vswitch("vsw-bp1edgesandboxzoneh01", "vpc-bp1edgesandbox0000001", "cn-hangzhou-h", "192.168.0.0/20", "edge-h")
    vswitch("vsw-bp1edgesandboxzonei01", "vpc-bp1edgesandbox0000001", "cn-hangzhou-i", "192.168.16.0/20", "edge-i")
    # The control plane's vSwitches: the cluster's own `vswitch_ids`. Nodes go in the node pool's vSwitches
    # (ack-facts §1.4, §3: cloud nodes are managed through cloud node pools), so a client that buys in the cluster's
    # vSwitches picks the wrong subnets here.
    for zone, cidr in (("h", "192.168.240.0/24"), ("i", "192.168.241.0/24")):
        vswitch(f"vsw-bp1edgecontrolplane{zone}01", "vpc-bp1edgesandbox0000001", f"cn-hangzhou-{zone}", cidr,
                f"control-plane-{zone}")["control_plane"] = True
    add("security_group", {"id": "sg-bp1edgesandbox00000001", "vpc_id": "vpc-bp1edgesandbox0000001",
                           "name": "edge-cluster-sg", "created": now})
    # A second group in the edge VPC, for JoinSecurityGroup/LeaveSecurityGroup and as the
    # security group of the second cloud node pool; instances are bought into the first.
    add("security_group", {"id": EXTRA_SG, "vpc_id": "vpc-bp1edgesandbox0000001", "name": "edge-extra-sg",
                           "created": now})
    vpc("vpc-bp1othersandbox000001", "other-vpc", "172.16.0.0/12")
    vswitch("vsw-bp1othersandboxzoneh1", "vpc-bp1othersandbox000001", "cn-hangzhou-h", "172.16.0.0/20", "other-h")
    add("security_group", {"id": "sg-bp1othersandbox0000001", "vpc_id": "vpc-bp1othersandbox000001",
                           "name": "other-sg", "created": now})
    # The second region: its own edge VPC, one vSwitch per zone and a security group.
    vpc(SECOND_VPC, "edge-vpc-shanghai", "10.100.0.0/16", region=SECOND_REGION)
    vswitch("vsw-uf6edgesandboxzonee01", SECOND_VPC, "cn-shanghai-e", "10.100.0.0/20", "edge-e")
    vswitch("vsw-uf6edgesandboxzonef01", SECOND_VPC, "cn-shanghai-f", "10.100.16.0/20", "edge-f")
    vswitch("vsw-uf6edgecontrolplanee01", SECOND_VPC, "cn-shanghai-e", "10.100.240.0/24",
            "control-plane-e")["control_plane"] = True
    add("security_group", {"id": "sg-uf6edgesandbox00000001", "vpc_id": SECOND_VPC, "name": "edge-cluster-sg",
                           "created": now})

    for region in (REGION, SECOND_REGION):  # for AttachKeyPair/DetachKeyPair; key pairs are regional
        add("key_pair", {"id": f"{region}/{KEY_PAIR}", "name": KEY_PAIR, "region_id": region, "created": now})

    add("image", {"id": CENTOS_IMAGE, "name": "CentOS 7.6 64 bit", "os_name": "CentOS  7.6 64位",
                  "os_name_en": "CentOS  7.6 64 bit", "platform": "CentOS", "size": 20})
    add("image", {"id": ALINUX3_IMAGE, "name": "Alibaba Cloud Linux 3.2104 LTS 64 bit",
                  "os_name": "Alibaba Cloud Linux  3.2104 LTS 64位",
                  "os_name_en": "Alibaba Cloud Linux  3.2104 LTS 64 bit", "platform": "Aliyun", "size": 20})
    # Image families and owners for DescribeImages ImageFamily / ImageOwnerAlias (ack-facts §3: Alibaba Cloud Linux 3
    # and ContainerOS for 1.30 and later; CentOS and Alibaba Cloud Linux 2 refused there).
    for image_id, family, created in ((CENTOS_IMAGE, FAMILY_CENTOS7, "2021-11-30T00:00:00Z"),
                                      (ALINUX3_IMAGE, FAMILY_ALINUX3, "2024-12-18T00:00:00Z")):
        t["image"][image_id].update(family=family, created=created, owner="system")
    add("image", {"id": ALINUX3_NEWEST, "name": "Alibaba Cloud Linux 3.2104 LTS 64 bit",
                  "os_name": "Alibaba Cloud Linux  3.2104 LTS 64位", "family": FAMILY_ALINUX3, "owner": "system",
                  "os_name_en": "Alibaba Cloud Linux  3.2104 LTS 64 bit", "platform": "Aliyun", "size": 20,
                  "created": "2025-06-29T00:00:00Z"})
    add("image", {"id": ALINUX2_IMAGE, "name": "Alibaba Cloud Linux 2.1903 LTS 64 bit",
                  "os_name": "Alibaba Cloud Linux  2.1903 LTS 64位", "family": FAMILY_ALINUX2, "owner": "system",
                  "os_name_en": "Alibaba Cloud Linux  2.1903 LTS 64 bit", "platform": "Aliyun", "size": 20,
                  "created": "2024-06-28T00:00:00Z"})
    add("image", {"id": CONTAINEROS_IMAGE, "name": "ContainerOS 3.2 64 bit", "os_name": "ContainerOS  3.2 64位",
                  "os_name_en": "ContainerOS  3.2 64 bit", "family": FAMILY_CONTAINEROS, "owner": "system",
                  "platform": "Aliyun", "size": 10, "created": "2025-01-20T00:00:00Z"})
    # A custom image of the account: never the answer to an ImageOwnerAlias=system lookup.
    add("image", {"id": "m-bp1sandboxcustomalinux3", "name": "my-alinux3-golden", "family": FAMILY_ALINUX3,
                  "os_name": "Alibaba Cloud Linux  3.2104 LTS 64位", "owner": "self",
                  "os_name_en": "Alibaba Cloud Linux  3.2104 LTS 64 bit", "platform": "Aliyun", "size": 20,
                  "created": "2026-01-01T00:00:00Z"})

    # c6.large is sold out in zone H from the start: a real-world shape worth testing against.
    shanghai = {"cn-shanghai-e": 200, "cn-shanghai-f": 200}
    for itype, family, cpu, mem, stock in (
        ("ecs.g6.large", "ecs.g6", 2, 8192, {"cn-hangzhou-h": 500, "cn-hangzhou-i": 500, "cn-hangzhou-j": 500}),
        ("ecs.g6.xlarge", "ecs.g6", 4, 16384, {"cn-hangzhou-h": 200, "cn-hangzhou-i": 200, "cn-hangzhou-j": 200}),
        ("ecs.c6.large", "ecs.c6", 2, 4096, {"cn-hangzhou-h": 0, "cn-hangzhou-i": 300, "cn-hangzhou-j": 300}),
        ("ecs.g7.large", "ecs.g7", 2, 8192, {"cn-hangzhou-h": 300, "cn-hangzhou-i": 300}),
    ):
        add("instance_type", {"id": itype, "family": family, "cpu": cpu, "memory": mem,
                              "stock": dict(stock, **shanghai)})

    add_cluster(t, now, "edge-hangzhou", profile="Edge", version=EDGE_VERSION, cloud_nodes=1, edge_nodes=3)
    add_cluster(t, now, "managed-hangzhou", profile="Default", version=EDGE_VERSION, cloud_nodes=1, edge_nodes=0)
    add_cluster(t, now, "edge-shanghai", profile="Edge", version=EDGE_VERSION, cloud_nodes=1, edge_nodes=3,
                vpc_id=SECOND_VPC)
    add("setting", default_settings())
    return t


def image_os(image):
    """`centos`, `alinux2`, `alinux3`, `containeros` or `other`, by the image's family or name."""
    text = (image.get("family") or "") + " " + image["id"]
    for os_name, marks in (("centos", ("centos",)), ("alinux2", ("linux_2", "aliyun_2")),
                           ("alinux3", ("linux_3", "aliyun_3")), ("containeros", ("containeros", "lifsea"))):
        if any(mark in text for mark in marks):
            return os_name
    return "other"


def allocate_ip(vswitch):
    ip = _host(vswitch["cidr"], vswitch["next_host"])
    vswitch["next_host"] += 1
    return ip


def add_cluster(t, now, name, profile="Edge", version=EDGE_VERSION, cloud_nodes=1, edge_nodes=3,
                vpc_id=EDGE_VPC[REGION]):
    """Add a running cluster with its cloud node(s) attached, in the region of its VPC; also used by the control
    API for fleets."""
    cid = cluster_id_for(name)
    region = t["vpc"][vpc_id]["region_id"]
    in_vpc = [s for s in t["vswitch"].values() if s["vpc_id"] == vpc_id]
    vswitches = sorted(s["id"] for s in in_vpc if not s.get("control_plane"))  # the default node pool's
    control_plane = sorted(s["id"] for s in in_vpc if s.get("control_plane")) or vswitches
    group = next(g["id"] for g in t["security_group"].values() if g["vpc_id"] == vpc_id)
    cluster = {
        "id": cid, "name": name, "region_id": region, "vpc_id": vpc_id, "vswitch_ids": control_plane,
        "zone_id": t["vswitch"][vswitches[0]]["zone_id"], "security_group_id": group,
        "cluster_type": "ManagedKubernetes", "profile": profile,
        "cluster_spec": "ack.pro.small", "state": "running", "current_version": version,
        "init_version": version, "created": now, "updated": now,
        "k8s_token": new_id("", 40), "resource_group_id": "rg-acfmsandbox0000",
    }
    t["cluster"][cid] = cluster
    cloud_pool = "np" + hashlib.md5((cid + "default").encode()).hexdigest()[:30]
    # ack-facts §1.4: in ACK Edge the default node pool is the cloud pool `default-nodepool`; its data-plane vSwitches
    # are the scaling group's (the DescribeClusterNodePools field scaling_group.vswitch_ids).
    image = ALINUX3_IMAGE if version >= "1.30" else CENTOS_IMAGE
    t["nodepool"][cloud_pool] = {"id": cloud_pool, "cluster_id": cid, "name": "default-nodepool",
                                 "type": "ess", "is_default": True, "vswitch_ids": vswitches,
                                 "security_group_ids": [group], "image_id": image}
    edge_pool = None
    if profile == "Edge":
        second = "np" + hashlib.md5((cid + "cloud-2").encode()).hexdigest()[:30]
        pool2_group = next((g["id"] for g in t["security_group"].values()
                            if g["vpc_id"] == vpc_id and g["id"] != group), group)  # EXTRA_SG in the edge VPC
        t["nodepool"][second] = {"id": second, "cluster_id": cid, "name": "cloud-pool-2", "type": "ess",
                                 "is_default": False, "vswitch_ids": vswitches[-1:],
                                 "security_group_ids": [pool2_group], "image_id": image}
        edge_pool = "np" + hashlib.md5((cid + "edge").encode()).hexdigest()[:30]
        t["nodepool"][edge_pool] = {"id": edge_pool, "cluster_id": cid, "name": "edge-pool-1",
                                    "type": "edge", "is_default": False, "vswitch_ids": [],
                                    "security_group_ids": [], "image_id": ""}
    for index in range(cloud_nodes):
        vsw = t["vswitch"][vswitches[index % len(vswitches)]]
        ip = allocate_ip(vsw)
        iid = new_id("i-" + ID_PREFIX[region], 17)
        t["instance"][iid] = {
            "id": iid, "name": f"worker-k8s-for-cs-{cid}", "host_name": f"iZ{iid[2:]}Z", "region_id": region,
            "zone_id": vsw["zone_id"], "vpc_id": vpc_id, "vswitch_id": vsw["id"], "security_group_ids": [group],
            "image_id": ALINUX3_IMAGE, "instance_type": "ecs.g6.large", "status": "Running",
            "created": now, "started": now, "private_ip": ip, "public_ip": None, "bandwidth_out": 0,
            "tags": {"ack.aliyun.com": cid, "ack.alibabacloud.com/nodepool-id": cloud_pool},
            "system_disk": {"category": "cloud_essd", "size": 40}, "key_pair_name": None,
            "description": "", "charge_type": "PostPaid", "transitions": [],
        }
        add_node(t, now, cluster, iid, cloud_pool, "cloud", ip, vsw["zone_id"], ready=True)
    for index in range(edge_nodes):
        ip = f"10.{10 + index}.0.{11 + index}"
        add_node(t, now, cluster, f"edge-{cid[1:9]}-{index + 1}", edge_pool, "edge", ip, None, ready=True,
                 node_name=f"edge-node-{index + 1}")
    cluster["size"] = cloud_nodes + edge_nodes
    if profile == "Edge":
        for addon in EDGE_DEFAULT_ADDONS:
            key = f"{cid}/{addon}"
            t["addon"][key] = {"id": key, "cluster_id": cid, "name": addon,
                               "version": ADDON_CATALOG[addon][0], "state": "active", "config": "{}"}
    return cluster


def node_labels(cluster, role, node_name, instance_id, nodepool_id, zone_id, instance_type=None):
    labels = {
        CLOUD_LABEL: "false" if role == "cloud" else "true",
        "kubernetes.io/hostname": node_name,
        "kubernetes.io/arch": "amd64", "kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "ack.aliyun.com": cluster["id"],
        "alibabacloud.com/nodepool-id": nodepool_id or "",
    }
    if role == "cloud":
        labels["node.kubernetes.io/instance-type"] = instance_type or "ecs.g6.large"
        labels["topology.kubernetes.io/region"] = cluster["region_id"]
        labels["topology.kubernetes.io/zone"] = zone_id or ""
        labels["alibabacloud.com/instance-id"] = instance_id
    return labels


def add_node(t, now, cluster, instance_id, nodepool_id, role, ip, zone_id, ready, node_name=None,
             state="running", taint=True, instance_type=None):
    node_name = node_name or f"{cluster['region_id']}.{ip}"
    key = f"{cluster['id']}/{instance_id}"
    node = {
        "id": key, "cluster_id": cluster["id"], "instance_id": instance_id, "node_name": node_name,
        "nodepool_id": nodepool_id, "role": role, "ip": ip, "state": state,
        "node_status": "Ready" if ready else "Unknown", "created": now, "error_message": "",
        "source": "ess_attach" if role == "cloud" else "edge_attach_script",
        "is_aliyun_node": role == "cloud",
        "labels": node_labels(cluster, role, node_name, instance_id, nodepool_id, zone_id, instance_type),
        "taints": [dict(CLOUD_TAINT)] if role == "cloud" and taint else [],
        "transitions": [],
    }
    t["node"][key] = node
    return node
