"""Keeps the embedded store's inner ports shut: only S3, with keys, answers anyone outside weed.

`weed mini` listens on 127.0.0.1, which every user of the machine can reach: master, volume,
filer, S3 and admin HTTP ports, a gRPC twin of each (TCP and a unix socket in /tmp), and the filer's
and S3's local unix sockets. Measured with weed 4.48 and no security settings: the filer HTTP port
and its unix socket read, write and delete objects under /buckets/ without any key; the master's
/dir/assign hands out write tokens and /dir/lookup?fileId=…&read=yes read tokens; through the
gRPC ports `weed backup` copies whole volumes and `weed filer.meta.tail` lists every entry.

What closes them, written to `<root>/security.toml` (weed reads ./security.toml from its working
directory, before ~/.seaweedfs/ and /etc/seaweedfs/):
1. Mutual TLS on every gRPC listener (the TCP ports and the /tmp unix sockets alike) and on the
   master, volume, filer and admin HTTP ports (`[https.*]` with a `ca` makes weed require and verify
   a client certificate). A CA made at each start signs the one certificate all components
   present; the CA's key is never written, so no other certificate can be made. Without the
   certificate a client fails the TLS handshake; a plain HTTP request gets 400.
2. JWT signing keys (`[jwt.signing]`, `[jwt.filer_signing]` and their `.read` twins) for volume and
   filer reads and writes: the filer's local unix socket speaks plain HTTP, and a request that
   passes TLS still needs a token only weed's own components mint.
The `[guard] white_list` is no boundary here: weed takes the client address from X-Forwarded-For.

Everything is made anew at each start (keys stay valid for the life of one weed process) in files
only the user can read (folders 0700, files 0600). Environment variables WEED_* would override the
file, so weed is started without them (`child_environment`).

Needs the `cryptography` package for the certificates.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import secrets
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ...paths import private_dir, write_private

SECURITY_FILE = "security.toml"
TLS_DIR = "tls"
# the components weed knows a [grpc.<name>] section for; mini starts some of them, all get the cert
_GRPC_COMPONENTS = ("master", "volume", "filer", "s3", "admin", "worker", "msg_broker", "msg_agent", "mq", "client")
_HTTPS_SERVERS = ("master", "volume", "filer", "admin")
_JWT_SECTIONS = ("jwt.signing", "jwt.signing.read", "jwt.filer_signing", "jwt.filer_signing.read")
_CERT_DAYS = 3650  # made at every start; long enough for any one process


class WeedSecurityError(RuntimeError):
    """The security settings for weed could not be made (the message says which file or package)."""


@dataclass(frozen=True)
class WeedSecurity:
    """The files of one start: `toml` goes into weed's working dir, the rest under `tls/`."""

    toml: Path
    ca: Path
    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        """TLS for our own requests to weed's inner HTTP ports (e.g. the master's /dir/status)."""
        context = ssl.create_default_context(cafile=str(self.ca))
        context.load_cert_chain(str(self.cert), str(self.key))
        return context

    def jwt_key(self, section: str) -> str:
        """A signing key from security.toml, e.g. "jwt.filer_signing.read" (tests mint tokens with it)."""
        import tomllib
        data = tomllib.loads(self.toml.read_text(encoding="utf-8"))
        node = data
        for part in section.split("."):
            node = node[part]
        return str(node["key"])


def _make_certificates() -> tuple[bytes, bytes, bytes]:
    """(CA certificate, leaf certificate, leaf key) in PEM. The leaf serves and dials (both
    extended key usages) and names 127.0.0.1 and localhost, which weed's HTTPS clients check."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ImportError as exc:
        raise WeedSecurityError("the embedded store needs the Python package 'cryptography' to lock its "
                                f"internal ports (pip install cryptography): {exc}") from exc
    now = _dt.datetime.now(_dt.timezone.utc)
    start, end = now - _dt.timedelta(minutes=5), now + _dt.timedelta(days=_CERT_DAYS)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MediaFlow embedded store CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mediaflow-weed")]))
            .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return (ca.public_bytes(pem), leaf.public_bytes(pem),
            leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def _toml_string(value: Path | str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def security_toml(ca: Path, cert: Path, key: Path, jwt_keys: Mapping[str, str]) -> str:
    lines = ["# Made by MediaFlow at each start of the embedded store; see storage/embedded/security.py.", ""]
    for section in _JWT_SECTIONS:
        lines += [f"[{section}]", f"key = {_toml_string(jwt_keys[section])}", ""]
    lines += ["[grpc]", f"ca = {_toml_string(ca)}", ""]
    for component in _GRPC_COMPONENTS:
        lines += [f"[grpc.{component}]", f"cert = {_toml_string(cert)}", f"key = {_toml_string(key)}", ""]
    for server in _HTTPS_SERVERS:  # a `ca` here makes weed require a client certificate
        lines += [f"[https.{server}]", f"cert = {_toml_string(cert)}", f"key = {_toml_string(key)}",
                  f"ca = {_toml_string(ca)}", ""]
    lines += ["[https.client]", "enabled = true", f"cert = {_toml_string(cert)}", f"key = {_toml_string(key)}",
              f"ca = {_toml_string(ca)}", ""]
    return "\n".join(lines)


def prepare(root: str | os.PathLike[str]) -> WeedSecurity:
    """Fresh certificates and JWT keys for one start of the weed that runs in `root`."""
    root = private_dir(root)
    tls = private_dir(root / TLS_DIR)
    files = WeedSecurity(toml=root / SECURITY_FILE, ca=tls / "ca.crt", cert=tls / "weed.crt", key=tls / "weed.key")
    ca_pem, cert_pem, key_pem = _make_certificates()
    jwt_keys = {section: secrets.token_urlsafe(32) for section in _JWT_SECTIONS}
    try:
        write_private(files.key, key_pem)
        write_private(files.cert, cert_pem)
        write_private(files.ca, ca_pem)
        write_private(files.toml, security_toml(files.ca, files.cert, files.key, jwt_keys))
    except OSError as exc:
        raise WeedSecurityError(f"cannot write the embedded store's security settings in {root}: {exc}") from exc
    return files


def child_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for weed: ours without WEED_* variables (they override security.toml)."""
    source = os.environ if environ is None else environ
    return {name: value for name, value in source.items() if not name.upper().startswith("WEED_")}
