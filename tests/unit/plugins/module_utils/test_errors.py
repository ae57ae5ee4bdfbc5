from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

from ansible_collections.ack_edge.cloud_nodes.plugins.module_utils import _errors


def sdk_error(code, status, message, cls=ClientException, **kwargs):
    data = {"Code": code, "Message": message, "RequestId": "REQ-1"}
    return cls(status_code=status, code=code, message=f"code: {status}, {message} request id: REQ-1",
               request_id="REQ-1", data=data, **kwargs)


def test_api_errors_say_what_was_attempted_and_what_to_do():
    err = _errors.from_sdk(sdk_error("SignatureDoesNotMatch", 400, "Specified signature is not matched: x"),
                           "Listing instances")
    assert (err.code, err.request_id, err.http_status) == ("SignatureDoesNotMatch", "REQ-1", 400)
    assert err.msg.startswith("Listing instances failed: Specified signature is not matched")
    assert "alicloud_secret_key" in err.msg and "code: 400" not in err.msg
    assert err.payload() == {"msg": err.msg, "error_code": "SignatureDoesNotMatch", "request_id": "REQ-1",
                             "http_status": 400}


def test_throttling_keeps_retry_after_in_seconds():
    err = _errors.from_sdk(sdk_error("Throttling.User", 400, "flow control", cls=ThrottlingException,
                                     retry_after=1500), "x")
    assert err.retry_after == 1.5 and _errors.is_throttling(err) and _errors.is_transient(err)


def test_classification():
    not_found = _errors.AlicloudError("x", code="InvalidVSwitchId.NotFound", http_status=404)
    cluster = _errors.AlicloudError("x", code="ErrorClusterNotFound", http_status=404)
    server = _errors.AlicloudError("x", code="InternalError", http_status=500)
    client = _errors.AlicloudError("x", code="InvalidParameter", http_status=400)
    assert _errors.is_not_found(not_found) and _errors.is_not_found(cluster) and not _errors.is_not_found(client)
    assert _errors.is_transient(server) and not _errors.is_transient(client)


def test_network_and_tls_errors():
    class Unretryable(Exception):
        def __init__(self, inner):
            super().__init__(str(inner))
            self.inner_exception = inner

    lost = _errors.from_sdk(Unretryable(OSError("('Connection aborted.', RemoteDisconnected())")), "Buying")
    assert lost.network and lost.code == "NetworkError" and _errors.is_transient(lost)
    tls = _errors.from_sdk(Unretryable(OSError("SSLError(CERTIFICATE_VERIFY_FAILED)")), "Buying")
    assert tls.code == "TLSVerificationFailed" and "ca_bundle" in tls.msg and not _errors.is_transient(tls)
