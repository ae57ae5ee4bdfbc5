"""Server-side checks of the three Alibaba Cloud request signatures: V3 (ACS3-HMAC-SHA256), RPC v1 and ROA v1.

The canonical strings are rebuilt from the *decoded* request, as the reference prescribes, never from the raw
wire string.
"""

import base64
import datetime
import hashlib
import hmac
from urllib.parse import quote

from .errors import ApiError, missing

SKEW = datetime.timedelta(minutes=15)
V3_REQUIRED_HEADERS = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                       "x-acs-content-sha256"}


def _encode(value):
    return quote(value, safe="~", encoding="utf-8")


def _mismatch(string_to_sign):
    # The colon matters: aliyunsdkcore splits this message on ':' and crashes without one.
    return ApiError(
        400, "SignatureDoesNotMatch",
        "Specified signature is not matched with our calculation. server string to sign is:" + string_to_sign,
    )


def _parse_time(value, fmt):
    try:
        parsed = datetime.datetime.strptime(value, fmt)
    except (TypeError, ValueError):
        raise ApiError(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.")
    return parsed.replace(tzinfo=datetime.timezone.utc)


def _check_fresh(when, now):
    if abs(now - when) > SKEW:
        raise ApiError(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")


class Verifier:
    """Authenticates a request: known key, right signature, fresh timestamp, unused nonce, matching STS token."""

    def __init__(self, credentials, nonces):
        self._credentials = credentials  # callable: access_key_id -> {"secret":..., "security_token":...} or None
        self._nonces = nonces            # NonceCache

    def verify(self, method, path, query_pairs, headers, body):
        auth = headers.get("authorization", "")
        query = dict(query_pairs)
        now = datetime.datetime.now(datetime.timezone.utc)
        if auth.startswith("ACS3-"):
            return self._verify_v3(method, path, query_pairs, headers, body, auth, now)
        if "Signature" in query:
            return self._verify_rpc(method, query_pairs, query, now)
        if auth.startswith("acs "):
            return self._verify_roa(method, path, query_pairs, headers, auth, now)
        raise ApiError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")

    def _key(self, access_key_id, token):
        cred = self._credentials(access_key_id)
        if cred is None:
            raise ApiError(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        expected_token = cred.get("security_token")
        if expected_token and token != expected_token:
            raise ApiError(400, "InvalidSecurityToken.MismatchWithAccessKey",
                           "Specified SecurityToken mismatch with the AccessKey.")
        if not expected_token and token:
            raise ApiError(400, "InvalidSecurityToken.MismatchWithAccessKey",
                           "Specified SecurityToken mismatch with the AccessKey.")
        return cred

    def _nonce(self, access_key_id, nonce, now):
        if not nonce:
            raise missing("SignatureNonce")
        if not self._nonces.add(access_key_id, nonce, now):
            raise ApiError(400, "SignatureNonceUsed", "Specified signature nonce was used already.")

    def _verify_v3(self, method, path, query_pairs, headers, body, auth, now):
        algorithm, _, rest = auth.partition(" ")
        if algorithm != "ACS3-HMAC-SHA256":
            raise ApiError(400, "InvalidParamater", f'The specified parameter "SignatureMethod" is not valid.')
        parts = {}
        for item in rest.split(","):
            name, _, value = item.strip().partition("=")
            parts[name] = value
        access_key_id = parts.get("Credential")
        signed = [h for h in parts.get("SignedHeaders", "").split(";") if h]
        signature = parts.get("Signature")
        if not access_key_id or not signature or not signed:
            raise ApiError(400, "IncompleteSignature", "The request signature does not conform to Aliyun standards.")
        missing_headers = V3_REQUIRED_HEADERS - set(signed)
        if missing_headers:
            raise ApiError(400, "IncompleteSignature",
                           "The request signature does not conform to Aliyun standards: unsigned "
                           + ", ".join(sorted(missing_headers)))
        cred = self._key(access_key_id, headers.get("x-acs-security-token"))
        payload_hash = hashlib.sha256(body or b"").hexdigest()
        if headers.get("x-acs-content-sha256", payload_hash) != payload_hash:
            raise ApiError(400, "IncompleteSignature", "The x-acs-content-sha256 header does not match the body.")
        canonical_query = "&".join(
            f"{key}={_encode(value)}" for key, value in sorted(query_pairs, key=lambda kv: kv[0])
        )
        canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in sorted(signed))
        canonical_request = "\n".join(
            [method, path or "/", canonical_query, canonical_headers, ";".join(sorted(signed)), payload_hash]
        )
        string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
        expected = hmac.new(cred["secret"].encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise _mismatch(string_to_sign)
        _check_fresh(_parse_time(headers.get("x-acs-date"), "%Y-%m-%dT%H:%M:%SZ"), now)
        self._nonce(access_key_id, headers.get("x-acs-signature-nonce"), now)
        return access_key_id

    def _verify_rpc(self, method, query_pairs, query, now):
        for name in ("AccessKeyId", "SignatureNonce", "Timestamp"):
            if not query.get(name):
                raise missing(name)
        if query.get("SignatureMethod") != "HMAC-SHA1":
            raise ApiError(400, "InvalidParamater", 'The specified parameter "SignatureMethod" is not valid.')
        if query.get("SignatureVersion") != "1.0":
            raise ApiError(400, "InvalidParamater", 'The specified parameter "SignatureVersion" is not valid.')
        access_key_id = query["AccessKeyId"]
        cred = self._key(access_key_id, query.get("SecurityToken"))
        pairs = sorted((k, v) for k, v in query_pairs if k != "Signature")
        canonical = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)
        string_to_sign = f"{method}&%2F&{_encode(canonical)}"
        digest = hmac.new((cred["secret"] + "&").encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1)
        if not hmac.compare_digest(base64.b64encode(digest.digest()).decode(), query["Signature"]):
            raise _mismatch(string_to_sign)
        _check_fresh(_parse_time(query["Timestamp"], "%Y-%m-%dT%H:%M:%SZ"), now)
        self._nonce(access_key_id, query["SignatureNonce"], now)
        return access_key_id

    def _verify_roa(self, method, path, query_pairs, headers, auth, now):
        access_key_id, _, signature = auth[4:].partition(":")
        cred = self._key(access_key_id, headers.get("x-acs-security-token"))
        acs_headers = "".join(
            f"{name}:{headers[name]}\n" for name in sorted(headers) if name.startswith("x-acs-")
        )
        resource = path
        if query_pairs:
            resource += "?" + "&".join(k if v == "" else f"{k}={v}" for k, v in sorted(query_pairs))
        string_to_sign = "\n".join([
            method, headers.get("accept", ""), headers.get("content-md5", ""), headers.get("content-type", ""),
            headers.get("date", ""),
        ]) + "\n" + acs_headers + resource
        digest = hmac.new(cred["secret"].encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1)
        if not hmac.compare_digest(base64.b64encode(digest.digest()).decode(), signature):
            raise _mismatch(string_to_sign)
        _check_fresh(_parse_time(headers.get("date"), "%a, %d %b %Y %H:%M:%S GMT"), now)
        self._nonce(access_key_id, headers.get("x-acs-signature-nonce"), now)
        return access_key_id


class NonceCache:
    """Nonces seen within the timestamp window; older ones can no longer be replayed anyway."""

    def __init__(self):
        self._seen = {}

    def add(self, access_key_id, nonce, now):
        horizon = now - SKEW * 2
        if len(self._seen) > 50000:
            self._seen = {k: t for k, t in self._seen.items() if t > horizon}
        key = (access_key_id, nonce)
        previous = self._seen.get(key)
        if previous is not None and previous > horizon:
            return False
        self._seen[key] = now
        return True
