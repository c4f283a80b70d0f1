"""English plurals the Qt way: messages with a count (`tr("%n node(s)", "", n)`) read "1 node" / "11 nodes"
in an English UI because install_translators loads mediaflow_en.ts (numerus forms only) for English, and the
Chinese UI keeps its single form. The translators are removed at the end of each test, so the rest of the
session sees the source strings as before.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from mediaflow_gui.paths import resources_dir
from mediaflow_gui.ui.i18n import install_translators

from .test_batch_inputs import SubmitRecorder
from .test_editor import build_reference

I18N = resources_dir() / "i18n"
PLACEHOLDER = re.compile(r"\{[A-Za-z0-9_]*\}|%n|%\d")


def numerus_messages(ts: Path) -> dict[tuple[str, str], list[str]]:
    """(context, source) → numerus forms of every numerus="yes" message of a .ts."""
    out = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name")
        for msg in context.iter("message"):
            if msg.get("numerus") == "yes":
                forms = msg.find("translation").iter("numerusform")
                out[(name, msg.findtext("source"))] = [f.text or "" for f in forms]
    return out


@pytest.fixture(params=["en"])
def language(request, qapp):  # noqa: ANN001, ANN201
    """The translation of `request.param` installed on the app for one test (compiled on demand)."""
    translators = install_translators(qapp, language=request.param)
    assert translators, f"the {request.param} translation did not load"
    yield request.param
    for t in translators:
        qapp.removeTranslator(t)


def test_the_english_file_has_both_forms_of_every_numerus_message_and_nothing_else() -> None:
    english, chinese = numerus_messages(I18N / "mediaflow_en.ts"), numerus_messages(I18N / "mediaflow_zh_CN.ts")
    assert len(chinese) >= 18
    assert set(english) == set(chinese)  # a new count message needs its English forms too
    assert len(list(ET.parse(I18N / "mediaflow_en.ts").getroot().iter("message"))) == len(english)
    for (context, source), forms in english.items():
        assert len(forms) == 2 and all(f.strip() for f in forms), (context, source, forms)
        for form in forms:
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(source)), (source, form)
            assert "(s)" not in form and "(es)" not in form, form
    for (context, source), forms in chinese.items():  # Chinese has one form
        assert len(forms) == 1 and "%n" in forms[0], (context, source, forms)


def test_english_loads_only_the_plural_forms(language: str) -> None:
    tr = QCoreApplication.translate
    assert tr("InspectorPanel", "%n node(s)", "", 1) == "1 node"
    assert tr("InspectorPanel", "%n node(s)", "", 11) == "11 nodes"
    assert tr("InspectorPanel", "%n node(s)", "", 0) == "0 nodes"
    assert tr("MainWindow", "Problems (%n)", "", 1) == "Problems (1)"
    assert tr("MainWindow", "%n run(s) are still in progress. Cancel them and quit?", "", 1) == (
        "1 run is still in progress. Cancel it and quit?")
    assert tr("Vocabulary", "Transcode") == "Transcode"  # everything else stays the source text


def _inspector(controller, qtbot):  # noqa: ANN001, ANN202
    from mediaflow_gui.ui.inspector.panel import InspectorPanel
    panel = InspectorPanel(controller)
    qtbot.addWidget(panel)
    panel.show()
    controller.select([])
    return panel


def test_the_inspector_counts_nodes_and_connections_in_english(language: str, controller,  # noqa: ANN001
                                                               qtbot) -> None:  # noqa: ANN001
    start = controller.add_node("start", (0.0, 0.0))
    panel = _inspector(controller, qtbot)
    assert panel.description.text().startswith("1 node, 0 connections.\n")
    end = controller.add_node("end", (300.0, 0.0))
    assert controller.connect_nodes(start.id, end.id)
    controller.select([])  # a new node is selected: back to the workflow
    assert panel.description.text().startswith("2 nodes, 1 connection.\n")
    assert controller.delete([end.id])
    assert controller.undo_stack.undoText() == "Delete 1 node"
    controller.undo_stack.undo()
    assert controller.delete([], [next(iter(controller.workflow.edges))])
    assert controller.undo_stack.undoText() == "Delete 1 connection"
    assert controller.delete([start.id, end.id])
    assert controller.undo_stack.undoText() == "Delete 2 nodes"


def test_the_standard_workflow_reads_eleven_nodes_fifteen_connections(language: str, controller,  # noqa: ANN001
                                                                       qtbot) -> None:  # noqa: ANN001
    ref = build_reference(controller)
    assert (len(ref["nodes"]), len(ref["edges"])) == (11, 15)
    panel = _inspector(controller, qtbot)
    assert panel.description.text().startswith("11 nodes, 15 connections.\n")


def test_started_runs_are_counted_in_english(language: str, window, tmp_path: Path,  # noqa: ANN001
                                             video_clip: Path) -> None:
    window.adapter.submit = SubmitRecorder()
    clips = [shutil.copy(video_clip, tmp_path / name) for name in ("a.mp4", "b.mp4", "c.mp4")]
    assert len(window.process_files([str(clips[0])])) == 1
    assert window.statusBar().currentMessage().startswith("Started 1 run: mf-test-1-0 (")
    assert len(window.process_files([str(c) for c in clips[:2]])) == 2
    assert window.statusBar().currentMessage().startswith("Started 2 runs: mf-test-2-0, mf-test-2-1 (")
    assert len(window.process_files([str(c) for c in clips])) == 3  # a batch's TaskIds are in the run list
    assert window.statusBar().currentMessage().startswith("Started 3 runs (results in ")


@pytest.mark.parametrize("language", ["zh_CN"], indirect=True)
def test_chinese_keeps_its_single_form(language: str, controller, qtbot) -> None:  # noqa: ANN001
    build_reference(controller)
    panel = _inspector(controller, qtbot)
    assert panel.description.text().startswith("11 个节点，15 条连线。\n")
    node_id = next(iter(controller.workflow.nodes))
    assert controller.delete([node_id])
    assert controller.undo_stack.undoText() == "删除 1 个节点"
    tr = QCoreApplication.translate
    assert tr("UploadDialog", "Uploaded %n file(s):", "", 3) == "已上传 3 个文件："
    assert tr("UndoCommands", "Move %n node(s)", "", 2) == "移动 2 个节点"
