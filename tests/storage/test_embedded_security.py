"""Only the S3 port of the embedded store answers, and only with keys (issue "Nothing lost, nothing
leaked", point 5).

Every port weed listens on is found through psutil and asked, without the start's certificate,
what an outsider on the machine would ask: object reads, writes and deletes under /buckets/,
volume reads of a real file id, the master's token mints (/dir/assign, /dir/lookup) and status
pages. Positive controls with the certificate and weed's JWT keys show that the paths and the file
id are real, so a refusal is the lock and not a typo. Then weed's own client tools, the unix
sockets, S3 with no, wrong and right keys, and a WEED_* environment that tries to switch it off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any

import boto3
import psutil
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from mediaflow_gui.storage.embedded import EmbeddedStore, choose_ports, find_weed
from mediaflow_gui.storage.embedded.ports import remove_grpc_sockets
from mediaflow_gui.storage.s3 import make_client

pytestmark = pytest.mark.slow  # the real embedded store and weed's own tools

MARKER = b"MEDIAFLOW-PRIVATE-OBJECT-"


# -- helpers -----------------------------------------------------------------------------------------

def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _jwt(key: str, **claims: Any) -> str:
    """An HS256 token as weed's components mint them (security/jwt.go)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps({"exp": int(time.time()) + 60, **claims}).encode())
    signature = _b64(hmac.new(key.encode(), header + b"." + payload, hashlib.sha256).digest())
    return (header + b"." + payload + b"." + signature).decode()


def _plain(port: int, method: str, path: str, body: bytes | None = None,
           headers: dict[str, str] | None = None) -> tuple[Any, bytes]:
    """A plain HTTP request: (status or the exception's name, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.read()
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__, b""
    finally:
        conn.close()


def _tls(port: int, method: str, path: str, context: ssl.SSLContext, body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[Any, bytes]:
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, reply.read()
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__, b""
    finally:
        conn.close()


def _no_cert_context(store: EmbeddedStore) -> ssl.SSLContext:
    """Trusts weed's CA (so only the missing client certificate can fail) but has no certificate."""
    assert store.security is not None
    return ssl.create_default_context(cafile=str(store.security.ca))


def _refused(answer: tuple[Any, bytes]) -> bool:
    status, body = answer
    return not (isinstance(status, int) and status < 400) and MARKER not in body


def _h2_preface_answered(address: Any, family: int) -> bool:
    """True if a plaintext gRPC (HTTP/2) server answers the client preface with a SETTINGS frame."""
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(3)
        try:
            sock.connect(address)
            sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
            data = sock.recv(64)
        except OSError:
            return False
    return len(data) >= 4 and data[3] == 0x04


def _listening_ports(store: EmbeddedStore) -> dict[int, str]:
    roles = {port: role for role, port in store.ports.items()}
    proc = psutil.Process(store.pid)
    found = {}
    for conn in proc.net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN:
            assert conn.laddr.ip == "127.0.0.1", conn
            found[conn.laddr.port] = roles.get(conn.laddr.port, "?")
    return found


@pytest.fixture
def private_object(seaweed, seaweed_client, fresh_bucket):  # type: ignore[no-untyped-def]
    """An object big enough to live in a volume (not inline in the filer), with a marker."""
    body = MARKER + os.urandom(64 * 1024)
    seaweed_client.put_object(Bucket=fresh_bucket, Key="secret/clip.mp4", Body=body, ContentType="video/mp4")
    return fresh_bucket, "secret/clip.mp4", body


# -- the ports -----------------------------------------------------------------------------------------

def test_weed_listens_only_on_the_ports_it_was_given(seaweed) -> None:  # type: ignore[no-untyped-def]
    listening = _listening_ports(seaweed)
    assert set(listening) == set(seaweed.ports.values()), listening
    assert "?" not in listening.values()


