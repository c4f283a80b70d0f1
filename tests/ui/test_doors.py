"""The UI's own doors: widgets reach the core only through EngineAdapter, EditorController, the
StorageController/StorageService methods and AppSettings attributes; typed settings keys; one
shutdown path."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "mediaflow_gui" / "ui"
# the three modules that hold the doors themselves
DOORS = {"engine_adapter.py", "settings.py", "context.py"}
REACHING_IN = re.compile(r"\.engine\.|adapter\.(engine|store|bus|runtime)\b|\.store\.|\bqsettings\b|\._get\("
                         r"|\.connections\.|\.ledger\b")


def test_widgets_use_only_the_doors() -> None:
    found = []
    for path in sorted(UI.rglob("*.py")):
        if path.name in DOORS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if REACHING_IN.search(code) and not code.lstrip().startswith(("from ", "import ")):
                found.append(f"{path.relative_to(UI)}:{number}: {line.strip()}")
    assert found == []


def test_settings_are_typed_keys_with_their_defaults(tmp_path: Path) -> None:
    from mediaflow_gui.ui.settings import AppSettings, Setting
    settings = AppSettings(tmp_path / "s.ini")
    assert isinstance(AppSettings.fusion, Setting) and AppSettings.fusion.key == "runs/fusion"
    # defaults, before anything was written
    assert settings.fusion is True and settings.start_embedded is True and settings.storage_defaults_created is False
    assert settings.output_dir.endswith("MediaFlow results") and settings.max_threads >= 1
    settings.fusion = False
    settings.max_threads = 0  # bounded when read: at least one thread
    settings.output_dir = ""  # a blank folder reads as the default one
    settings.start_embedded = False
    settings.ffmpeg_path = "/opt/ffmpeg"
    settings.sync()
    again = AppSettings(tmp_path / "s.ini")  # the INI file gives strings back: converted to each key's type
    assert again.fusion is False and again.start_embedded is False
    assert again.max_threads == 1 and isinstance(again.max_threads, int)
    assert again.output_dir == settings.output_dir and again.output_dir.endswith("MediaFlow results")
    assert again.ffmpeg_path == "/opt/ffmpeg"
    text = (tmp_path / "s.ini").read_text()
    assert "start_embedded=false" in text and "fusion=false" in text


def test_one_shutdown_whatever_asks_for_it(context, run) -> None:  # noqa: ANN001
    async def scenario() -> None:
        waiting = asyncio.ensure_future(context.run_until_shutdown())
        await asyncio.sleep(0.05)
        assert not waiting.done()  # nothing asked yet
        first = context.request_shutdown()  # e.g. the window closed …
        assert context.request_shutdown() is first  # … and Qt's aboutToQuit came too: one shutdown
        await asyncio.wait_for(waiting, 30)
        await context.shutdown()  # a later call waits for the same one
    run(scenario())
    runtime = context.runtime
    assert runtime.is_closed and runtime.closed == list(reversed(runtime.parts))
