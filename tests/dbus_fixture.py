"""A private D-Bus session bus (dbus-daemon on a socket in the test's folder, stopped by its PID) and
a stand-in notification daemon on it: it owns org.freedesktop.Notifications, records every Notify
call with its D-Bus signature and arguments, answers with an id, and can send ActionInvoked."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


@dataclass
class FakeNotificationDaemon:
    address: str
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)  # (signature, arguments)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection
        self.conn = open_dbus_connection(bus=self.address)
        reply = self.conn.send_and_get_reply(message_bus.RequestName(NAME), timeout=5)
        assert reply.body[0] == 1, "could not own the notifications name"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        from jeepney import new_method_return
        from jeepney.low_level import HeaderFields, MessageType
        while not self._stop.is_set():
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except OSError:
                return
            fields = msg.header.fields
            if msg.header.message_type == MessageType.method_call and fields.get(HeaderFields.member) == "Notify":
                self.calls.append((fields.get(HeaderFields.signature, ""), tuple(msg.body)))
                self.conn.send(new_method_return(msg, "u", (len(self.calls),)))

    def click(self, notice_id: int, key: str = "default") -> None:
        from jeepney import DBusAddress, new_signal
        self.conn.send(new_signal(DBusAddress(PATH, interface=NAME), "ActionInvoked", "us", (notice_id, key)))

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(5)
        self.conn.close()


@pytest.fixture
def session_bus(tmp_path: Path) -> Iterator[str]:
    """The address of a private session bus, live for the test."""
    socket = tmp_path / "bus"
    proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1",
                             f"--address=unix:path={socket}"], stdout=subprocess.PIPE, text=True)
    try:
        address = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert address.startswith("unix:"), address
        yield address
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)


@pytest.fixture
def notification_daemon(session_bus: str) -> Iterator[FakeNotificationDaemon]:
    daemon = FakeNotificationDaemon(session_bus)
    daemon.start()
    yield daemon
    daemon.stop()
