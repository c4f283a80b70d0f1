"""The event targets of every run in the GUI: the settings dialog's Events section edits and saves
`event_targets.json` (a round trip, refusals, a file it cannot read left alone), and a file dropped on
the window sends its run-finished event to the webhook (a real local HTTP listener) and the JSON-lines
file set there."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Iterator

import pytest

from mediaflow_gui.notify.sinks import SIGNATURE_HEADER, verify_signature
from mediaflow_gui.ui.settings_dialog import SettingsDialog
from tests.engine.helpers import parallel_workflow, small_snapshots, task_node
from tests.notify.test_sinks import HookServer

from .conftest import until
from .test_runs import drop_files


@pytest.fixture
def hook() -> Iterator[HookServer]:
    server = HookServer()
    yield server
    server.close()


def open_settings(window, qtbot) -> SettingsDialog:  # noqa: ANN001
    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    return dialog


def test_the_events_section_saves_and_reloads_the_targets(window, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    path = window.settings.event_targets_path
    dialog = open_settings(window, qtbot)
    editor = dialog.event_targets
    assert editor.isEnabled() and editor.webhook_url.text() == "" and editor.jsonl_path.text() == ""
    editor.webhook_url.setText("https://hooks.example.com/mediaflow")
    editor.webhook_secret.setText("inline-secret")
    editor.sqs_url.setText("https://sqs.eu-west-1.amazonaws.com/123456789012/runs")
    editor.jsonl_path.setText(str(tmp_path / "events.jsonl"))
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # an inline secret is in there
    saved = json.loads(path.read_text(encoding="utf-8"))["events"]
    assert saved == {"webhooks": [{"url": "https://hooks.example.com/mediaflow", "secret": "inline-secret"}],
                     "sqs": [{"queue_url": "https://sqs.eu-west-1.amazonaws.com/123456789012/runs"}],
                     "jsonl": [str(tmp_path / "events.jsonl")]}

    again = open_settings(window, qtbot)  # a new dialog shows what was saved
    assert again.event_targets.webhook_url.text() == "https://hooks.example.com/mediaflow"
    assert again.event_targets.webhook_secret.text() == "inline-secret"
    assert again.event_targets.sqs_url.text() == "https://sqs.eu-west-1.amazonaws.com/123456789012/runs"
    assert again.event_targets.jsonl_path.text() == str(tmp_path / "events.jsonl")

    # a URL that is not one: the dialog stays open with the reason, and nothing is saved
    again.event_targets.webhook_url.setText("hooks.example.com")
    again.max_threads.setValue(7)
    again.accept()
    assert again.result() != SettingsDialog.DialogCode.Accepted
    assert again.events_error.isVisibleTo(again) and "webhook URL must look like" in again.events_error.text()
    assert json.loads(path.read_text(encoding="utf-8"))["events"] == saved
    assert window.settings.max_threads != 7

    # clearing every field saves no targets
    again.event_targets.webhook_url.clear()
    again.event_targets.sqs_url.clear()
    again.event_targets.jsonl_path.clear()
    again.accept()
    assert again.result() == SettingsDialog.DialogCode.Accepted
    assert json.loads(path.read_text(encoding="utf-8"))["events"] == {"webhooks": [], "sqs": [], "jsonl": []}


def test_the_events_section_saves_the_mps_notify_key(window, qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """The "Notify key" field (the events' MPS Sign) is saved 0600 and shown again; a key named by an
    environment variable in the file stays when the field is left empty."""
    path = window.settings.event_targets_path
    dialog = open_settings(window, qtbot)
    dialog.event_targets.jsonl_path.setText(str(tmp_path / "events.jsonl"))
    dialog.event_targets.notify_key.setText("mps-key")
    dialog.accept()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text(encoding="utf-8"))["events"]["notify_key"] == "mps-key"
    assert open_settings(window, qtbot).event_targets.notify_key.text() == "mps-key"

    path.write_text(json.dumps({"version": 1, "events": {"jsonl": ["e.jsonl"], "notify_key_env": "MPS_KEY"}}),
                    encoding="utf-8")
    again = open_settings(window, qtbot)
    assert again.event_targets.notify_key.text() == "" and "MPS_KEY" in again.event_targets.notify_key.edit.placeholderText()
    again.accept()
    saved = json.loads(path.read_text(encoding="utf-8"))["events"]
    assert saved["notify_key_env"] == "MPS_KEY" and "notify_key" not in saved


def test_a_targets_file_the_dialog_cannot_read_is_left_alone(window, qtbot) -> None:  # noqa: ANN001
    path = window.settings.event_targets_path
    path.write_text('{"version": 1, "events": {"webhooks": [{"no_url": 1}]}}', encoding="utf-8")
    dialog = open_settings(window, qtbot)
    assert not dialog.event_targets.isEnabled()
    events_page = dialog.page_titles().index("Events ⚠")  # seen from the first page
    assert str(path) in dialog.pages.item(events_page).toolTip()
    dialog.pages.setCurrentRow(events_page)
    assert dialog.events_error.isVisibleTo(dialog) and str(path) in dialog.events_error.text()
    dialog.accept()  # the other settings still save
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    assert "no_url" in path.read_text(encoding="utf-8")


@pytest.mark.slow  # a run on real FFmpeg to a live webhook
def test_a_dropped_file_reaches_the_webhook_and_json_lines_set_in_the_settings(
        window, qtbot, run, hook: HookServer, video_clip: Path, tmp_path: Path) -> None:  # noqa: ANN001
    events = tmp_path / "events.jsonl"
    dialog = open_settings(window, qtbot)
    dialog.event_targets.webhook_url.setText(hook.url)
    dialog.event_targets.webhook_secret.setText("gui-secret")
    dialog.event_targets.jsonl_path.setText(str(events))
    dialog.accept()
    window.adapter.apply_settings()  # what MainWindow.show_settings does after the dialog
    window.controller.set_workflow(parallel_workflow(task_node("snapshot", "Shot", small_snapshots()), name="shot"))

    async def scenario() -> str:
        drop_files(window, [video_clip])
        await until(lambda: window.tasks.model.rowCount() == 1)
        task_id = window.tasks.selected_task_id()
        await until(lambda: window.adapter.run(task_id).finished)
        await until(lambda: bool(hook.requests) and events.exists() and events.read_text(encoding="utf-8"), 30)
        return task_id

    task_id = run(scenario())
    [line] = events.read_text(encoding="utf-8").splitlines()
    event = json.loads(line)
    assert event["WorkflowTaskEvent"]["TaskId"] == task_id
    assert event["WorkflowTaskEvent"]["MediaFlow"]["Result"] == "SUCCESS"
    assert event["WorkflowTaskEvent"]["MediaFlow"]["Input"] == str(video_clip)
    [request] = hook.requests
    assert json.loads(request["body"]) == event
    assert verify_signature(request["body"], "gui-secret", request["headers"][SIGNATURE_HEADER.lower()])
