"""S3 access over boto3 for any S3-compatible endpoint (AWS S3, COS, MinIO, SeaweedFS).

What lives here:
- `S3Connection`: the settings of one endpoint (name, URL, region, keys, addressing style).
- `make_client()`: a boto3 client with bounded retries and connect/read timeouts, so a dead
  endpoint costs seconds, never minutes.
- `test_connection()`: one call that says precisely what is wrong (DNS, refused, TLS, bad key,
  wrong secret, no such bucket, access denied, timeout).
- `local_name_for_key()` / `download_object()`: a source object fetched into a work dir under a
  key-derived name that can never leave that dir (`../`, absolute keys, backslashes); unicode is kept.
  A key may be 1024 bytes and its last segment as long: the name is fitted to the work dir's
  NAME_MAX with room for the download's temporary names (media/naming.py fit_name: head, hash, tail).
- `upload_file()` / `output_key()` / `content_type_for()`: results uploaded with content types;
  an output key keeps the whole output name (already unique and within NAME_MAX) and, when the
  input's folders would make it longer than S3's 1024 bytes, the folders that do not fit are
  replaced by one `~<hash>~` segment. No segment passes 255 bytes (SeaweedFS refuses longer ones:
  KeyTooLongError).

Rules kept here: a source object is only ever read (GetObject / HeadObject / ListObjectsV2);
nothing in this module deletes or overwrites a key outside the output prefix it is given.
Secrets never appear in `repr()`, logs or error messages.
"""

from __future__ import annotations

import datetime
import logging
import mimetypes
import os
import re
import socket
import ssl
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable
from urllib.parse import quote, urlparse

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.utils import parse_timestamp as botocore_parse_timestamp
from botocore.exceptions import (BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError,
                                 NoCredentialsError, ReadTimeoutError, SSLError)

from ..media.naming import NAME_MAX_DEFAULT, fit_name, name_bytes, name_max, short_hash
from ..model.text import replace_undecodable

log = logging.getLogger(__name__)

ADDRESSING_STYLES = ("path", "virtual")

# mimetypes misses or varies on these across platforms; results must carry the right type
_CONTENT_TYPES = {
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".mkv": "video/x-matroska",
    ".webm": "video/webm", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/aac",
    ".opus": "audio/ogg", ".ogg": "audio/ogg", ".wav": "audio/wav", ".flac": "audio/flac",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
    ".gif": "image/gif", ".vtt": "text/vtt", ".json": "application/json", ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
}


@dataclass
class S3Connection:
    """One S3-compatible endpoint. `endpoint_url` empty means AWS S3 itself."""

    name: str
    endpoint_url: str = ""
    region: str = "us-east-1"
    access_key: str = ""
    secret_key: str = field(default="", repr=False)  # never printed
    addressing: str = "path"  # path | virtual
    verify_tls: bool = True

    def problems(self) -> list[str]:
        out = []
        if not self.name.strip():
            out.append("the connection needs a name")
        if self.endpoint_url:
            parsed = urlparse(self.endpoint_url)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                out.append(f"endpoint URL {self.endpoint_url!r} must look like http(s)://host[:port]")
        if self.addressing not in ADDRESSING_STYLES:
            out.append(f"addressing must be one of {', '.join(ADDRESSING_STYLES)}, not {self.addressing!r}")
        if bool(self.access_key) != bool(self.secret_key):
            out.append("give both the access key and the secret key, or neither")
        return out

    def to_dict(self, with_secret: bool = True) -> dict[str, Any]:
        data = asdict(self)
        if not with_secret:
            data["secret_key"] = ""
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "S3Connection":
        known = {f: data[f] for f in cls.__dataclass_fields__ if f in data}
        return cls(**known)

    def http_url(self, bucket: str, key: str) -> str:
        """A plain HTTP(S) URL of an object (works for public buckets; for others use presign)."""
        base = (self.endpoint_url or f"https://s3.{self.region}.amazonaws.com").rstrip("/")
        quoted = quote(key, safe="/")
        if self.addressing == "virtual":
            parsed = urlparse(base)
            return f"{parsed.scheme}://{bucket}.{parsed.netloc}/{quoted}"
        return f"{base}/{bucket}/{quoted}"


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def parse_s3_url(url: str) -> S3Location:
    """`s3://bucket/key/with/slashes` → S3Location. ValueError with the reason otherwise."""
    if not url.startswith("s3://"):
        raise ValueError(f"{url!r} is not an s3:// URL")
    rest = url[len("s3://"):]
    bucket, _, key = rest.partition("/")
    if not bucket or not key:
        raise ValueError(f"{url!r} needs a bucket and a key: s3://BUCKET/KEY")
    return S3Location(bucket, key)


