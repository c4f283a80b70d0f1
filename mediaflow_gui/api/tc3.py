"""TC3-HMAC-SHA256 verification, as the service's official SDK signs (tencentcloud/common/abstract_client.py
`_get_tc3_signature`, common/sign.py `sign_tc3`).

    canonical request = METHOD \n / \n QUERY (GET; "" for POST) \n
                        content-type:<value>\n host:<value>\n \n content-type;host \n hex sha256(payload)
    payload           = the body (POST), "" (GET), or the text "UNSIGNED-PAYLOAD" when the header
                        X-TC-Content-SHA256 says UNSIGNED-PAYLOAD
    string to sign    = TC3-HMAC-SHA256 \n X-TC-Timestamp \n DATE/mps/tc3_request \n hex sha256(canonical)
    key               = HMAC("TC3"+SecretKey, DATE) → HMAC(·, "mps") → HMAC(·, "tc3_request")
    Authorization     = TC3-HMAC-SHA256 Credential=ID/DATE/mps/tc3_request, SignedHeaders=…, Signature=HEX

DATE must be the UTC date of X-TC-Timestamp, and the timestamp within MAX_SKEW seconds of now. The
signature is compared in constant time. Header values in the canonical request are trimmed and
lower-cased (the service's rule; the SDK's values are lower-case already). What is refused is
raised as ApiError with the service's code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Mapping

from .errors import ApiError

ALGORITHM = "TC3-HMAC-SHA256"
SERVICE = "mps"
MAX_SKEW = 300.0  # seconds between the request's X-TC-Timestamp and this clock

_AUTH = re.compile(r"^TC3-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$")


@dataclass(frozen=True)
class SignedRequest:
    """What the check reads from one HTTP request (header names lower-case)."""

    method: str
    query: str  # the raw query string of the request target (GET), "" for POST
    headers: Mapping[str, str]
    body: bytes


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signature(secret_key: str, date: str, string_to_sign: str, service: str = SERVICE) -> str:
    """The hex signature of `string_to_sign` (the SDK's sign_tc3)."""
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode("utf-8"), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def canonical_request(req: SignedRequest, signed_headers: list[str]) -> str:
    method = req.method.upper()
    query = req.query if method == "GET" else ""
    payload: bytes = b"" if method == "GET" else req.body
    if req.headers.get("x-tc-content-sha256", "").strip() == "UNSIGNED-PAYLOAD":
        payload = b"UNSIGNED-PAYLOAD"
    canonical_headers = "".join(f"{name}:{req.headers.get(name, '').strip().lower()}\n" for name in signed_headers)
    return "\n".join((method, "/", query, canonical_headers, ";".join(signed_headers),
                      hashlib.sha256(payload).hexdigest()))


def string_to_sign(timestamp: str, date: str, canonical: str, service: str = SERVICE) -> str:
    return "\n".join((ALGORITHM, timestamp, f"{date}/{service}/tc3_request",
                      hashlib.sha256(canonical.encode("utf-8")).hexdigest()))


def verify(req: SignedRequest, secret_for: Callable[[str], str | None], *, now: float | None = None,
           max_skew: float = MAX_SKEW, service: str = SERVICE) -> str:
    """Check the request's TC3 signature; returns the SecretId that signed it. Raises ApiError:
    MissingParameter (no Authorization or X-TC-Timestamp), AuthFailure.InvalidAuthorization (not
    TC3-HMAC-SHA256, a scope not DATE/mps/tc3_request, signed headers without content-type and host),
    AuthFailure.SignatureExpire (timestamp outside the skew, or DATE not its UTC date),
    AuthFailure.SecretIdNotFound, AuthFailure.SignatureFailure."""
    auth = req.headers.get("authorization", "").strip()
    if not auth:
        raise ApiError("MissingParameter", "the request has no Authorization header (TC3-HMAC-SHA256)")
    stamp = req.headers.get("x-tc-timestamp", "").strip()
    if not stamp:
        raise ApiError("MissingParameter", "the request has no X-TC-Timestamp header")
    match = _AUTH.match(auth)
    if match is None:
        raise ApiError("AuthFailure.InvalidAuthorization",
                       "the Authorization header is not 'TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…'")
    credential, signed, given = match.groups()
    parts = credential.split("/")
    if len(parts) != 4 or parts[2] != service or parts[3] != "tc3_request":
        raise ApiError("AuthFailure.InvalidAuthorization",
                       f"the credential scope must be SecretId/DATE/{service}/tc3_request, not {credential!r}")
    secret_id, date = parts[0], parts[1]
    signed_headers = signed.lower().split(";")
    if "content-type" not in signed_headers or "host" not in signed_headers:
        raise ApiError("AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host")
    try:
        ts = int(stamp)
    except ValueError:
        raise ApiError("AuthFailure.InvalidAuthorization", f"X-TC-Timestamp {stamp!r} is not a number") from None
    current = time.time() if now is None else now
    if abs(current - ts) > max_skew:
        raise ApiError("AuthFailure.SignatureExpire",
                       f"the request's timestamp is {abs(current - ts):.0f} s away from this clock "
                       f"(at most {max_skew:.0f} s): check the computer's clock")
    if datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d") != date:
        raise ApiError("AuthFailure.SignatureExpire", f"the credential date {date} is not the UTC date of the timestamp")
    secret_key = secret_for(secret_id)
    if secret_key is None:
        raise ApiError("AuthFailure.SecretIdNotFound", "the SecretId is unknown here: use the keys `mediaflow api keys` shows")
    expected = signature(secret_key, date, string_to_sign(stamp, date, canonical_request(req, signed_headers), service),
                         service)
    if not hmac.compare_digest(expected, given.lower()):
        raise ApiError("AuthFailure.SignatureFailure", "the signature does not match (wrong SecretKey, or the request "
                       "was changed after signing)")
    return secret_id
