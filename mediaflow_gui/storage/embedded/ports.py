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
# weed mini's own admin worker dials the admin HTTP port + this, whatever -admin.port.grpc says: with
# unrelated ports it dialled e.g. "68097" (invalid: a warning every 5 s in weed's logs) or whatever else
# listens there. So the admin's two ports are chosen as such a pair.
ADMIN_GRPC_OFFSET = 10000
_PAIR_ATTEMPTS = 200
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
            if role == "admin_grpc" and "admin_grpc" in chosen:
                continue  # chosen with the admin port
            if role == "admin":
                pair = _admin_pair(preferred or {}, chosen, held, host)
                if pair is not None:
                    chosen["admin"], chosen["admin_grpc"] = pair
                    continue
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


def _admin_pair(preferred: dict[str, int], chosen: dict[str, int], held: list[socket.socket],
                host: str) -> tuple[int, int] | None:
    """(admin, admin + ADMIN_GRPC_OFFSET), both free: the preferred admin port when it and its twin are
    free, else one from the OS whose twin is free too (kept bound in `held`); None if none was found."""
    taken = set(chosen.values()) | set(preferred.values())
    want = preferred.get("admin")
    if want and want + ADMIN_GRPC_OFFSET <= 65535 and want not in chosen.values() \
            and want + ADMIN_GRPC_OFFSET not in chosen.values() \
            and port_is_free(want, host) and port_is_free(want + ADMIN_GRPC_OFFSET, host):
        return want, want + ADMIN_GRPC_OFFSET
    for _ in range(_PAIR_ATTEMPTS):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((host, 0))
        held.append(sock)
        port = sock.getsockname()[1]
        twin = port + ADMIN_GRPC_OFFSET
        if twin > 65535 or port in taken or twin in taken:
            continue
        twin_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            twin_sock.bind((host, twin))
        except OSError:
            twin_sock.close()
            continue
        held.append(twin_sock)
        return port, twin
    return None


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
