"""tc3.verify against requests signed by the official SDK's own code (abstract_client)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mediaflow_gui.api.errors import ApiError
from mediaflow_gui.api.keys import ApiKeys, load_or_make_keys
from mediaflow_gui.api.tc3 import SignedRequest, verify

KEYS = ApiKeys("AKIDtestid000000000000000000000000000", "testsecretkey0000000000000000000")


def sdk_signed(method: str = "POST", params: dict[str, Any] | None = None, keys: ApiKeys = KEYS,
               unsigned: bool = False) -> SignedRequest:
    from tencentcloud.common import credential
    from tencentcloud.common.http.request import RequestInternal
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.mps.v20190612 import mps_client

    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint="127.0.0.1:9", reqMethod=method))
    profile.unsignedPayload = unsigned
    client = mps_client.MpsClient(credential.Credential(keys.secret_id, keys.secret_key), "ap-guangzhou", profile)
    req = RequestInternal("127.0.0.1:9", method, "/", header={})
    client._build_req_inter("DescribeTaskDetail", params or {"TaskId": "mf-1"}, req)
    headers = {k.lower(): v for k, v in req.header.items()}
    if method == "GET":
        return SignedRequest("GET", req.data, headers, b"")
    return SignedRequest("POST", "", headers, req.data.encode("utf-8"))


def code_of(req: SignedRequest, **kw: Any) -> str:
    with pytest.raises(ApiError) as info:
        verify(req, KEYS.secret_for, **kw)
    return info.value.code


def test_sdk_signatures_verify_post_get_and_unsigned_payload() -> None:
    assert verify(sdk_signed("POST"), KEYS.secret_for) == KEYS.secret_id
    assert verify(sdk_signed("GET", {"TaskId": "mf-1", "A": [{"B": 1}]}), KEYS.secret_for) == KEYS.secret_id
    assert verify(sdk_signed("POST", unsigned=True), KEYS.secret_for) == KEYS.secret_id


def test_a_changed_body_or_action_params_fail() -> None:
    req = sdk_signed("POST")
    tampered = SignedRequest(req.method, req.query, req.headers, req.body.replace(b"mf-1", b"mf-2"))
    assert code_of(tampered) == "AuthFailure.SignatureFailure"
    get = sdk_signed("GET")
    assert code_of(SignedRequest("GET", get.query + "&X=1", get.headers, b"")) == "AuthFailure.SignatureFailure"


def test_wrong_key_and_unknown_id() -> None:
    assert code_of(sdk_signed(keys=ApiKeys(KEYS.secret_id, "another-secret"))) == "AuthFailure.SignatureFailure"
    assert code_of(sdk_signed(keys=ApiKeys("AKIDsomeoneelse", KEYS.secret_key))) == "AuthFailure.SecretIdNotFound"


def test_clock_skew_and_date_scope() -> None:
    req = sdk_signed()
    assert code_of(req, now=time.time() + 400) == "AuthFailure.SignatureExpire"
    assert verify(req, KEYS.secret_for, now=time.time() + 200) == KEYS.secret_id  # within 5 min
    headers = dict(req.headers)
    headers["authorization"] = headers["authorization"].replace("/mps/", "/cvm/")
    assert code_of(SignedRequest(req.method, "", headers, req.body)) == "AuthFailure.InvalidAuthorization"
    stamp = int(req.headers["x-tc-timestamp"])
    date = time.strftime("%Y-%m-%d", time.gmtime(stamp))
    other = time.strftime("%Y-%m-%d", time.gmtime(stamp - 86400))
    headers = dict(req.headers)
    headers["authorization"] = headers["authorization"].replace(date, other)
    assert code_of(SignedRequest(req.method, "", headers, req.body)) == "AuthFailure.SignatureExpire"


def test_missing_or_malformed_authorization() -> None:
    req = sdk_signed()
    headers = {k: v for k, v in req.headers.items() if k != "authorization"}
    assert code_of(SignedRequest("POST", "", headers, req.body)) == "MissingParameter"
    headers["authorization"] = "HMAC-SHA1 nonsense"
    assert code_of(SignedRequest("POST", "", headers, req.body)) == "AuthFailure.InvalidAuthorization"


def test_keys_are_made_once_private_and_kept(_private_data_dir: Any) -> None:
    first = load_or_make_keys(_private_data_dir)
    path = _private_data_dir / "api_keys.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert first.secret_id.startswith("AKID") and len(first.secret_key) == 32
    path.chmod(0o644)
    assert load_or_make_keys(_private_data_dir) == first
    assert path.stat().st_mode & 0o777 == 0o600
