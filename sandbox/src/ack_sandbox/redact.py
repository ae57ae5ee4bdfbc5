"""What the call log may show: parameters with every secret replaced."""

import re

SECRET_KEY = re.compile(r"(password|secret|token|user_?data|signature|private_?key|kubeconfig)", re.IGNORECASE)
NOT_SECRET = {"ClientToken", "NextToken", "client_token", "next_token"}  # identifiers, not credentials
MASK = "********"
SIGNING = {"Signature", "SignatureNonce", "SignatureMethod", "SignatureVersion", "SignatureType", "Timestamp",
           "Format", "Version", "Action", "AccessKeyId"}


def redact(value, key=""):
    if key and key not in NOT_SECRET and SECRET_KEY.search(key):
        return MASK if value not in (None, "") else value
    if isinstance(value, dict):
        return {k: redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    return value