def test_no_port_but_s3_answers_without_the_certificate(seaweed, seaweed_client, private_object) -> None:  # type: ignore[no-untyped-def]
    bucket, key, body = private_object
    sec = seaweed.security
    ports = seaweed.ports
    with_cert = sec.client_context()
    filer_read = {"Authorization": "Bearer " + _jwt(sec.jwt_key("jwt.filer_signing.read"))}

    # positive controls: the certificate and the JWT key open the doors the outsider finds shut
    status, meta = _tls(ports["filer"], "GET", f"/buckets/{bucket}/{key}?metadata=true", with_cert,
                        headers=filer_read)
    assert status == 200, (status, meta[:200])
    chunks = json.loads(meta).get("chunks") or []
    assert chunks, "the object is not in a volume; the volume checks below would test nothing"
    fid = chunks[0]["file_id"]
    volume_read = {"Authorization": "Bearer " + _jwt(sec.jwt_key("jwt.signing.read"), fid=fid)}
    status, data = _tls(ports["volume"], "GET", f"/{fid}", with_cert, headers=volume_read)
    assert status == 200 and data == body
    assert _tls(ports["master"], "GET", "/dir/status", with_cert)[0] == 200
    # the certificate alone is not enough for objects: the JWT layer stands behind TLS
    assert _tls(ports["filer"], "GET", f"/buckets/{bucket}/{key}", with_cert)[0] == 401
    assert _tls(ports["volume"], "GET", f"/{fid}", with_cert)[0] == 401

    requests = [
        ("GET", f"/buckets/{bucket}/{key}", None), ("GET", f"/buckets/{bucket}/{key}?metadata=true", None),
        ("GET", f"/buckets/{bucket}/", None), ("PUT", f"/buckets/{bucket}/planted.mp4", b"planted"),
        ("POST", f"/buckets/{bucket}/planted2.mp4", b"planted"), ("DELETE", f"/buckets/{bucket}/{key}", None),
        ("GET", f"/{fid}", None), ("DELETE", f"/{fid}", None), ("POST", f"/{fid}", b"overwritten"),
        ("GET", "/dir/assign", None), ("POST", "/dir/assign", None),
        ("GET", f"/dir/lookup?fileId={fid}&read=yes", None), ("GET", "/cluster/status", None),
        ("GET", "/vol/status", None), ("GET", "/dir/status", None), ("GET", "/status", None),
        ("GET", "/metrics", None), ("GET", "/health", None), ("GET", "/", None),
    ]
    no_cert = _no_cert_context(seaweed)
    answers: dict[str, list[str]] = {}
    for port, role in sorted(_listening_ports(seaweed).items()):
        if role == "s3":
            continue
        for method, path, payload in requests:
            plain = _plain(port, method, path, payload)
            tls = _tls(port, method, path, no_cert, payload)
            answers.setdefault(role, []).append(f"{method} {path}: {plain[0]} / {tls[0]}")
            assert _refused(plain), (role, method, path, plain)
            assert _refused(tls), (role, method, path, tls)
            # a token-minting answer would carry an Authorization header; nothing got through at all
        if role.endswith("_grpc"):
            assert not _h2_preface_answered(("127.0.0.1", port), socket.AF_INET), role
    assert set(answers) == {"master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3_grpc",
                            "admin", "admin_grpc"}

    # nothing was planted, changed or deleted
    listed = [o["Key"] for o in seaweed_client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert listed == [key]
    assert seaweed_client.get_object(Bucket=bucket, Key=key)["Body"].read() == body


def test_s3_needs_the_keys(seaweed, private_object) -> None:  # type: ignore[no-untyped-def]
    bucket, key, body = private_object
    endpoint = seaweed.endpoint_url
    access, secret = seaweed.credentials()
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    anonymous = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                             config=config.merge(Config(signature_version=UNSIGNED)))
    wrong_key = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config,
                             aws_access_key_id="MFNOTAKEY00000000000", aws_secret_access_key=secret)
    wrong_secret = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config,
                                aws_access_key_id=access, aws_secret_access_key="not-the-secret-" + "x" * 25)
    for client, code in ((anonymous, "AccessDenied"), (wrong_key, "InvalidAccessKeyId"),
                         (wrong_secret, "SignatureDoesNotMatch")):
        for call in (lambda c: c.get_object(Bucket=bucket, Key=key),
                     lambda c: c.put_object(Bucket=bucket, Key="planted.mp4", Body=b"x"),
                     lambda c: c.delete_object(Bucket=bucket, Key=key),
                     lambda c: c.list_objects_v2(Bucket=bucket)):
            with pytest.raises(ClientError) as info:
                call(client)
            assert info.value.response["Error"]["Code"] == code
    assert make_client(seaweed.connection()).get_object(Bucket=bucket, Key=key)["Body"].read() == body


