"""Where runs execute: this computer, or a Dask cluster (plain data the GUI, the CLI and runtime share)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlparse

SCHEMES = ("tcp", "tls", "inproc", "ws", "wss")
DEFAULT_PORT = 8786  # Dask's scheduler port
DEFAULT_STAGING_BUCKET = "mediaflow-staging"
DEFAULT_NO_WORKERS_TIMEOUT = 120.0  # seconds (the settings, the CLI flag and the status bar say it)


@dataclass
class ClusterSettings:
    """A Dask cluster to run steps on. `address` "" means this computer (no cluster)."""

    address: str = ""  # the scheduler: tcp://host:8786
    # the S3 store inputs and outputs travel through (a connection name; "" = the embedded store, which
    # listens on loopback only: fine for `mediaflow cluster local`, not for workers on other machines)
    staging_connection: str = ""
    staging_bucket: str = DEFAULT_STAGING_BUCKET
    connect_timeout: float = 10.0  # seconds to reach the scheduler
    # seconds a unit waits while the cluster has no worker at all before its step fails (Dask would
    # keep it queued for ever: a run must not hang because the last worker went away)
    no_workers_timeout: float = DEFAULT_NO_WORKERS_TIMEOUT

    @property
    def enabled(self) -> bool:
        return bool(self.address.strip())

    def normalized_address(self) -> str:
        """`host:port` and `host` get Dask's tcp:// scheme and default port."""
        address = self.address.strip()
        if address and "://" not in address:
            address = "tcp://" + address
        parsed = urlparse(address)
        if parsed.scheme in ("tcp", "tls") and parsed.hostname and parsed.port is None:
            address = f"{address}:{DEFAULT_PORT}"
        return address

    def problems(self) -> list[str]:
        if not self.enabled:
            return []
        out = []
        address = self.normalized_address()
        parsed = urlparse(address)
        if parsed.scheme not in SCHEMES:
            out.append(f"the cluster address {self.address!r} must look like tcp://host:{DEFAULT_PORT}")
        elif parsed.scheme in ("tcp", "tls") and not parsed.hostname:
            out.append(f"the cluster address {self.address!r} has no host: tcp://host:{DEFAULT_PORT}")
        if not self.staging_bucket.strip():
            out.append("the staging bucket needs a name, such as mediaflow-staging")
        if self.connect_timeout <= 0:
            out.append("the connect timeout must be more than 0 seconds")
        if self.no_workers_timeout <= 0:
            out.append("the no-workers timeout must be more than 0 seconds")
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "ClusterSettings":
        data = data or {}
        known = {f: data[f] for f in cls.__dataclass_fields__ if f in data}
        return cls(**known)
