"""The task store and names that are not valid UTF-8, and a writer that survives any bad write.

A file name on Linux is bytes; Python gives a non-UTF-8 one as a string with lone surrogates.
The store keeps such strings exactly (BLOB of the bytes), reads them back equal, and its task
query shows them in display form (\\xNN), valid UTF-8 for JSON. One write that cannot be
committed costs only itself: the writer thread lives on and the next runs are recorded.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from mediaflow_gui.engine.events import (EventBus, RunCreated, RunFinished, RunStarted, StepInfo, SubtaskFinished,
                                         SubtaskStarted)
from mediaflow_gui.engine.store import TaskStore, remove_leftovers, task_query_dict
from mediaflow_gui.engine.store import writer as store_writer
from mediaflow_gui.model.statuses import RunResult, SubtaskStatus
from mediaflow_gui.model.text import has_lone_surrogates

STEPS = (StepInfo("s1", "SD", "transcode"),)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _run(bus: EventBus, task_id: str, source: str, out_dir: str, output: str, name: str = "W") -> None:
    bus.emit(RunCreated(task_id, source, name, STEPS, time=10.0, workflow={"name": name}, out_dir=out_dir))
    bus.emit(RunStarted(task_id, time=11.0))
    bus.emit(SubtaskStarted(task_id, "s1", ("ffmpeg", "-i", source, output), time=12.0, input=source))
    bus.emit(SubtaskFinished(task_id, "s1", SubtaskStatus.SUCCESS, ({"path": output, "kind": "video", "size": 1},),
                             message=f"made {output}", time=13.0))
    bus.emit(RunFinished(task_id, RunResult.SUCCESS, time=14.0))


def test_undecodable_names_are_kept_exactly_and_shown_escaped(tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"out \xff")
    source = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.mp4")
    output = str(folder / "caf\ufffd_SD.mp4")
    bus, tid = EventBus(), "mf-20260101-0000f00d"
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        _run(bus, tid, source, str(folder), output, name=os.fsdecode(b"W \xfe"))
        live = store.get(tid)
        stored = store.get_stored(tid)
    assert stored is not None and live is not None
    assert asdict(stored) == asdict(live)  # what SQLite gives back is the very same text
    assert stored.input == source and os.fsencode(stored.input) == os.fsencode(tmp_path) + b"/caf\xe9.mp4"
    assert stored.out_dir == str(folder) and stored.outputs()[0]["path"] == output
    assert stored.subtask("s1").command[2] == source and stored.subtask("s1").message == f"made {output}"
    with TaskStore(tmp_path / "t.sqlite3") as again:  # another process opening the store reads the same
        assert asdict(again.get_stored(tid)) == asdict(stored)
        assert [r.task_id for r in again.list(search="mf-20260101-0000f")] == [tid]

    query = task_query_dict(stored)
    assert not [s for s in _strings(query) if has_lone_surrogates(s)]
    json.dumps(query, ensure_ascii=False).encode("utf-8")
    assert query["WorkflowTask"]["MediaFlow"]["Input"].endswith("/caf\\xe9.mp4")
    assert query["WorkflowTask"]["InputInfo"]["UrlInputInfo"]["Url"].endswith("/caf%E9.mp4")  # the byte, URL-encoded
    assert query["WorkflowTask"]["MediaFlow"]["OutputDir"].endswith("/out \\xff")


def test_the_cleanup_finds_staging_dirs_in_an_undecodable_folder(tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"out \xff")
    tid = "mf-20260101-0000beef"
    staging = folder / f".mediaflow-{tid}-s1"
    staging.mkdir(parents=True)
    with TaskStore(tmp_path / "t.sqlite3", work_root=tmp_path / "work") as store:
        store.attach(bus := EventBus())
        bus.emit(RunCreated(tid, "/in.mp4", "W", STEPS, out_dir=str(folder)))
        store.flush()
    with sqlite3.connect(tmp_path / "t.sqlite3") as conn:  # as if its process had been killed
        conn.execute("UPDATE runs SET cleanup_pending=1 WHERE task_id=?", (tid,))
    assert remove_leftovers(tmp_path / "t.sqlite3", tmp_path / "work") == 1
    assert not staging.exists() and folder.exists()


@pytest.mark.parametrize("poison", [
    ("UPDATE runs SET begin_time=? WHERE task_id=?", (2 ** 70, "x")),  # OverflowError when bound
    ("UPDATE runs SET begin_time=? WHERE task_id=?", (object(), "x")),  # not a type SQLite takes
    ("INSERT INTO no_such_table VALUES (?)", (1,)),  # sqlite3.OperationalError
])
def test_one_poisoned_write_costs_only_itself(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                              poison: tuple[str, tuple[Any, ...]]) -> None:
    bus = EventBus()
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        with caplog.at_level(logging.ERROR, logger="mediaflow_gui.engine.store"):
            bus.emit(RunCreated("mf-20260101-00000001", "/a.mp4", "W", STEPS, time=1.0))
            store._put(poison)  # in the same batch as the run's rows
            bus.emit(RunStarted("mf-20260101-00000001", time=2.0))
            store.flush()
        writer = store._writer._thread
        assert writer is not None and writer.is_alive()
        assert "one write dropped" in caplog.text
        # the good writes of that batch were committed, and the next run is recorded too
        first = store.get_stored("mf-20260101-00000001")
        assert first is not None and first.begin_time == 2.0
        _run(bus, "mf-20260101-00000002", "/b.mp4", "/o", "/o/b.mp4")
        store.flush()
        assert store._writer._thread is writer
        second = store.get_stored("mf-20260101-00000002")
    assert second is not None and second.succeeded and second.outputs()[0]["path"] == "/o/b.mp4"


def test_a_write_failing_outside_any_statement_keeps_the_writer(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    bus = EventBus()
    with TaskStore(tmp_path / "t.sqlite3") as store:
        store.attach(bus)
        calls = {"n": 0}
        real = store_writer._transaction

        def failing_once(conn: sqlite3.Connection, writes: list[Any]) -> Any:
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("a bug in the writer")
            return real(conn, writes)

        monkeypatch.setattr(store_writer, "_transaction", failing_once)
        with caplog.at_level(logging.ERROR, logger="mediaflow_gui.engine.store"):
            bus.emit(RunCreated("mf-20260101-00000003", "/a.mp4", "W", STEPS))
            store.flush()
        assert "could not be committed" in caplog.text and store._writer._thread is not None \
            and store._writer._thread.is_alive()
        _run(bus, "mf-20260101-00000004", "/b.mp4", "/o", "/o/b.mp4")
        store.flush()
        assert store.get_stored("mf-20260101-00000004") is not None
