import base64

import pytest

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _validate


@pytest.mark.parametrize("password", ["Abcdefg1", "abc-def-123", "ABC_DEF_123", "Pa55-word!" * 3])
def test_good_passwords(password):
    assert _validate.password("password", password) == []


@pytest.mark.parametrize("password, rule", [
    ("Ab1-", "8 to 30"),
    ("A" * 29 + "b1", "8 to 30"),
    ("abcdefgh", "three of"),
    ("abcd1234", "three of"),
    ("Abc 12345", "only letters"),
    ("Abc1234é!", "only letters"),
])
def test_bad_passwords_name_the_rule_not_the_value(password, rule):
    [(option, message)] = _validate.password("password", password)
    assert option == "password" and rule in message and password not in message


def test_ack_forbids_quotes_and_backslashes():
    assert _validate.password("attach_password", 'Abc12345"', forbid='\\"')
    assert _validate.password("attach_password", "Abc12345!", forbid='\\"') == []


def test_tags():
    assert _validate.tags("tags", {"team": "ops", "empty": None}) == []
    assert _validate.tags("tags", {"acs:x": "1"})[0][0] == "tags"
    assert _validate.tags("tags", {"aliyun-x": "1"})
    assert _validate.tags("tags", {"k": "acs:v"})
    assert _validate.tags("tags", {f"k{i}": "v" for i in range(21)})
    assert _validate.tags("tags", {"k" * 129: "v"})


@pytest.mark.parametrize("name, ok", [
    ("cloud-node", True), ("cloud-node-[1,3]", True), ("node[5,2]-x", True), ("x", False),
    ("1node", False), ("node-[1,9]", False), ("http://x", False), ("no spaces", False),
])
def test_instance_names(name, ok):
    assert (_validate.instance_name("instance_name", name) == []) is ok


@pytest.mark.parametrize("host, ok", [("node-1", True), ("a.b.c", True), ("bad..host", False), ("-x", False),
                                      ("h[1,2]", True), ("x", False)])
def test_host_names(host, ok):
    assert (_validate.host_name("host_name", host) == []) is ok


def test_user_data_is_sent_base64_once():
    text = "#!/bin/sh\necho hi\n"
    encoded = _validate.b64_or_text(text)
    assert base64.b64decode(encoded).decode() == text
    assert _validate.b64_or_text(encoded) == encoded
    assert _validate.user_data("user_data", "x" * (32 * 1024 + 1))


def test_ranges():
    assert _validate.in_range("n", 5, 0, 10) == []
    assert _validate.in_range("n", None, 0, 10) == []
    assert _validate.in_range("n", 11, 0, 10) == [("n", "must be between 0 and 10 (got 11)")]
