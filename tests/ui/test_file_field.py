"""FileField, the one line edit + Browse… row: which dialog it opens, where, and what a pick does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from mediaflow_gui.ui.file_field import FileField, PathKind


def test_each_kind_asks_its_dialog_where_the_path_is(qtbot, monkeypatch) -> None:  # noqa: ANN001
    asked: list[tuple[str, str, str]] = []

    def dialog(name: str, answer: str):  # noqa: ANN202
        def ask(parent, caption, start, *rest):  # noqa: ANN001, ANN202
            asked.append((name, caption, start))
            return answer if name == "folder" else (answer, "")
        return ask

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", dialog("folder", "/data/out"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog("save", "/data/events.jsonl"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", dialog("open", ""))  # cancelled

    folder = FileField("/home/me", kind=PathKind.FOLDER, caption="Output folder")
    save = FileField(kind=PathKind.SAVE, caption="Event log", default_start="events.jsonl")
    opened = FileField("typed.mfw.json", caption="Workflow", start=lambda: "/workflows")
    for field in (folder, save, opened):
        qtbot.addWidget(field)
    picked: list[str] = []
    folder.picked.connect(picked.append)
    opened.picked.connect(picked.append)

    qtbot.mouseClick(folder.browse, Qt.MouseButton.LeftButton)
    save.pick()
    qtbot.mouseClick(opened.browse, Qt.MouseButton.LeftButton)
    # the typed path, else the default start; a `start` function wins over both
    assert asked == [("folder", "Output folder", "/home/me"), ("save", "Event log", "events.jsonl"),
                     ("open", "Workflow", "/workflows")]
    assert folder.text() == "/data/out" and save.text() == "/data/events.jsonl"
    assert opened.text() == "typed.mfw.json"  # cancelling keeps what was typed
    assert picked == ["/data/out"]
    save.clear()
    assert save.text() == "" and save.edit.text() == ""
