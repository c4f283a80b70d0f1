"""Desktop notifications over D-Bus (notify/freedesktop.py) against a real dbus-daemon and a stand-in
notification daemon: the exact Notify signature, urgency by outcome, clicks coming back, and None
(the caller falls back) when there is no bus or nobody owns the name."""

from __future__ import annotations

import time

from mediaflow_gui.notify.freedesktop import Notice, connect, notice_icon
from tests.dbus_fixture import FakeNotificationDaemon, notification_daemon, session_bus  # noqa: F401


def wait_for(condition, seconds: float = 5.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_notice_reaches_the_daemon_with_the_spec_signature_and_a_click_comes_back(
        notification_daemon: FakeNotificationDaemon) -> None:  # noqa: F811
    clicks: list[tuple[int, str]] = []
    client = connect(lambda nid, key: clicks.append((nid, key)), notification_daemon.address)
    assert client is not None
    try:
        first = client.show(Notice("20 files: 19 done, 1 failed", "clip 7.mov: FFmpeg failed", "FAIL", "/x/app.svg"))
        second = client.show(Notice("Done: a.mp4", "Every subtask succeeded", "SUCCESS"))
        assert (first, second) == (1, 2)
        signature, args = notification_daemon.calls[0]
        assert signature == "susssasa{sv}i"
        app, replaces, icon, summary, body, actions, hints, timeout = args
        assert (app, replaces, icon, summary, body) == ("MediaFlow", 0, "/x/app.svg", "20 files: 19 done, 1 failed",
                                                         "clip 7.mov: FFmpeg failed")
        assert actions == ["default", "Details"] and timeout == -1
        assert hints["urgency"] == ("y", 2) and notification_daemon.calls[1][1][6]["urgency"] == ("y", 1)
        notification_daemon.click(first, "Details")
        assert wait_for(lambda: clicks == [(1, "Details")])
    finally:
        client.close()


def test_no_client_without_a_bus_or_without_a_daemon(session_bus: str, monkeypatch) -> None:  # noqa: F811, ANN001
    assert connect(lambda *_: None, session_bus) is None  # a bus, but nobody shows notifications
    assert connect(lambda *_: None, "unix:path=/nonexistent/bus") is None
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    assert connect(lambda *_: None) is None  # no session bus at all (a server, a container)


def test_the_notice_icon_is_the_theme_name_once_installed_in_hicolor(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    fallback = "/opt/mediaflow/_resources/icons/app.svg"
    home, system = tmp_path / "home", tmp_path / "usr-share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_DIRS", f"{tmp_path / 'nothing'}:{system}")
    assert notice_icon(fallback) == fallback  # a source checkout: nothing installed
    other = system / "icons" / "hicolor" / "scalable" / "apps"
    other.mkdir(parents=True)
    (other / "vlc.svg").write_text("<svg/>")
    (system / "icons" / "hicolor" / "index.theme").write_text("[Icon Theme]\n")  # a file among the sizes
    assert notice_icon(fallback) == fallback  # another app's icon is not ours
    (other / "mediaflow.svg").write_text("<svg/>")  # what the .deb installs
    assert notice_icon(fallback) == "mediaflow"
    (other / "mediaflow.svg").unlink()
    png = home / "icons" / "hicolor" / "48x48" / "apps"
    png.mkdir(parents=True)
    (png / "mediaflow.png").write_bytes(b"\x89PNG")  # a per-user install, PNG only
    assert notice_icon(fallback) == "mediaflow"
    assert notice_icon(fallback, data_dirs=[str(tmp_path / "nothing")]) == fallback