# -- unix sockets ------------------------------------------------------------------------------------

def _unix_http(path: Path, method: str, target: str, body: bytes | None = None) -> tuple[int, bytes]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        sock.connect(str(path))
        conn = http.client.HTTPConnection("localhost")
        conn.sock = sock
        conn.request(method, target, body=body)
        reply = conn.getresponse()
        return reply.status, reply.read()


def _grpc_sockets(store: EmbeddedStore) -> list[Path]:
    ports = set(store.ports.values())
    return [p for p in Path("/tmp").glob("seaweedfs-*-grpc-*.sock") if int(p.stem.rsplit("-", 1)[1]) in ports]


def test_unix_sockets_are_private_and_locked(seaweed, private_object) -> None:  # type: ignore[no-untyped-def]
    bucket, key, _ = private_object
    filer_sock, s3_sock = seaweed.sockets_dir / "filer.sock", seaweed.sockets_dir / "s3.sock"
    # the filer's local socket is plain HTTP: the JWT keys are what refuses here
    assert _unix_http(filer_sock, "GET", f"/buckets/{bucket}/{key}")[0] == 401
    assert _unix_http(filer_sock, "PUT", f"/buckets/{bucket}/planted.mp4", b"x")[0] == 401
    assert _unix_http(filer_sock, "DELETE", f"/buckets/{bucket}/{key}")[0] == 401
    assert _unix_http(s3_sock, "GET", f"/{bucket}/{key}")[0] == 403
    grpc = _grpc_sockets(seaweed)
    assert len(grpc) == 5, grpc  # master, volume, filer, s3, admin
    for path in [filer_sock, s3_sock, *grpc]:
        assert path.is_socket()
        assert path.stat().st_mode & 0o077 == 0, (path, oct(path.stat().st_mode))  # weed runs with umask 077
        assert path.stat().st_uid == os.geteuid()
    for path in grpc:  # the /tmp twins of the gRPC ports want TLS with the certificate as well
        assert not _h2_preface_answered(str(path), socket.AF_UNIX), path
    assert oct(seaweed.sockets_dir.stat().st_mode & 0o777) == "0o700"


@pytest.mark.skipif(os.geteuid() != 0, reason="acting as another user needs root")
def test_another_user_reaches_no_socket(seaweed) -> None:  # type: ignore[no-untyped-def]
    """As `nobody`: connecting to weed's unix sockets fails (connect needs write permission)."""
    paths = [str(p) for p in _grpc_sockets(seaweed)]
    code = ("import socket, sys\n"
            "for p in sys.argv[1:]:\n"
            "    s = socket.socket(socket.AF_UNIX)\n"
            "    try:\n"
            "        s.connect(p); print('CONNECTED', p)\n"
            "    except PermissionError:\n"
            "        print('denied', p)\n")
    out = subprocess.run(["/usr/bin/python3", "-c", code, *paths], capture_output=True, text=True, timeout=30,
                         user=65534, group=65534, cwd="/")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("denied") == len(paths) and "CONNECTED" not in out.stdout, out.stdout


# -- weed's own client tools, as an outsider would run them ---------------------------------------------

