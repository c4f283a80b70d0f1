"""The GUI says which FFmpeg runs use: the status bar's label (summary, notes in the tooltip), again
after the settings change, and the settings dialog's FFmpeg row."""

from __future__ import annotations

from pathlib import Path

import imageio_ffmpeg

from mediaflow_gui.media.ffmpeg_caps import capabilities
from tests.ffmpeg_fakes import make_old_ffmpeg

BUNDLED = Path(imageio_ffmpeg.get_ffmpeg_exe()).resolve()


def test_status_bar_names_the_ffmpeg_and_follows_the_settings(window, qtbot, tmp_path) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QLabel
    label = window.statusBar().findChild(QLabel, "ffmpeg_status")
    assert label is window.ffmpeg_label
    qtbot.waitUntil(lambda: bool(label.summary), timeout=15000)
    version = capabilities(BUNDLED).version_text
    assert label.summary == f"FFmpeg {version} from {BUNDLED} (from MEDIAFLOW_FFMPEG): has everything MediaFlow uses"
    assert label.toolTip().startswith(label.summary + "\nHow: chosen explicitly with the MEDIAFLOW_FFMPEG")
    # the bar says a few words; the whole line, how and notes are in the tooltip
    assert label.text() == f"FFmpeg {version} (from MEDIAFLOW_FFMPEG)"

    fake = make_old_ffmpeg(tmp_path / "tools")
    window.settings.ffmpeg_path = str(fake)
    window.adapter.apply_settings()
    window.signals.settings_changed.emit()
    qtbot.waitUntil(lambda: "4.2.7" in label.summary, timeout=15000)
    assert label.summary.startswith(f"FFmpeg 4.2.7 from {fake} (chosen explicitly): older than 5.1")
    assert label.text() == "⚠ FFmpeg 4.2.7 (chosen in Settings)"
    assert "• No libx264 encoder: H.264 transcodes fail." in label.toolTip().splitlines()


def test_settings_dialog_shows_summary_and_notes(window, qtbot, tmp_path) -> None:  # noqa: ANN001
    from mediaflow_gui.ui.settings_dialog import SettingsDialog
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "Looking" not in dialog.ffmpeg_info.text(), timeout=15000)
    assert dialog.ffmpeg_info.text().startswith(f"FFmpeg {capabilities(BUNDLED).version_text} from {BUNDLED}")
    fake = make_old_ffmpeg(tmp_path / "tools")
    dialog.ffmpeg_path.setText(str(fake))
    dialog.refresh_ffmpeg()
    qtbot.waitUntil(lambda: "4.2.7" in dialog.ffmpeg_info.text(), timeout=15000)
    lines = dialog.ffmpeg_info.text().splitlines()
    assert lines[0].startswith(f"FFmpeg 4.2.7 from {fake} (chosen explicitly)")
    assert lines[1].startswith("How: chosen explicitly with the FFmpeg setting")
    assert "• No -fps_mode option: -vsync is used instead." in lines
    dialog.ffmpeg_path.setText(str(tmp_path / "missing"))
    dialog.refresh_ffmpeg()
    qtbot.waitUntil(lambda: dialog.ffmpeg_info.text().startswith("⚠"), timeout=15000)
    assert "not an executable" in dialog.ffmpeg_info.text()
    dialog.reject()
