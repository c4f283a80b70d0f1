"""One app per user and data dir: a second start hands its files to the running window and exits.

Two windows on one data dir would fight over the task store, the embedded bucket store and the
bindings' watchers, so the first app listens on a local socket (QLocalServer: a Unix socket that
only this user may open, UserAccessOption) named after the user and the data dir; a later
`mediaflow-gui clip.mp4` connects, writes one JSON line — {"workflow": path or null, "process":
[paths]} — and exits. The running window opens the workflow, runs the files and comes to the front.

A socket left by a crashed app answers nobody: the hand-over fails, the new app removes the stale
name and listens itself. Two apps started at the same moment: one listens, the other hands over to it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

HAND_OVER_MS = 1500  # how long a second start tries to reach the first


def server_name(data_dir: str | os.PathLike[str]) -> str:
    """The socket's name for this user and data dir (another data dir is another app: tests, portable)."""
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = hashlib.sha256(f"{user}\0{Path(data_dir).resolve()}".encode()).hexdigest()[:16]
    return f"mediaflow-{digest}"


def hand_over(name: str, message: dict[str, Any], timeout_ms: int = HAND_OVER_MS) -> bool:
    """Give `message` to the app listening on `name`; False when none listens (or it does not answer)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write((json.dumps(message) + "\n").encode("utf-8"))
    written = socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(timeout_ms)
    return written


class SingleInstance(QObject):
    """The first app's listener; `received` carries each later start's message."""

    received = Signal(dict)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)  # this user only
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Listen, taking over a stale name a crashed app left. False when another app listens.

        Asked first, not after a failed listen: with UserAccessOption Qt makes the socket aside and
        renames it into place, which would silently take the name from a live app."""
        if hand_over(self.name, {"ping": True}, 300):
            return False  # a live app answers: it is the first one
        QLocalServer.removeServer(self.name)  # a crashed app's file, if any
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()  # a child of the server: it goes with it
            self._buffers[socket] = b""
            # bound methods, not lambdas: Qt drops these connections when this object is deleted
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(self._on_disconnected)
            self._read(socket)

    def _on_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _on_disconnected(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._done(socket)

    def _read(self, socket: QLocalSocket) -> None:
        self._buffers[socket] = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        data = self._buffers[socket]
        if len(data) > 1 << 20:  # a message is a few paths: anything this big is not ours
            socket.abort()
            return
        if b"\n" in data:
            line, _, rest = data.partition(b"\n")
            self._buffers[socket] = rest
            try:
                message = json.loads(line.decode("utf-8"))
            except ValueError:
                return
            if isinstance(message, dict) and not message.get("ping"):
                self.received.emit(message)

    def _done(self, socket: QLocalSocket) -> None:
        self._read(socket)
        self._buffers.pop(socket, None)
        socket.deleteLater()


def message_for(workflow: str | None, process: list[str]) -> dict[str, Any]:
    """What a second start hands over: absolute paths (the first app runs in another folder)."""
    return {"workflow": os.path.abspath(workflow) if workflow else None,
            "process": [p if "://" in p else os.path.abspath(p) for p in process]}
