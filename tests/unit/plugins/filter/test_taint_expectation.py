import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.ack_edge.cloud_nodes.plugins.filter.taint_expectation import taint_expectation

TAINT = [{"key": "node-role.alibabacloud.com/addon", "effect": "NoSchedule"}]


@pytest.mark.parametrize("version, missing, expected", [
    ("1.30.7-aliyun.1", "fail", {"required": TAINT, "warn": []}),
    ("1.30.7-aliyun.1", "warn", {"required": [], "warn": TAINT}),
    ("1.26.3-aliyun.1", "warn", {"required": [], "warn": TAINT}),
    ("1.24.6-aliyun.1", "warn", {"required": TAINT, "warn": []}),  # before 1.26 the taint stays required
    ("", "warn", {"required": TAINT, "warn": []}),
])
def test_warn_only_from_1_26(version, missing, expected):
    assert taint_expectation(TAINT, version, missing) == expected


def test_unknown_setting():
    with pytest.raises(AnsibleFilterError, match="taints_missing_taint"):
        taint_expectation(TAINT, "1.30", "ignore")
