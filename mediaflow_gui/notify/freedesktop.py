"""Desktop notifications the freedesktop way: org.freedesktop.Notifications on the session bus.

GNOME, KDE, XFCE, Cinnamon, MATE, and notification daemons such as dunst or mako all answer this
interface; a notice shown through it lives in the desktop's own notification list, outlives the window
being hidden and follows the person's do-not-disturb setting — which an in-window toast cannot.

The bus is spoken with jeepney (pure Python: no libdbus, no Qt D-Bus typing trouble — the call's
`u` and `i` arguments need exact D-Bus types). Calls are short and blocking (a local socket, a
timeout of a second); a daemon thread waits for ActionInvoked/NotificationClosed signals and hands
"the person clicked notice N" to a callback, which the Qt side turns into a queued signal.

`connect()` returns None when there is no session bus or nobody owns the notifications name; the
caller then falls back to the tray or the in-window toast. Nothing here imports Qt.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger(__name__)

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
CALL_TIMEOUT = 1.0  # seconds: a notification daemon answers in milliseconds; a stuck one must not hang the GUI
URGENCY = {"SUCCESS": 1, "CANCELED": 1, "FAIL": 2}  # normal, normal, critical (stays until dismissed)


class NotificationsGone(RuntimeError):
    """The notification daemon did not take the notice (it quit, the session ended)."""


@dataclass(frozen=True)
class Notice:
    summary: str
    body: str
    outcome: str  # SUCCESS, FAIL or CANCELED
    icon: str = ""  # a file path or an icon-theme name
    timeout_ms: int = -1  # -1: the desktop's default


class FreedesktopNotifications:
    """One connection to the session bus: `show(notice)` → the desktop's id, `on_action(id, key)`
    called (on a daemon thread) when the person clicks a notice or its "Details" action."""

    def __init__(self, connection: Any, listener: Any, on_action: Callable[[int, str], None]) -> None:
        self._conn = connection  # for calls (blocking jeepney connection)
        self._listener = listener  # a second connection that only receives signals
        self._on_action = on_action
        self._lock = threading.Lock()
        self._closed = False
        # subscribe before the first notice can be shown: a click on it must not come before the match rule
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus
        for member in ("ActionInvoked", "NotificationClosed"):
            rule = MatchRule(type="signal", interface=NAME, path=PATH, member=member)
            self._listener.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT)
        self._thread = threading.Thread(target=self._listen, name="mediaflow-dbus-notifications", daemon=True)
        self._thread.start()

    # -- calls ---------------------------------------------------------------------------------------
    def show(self, notice: Notice) -> int:
        """Ask the desktop to show `notice`; its id (0 when the daemon refused)."""
        from jeepney import DBusAddress, new_method_call
        address = DBusAddress(PATH, bus_name=NAME, interface=NAME)
        hints = {"urgency": ("y", URGENCY.get(notice.outcome, 1)), "desktop-entry": ("s", "mediaflow"),
                 "category": ("s", "transfer.complete" if notice.outcome == "SUCCESS" else "transfer.error")}
        message = new_method_call(address, "Notify", "susssasa{sv}i", (
            "MediaFlow", 0, notice.icon, notice.summary, notice.body,
            ["default", "Details"], hints, int(notice.timeout_ms)))
        with self._lock:
            if self._closed:
                return 0
            reply = self._conn.send_and_get_reply(message, timeout=CALL_TIMEOUT)
        from jeepney.low_level import HeaderFields, MessageType
        if reply.header.message_type == MessageType.error:  # e.g. ServiceUnknown: the daemon went away
            raise NotificationsGone(f"{reply.header.fields.get(HeaderFields.error_name, 'error')}: "
                                    f"{reply.body[0] if reply.body else ''}")
        body = reply.body
        return int(body[0]) if body and isinstance(body[0], int) else 0

    # -- signals -------------------------------------------------------------------------------------
    def _listen(self) -> None:
        try:
            while not self._closed:
                try:
                    message = self._listener.receive(timeout=0.5)
                except TimeoutError:
                    continue
                header = message.header.fields
                from jeepney.low_level import HeaderFields
                if header.get(HeaderFields.member) == "ActionInvoked" and len(message.body) == 2:
                    notice_id, key = message.body
                    self._on_action(int(notice_id), str(key))
        except Exception as exc:  # the bus went away (logout): notices still show while it answers
            if not self._closed:
                log.info("desktop notifications: stopped listening for clicks: %s", exc)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn in (self._conn, self._listener):
                try:
                    conn.close()
                except Exception:  # noqa: BLE001 - closing a socket that is gone
                    pass


ICON_NAME = "mediaflow"  # the icon-theme name the .deb installs (hicolor) and the .desktop file's Icon=


def icon_data_dirs() -> list[str]:
    """Where icon themes live, per the XDG base directory spec: $XDG_DATA_HOME, then $XDG_DATA_DIRS."""
    home = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    system = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [home, *[d for d in system.split(":") if d]]


def notice_icon(fallback: str, data_dirs: list[str] | None = None) -> str:
    """A notice's app_icon: the theme name "mediaflow" when that icon is installed in the hicolor theme
    (the desktop then draws it at its own size, matching the menu and task bar), else `fallback` (the
    app's SVG path: a run from a source checkout or a bundle nobody installed)."""
    for base in icon_data_dirs() if data_dirs is None else data_dirs:
        hicolor = os.path.join(base, "icons", "hicolor")
        try:
            sizes = os.listdir(hicolor)
        except OSError:
            continue
        for size in sizes:
            for ext in ("svg", "png"):
                if os.path.isfile(os.path.join(hicolor, size, "apps", f"{ICON_NAME}.{ext}")):
                    return ICON_NAME
    return fallback


def _owned(connection: Any) -> bool:
    from jeepney.bus_messages import message_bus
    reply = connection.send_and_get_reply(message_bus.NameHasOwner(NAME), timeout=CALL_TIMEOUT)
    return bool(reply.body and reply.body[0])


def connect(on_action: Callable[[int, str], None], address: str | None = None
            ) -> FreedesktopNotifications | None:
    """A notifications client on the session bus (or `address`), or None when there is none to talk to."""
    address = address or os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if not address:
        return None
    try:
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:  # not Linux, or jeepney missing: the tray or the toast
        return None
    conn = listener = None
    try:
        conn = open_dbus_connection(bus=address)
        if not _owned(conn):
            conn.close()
            return None
        listener = open_dbus_connection(bus=address)
        return FreedesktopNotifications(conn, listener, on_action)
    except Exception as exc:  # no bus at that address, refused, timed out
        log.info("desktop notifications over D-Bus unavailable (%s): using the tray or the window", exc)
        for c in (conn, listener):
            if c is not None:
                try:
                    c.close()
                except Exception:  # noqa: BLE001
                    pass
        return None


__all__ = ["FreedesktopNotifications", "Notice", "NotificationsGone", "connect"]
