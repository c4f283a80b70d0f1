"""The embedded store's loopback ports: weed's own defaults when free, else free ones from the OS;
weed's command-line flag for each; and the gRPC unix sockets weed leaves in /tmp when killed.

Each of weed's listeners (master, volume, filer, S3, admin and a gRPC twin of each) is given its port
explicitly, so that two stores (a user's and a test's) never meet on one port."""

from __future__ import annotations

import os
import socket
from pathlib import Path

HOST = "127.0.0.1"
# weed's own defaults, used when free so that an S3 tool configured once keeps working
DEFAULT_PORTS: dict[str, int] = {
    "master": 9333, "master_grpc": 19333, "volume": 9340, "volume_grpc": 19340,
    "filer": 8888, "filer_grpc": 18888, "s3": 8333, "s3_grpc": 18333,
    "admin": 23646, "admin_grpc": 33646,
}
PORT_FLAGS = {
    "master": "-master.port", "master_grpc": "-master.port.grpc", "volume": "-volume.port",
    "volume_grpc": "-volume.port.grpc", "filer": "-filer.port", "filer_grpc": "-filer.port.grpc",
    "s3": "-s3.port", "s3_grpc": "-s3.port.grpc", "admin": "-admin.port", "admin_grpc": "-admin.port.grpc",
}
_GRPC_SOCKET_ROLES = {"master_grpc": "master", "volume_grpc": "volume", "filer_grpc": "filer",
                      "s3_grpc": "s3", "admin_grpc": "admin"}


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # weed (Go) binds with SO_REUSEADDR: a port with only TIME_WAIT connections is free for it
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose_ports(preferred: dict[str, int] | None = None, host: str = HOST) -> dict[str, int]:
    """One free loopback port per listener: the preferred one when free, else one from the OS.

    `preferred=None` takes every port from the OS (tests: never collides with a user's store).
    """
    chosen: dict[str, int] = {}
    held: list[socket.socket] = []  # kept bound until all are chosen, so no two roles get the same port
    try:
        for role in DEFAULT_PORTS:
            want = (preferred or {}).get(role)
            if want and want not in chosen.values() and port_is_free(want, host):
                chosen[role] = want
                continue
            while True:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.bind((host, 0))
                port = sock.getsockname()[1]
                held.append(sock)
                if port not in chosen.values() and port not in (preferred or {}).values():
                    chosen[role] = port
                    break
    finally:
        for sock in held:
            sock.close()
    return chosen


def port_flags(ports: dict[str, int]) -> list[str]:
    """weed's flags that put each listener on its port."""
    return [f"{PORT_FLAGS[role]}={port}" for role, port in ports.items()]


def remove_grpc_sockets(ports: dict[str, int]) -> None:
    """Remove the gRPC sockets weed leaves in /tmp when it could not stop cleanly. Their path is
    compiled into weed (`/tmp/seaweedfs-<role>-grpc-<port>.sock`) and cannot be moved."""
    for role, name in _GRPC_SOCKET_ROLES.items():
        port = ports.get(role)
        if port:
            path = Path(f"/tmp/seaweedfs-{name}-grpc-{port}.sock")
            try:
                if path.is_socket():
                    path.unlink()
            except OSError:
                pass
