# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to this collection: the one error type, its failure payload, and the predicates that classify errors."""

from __future__ import annotations

# What to do about an API error code, written for the person running the playbook.
HINTS = {
    "SignatureDoesNotMatch": "The secret key does not belong to the access key: check alicloud_secret_key "
                             "(or ALICLOUD_SECRET_KEY / ALIBABA_CLOUD_ACCESS_KEY_SECRET).",
    "InvalidAccessKeyId.NotFound": "The access key does not exist: check alicloud_access_key "
                                   "(or ALICLOUD_ACCESS_KEY / ALIBABA_CLOUD_ACCESS_KEY_ID).",
    "InvalidAccessKeyId.Inactive": "The access key is disabled: enable it or use another one.",
    "Forbidden.AccessKeyDisabled": "The access key is disabled: enable it or use another one.",
    "InvalidSecurityToken.MismatchWithAccessKey": "The STS token does not belong to the access key: a temporary "
                                                  "access key (its ID begins with STS.) works only with the token "
                                                  "issued with it, so set alicloud_security_token to that token; a "
                                                  "long-term key needs none.",
    # UNCONFIRMED code (reference/ecs-api.md lists it among the STS token errors clients handle).
    "MissingSecurityToken": "The access key is a temporary (STS) key: set alicloud_security_token (or "
                            "ALICLOUD_SECURITY_TOKEN / ALIBABA_CLOUD_SECURITY_TOKEN) to the token issued with it.",
    "InvalidSecurityToken.Expired": "The STS token has expired: get a fresh one.",
    # One sentence: what was looked for, in order (the options, the collection's reading of an `sts` profile, then
    # alibabacloud-credentials 1.0.12's default chain, provider/default.py), and what to set.
    "CredentialException": "No credentials were found after looking, in this order, at alicloud_access_key and "
                           "alicloud_secret_key (or ALICLOUD_ACCESS_KEY / ALICLOUD_SECRET_KEY), then the "
                           "alibabacloud-credentials chain: the environment, an OIDC role, the Aliyun CLI "
                           "profile, the credentials file, the ECS instance's RAM role and a credentials URI; set "
                           "alicloud_access_key and alicloud_secret_key, or configure one of those sources.",
    "InvalidTimeStamp.Expired": "The controller's clock is off by more than 15 minutes: fix its time.",
    "Forbidden.RAM": "The RAM user lacks permission for this action: grant it in a RAM policy.",
    "InvalidRegionId.NotFound": "Check alicloud_region.",
    "InvalidVSwitchId.NotFound": "Check vswitch_id: it must exist in alicloud_region.",
    "InvalidSecurityGroupId.NotFound": "Check security_group_ids: each group must exist in alicloud_region.",
    "InvalidParameter.Mismatch": "Check that security_group_ids are in the VPC of vswitch_id.",
    "InvalidImageId.NotFound": "Check image_id: it must exist in alicloud_region.",
    "InvalidInstanceType.ValueNotSupported": "Check instance_type.",
    "OperationDenied.NoStock": "The zone has no stock of this instance type: choose another vswitch_id (zone) or "
                               "instance_type, or retry later.",
    "QuotaExceed.ElasticQuota": "The account's instance quota is used up: raise it in the Quota Center or lower "
                                "exact_count.",
    "QuotaExceeded": "A quota is used up: raise it in the Quota Center or ask for less.",
    "IdempotentParameterMismatch": "A previous request with the same client token used other parameters.",
    "ErrorClusterNotFound": "Check cluster_id: the cluster does not exist in this account and region.",
    "InvalidStatus.Forbidden": "The cluster is busy with another operation; retry when it is running again.",
    "Throttling.User": "The API throttled the requests; retry later or lower forks.",
    "Throttling": "The API throttled the requests; retry later or lower forks.",
    "ServiceUnavailable": "The service is temporarily unavailable; retry later.",
}

THROTTLING_CODES = {"Throttling", "Throttling.User", "Throttling.Api", "Throttling.Resource", "Rejected.Throttling",
                    "ServiceUnavailable.Throttling", "TooManyRequests"}
# Refused for now, not carried out: an earlier request with the same client token is still being worked on, or
# the call collided with another. The same request later may pass (ack-facts §4.1: codes the bosh CPI retries).
DENIED_FOR_NOW_CODES = {"IdempotentProcessing", "LastTokenProcessing", "OperationConflict", "InvalidOperation.Conflict"}
TRANSIENT_CODES = {"ServiceUnavailable", "InternalError", "UnknownError", "IncorrectInstanceStatus.Initializing"}
NOT_FOUND_CODES = {"ErrorClusterNotFound", "AddonNotFound", "ErrorTaskNotFound", "ErrorNodePoolNotFound"}


