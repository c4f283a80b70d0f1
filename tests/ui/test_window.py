"""Main window odds and ends: settings dialog, notification choices, shortcuts, problems → node."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_settings_dialog_saves_to_the_ini_file(window, qtbot, tmp_path) -> None:  # noqa: ANN001
    from mediaflow_gui.ui.settings import AppSettings, settings_file
    from mediaflow_gui.ui.settings_dialog import SettingsDialog
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "FFmpeg" in dialog.ffmpeg_info.text() and "Looking" not in dialog.ffmpeg_info.text(),
                    timeout=15000)
    assert dialog.ffmpeg_info.text().startswith("FFmpeg ")  # which binary and version is in use
    dialog.output_dir.setText(str(tmp_path / "elsewhere"))
    dialog.templates["snapshot"].setText("{inputName}-shot-{number}.{format}")
    dialog.max_threads.setValue(3)
    assert dialog.fusion.isChecked()  # fusion is on by default
    dialog.fusion.setChecked(False)
    dialog.notify_success.setChecked(False)
    dialog.accept()
    again = AppSettings()  # a fresh reader of the same INI file under the data dir
    assert settings_file().exists()
    assert again.output_dir == str(tmp_path / "elsewhere")
    assert again.output_templates == {"snapshot": "{inputName}-shot-{number}.{format}"}
    assert again.max_threads == 3 and again.notify_success is False and again.notify_failure is True
    assert again.fusion is False
    window.adapter.apply_settings()
    assert window.adapter.engine.settings.output_templates["snapshot"].startswith("{inputName}-shot")
    assert window.adapter.engine.settings.fusion is False and window.adapter.engine.settings.max_threads == 3


def test_notification_choices(window) -> None:  # noqa: ANN001
    n = window.notifier
    assert not n.uses_tray  # offscreen has no tray: the in-window toast carries them
    window.settings.notify_success = False
    n.on_run_finished("mf-x", "SUCCESS", "")
    assert n.sent == []
    n.on_run_finished("mf-x", "FAIL", "Task 'HD' failed")
    assert n.sent[-1][1] == "Failed: mf-x" and len(n.live_toasts()) == 1
    window.settings.notify_enabled = False
    n.on_run_finished("mf-y", "FAIL", "boom")
    assert len(n.sent) == 1
    # the toast's button asks for the run's details
    asked = []
    window.signals.show_run_requested.disconnect()
    window.signals.show_run_requested.connect(asked.append)
    n.live_toasts()[0].details.click()
    assert asked == ["mf-x"]


def test_shortcuts_zoom_fit_undo(window, qtbot) -> None:  # noqa: ANN001
    window.activateWindow()
    window.view.setFocus()
    zoom = window.view.zoom
    qtbot.keyClick(window.view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom > zoom
    qtbot.keyClick(window.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom < zoom
    qtbot.keyClick(window.view, Qt.Key.Key_F)
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.contains(window.controller.scene.nodes_rect())
    nodes = len(window.controller.workflow.nodes)
    new = window.controller.add_node("task:snapshot", (0, 600))
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.controller.workflow.nodes) == nodes
    qtbot.keyClick(window.view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.controller.workflow.nodes) == nodes + 1
    window.controller.select([new.id])
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert len(window.controller.workflow.nodes) == nodes


def test_problem_click_selects_the_node(window, qtbot) -> None:  # noqa: ANN001
    node = window.controller.add_node("task:watermark", (0, 600))
    qtbot.waitUntil(lambda: window.problems.count() > 0)
    window.controller.select([])
    item = next(window.problems.list.item(i) for i in range(window.problems.count())
                if window.problems.list.item(i).data(Qt.ItemDataRole.UserRole) == node.id)
    window.problems._activated(item)
    assert window.controller.scene.selected_node_ids() == [node.id]
    assert window.inspector.node_id == node.id
    assert window.bottom_tabs.tabText(1).startswith("Problems (")


def test_settings_rows_keep_their_height_so_template_underscores_and_the_help_show(window, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QLabel, QScrollArea

    from mediaflow_gui.ui.settings_dialog import SettingsDialog
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.resize(680, 600)  # shorter than its content: it scrolls instead of squeezing rows
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.findChild(QScrollArea) is not None
    for kind, edit in dialog.templates.items():
        # a squeezed QLineEdit cuts off what hangs below the baseline: the "_" of {inputName}_{definition}
        assert edit.height() >= edit.sizeHint().height(), kind
    hint = dialog.findChild(QLabel, "placeholder_help")
    assert hint.height() >= hint.heightForWidth(hint.width())  # both lines of the help, not half of them


def test_settings_are_pages_and_a_refused_ok_turns_to_the_page_that_says_why(window, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt

    from mediaflow_gui.ui.settings_dialog import SettingsDialog
    dialog = SettingsDialog(window.settings, window, connection_names=[])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.page_titles() == ["Results", "Processing", "Language", "Notifications", "Events", "MPS API",
                                    "Execution"]
    from mediaflow_gui.ui import icons
    assert len(dialog.page_icons) == 7 and len(set(dialog.page_icons)) == 7  # each page its own icon…
    assert all(icons.svg_renderer(name) is not None for name in dialog.page_icons)  # …drawn from a real SVG
    assert dialog.output_dir.isVisible() and not dialog.execution.isVisible()  # the first page is open
    dialog.pages.setFocus()
    qtbot.keyClick(dialog.pages, Qt.Key.Key_End)  # the list is keyboard-driven
    assert dialog.execution.isVisible() and not dialog.output_dir.isVisible()
    qtbot.keyClick(dialog.pages, Qt.Key.Key_Home)

    dialog.event_targets.webhook_url.setText("not a url")
    dialog.accept()  # refused: the reason is shown on the Events page, which is turned to
    assert dialog.result() != SettingsDialog.DialogCode.Accepted and dialog.isVisible()
    assert dialog.events_error.isVisible() and "webhook URL" in dialog.events_error.text()
    assert dialog.page_titles()[dialog.pages.currentRow()] == "Events"
    dialog.event_targets.webhook_url.setText("")

    dialog.execution.on_cluster.setChecked(True)  # a cluster without an address: the Execution page
    dialog.accept()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    assert dialog.execution.test_error.isVisible() and dialog.page_titles()[dialog.pages.currentRow()] == "Execution"


def test_the_task_list_keeps_its_height_and_columns_across_starts(context, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt

    from .conftest import make_window
    from mediaflow_gui.ui.runs.task_model import COL_INPUT, COL_PROGRESS
    first = make_window(context, qtbot)
    qtbot.waitExposed(first)
    first.resizeDocks([first.bottom_dock], [360], Qt.Orientation.Vertical)  # as dragging the splitter does
    first.tasks.table.setColumnWidth(COL_PROGRESS, 222)
    qtbot.waitUntil(lambda: abs(first.bottom_dock.height() - 360) <= 10, timeout=3000)
    height = first.bottom_dock.height()
    assert abs(height - 360) <= 10 and first.tasks.table.columnWidth(COL_PROGRESS) == 222
    first.close()
    second = make_window(context, qtbot)
    qtbot.waitExposed(second)
    assert second.tasks.table.columnWidth(COL_PROGRESS) == 222
    assert abs(second.bottom_dock.height() - height) <= 10, (second.bottom_dock.height(), height)
    assert second.tasks.table.horizontalHeader().sectionResizeMode(COL_INPUT).name == "Stretch"


def test_a_batch_gets_one_notice_when_its_last_run_ends(window) -> None:  # noqa: ANN001
    n = window.notifier
    ids = [f"mf-batch-{i}" for i in range(20)]
    n.add_batch(ids)
    for task_id in ids[:-1]:
        result = "FAIL" if task_id == "mf-batch-3" else "SUCCESS"
        n.on_run_finished(task_id, result, "Task 'HD 720p' failed: unreadable" if result == "FAIL" else "")
    assert n.sent == [] and n.live_toasts() == []  # nothing stacks up while the batch runs
    n.on_run_finished(ids[-1], "SUCCESS", "")
    assert [title for _, title, _ in n.sent] == ["20 files: 19 done, 1 failed"]
    [(task_id, _, text)] = n.sent
    assert task_id == "mf-batch-3" and text == "mf-batch-3: Task 'HD 720p' failed: unreadable"
    [toast] = n.live_toasts()
    assert toast.outcome == "FAIL" and toast.details.text() == "Details"
    asked: list[str] = []
    window.signals.show_run_requested.disconnect()
    window.signals.show_run_requested.connect(asked.append)
    toast.details.click()
    assert asked == ["mf-batch-3"]  # Details opens the failed run
    # a run outside any batch still gets its own notice
    n.on_run_finished("mf-single", "SUCCESS", "")
    assert n.sent[-1][1] == "Done: mf-single"


def test_canceled_is_neutral_and_the_close_button_closes(window, qtbot) -> None:  # noqa: ANN001
    n = window.notifier
    n.add_batch(["mf-c-1", "mf-c-2"])
    n.on_run_finished("mf-c-1", "CANCELED", "Canceled by request")
    n.on_run_finished("mf-c-2", "CANCELED", "Canceled by request")
    assert n.sent[-1][1] == "2 files: 0 done, 2 canceled"
    [toast] = n.live_toasts()
    assert toast.outcome == "CANCELED"  # not shown as an error
    assert "#8b949e" in toast.styleSheet() and "#f85149" not in toast.styleSheet()
    qtbot.waitExposed(toast)
    assert toast.close_button.isVisible() and toast.close_button.width() >= 20  # a real button, not a squeezed dot
    toast.close_button.click()
    assert n.live_toasts() == []
    # a long name is elided in the middle, the whole title on hover
    n.on_run_finished("mf-long", "SUCCESS", "")
    long_title = "Done: " + "very long holiday clip name " * 6 + ".mp4"
    n.notify("mf-long", long_title, "x", "SUCCESS")
    toast = n.live_toasts()[-1]
    assert "…" in toast.title_label.text() and toast.title_label.text().endswith(".mp4")
    assert toast.title_label.toolTip() == long_title


def test_a_long_message_wraps_into_lines_that_all_show(window, qtbot) -> None:  # noqa: ANN001
    from mediaflow_gui.ui.notifications import TEXT_LINES
    n = window.notifier
    message = ("rain.mp4: Task 'SD 540p' failed: 'rain.mp4' is not a readable media file: FFmpeg does not "
               "recognise its data (corrupt, truncated, or not audio/video)")
    for text in (message, message * 3):
        n.notify("mf-wrap", "20 files: 19 done, 1 failed", text, "FAIL")
        toast = n.live_toasts()[-1]
        qtbot.waitExposed(toast)
        label = toast.text_label
        needed = label.heightForWidth(label.width())
        assert label.height() >= needed  # every wrapped line is inside the toast, none cut
        assert needed <= TEXT_LINES * label.fontMetrics().lineSpacing() + 4
        assert label.geometry().bottom() <= toast.height()  # and the toast holds the label
        if len(text) > len(message):  # shortened, the whole text on hover
            assert label.text().endswith("…") and label.toolTip() == text
        toast.close_toast()
