"""ApiError: a refusal in the service's terms — its error code (`AuthFailure.SignatureFailure`,
`InvalidParameterValue.TaskId`, …) and a message a person can act on. The server answers it as
`{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` with HTTP 200, which the SDK raises as
TencentCloudSDKException(code, message)."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