def make_client(conn: S3Connection, *, connect_timeout: float = 3.0, read_timeout: float = 30.0,
                max_attempts: int = 3) -> BaseClient:
    """A boto3 S3 client for `conn` with bounded retries and timeouts."""
    config = Config(
        region_name=conn.region or "us-east-1",
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": max_attempts, "mode": "standard"},
        s3={"addressing_style": conn.addressing if conn.addressing in ADDRESSING_STYLES else "path"},
        signature_version="s3v4",
        # checksums on every request trip up some S3-compatible stores; only when the API needs them
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    kwargs: dict[str, Any] = {"config": config, "verify": conn.verify_tls}
    if conn.endpoint_url:
        kwargs["endpoint_url"] = conn.endpoint_url
    if conn.access_key:
        kwargs["aws_access_key_id"] = conn.access_key
        kwargs["aws_secret_access_key"] = conn.secret_key
    # a private session: boto3's default session is shared and not thread-safe to create clients from
    session = boto3.session.Session()
    # botocore reads every timestamp through dateutil: three quarters of a listing's CPU (20,000 keys:
    # ~14 of ~19 s under a profiler). ISO 8601, what listings carry, is read by the standard library.
    session._session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=parse_timestamp)
    return session.client("s3", **kwargs)


def parse_timestamp(value: Any) -> datetime.datetime:
    """A timestamp of an S3 answer: ISO 8601 (listings) by datetime.fromisoformat, anything else
    (the HTTP dates of headers, epoch numbers) as botocore reads it."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.timezone.utc)
    return botocore_parse_timestamp(value)


# -- diagnosis -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Diagnosis:
    """The outcome of test_connection: ok, a machine-readable code and a sentence for a person."""

    ok: bool
    code: str  # OK, DNS, REFUSED, TIMEOUT, TLS, BAD_KEY, BAD_SECRET, NO_SUCH_BUCKET, ACCESS_DENIED, NO_CREDENTIALS, ERROR
    message: str
    buckets: tuple[str, ...] = ()


def _host_port(conn: S3Connection) -> tuple[str, int]:
    parsed = urlparse(conn.endpoint_url or f"https://s3.{conn.region}.amazonaws.com")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return parsed.hostname or "", port


def describe_error(exc: BaseException, conn: S3Connection | None = None, bucket: str | None = None) -> Diagnosis:
    """Turn a boto3/botocore/socket error into a Diagnosis a person can act on."""
    where = (conn.endpoint_url or "AWS S3") if conn else "the endpoint"
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "InvalidAccessKeyId":
            return Diagnosis(False, "BAD_KEY", f"{where} does not know this access key (InvalidAccessKeyId)")
        if code == "SignatureDoesNotMatch":
            return Diagnosis(False, "BAD_SECRET",
                             f"{where} rejected the signature: the secret key is wrong (SignatureDoesNotMatch)")
        if code in ("NoSuchBucket",) or (code in ("404", "NotFound") and bucket):
            return Diagnosis(False, "NO_SUCH_BUCKET", f"the bucket {bucket!r} does not exist on {where}")
        if code in ("AccessDenied", "403", "Forbidden", "AllAccessDisabled"):
            target = f"the bucket {bucket!r}" if bucket else "this operation"
            return Diagnosis(False, "ACCESS_DENIED", f"access denied to {target} on {where} for this key")
        if code in ("PermanentRedirect", "AuthorizationHeaderMalformed", "301"):
            return Diagnosis(False, "WRONG_REGION", f"{where} says the region is wrong ({code}): check the region")
        return Diagnosis(False, "ERROR", f"{where} answered {code or status}: {err.get('Message', '')}".strip())
    if isinstance(exc, NoCredentialsError):
        return Diagnosis(False, "NO_CREDENTIALS", "no access key and secret are set for this connection")
    if isinstance(exc, SSLError) or isinstance(exc, ssl.SSLError):
        return Diagnosis(False, "TLS", f"TLS handshake with {where} failed: {exc}")
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
        return Diagnosis(False, "TIMEOUT", f"{where} did not answer in time")
    if isinstance(exc, EndpointConnectionError):
        # botocore hides the socket error; look at the chain and at the host to say which
        chain: list[BaseException] = []
        cur: BaseException | None = exc
        while cur is not None and len(chain) < 8:
            chain.append(cur)
            cur = cur.__cause__ or cur.__context__
        text = " ".join(str(c) for c in chain)
        if any(isinstance(c, socket.gaierror) for c in chain) or "Name or service not known" in text \
                or "nodename nor servname" in text or "getaddrinfo" in text:
            host = _host_port(conn)[0] if conn else "the host"
            return Diagnosis(False, "DNS", f"the host name {host!r} cannot be resolved (DNS)")
        if any(isinstance(c, ConnectionRefusedError) for c in chain) or "refused" in text.lower():
            host, port = _host_port(conn) if conn else ("the host", 0)
            return Diagnosis(False, "REFUSED", f"nothing listens at {host}:{port} (connection refused)")
        if conn is not None:
            return _probe_socket(conn) or Diagnosis(False, "ERROR", f"cannot connect to {where}: {exc}")
        return Diagnosis(False, "ERROR", f"cannot connect: {exc}")
    if isinstance(exc, BotoCoreError):
        return Diagnosis(False, "ERROR", f"{type(exc).__name__}: {exc}")
    return Diagnosis(False, "ERROR", f"{type(exc).__name__}: {exc}")


def _probe_socket(conn: S3Connection) -> Diagnosis | None:
    """Ask the network directly when botocore's error does not say what happened."""
    host, port = _host_port(conn)
    try:
        socket.getaddrinfo(host, port)
    except socket.gaierror:
        return Diagnosis(False, "DNS", f"the host name {host!r} cannot be resolved (DNS)")
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except ConnectionRefusedError:
        return Diagnosis(False, "REFUSED", f"nothing listens at {host}:{port} (connection refused)")
    except OSError as exc:
        return Diagnosis(False, "ERROR", f"cannot connect to {host}:{port}: {exc}")


