"""One app per user and data dir: a second start hands its files to the first over a local socket
(from another process, as it happens), a crashed app's stale socket is taken over, and the window
runs what it was handed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from PySide6.QtCore import QDir

from mediaflow_gui.ui.single_instance import SingleInstance, hand_over, message_for, server_name

from .test_batch_inputs import SubmitRecorder

SECOND_START = """
import json, sys
from PySide6.QtCore import QCoreApplication
app = QCoreApplication([])
from mediaflow_gui.ui.single_instance import hand_over
sys.exit(0 if hand_over(sys.argv[1], json.loads(sys.argv[2])) else 3)
"""


def _unique_name() -> str:
    return f"mediaflow-test-{uuid.uuid4().hex[:12]}"


def test_a_second_start_in_another_process_hands_its_files_over(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    first = SingleInstance(_unique_name())
    assert first.listen()
    message = message_for("ads.mfw.json", ["clip one.mp4", "s3://inbox/a.mp4"])
    assert message["workflow"] == os.path.abspath("ads.mfw.json")
    with qtbot.waitSignal(first.received, timeout=10000) as got:
        second = subprocess.Popen([sys.executable, "-c", SECOND_START, first.name, json.dumps(message)],
                                  cwd=Path(__file__).resolve().parents[2])
    assert second.wait(10) == 0
    assert got.args[0] == message
    first.close()
    assert not hand_over(first.name, message, 300)  # nobody listens any more
    first.deleteLater()
    qtbot.wait(50)  # its sockets go with it, on this thread


def test_a_stale_socket_of_a_crashed_app_is_taken_over_and_a_live_one_is_not(qtbot) -> None:  # noqa: ANN001
    name = _unique_name()
    path = os.path.join(QDir.tempPath(), name)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)  # what a killed app leaves: the file, nobody listening
    stale.close()
    try:
        first = SingleInstance(name)
        assert first.listen()  # the hand-over ping was refused: the stale name was removed and taken
        assert not SingleInstance(name).listen()  # a live first app: a second one must not listen
        assert os.stat(path).st_mode & 0o077 == 0  # only this user may connect
        first.close()
    finally:
        if os.path.exists(path):
            os.unlink(path)


def test_the_names_differ_by_data_dir(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a" / ".." / "a")


def test_the_window_runs_what_it_was_handed(window, video_clip: Path) -> None:  # noqa: ANN001
    submit = window.adapter.submit = SubmitRecorder()
    window.take_hand_over({"workflow": None, "process": [str(video_clip)]})
    assert submit.calls == [[str(video_clip)]]
    window.take_hand_over({"ping": True})  # nothing to do: no run, no error
    assert len(submit.calls) == 1
