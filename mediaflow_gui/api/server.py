"""ApiServer: HTTP/1.1 on 127.0.0.1 (asyncio streams, no extra dependency) that speaks the service's
wire protocol to its official SDK.

One request per connection (`Connection: close`; the SDK's HTTP client opens another):
  POST /  with a JSON body, or GET /?A.0.B=… (the SDK's GET mode: flattened parameters, unflattened
  here into the same nested dict; numbers arrive as text and handlers convert what they need).
  Headers: X-TC-Action (dispatch), X-TC-Version (2019-06-12), X-TC-Timestamp and Authorization
  (TC3-HMAC-SHA256, checked by tc3.verify against the app's keys before anything else is read).
Answer: HTTP 200, `Content-Type: application/json` exactly (with a charset the SDK skips its error
check), body `{"Response": {…, "RequestId"}}` or `{"Response": {"Error": {"Code", "Message"},
"RequestId"}}`. Unknown actions: InvalidAction; a body that is not a JSON object: InvalidParameter;
a body over MAX_BODY: RequestSizeLimitExceeded (the connection is closed without reading it).
Malformed HTTP gets a plain 400 and the connection closed.

Loopback only: the server refuses to bind anything but 127.0.0.1 / ::1 / localhost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping
from urllib.parse import parse_qsl, urlsplit

from . import tc3
from .errors import ApiError

log = logging.getLogger(__name__)

API_VERSION = "2019-06-12"
MAX_BODY = 2 * 1024 * 1024  # bytes: the largest request JSON read (a CreateWorkflow is a few kB)
MAX_HEADER_LINE = 16 * 1024
MAX_HEADERS = 100
READ_TIMEOUT = 30.0  # seconds a client gets to send its request
LINGER = 2.0  # seconds a refused request's unread body is drained after the answer (see _linger)
LINGER_BYTES = 64 * 1024 * 1024
LOOPBACK = ("127.0.0.1", "::1", "localhost")

Handler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]] | dict[str, Any]]


class _BadHttp(Exception):
    pass


@dataclass
class _Request:
    method: str
    target: str
    headers: dict[str, str]  # names lower-case
    body: bytes


def unflatten(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """`A.0.B=x` pairs (the SDK's GET mode) → {"A": [{"B": "x"}]}; numeric segments make lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.split(".")
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt_is_index = not last and parts[i + 1].isdigit()
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if last:
                    node[index] = value
                else:
                    if node[index] is None:
                        node[index] = [] if nxt_is_index else {}
                    node = node[index]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, [] if nxt_is_index else {})
    return root


def envelope(request_id: str, data: dict[str, Any] | None = None, error: ApiError | None = None) -> bytes:
    if error is not None:
        body: dict[str, Any] = {"Error": {"Code": error.code, "Message": error.message}, "RequestId": request_id}
    else:
        body = {**(data or {}), "RequestId": request_id}
    return json.dumps({"Response": body}, ensure_ascii=False, default=str).encode("utf-8")