def test_connection(conn: S3Connection, bucket: str | None = None, *, timeout: float = 5.0) -> Diagnosis:
    """Check the endpoint, the keys and (optionally) one bucket. Never raises."""
    problems = conn.problems()
    if problems:
        return Diagnosis(False, "INVALID", "; ".join(problems))
    host, port = _host_port(conn)
    try:
        socket.getaddrinfo(host, port)
    except socket.gaierror:
        return Diagnosis(False, "DNS", f"the host name {host!r} cannot be resolved (DNS)")
    client = make_client(conn, connect_timeout=timeout, read_timeout=timeout, max_attempts=1)
    names: tuple[str, ...] = ()
    try:
        answer = client.list_buckets()
        names = tuple(b["Name"] for b in answer.get("Buckets", []))
    except ClientError as exc:
        diag = describe_error(exc, conn, bucket)
        # keys limited to one bucket may not list buckets at all: fall through to the bucket check
        if diag.code != "ACCESS_DENIED" or not bucket:
            return diag
    except Exception as exc:  # every failure becomes a diagnosis, never an exception
        return describe_error(exc, conn, bucket)
    if bucket:
        try:
            client.list_objects_v2(Bucket=bucket, MaxKeys=1)
        except Exception as exc:  # every failure becomes a diagnosis, never an exception
            return describe_error(exc, conn, bucket)
        return Diagnosis(True, "OK", f"connected to {conn.endpoint_url or 'AWS S3'}; bucket {bucket!r} is readable",
                         names)
    return Diagnosis(True, "OK", f"connected to {conn.endpoint_url or 'AWS S3'}; {len(names)} bucket(s) visible",
                     names)


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported by one


