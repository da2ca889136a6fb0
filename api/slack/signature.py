"""Is a request to /slack/events from Slack? Slack's v0 signature, checked on the raw bytes.

The check runs before bolt sees the request and answers every malformed header with "not
authentic" (401), never an exception: bolt's own check (slack_sdk) raised on some of them, which
became a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

MAX_SKEW_S = 300  # Slack's rule: a signed request older (or newer) than 5 minutes is refused

_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would take "１２" or " 12"
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def signed_by_slack(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None
) -> bool:
    """Slack's v0 signature (HMAC-SHA256 of `v0:TIMESTAMP:BODY`), checked on the raw bytes
    before bolt sees the request: a timestamp that is missing, empty, not ASCII digits (a float,
    a sign, full-width digits), or more than 5 minutes off, or a signature not of the form
    `v0=<64 hex>`, is simply not authentic (401). bolt's own check (slack_sdk) raised on some of
    these instead, which became a 500."""
    if not secret or not timestamp or not signature:
        return False
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_SKEW_S:
        return False
    message = b"v0:" + timestamp.encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def request_signed(secret: str, timestamps: list[str], signatures: list[str], body: bytes) -> bool:
    """A request's headers (every X-Slack-Request-Timestamp and X-Slack-Signature it sent) and
    raw body are Slack's: exactly one of each header, since with two bolt might check another
    value than this check, and the signature right."""
    if len(timestamps) != 1 or len(signatures) != 1:
        return False
    return signed_by_slack(secret, timestamps[0], signatures[0], body)
