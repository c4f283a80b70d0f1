"""The data dir and everything in it are the user's alone (issue "Nothing lost, nothing leaked",
point 6): checked at start and repaired with a log line; files the app creates there are born
private; symlinks, other users' files and the process umask (so output folders) are left alone."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest

from mediaflow_gui import paths
from mediaflow_gui.cli import main
from mediaflow_gui.paths import data_dir, private_dir, private_file, secure_data_dir


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.lstat().st_mode))


def _make(path: Path, mode: int, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


@pytest.fixture
def open_data_dir(tmp_path: Path) -> Path:
    """A data dir as an older version left it: 0755 folders, 0644 files."""
    root = tmp_path / "data"
    root.mkdir()
    os.chmod(root, 0o755)
    _make(root / "tasks.sqlite3", 0o644)
    _make(root / "storage.sqlite3-wal", 0o644)
    _make(root / "work" / "mf-20260101-0123abcd" / "clip.mp4", 0o644)
    _make(root / "seaweedfs" / "store" / "media_1.dat", 0o644)
    _make(root / "helper.sh", 0o755)  # the owner keeps what they had: only group/other bits go
    _make(root / "connections.json", 0o600)  # already private: not counted
    for folder in (root / "work", root / "work" / "mf-20260101-0123abcd", root / "seaweedfs",
                   root / "seaweedfs" / "store"):
        os.chmod(folder, 0o755)
    return root


@pytest.fixture(autouse=True)
def _forget_secured() -> None:
    paths._secured.clear()  # "once per process" is per test here


def test_an_open_data_dir_is_made_private_with_one_log_line(open_data_dir: Path, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    outside = _make(tmp_path / "shared" / "result.mp4", 0o644)
    (open_data_dir / "link-to-result.mp4").symlink_to(outside)
    (open_data_dir / "link-to-shared").symlink_to(outside.parent, target_is_directory=True)
    caplog.set_level(logging.INFO, logger="mediaflow_gui.paths")

    report = secure_data_dir(open_data_dir)

    assert _mode(open_data_dir) == "0o700"
    for rel in ("tasks.sqlite3", "storage.sqlite3-wal", "work/mf-20260101-0123abcd/clip.mp4",
                "seaweedfs/store/media_1.dat", "connections.json"):
        assert _mode(open_data_dir / rel) == "0o600", rel
    for rel in ("work", "work/mf-20260101-0123abcd", "seaweedfs", "seaweedfs/store"):
        assert _mode(open_data_dir / rel) == "0o700", rel
    assert _mode(open_data_dir / "helper.sh") == "0o700"
    # symlinks are not followed: what they point at keeps its mode
    assert _mode(outside) == "0o644" and _mode(outside.parent) == "0o755"
    assert sorted(report.skipped) == ["link-to-result.mp4", "link-to-shared"]
    assert len(report.repaired) == 10 and "connections.json" not in report.repaired
    assert report.checked == 13 and not report.failed
    records = [r for r in caplog.records if r.name == "mediaflow_gui.paths"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING  # the dir itself was open
    assert "made 10 of 13 entries private" in records[0].getMessage()


def test_once_per_process_unless_forced(open_data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    secure_data_dir(open_data_dir)
    late = _make(open_data_dir / "late.json", 0o644)
    caplog.set_level(logging.INFO, logger="mediaflow_gui.paths")
    caplog.clear()
    assert secure_data_dir(open_data_dir).repaired  # the first walk's report, no new walk
    assert _mode(late) == "0o644" and not caplog.records
    again = secure_data_dir(open_data_dir, force=True)
    assert again.repaired == ["late.json"] and _mode(late) == "0o600"
    # inside a dir that was private already: an INFO line, not a warning
    assert [r.levelno for r in caplog.records] == [logging.INFO]


@pytest.mark.skipif(os.geteuid() != 0, reason="a file of another user can only be made by root")
def test_another_users_file_is_left_alone(open_data_dir: Path) -> None:
    theirs = _make(open_data_dir / "theirs.txt", 0o644)
    os.chown(theirs, 65534, 65534)
    report = secure_data_dir(open_data_dir)
    assert _mode(theirs) == "0o644" and "theirs.txt" in report.skipped


def test_home_or_root_as_data_dir_is_never_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    file = _make(home / "notes.txt", 0o644)
    os.chmod(home, 0o755)
    monkeypatch.setenv("HOME", str(home))
    for wide in (home, tmp_path):  # the home dir, and a folder that holds it
        report = secure_data_dir(wide)
        assert report.note and not report.repaired
    assert _mode(home) == "0o755" and _mode(file) == "0o644"
    assert secure_data_dir("/").note


def test_the_process_umask_is_left_alone(open_data_dir: Path) -> None:
    """Output folders keep normal modes: nothing here changes the umask FFmpeg and the app inherit."""
    before = os.umask(0o022)
    os.umask(before)
    secure_data_dir(open_data_dir)
    private_file(open_data_dir / "new.db")
    private_dir(open_data_dir / "new-dir")
    after = os.umask(before)
    assert after == before


def test_new_data_dir_and_helpers_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIAFLOW_DATA_DIR", str(tmp_path / "fresh" / "data"))
    assert _mode(data_dir()) == "0o700"
    made = private_file(tmp_path / "a.db")
    assert _mode(made) == "0o600" and made.read_bytes() == b""
    made.write_text("kept")
    os.chmod(made, 0o664)
    assert private_file(made).read_text() == "kept" and _mode(made) == "0o600"  # never truncated
    folder = tmp_path / "d"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    assert _mode(private_dir(folder)) == "0o700" and _mode(private_dir(tmp_path / "x" / "y")) == "0o700"


def test_sqlite_stores_and_their_wal_files_are_private(tmp_path: Path) -> None:
    from mediaflow_gui.engine.store import TaskStore
    from mediaflow_gui.storage.watcher import Ledger

    store = TaskStore(tmp_path / "tasks.sqlite3")
    ledger = Ledger(tmp_path / "storage.sqlite3")
    try:
        raw = sqlite3.connect(tmp_path / "tasks.sqlite3")
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE IF NOT EXISTS t (x)")
        raw.execute("INSERT INTO t VALUES (1)")
        raw.commit()
        made = sorted(p.name for p in tmp_path.iterdir())
        assert {"tasks.sqlite3", "tasks.sqlite3-wal", "tasks.sqlite3-shm", "storage.sqlite3",
                "storage.sqlite3-wal", "storage.sqlite3-shm"} <= set(made), made
        for path in tmp_path.iterdir():
            assert _mode(path) == "0o600", path
        raw.close()
    finally:
        store.close()
        ledger.close()


def test_work_dir_is_private(tmp_path: Path) -> None:
    from mediaflow_gui.engine.engine import Engine

    engine = SimpleNamespace(settings=SimpleNamespace(work_dir=None))
    work = Engine._work_dir(engine, "mf-20260101-0123abcd")  # type: ignore[arg-type]
    assert work.parent == data_dir() / "work" and _mode(work.parent) == "0o700"


def test_gui_settings_file_is_private(tmp_path: Path) -> None:
    from mediaflow_gui.ui.settings import AppSettings

    path = tmp_path / "mediaflow-gui.ini"
    settings = AppSettings(path)
    settings.qsettings.setValue("runs/output_dir", str(tmp_path))
    settings.qsettings.sync()
    assert "output_dir" in path.read_text() and _mode(path) == "0o600"


def test_the_cli_secures_the_data_dir_it_is_given(open_data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (open_data_dir / "tasks.sqlite3").unlink()  # a text file in the fixture; the command makes a real one
    assert main(["--data-dir", str(open_data_dir), "tasks"]) == 0
    assert _mode(open_data_dir) == "0o700" and _mode(open_data_dir / "work") == "0o700"
    assert _mode(open_data_dir / "tasks.sqlite3") == "0o600"