# -- names and transfers -------------------------------------------------------------------------------

_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_KEY_BYTES = 1024  # S3: a key is at most 1024 bytes of UTF-8
PARTIAL_SUFFIX = ".part"  # a download in progress
# boto3's download_file writes "<file>.<8 random hex>" first (s3transfer, which cuts the name by
# characters, not bytes: a name of two-byte letters still passes NAME_MAX): leave room for it too
TRANSFER_TEMP_BYTES = 9


def local_name_for_key(key: str, limit: int = NAME_MAX_DEFAULT) -> str:
    """A single safe file name derived from an object key (its last segment); unicode kept.

    `../../etc/passwd` → `passwd`, `/abs/x.mp4` → `x.mp4`, `a\\..\\b.mp4` → `b.mp4`, `..` → `object`.
    A name longer than `limit` bytes is shortened by naming.fit_name (extension, head, hash, tail).
    """
    last = re.split(r"[/\\]", unicodedata.normalize("NFC", replace_undecodable(key)))[-1]
    name = _FORBIDDEN.sub("_", last)
    name = "".join("_" if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in name)
    while ".." in name:
        name = name.replace("..", ".")
    name = name.lstrip(". ").rstrip(" ")
    if not name or name == ".":
        name = "object"
    return fit_name(name, limit)


def safe_local_path(work_dir: Path, key: str) -> Path:
    """work_dir / local_name_for_key(key), checked to be inside work_dir; the name leaves room for
    the ".part" and boto3's own temporary suffix its download is written under first."""
    base = Path(work_dir).resolve()
    name = local_name_for_key(key, name_max(base) - name_bytes(PARTIAL_SUFFIX) - TRANSFER_TEMP_BYTES)
    target = (base / name).resolve()
    if target.parent != base:  # cannot happen with the name rules above; the check keeps it so
        raise ValueError(f"object key {key!r} would leave the work dir")
    return target


def _written_whole(work_dir: Path, key: str, write: Callable[[Path], None]) -> Path:
    """work_dir's file for `key`, written by `write` under a ".part" name and renamed once complete: a
    download that fails or is interrupted never leaves a file that looks whole."""
    work_dir.mkdir(parents=True, exist_ok=True)
    target = safe_local_path(work_dir, key)
    partial = target.with_name(target.name + PARTIAL_SUFFIX)
    try:
        write(partial)
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()
    return target


def download_object(client: BaseClient, bucket: str, key: str, work_dir: Path) -> Path:
    """Download s3://bucket/key into work_dir (a key-derived, contained name). Returns the local path."""
    return _written_whole(work_dir, key, lambda partial: client.download_file(bucket, key, str(partial)))


# a probe copy: the object's first PROBE_HEAD and last PROBE_TAIL bytes in a sparse file of its size.
# A probe reads the container's header and index (MP4/MOV moov at either end, MKV cues), its first
# packets (FFmpeg's probesize: 5 MB) and, for a TS, the last packets for the duration (FFmpeg goes
# back from the end up to 16 MB); the idet pass reads the first 150 frames (6 s: 128 MB holds that
# of 150 Mbit/s ProRes). Objects up to PROBE_WHOLE_UP_TO are fetched whole: their saving is small.
PROBE_HEAD = 128 * 2**20
PROBE_TAIL = 16 * 2**20
PROBE_WHOLE_UP_TO = 512 * 2**20