class ApiServer:
    """Serve `actions` (name → handler taking the request's parameters) to callers signed with `keys`."""

    def __init__(self, actions: Mapping[str, Handler], keys: Any, *, host: str = "127.0.0.1", port: int = 0,
                 max_skew: float = tc3.MAX_SKEW) -> None:
        if host not in LOOPBACK:
            raise ValueError(f"the API server listens on the loopback interface only, not {host!r}")
        self.actions = actions
        self.keys = keys
        self.host = host
        self.port = port
        self.max_skew = max_skew
        self._server: asyncio.base_events.Server | None = None
        self._connections: set[asyncio.Task[Any]] = set()

    @property
    def endpoint(self) -> str:
        """`127.0.0.1:PORT`, what HttpProfile(endpoint=…) takes."""
        return f"{self.host}:{self.port}"

    @property
    def serving(self) -> bool:
        return self._server is not None

    async def start(self) -> int:
        """Listen; returns the port (a free one when port was 0). OSError when it is taken."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port, limit=MAX_HEADER_LINE)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("MPS API listening on http://%s", self.endpoint)
        return self.port

    async def close(self) -> None:
        """Stop listening and end the requests in flight (a running ProcessMedia's run goes on)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        await server.wait_closed()

    def close_now(self) -> None:
        """Stop listening without waiting (close() is the waiting form)."""
        server, self._server = self._server, None
        if server is not None:
            server.close()

    async def __aenter__(self) -> "ApiServer":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- one connection --------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            try:
                status, body = await asyncio.wait_for(self._answer(reader), READ_TIMEOUT)
            except (_BadHttp, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    ValueError) as exc:
                status, body = 400, f"bad request: {exc}".encode("utf-8")
            reason = "OK" if status == 200 else "Bad Request"
            ctype = "application/json" if status == 200 else "text/plain; charset=utf-8"
            head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                    "Connection: close\r\n\r\n")
            writer.write(head.encode("ascii") + body)
            await writer.drain()
            await self._linger(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                pass

    @staticmethod
    async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Half-close, then read what the client still sends (a body we refused unread) until it closes,
        for at most LINGER seconds and LINGER_BYTES: closing with unread data makes the kernel reset the
        connection, and the client could lose the answer it was being sent."""
        if not writer.can_write_eof():
            return
        writer.write_eof()
        left = LINGER_BYTES

        async def drain() -> None:
            nonlocal left
            while left > 0:
                chunk = await reader.read(min(65536, left))
                if not chunk:
                    return
                left -= len(chunk)
        try:
            await asyncio.wait_for(drain(), LINGER)
        except (asyncio.TimeoutError, ConnectionError):
            pass

    async def _read_head(self, reader: asyncio.StreamReader) -> _Request:
        line = (await reader.readuntil(b"\r\n")).decode("latin-1").rstrip("\r\n")
        parts = line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadHttp(f"not an HTTP/1.x request line: {line[:80]!r}")
        headers: dict[str, str] = {}
        while True:
            raw = (await reader.readuntil(b"\r\n")).decode("latin-1").rstrip("\r\n")
            if not raw:
                break
            if len(headers) >= MAX_HEADERS or ":" not in raw:
                raise _BadHttp("too many or malformed headers")
            name, value = raw.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        return _Request(parts[0].upper(), parts[1], headers, b"")

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        req = await self._read_head(reader)
        request_id = str(uuid.uuid4())
        if "chunked" in req.headers.get("transfer-encoding", "").lower():
            raise _BadHttp("chunked bodies are not accepted: send Content-Length")
        length = int(req.headers.get("content-length") or 0)
        if length > MAX_BODY:
            return 200, envelope(request_id, error=ApiError(
                "RequestSizeLimitExceeded", f"the request body has {length} bytes; at most {MAX_BODY} are accepted"))
        if length < 0:
            raise _BadHttp("negative Content-Length")
        req.body = await reader.readexactly(length) if length else b""
        try:
            data = await self._dispatch(req)
        except ApiError as exc:
            return 200, envelope(request_id, error=exc)
        except Exception as exc:  # a bug must answer in the envelope, not drop the connection
            log.exception("MPS API: %s failed", req.headers.get("x-tc-action", "?"))
            return 200, envelope(request_id, error=ApiError("InternalError", f"{type(exc).__name__}: {exc}"))
        return 200, envelope(request_id, data)

    async def _dispatch(self, req: _Request) -> dict[str, Any]:
        url = urlsplit(req.target)
        if url.path != "/":
            raise ApiError("InvalidParameter", f"the API answers on / only, not {url.path}")
        if req.method not in ("POST", "GET"):
            raise ApiError("UnsupportedProtocol", f"use POST or GET, not {req.method}")
        tc3.verify(tc3.SignedRequest(req.method, url.query, req.headers, req.body), self.keys.secret_for,
                   max_skew=self.max_skew)
        action = req.headers.get("x-tc-action", "")
        if not action:
            raise ApiError("MissingParameter", "the request has no X-TC-Action header")
        version = req.headers.get("x-tc-version", "")
        if version and version != API_VERSION:
            raise ApiError("NoSuchVersion", f"API version {version!r} is not served here; use {API_VERSION}")
        handler = self.actions.get(action)
        if handler is None:
            raise ApiError("InvalidAction", f"the action {action!r} is not served here")
        if req.method == "GET":
            params = unflatten(parse_qsl(url.query, keep_blank_values=True))
        else:
            try:
                params = json.loads(req.body.decode("utf-8")) if req.body.strip() else {}
            except (UnicodeDecodeError, ValueError) as exc:
                raise ApiError("InvalidParameter", f"the request body is not JSON: {exc}") from None
            if not isinstance(params, dict):
                raise ApiError("InvalidParameter", "the request body must be a JSON object")
        result = handler(params)
        if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
            result = await result
        return dict(result or {})
