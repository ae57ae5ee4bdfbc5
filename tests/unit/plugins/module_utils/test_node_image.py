import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _node_image as ni


@pytest.mark.parametrize("image, os_name", [
    ({"image_id": "centos_7_6_x64_20G_alibase_20211130.vhd"}, "centos"),
    ({"image_id": "aliyun_2_1903_x64_20G_alibase_20240628.vhd"}, "alinux2"),
    ({"image_id": "m-custom", "image_family": "acs:alibaba_cloud_linux_3_2104_lts_x64"}, "alinux3"),
    ({"image_id": "aliyun_3_x64_20G_alibase_20250629.vhd"}, "alinux3"),
    ({"image_id": "lifsea_3_x64_10G_containerd_1_6_28_alibase_20250120.vhd"}, "containeros"),
    ({"image_id": "ubuntu_22_04_x64_20G_alibase_20240130.vhd"}, "other"),
])
def test_os_of(image, os_name):
    assert ni.os_of(image) == os_name


@pytest.mark.parametrize("os_name, version, refused", [
    ("centos", "1.30.1-aliyun.1", True), ("alinux2", "1.34.1-aliyun.1", True), ("alinux3", "1.30.1-aliyun.1", False),
    ("centos", "1.28.9-aliyun.1", False), ("containeros", "1.22.15-aliyun.1", True),
    ("containeros", "1.34.1-aliyun.1", False), ("centos", "not-a-version", False),
])
def test_os_problem_from_1_30(os_name, version, refused):
    assert bool(ni.os_problem(os_name, version)) is refused


def test_support_dates():
    table = {"1.28": "2025-10-31", "1.30": "2026-06-30"}
    assert ni.support("1.30.7-aliyun.1", table, today="2026-12-02") == ("2026-06-30", True)
    assert ni.support("1.30.7-aliyun.1", table, today="2026-01-01") == ("2026-06-30", False)
    assert ni.support("1.34.1-aliyun.1", table, today="2026-12-02") == (None, False)