def download_probe_copy(client: BaseClient, bucket: str, key: str, work_dir: Path, *, head: int | None = None,
                        tail: int | None = None, whole_up_to: int | None = None) -> Path:
    """What a run executing on a cluster needs of its input here: enough to probe it. The workers read
    the whole object from its bucket themselves; downloading all of a 20 GB master to this machine only
    to read its header cost minutes and the disk space. Small objects are downloaded whole.
    The sizes default to PROBE_HEAD, PROBE_TAIL and PROBE_WHOLE_UP_TO as they are at the call."""
    head = PROBE_HEAD if head is None else head
    tail = PROBE_TAIL if tail is None else tail
    whole_up_to = PROBE_WHOLE_UP_TO if whole_up_to is None else whole_up_to
    size = int(client.head_object(Bucket=bucket, Key=key)["ContentLength"])
    if size <= max(whole_up_to, head + tail):
        return download_object(client, bucket, key, work_dir)

    def write_head_and_tail(partial: Path) -> None:
        with open(partial, "wb") as fh:
            fh.truncate(size)  # sparse: the middle takes no disk space
            for start, end in ((0, head - 1), (size - tail, size - 1)):
                body = client.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{end}")["Body"]
                fh.seek(start)
                for chunk in iter(lambda: body.read(1 << 20), b""):
                    fh.write(chunk)

    return _written_whole(work_dir, key, write_head_and_tail)


def content_type_for(path: str | os.PathLike[str]) -> str:
    ext = os.path.splitext(str(path))[1].lower()
    if ext in _CONTENT_TYPES:
        return _CONTENT_TYPES[ext]
    guessed, _ = mimetypes.guess_type(str(path))
    return guessed or "application/octet-stream"


def normalize_prefix(prefix: str) -> str:
    """'' stays ''; 'out' → 'out/'; leading slashes dropped (S3 keys have no root)."""
    prefix = (prefix or "").replace("\\", "/").lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return prefix


def output_key(output_prefix: str, input_key: str, input_prefix: str, filename: str) -> str:
    """Where one result goes: the output prefix + the input's folder below the input prefix + name.

    `in/2024/clip.mp4` watched under `in/`, output prefix `out/` → `out/2024/<filename>`.
    Segments `.`/`..` and empty ones are dropped so a hostile input key cannot steer results
    outside the output prefix. The name is kept whole (the engine's output names are unique and
    within NAME_MAX; cutting them here to 200 bytes made `…_sprite_1.jpg` and `…_sprite_2.jpg` one
    key). Each folder segment fits 255 bytes; when the key would pass S3's 1024 bytes, the folders
    that do not fit become one `~<hash of all folders>~` segment, the same for every result of a run.
    """
    rel = input_key[len(input_prefix):] if input_prefix and input_key.startswith(input_prefix) else input_key
    folder = PurePosixPath(replace_undecodable(rel).replace("\\", "/")).parent
    parts = [fit_name(p) for p in folder.parts if p not in ("", ".", "..", "/")]
    prefix = normalize_prefix(output_prefix)
    name = local_name_for_key(filename, min(NAME_MAX_DEFAULT, MAX_KEY_BYTES - name_bytes(prefix)))
    # the folder is chosen for the longest name a result can have, so every result of one input
    # goes to the same folder whatever its own name's length
    folder = "/".join(parts)
    if name_bytes(prefix) + name_bytes(folder) + 1 + NAME_MAX_DEFAULT <= MAX_KEY_BYTES:
        return prefix + "/".join([*parts, name])
    tag = f"~{short_hash(folder)}~"  # stands for the folders left out
    room = MAX_KEY_BYTES - name_bytes(prefix) - NAME_MAX_DEFAULT - name_bytes(tag) - 1
    if room < 0:  # a prefix so long that not even the hash fits: the name alone under it
        return prefix + name
    kept: list[str] = []
    for part in parts:
        if name_bytes(part) + 1 > room:
            break
        kept.append(part)
        room -= name_bytes(part) + 1
    return prefix + "/".join([*kept, tag, name])


def upload_file(client: BaseClient, path: Path, bucket: str, key: str,
                metadata: dict[str, str] | None = None) -> str:
    """Upload one result file with its content type; returns the s3:// URL."""
    extra: dict[str, Any] = {"ContentType": content_type_for(path)}
    if metadata:
        extra["Metadata"] = {k: v.encode("ascii", "backslashreplace").decode("ascii") for k, v in metadata.items()}
    client.upload_file(str(path), bucket, key, ExtraArgs=extra)
    return f"s3://{bucket}/{key}"


def error_text(exc: BaseException, conn: S3Connection | None = None, bucket: str | None = None) -> str:
    """A one-line reason for logs and run messages (no secrets)."""
    return describe_error(exc, conn, bucket).message
