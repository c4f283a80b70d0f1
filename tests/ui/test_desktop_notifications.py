"""The batch notice goes to the desktop's own notifications over D-Bus when a notification daemon
answers (a real dbus-daemon and a stand-in daemon here), with no toast in the window; clicking it
opens the run; when the daemon goes away, the window's toast takes over."""

from __future__ import annotations

from tests.dbus_fixture import FakeNotificationDaemon, notification_daemon, session_bus  # noqa: F401


def test_batch_notice_over_dbus_click_opens_the_run_and_the_toast_is_the_fallback(
        window, qtbot, notification_daemon: FakeNotificationDaemon, tmp_path, monkeypatch) -> None:  # noqa: ANN001, F811
    # no mediaflow icon installed in any icon theme (the .deb may be installed on this machine): the SVG path
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "share"))
    from mediaflow_gui.ui.notifications import DesktopNotifier
    notifier = DesktopNotifier(window, window.adapter, window.settings, window.signals, use_tray=False,
                               use_desktop=True, bus_address=notification_daemon.address)
    try:
        assert notifier.uses_desktop and not notifier.uses_tray
        notifier.add_batch(["mf-a", "mf-b", "mf-c"])
        notifier.on_run_finished("mf-a", "SUCCESS", "")
        notifier.on_run_finished("mf-b", "FAIL", "FFmpeg could not read the input")
        assert notification_daemon.calls == []  # one notice per batch, when its last run ends
        notifier.on_run_finished("mf-c", "CANCELED", "")
        [(signature, args)] = notification_daemon.calls
        assert args[3] == "3 files: 1 done, 1 failed, 1 canceled"
        assert "FFmpeg could not read the input" in args[4] and args[6]["urgency"] == ("y", 2)
        assert args[2].endswith("app.svg") and notifier.live_toasts() == []
        with qtbot.waitSignal(window.signals.show_run_requested, timeout=15000) as shown:
            notification_daemon.click(1, "Details")
        assert shown.args == ["mf-b"]  # the batch's first failed run
        installed = tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps"
        installed.mkdir(parents=True)
        (installed / "mediaflow.svg").write_text("<svg/>")  # what the .deb installs
        notifier.on_run_finished("mf-e", "SUCCESS", "")
        assert notification_daemon.calls[-1][1][2] == "mediaflow"  # the desktop draws its theme's icon

        notification_daemon.stop()  # the daemon is gone (a logout, a crash): the window shows notices
        notifier.on_run_finished("mf-d", "SUCCESS", "")
        assert not notifier.uses_desktop and len(notifier.live_toasts()) == 1
    finally:
        notifier.close()
        for toast in notifier.live_toasts():
            toast.close_toast()
