"""The Chinese UI is complete: with the zh_CN translation loaded, no visible string of the main window,
the inspector of each task kind, the settings, the Buckets and Bindings pages or a run's details is
left in English; and the .ts itself has no unfinished entry and keeps every placeholder.

What may stay English is a short, explicit list (ALLOWED): names of products, formats and codecs,
units, placeholders, file names, paths, TaskIds, and texts the engine, FFmpeg or the user wrote
(node and workflow names, the FFmpeg choice summary) — those are skipped by widget (ENGINE_TEXT).
The translators are removed at the end, so the rest of the session stays English.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QTextDocument
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QDockWidget,
                               QGroupBox, QLabel, QLineEdit, QListView, QListWidget, QMenu, QTabBar, QWidget)

from mediaflow_gui.model.kinds import TASK_KINDS
from mediaflow_gui.model.workflow import task_node
from mediaflow_gui.paths import resources_dir
from mediaflow_gui.ui.i18n import compiled_translation, install_translators, pick_language
from tests.engine.fake_ffmpeg import FakeFFmpeg
from tests.engine.helpers import fast_transcode, parallel_workflow, small_snapshots

from .conftest import until

TS = resources_dir() / "i18n" / "mediaflow_zh_CN.ts"

# words that are the same in Chinese: products, protocols, formats, codecs, units, keys
ALLOWED_WORDS = {
    "FFmpeg", "MediaFlow", "S3", "SeaweedFS", "AWS", "CLI", "COS", "MinIO", "Tencent", "MPS", "API", "SDK", "SQS",
    "HMAC", "SHA256", "JSON", "URL", "HTTP", "POST", "CPU", "English", "Webhook", "WebVTT", "VTT", "TaskId", "NotifyKey", "Sign",
    "Timestamp", "key", "md5", "SecretId", "SecretKey", "boto3", "Python", "PATH", "Esc", "F", "TLS",
    "CreateWorkflow", "CreateSchedule", "DescribeWorkflows", "MpsClient", "Credential", "ClientProfile",
    "HttpProfile", "httpProfile", "protocol", "http", "https", "endpoint", "region", "PORT", "stderr", "warning",
    "mediaflow", "run", "watch", "GIF", "WebP", "PNG", "JPEG", "HDR", "SDR", "CRF", "HD", "SD", "FHD", "DV",
    "h264", "h265", "hevc", "av1", "vp9", "aac", "opus", "mp3", "mp4", "mov", "mkv", "webm", "gif", "webp", "jpg",
    "jpeg", "png", "m4a", "p", "eng", "rrggbb", "px", "kbps", "fps", "Hz", "KB", "MB", "GB", "s",
    "min", "x", "e", "g", "N", "B", "jsonl", "json", "mfw", "Ctrl", "Shift",
    # Dask (a product), its protocol, and the words of the command `mediaflow worker --scheduler tcp://…`
    "Dask", "tcp", "worker", "scheduler",
    # FFmpeg's encoder presets (x264/x265 option values, shown as FFmpeg spells them)
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow",
}
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# whole things that stay as they are: placeholders, paths and file names, URLs, TaskIds, e-mail-like
KEEP = re.compile(r"\(&?[A-Z]\)|\S*\{[^}]*\}\S*|X-[\w-]+|<[^>]*>|https?://\S+|s3://\S+|(?:~|\.{0,2})/\S*|\S+\.\w{2,5}\b|\*\.\w+|"
                  r"\b[a-z]+-[0-9a-f]{6,}\S*|\b\d+[a-z]*\b|[A-Za-z0-9]{16,}|%[0-9n]|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")
# widgets showing what the user, the engine or FFmpeg wrote (names, FFmpeg's choice, commands, messages)
ENGINE_TEXT = {"ffmpeg_status", "ffmpeg_command", "ffmpeg_log", "subtask_message", "run_title", "placeholder_help"}


def untranslated(text: str) -> list[str]:
    """The English words left in a visible string once the allowed literals are taken out."""
    if "<" in text and ">" in text:
        doc = QTextDocument()
        doc.setHtml(text)
        text = doc.toPlainText()
    if text.startswith(("/", "~/")):  # a path (it may hold spaces)
        return []
    text = KEEP.sub(" ", text.replace("&", ""))
    return [w for w in TOKEN.findall(text) if w not in ALLOWED_WORDS]


def visible_texts(root: QWidget, user_words: set[str]) -> list[tuple[str, str]]:
    """(where, text) for every string a person can read in `root` and its children."""
    out: list[tuple[str, str]] = []

    def add(where: str, text: str | None) -> None:
        if isinstance(text, str) and text.strip() and text not in user_words:
            out.append((where, text))

    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if w.objectName() in ENGINE_TEXT or (w.parent() is not None and w.parent().objectName() in ENGINE_TEXT):
            continue
        name = f"{type(w).__name__}({w.objectName()})"
        if w.isWindow() or isinstance(w, QDockWidget):
            add(name + ".windowTitle", w.windowTitle())
        add(name + ".toolTip", w.toolTip())
        if isinstance(w, QLabel):
            add(name + ".text", w.text())
        elif isinstance(w, QAbstractButton):
            add(name + ".text", w.text())
        elif isinstance(w, QGroupBox):
            add(name + ".title", w.title())
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                add(f"{name}.tab{i}", w.tabText(i))
        elif isinstance(w, QLineEdit):
            add(name + ".placeholder", w.placeholderText())
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                add(f"{name}.item{i}", w.itemText(i))
        elif isinstance(w, QAbstractSpinBox):
            add(name + ".special", w.specialValueText())
            add(name + ".suffix", getattr(w, "suffix", lambda: "")())
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                add(f"{name}.row{i}", w.item(i).text())
                add(f"{name}.row{i}.tip", w.item(i).toolTip())
        elif isinstance(w, QAbstractItemView) and w.model() is not None and not isinstance(w, QListView):
            model = w.model()
            for col in range(model.columnCount()):
                add(f"{name}.header{col}", model.headerData(col, Qt.Orientation.Horizontal))
        for action in w.actions():
            add(f"{name}.action", action.text())
            add(f"{name}.action.tip", action.toolTip() if action.toolTip() != action.text().replace("&", "") else "")
        if isinstance(w, QMenu):
            add(name + ".title", w.title())
    return out


def assert_translated(root: QWidget, user_words: set[str] = frozenset()) -> int:
    texts = visible_texts(root, set(user_words))

    def without_user_words(text: str) -> str:  # node and workflow names inside a sentence
        for word in sorted(user_words, key=len, reverse=True):
            text = text.replace(word, " ")
        return text

    left = [(where, text) for where, text in texts if untranslated(without_user_words(text))]
    assert not left, "left in English:\n" + "\n".join(f"  {where}: {text!r}" for where, text in left)
    return len(texts)


@pytest.fixture
def chinese(qapp):  # noqa: ANN001, ANN201
    """The zh_CN translation installed on the app for one test (compiled from the .ts on demand)."""
    translators = install_translators(qapp, language="zh_CN")
    assert translators, "the zh_CN translation did not load"
    yield translators
    for t in translators:
        qapp.removeTranslator(t)


def test_language_choice_follows_the_system_and_the_setting() -> None:
    assert pick_language("system", "zh_CN") == "zh_CN"
    assert pick_language("system", "zh_Hans_CN") == "zh_CN"
    assert pick_language("system", "zh_TW") is None  # traditional Chinese: no translation yet
    assert pick_language("system", "de_DE") is None
    assert pick_language("en", "zh_CN") is None
    assert pick_language("zh_CN", "en_US") == "zh_CN"


def test_the_ts_is_finished_and_keeps_every_placeholder() -> None:
    root = ET.parse(TS).getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 400
    placeholder = re.compile(r"\{[A-Za-z0-9_]*\}|%n|%\d")
    problems = []
    for msg in messages:
        source = msg.find("source").text or ""
        tr = msg.find("translation")
        forms = [f.text or "" for f in tr.iter("numerusform")] if msg.get("numerus") == "yes" else [tr.text or ""]
        if tr.get("type") in ("unfinished", "vanished", "obsolete") or not all(f.strip() for f in forms):
            problems.append(f"unfinished: {source!r}")
            continue
        for form in forms:
            missing = sorted(set(placeholder.findall(source)) - set(placeholder.findall(form)))
            if missing:
                problems.append(f"{source!r} → {form!r} lacks {missing}")
    assert not problems, "\n".join(problems)


def test_the_translation_compiles_into_the_cache_and_a_shipped_one_wins(tmp_path: Path) -> None:
    source_dir, cache = tmp_path / "i18n", tmp_path / "cache"
    source_dir.mkdir()
    ts = source_dir / TS.name
    ts.write_bytes(TS.read_bytes())
    qm = compiled_translation("zh_CN", cache_dir=cache, i18n_dir=source_dir)
    assert qm == cache / "mediaflow_zh_CN.qm" and qm.stat().st_size > 1000
    assert not list(source_dir.glob("*.qm"))  # never into the folder of the .ts (the source tree)
    before = qm.stat().st_mtime_ns
    assert compiled_translation("zh_CN", cache_dir=cache, i18n_dir=source_dir) == qm
    assert qm.stat().st_mtime_ns == before  # up to date: not compiled again
    os.utime(ts, ns=(before + 10**9, before + 10**9))  # the .ts changed: compiled again
    assert compiled_translation("zh_CN", cache_dir=cache, i18n_dir=source_dir) == qm
    assert qm.stat().st_mtime_ns > before
    shipped = source_dir / "mediaflow_zh_CN.qm"  # a bundle's .qm, compiled at build time, comes first
    shipped.write_bytes(qm.read_bytes())
    assert compiled_translation("zh_CN", cache_dir=cache, i18n_dir=source_dir) == shipped


def test_the_chinese_ui_has_no_english_left(chinese, context, qtbot, run, video_clip: Path,  # noqa: ANN001
                                            tmp_path: Path) -> None:
    from mediaflow_gui.ui.settings_dialog import SettingsDialog
    from .conftest import make_window
    assert QCoreApplication.translate("Vocabulary", "Transcode") == "转码"
    window = make_window(context, qtbot)
    c = window.controller
    # one node of each task kind (the standard workflow may lack some)
    have = {n.task_kind for n in c.workflow.nodes.values()}
    for i, kind in enumerate(k for k in TASK_KINDS if k not in have):
        c.add_node(f"task:{kind}", (40.0 * i, 400.0))
    user_words = ({n.name for n in c.workflow.nodes.values()}
                  | {c.workflow.name, window.windowTitle(), Path(window.settings.output_dir).name})
    # the status bar's FFmpeg words are the app's (its tooltip is the FFmpeg choice's own report, in English
    # as in `mediaflow doctor`: ENGINE_TEXT)
    qtbot.waitUntil(lambda: bool(window.ffmpeg_label.summary), timeout=15000)
    assert not untranslated(window.ffmpeg_label.text()), window.ffmpeg_label.text()
    counted = assert_translated(window, user_words)
    for menu in window.menuBar().findChildren(QMenu):
        counted += assert_translated(menu, user_words)
    for kind in TASK_KINDS:
        node = next(n for n in c.workflow.nodes.values() if n.task_kind == kind)
        c.select([node.id])
        qtbot.waitUntil(lambda: window.inspector.node_id == node.id)
        counted += assert_translated(window.inspector_dock, user_words)
    c.select([])

    settings = SettingsDialog(window.settings, window)
    qtbot.addWidget(settings)
    settings.show()
    counted += assert_translated(settings, user_words)
    assert window.buckets_page is not None and window.bindings_page is not None
    counted += assert_translated(window.buckets_page, user_words)
    counted += assert_translated(window.bindings_page, user_words)

    engine = window.adapter.engine
    engine._runner = FakeFFmpeg()
    workflow = parallel_workflow(task_node("snapshot", "Shots", small_snapshots()),
                                 task_node("transcode", "SD", fast_transcode()), name="zh")

    async def scenario() -> str:
        task_id = engine.submit(workflow, str(video_clip), tmp_path / "out")
        await until(lambda: window.adapter.run(task_id) is not None and window.adapter.run(task_id).finished, 30)
        return task_id

    task_id = run(scenario())
    dialog = window.show_run(task_id)
    qtbot.waitUntil(lambda: dialog.record is not None)
    dialog.tabs.setCurrentIndex(1)  # the FFmpeg tab too
    counted += assert_translated(dialog, user_words | {"Shots", "SD", "zh", task_id})
    counted += assert_translated(window.tasks, user_words | {"zh"})
    assert counted > 300  # the walk did see the UI