def test_weeds_own_tools_get_nothing_without_the_certificate(seaweed, private_object, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`weed backup` copies whole volumes over gRPC and `weed filer.meta.tail` lists entries when
    nothing locks them (measured before the lock); run from a folder without security.toml."""
    bucket, key, _ = private_object
    ports = seaweed.ports
    home, cwd, backup = tmp_path / "home", tmp_path / "cwd", tmp_path / "backup"
    for folder in (home, cwd, backup):
        folder.mkdir()
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "")}
    weed = str(find_weed())
    tail = subprocess.run([weed, "filer.meta.tail", f"-filer=127.0.0.1:{ports['filer']}.{ports['filer_grpc']}",
                           f"-pathPrefix=/buckets/{bucket}", "-timeAgo=1h"],
                          capture_output=True, timeout=30, cwd=cwd, env=env)
    said = tail.stdout + tail.stderr  # weed prints the error and exits 0
    assert b"rpc error" in said, said
    assert key.split("/")[-1].encode() not in said
    copied = []
    for volume in range(1, 8):
        run = subprocess.run([weed, "backup", f"-dir={backup}", f"-collection={bucket}", f"-volumeId={volume}",
                              f"-server=127.0.0.1:{ports['master']}.{ports['master_grpc']}"],
                             capture_output=True, timeout=30, cwd=cwd, env=env)
        copied.append(run.stdout + run.stderr)
    assert not any(b"Successfully backed up" in out for out in copied), copied
    assert not any(MARKER in f.read_bytes() for f in backup.rglob("*") if f.is_file())


# -- what weed is given -----------------------------------------------------------------------------------

def test_security_files_are_private_and_carry_no_ca_key(seaweed) -> None:  # type: ignore[no-untyped-def]
    sec = seaweed.security
    for path in (sec.toml, sec.key, sec.cert, sec.ca):
        assert oct(path.stat().st_mode & 0o777) == "0o600", path
    assert oct(sec.key.parent.stat().st_mode & 0o777) == "0o700"
    assert sec.toml.parent == seaweed.root  # weed reads ./security.toml from its working dir
    assert psutil.Process(seaweed.pid).cwd() == str(seaweed.root)
    assert sorted(p.name for p in sec.key.parent.iterdir()) == ["ca.crt", "weed.crt", "weed.key"]
    assert "PRIVATE KEY" not in sec.ca.read_text()


def test_weed_environment_cannot_switch_the_lock_off(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """WEED_* variables override security.toml in weed; the store starts weed without them."""
    monkeypatch.setenv("WEED_JWT_FILER_SIGNING_KEY", "")
    monkeypatch.setenv("WEED_JWT_FILER_SIGNING_READ_KEY", "")
    monkeypatch.setenv("WEED_HTTPS_FILER_CA", "")
    monkeypatch.setenv("WEED_GRPC_CA", "")
    store = EmbeddedStore(tmp_path / "sw", prefer_default_ports=False)
    store.start()
    try:
        assert not any(name.startswith("WEED_") for name in psutil.Process(store.pid).environ())
        client = make_client(store.connection())
        client.create_bucket(Bucket="env-test")
        client.put_object(Bucket="env-test", Key="k.bin", Body=MARKER + os.urandom(1024))
        assert _unix_http(store.sockets_dir / "filer.sock", "GET", "/buckets/env-test/k.bin")[0] == 401
        assert _refused(_plain(store.ports["filer"], "GET", "/buckets/env-test/k.bin"))
        assert not _h2_preface_answered(("127.0.0.1", store.ports["filer_grpc"]), socket.AF_INET)
    finally:
        store.stop()


def test_a_weed_with_no_security_file_would_leak(tmp_path) -> None:
    """The control for the tests above: the same weed command without security.toml serves an
    object to anyone from the filer port. If this ever fails, weed changed and the lock needs a look."""
    store = EmbeddedStore(tmp_path / "sw", prefer_default_ports=False)
    store.credentials()
    for folder in (store.store_dir, store.logs_dir, store.sockets_dir):
        folder.mkdir(parents=True, exist_ok=True)
    ports = choose_ports(None)
    bare = tmp_path / "bare"  # a working dir without our security.toml
    bare.mkdir()
    proc = subprocess.Popen(store.command(find_weed(), ports), cwd=bare, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={"HOME": str(bare), "PATH": os.environ.get("PATH", "")},
                            start_new_session=True)
    try:
        store._ports = ports
        deadline = time.monotonic() + 30
        while not store.health_check() and time.monotonic() < deadline:
            time.sleep(0.2)
        client = make_client(store.connection())
        client.create_bucket(Bucket="control")
        client.put_object(Bucket="control", Key="k.bin", Body=MARKER + b"1234")
        assert _plain(ports["filer"], "GET", "/buckets/control/k.bin") == (200, MARKER + b"1234")
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        remove_grpc_sockets(ports)