class AlicloudError(Exception):
    """Everything a user needs when a call fails: what was attempted, the API's answer and what to do."""

    def __init__(self, msg, code=None, request_id=None, http_status=None, retry_after=None, network=False,
                 **details):
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.retry_after = retry_after  # seconds, from x-acs-retry-after
        self.network = network
        self.details = details

    def payload(self):
        """The keys a failed task returns, beside `msg`."""
        result = {"msg": self.msg, "error_code": self.code, "request_id": self.request_id,
                  "http_status": self.http_status}
        result.update(self.details)
        return result


class InvalidInput(AlicloudError):
    """Local validation found problems, before any mutating call: [(option, rule), ...]."""

    def __init__(self, problems):
        problems = list(problems)
        super().__init__("Invalid input: " + "; ".join(f"{option}: {rule}" for option, rule in problems) + ".",
                         code="InvalidParameter", invalid_options=[option for option, dummy in problems],
                         invalid_input=[{"option": option, "rule": rule} for option, rule in problems])
        self.problems = problems


def check_input(problems):
    """Raise InvalidInput when there are problems."""
    if problems:
        raise InvalidInput(problems)


# A cluster that is scaling, updating or removing refuses changes; ACK answers with one of these codes
# (reference/ack-facts.md §1.1: InvalidStatus.Forbidden "cannot operate cluster where state is ...", and its
# sibling InvalidStatus.Unsupported).
BUSY_CODES = {"InvalidStatus.Forbidden", "InvalidStatus.Unsupported"}


def is_busy(err):
    """The call was refused because the cluster is in the middle of another operation; waiting helps."""
    return isinstance(err, AlicloudError) and err.code in BUSY_CODES


def is_not_found(err):
    return isinstance(err, AlicloudError) and (
        (err.code or "").endswith(".NotFound") or err.code in NOT_FOUND_CODES)


# Nothing listens there: the request never left, so the endpoint is wrong or down, and retrying is mostly futile.
REFUSED = ("Connection refused", "Errno 111", "ECONNREFUSED")


def is_throttling(err):
    return isinstance(err, AlicloudError) and (err.code in THROTTLING_CODES or err.retry_after is not None)


def is_denied_for_now(err):
    return isinstance(err, AlicloudError) and err.code in DENIED_FOR_NOW_CODES


def is_transient(err):
    """Worth retrying if the request can safely be sent again: 5xx, known transient codes, lost connections."""
    if not isinstance(err, AlicloudError):
        return False
    return (is_throttling(err) or err.network or err.code in TRANSIENT_CODES
            or (err.http_status or 0) >= 500)


def _api_message(exc):
    data = getattr(exc, "data", None) or {}
    message = ""
    if isinstance(data, dict):
        message = data.get("Message") or data.get("message") or ""
    message = str(message or getattr(exc, "message", "") or exc)
    # The gateway appends its string-to-sign to signature errors; it helps nobody reading a playbook's output.
    return message.split(" server string to sign is:", maxsplit=1)[0].strip()


def from_sdk(exc, attempted):
    """Turn whatever the SDK raised into an AlicloudError whose message says what to do."""
    if isinstance(exc, AlicloudError):
        return exc
    code = getattr(exc, "code", None)
    status = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
    if code is not None and (status is not None or getattr(exc, "data", None) is not None):
        code = str(code)
        request_id = getattr(exc, "request_id", None)
        data = getattr(exc, "data", None)
        if (not request_id or request_id == "None") and isinstance(data, dict):
            request_id = data.get("RequestId") or data.get("requestId")
        retry_after = getattr(exc, "retry_after", None)
        hint = HINTS.get(code, "")
        msg = f"{attempted} failed: {_api_message(exc)} (error {code}, HTTP {status}, request {request_id})."
        if hint:
            msg += " " + hint
        return AlicloudError(msg, code=code, request_id=request_id, http_status=status,
                             retry_after=retry_after / 1000.0 if retry_after else None)
    inner = getattr(exc, "inner_exception", None) or exc
    text = str(inner)
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return AlicloudError(f"{attempted} failed: the endpoint's TLS certificate is not trusted. If it is signed by "
                             "a private CA, point ca_bundle (or ALICLOUD_CA_BUNDLE) at that CA.",
                             code="TLSVerificationFailed")
    if any(word in text for word in REFUSED):
        return AlicloudError(f"{attempted} failed: the connection was refused, so the request never reached the "
                             "server.", code="ConnectionRefused", network=True)
    if any(word in text for word in ("Connection", "connection", "timed out", "Timeout", "Max retries", "EOF")):
        return AlicloudError(f"{attempted} failed: the connection was lost or refused ({_short(text)}). Check the "
                             "endpoint and the network; the request may or may not have been carried out.",
                             code="NetworkError", network=True)
    code = type(inner).__name__
    hint = HINTS.get(code, "")
    return AlicloudError(f"{attempted} failed: {code}: {_short(text)}" + (f" {hint}" if hint else ""), code=code)


def _short(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."
