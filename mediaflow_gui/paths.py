"""Where the app keeps its data, and where its bundled resources are; keeping the data private.

The data dir follows platformdirs and moves with MEDIAFLOW_DATA_DIR (tests and
portable installs set it). Nothing here imports Qt.

Privacy: the data dir holds downloaded media, the run history, keys and the embedded store, so it
is the user's alone: the dir 0700, created that way, and `secure_data_dir()` (called once at the
start of the GUI and the CLI) walks it and takes group/other bits away from whatever has them,
with one log line. Inside a 0700 dir nobody else can reach an entry whatever its own mode, so the
walk is the second line; `private_file` / `private_dir` / `write_private` let the places that create
files (the SQLite stores, the embedded store's tree and keys, the GUI settings, connections, bindings,
event targets) make them private from birth. The
process umask is left alone on purpose: it would also make the results in output folders private.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "MediaFlow"
DATA_DIR_ENV = "MEDIAFLOW_DATA_DIR"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_OTHERS = 0o077  # the group and other permission bits

log = logging.getLogger(__name__)


def data_dir() -> Path:
    """The user data dir (created on first use, mode 0700)."""
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)  # the mode applies to the last part only
    return path


# -- privacy ---------------------------------------------------------------------------------------------

def _posix() -> bool:
    return os.name == "posix"


def _strip_others(path: Path, st: os.stat_result) -> bool:
    """chmod away the group/other bits of an entry we own; True if it changed."""
    if not _posix() or st.st_uid != os.geteuid() or not st.st_mode & _OTHERS:
        return False
    os.chmod(path, stat.S_IMODE(st.st_mode) & ~_OTHERS)
    return True


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create `path` (and parents) if needed and make it 0700-like (no group/other bits)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    try:
        _strip_others(path, path.lstat())
    except OSError:  # not ours, or read-only media: the caller's own errors say more
        pass
    return path


def private_file(path: str | os.PathLike[str]) -> Path:
    """Create an empty `path` with mode 0600 if it does not exist, else take away group/other bits.

    For files a library creates with its own default mode (SQLite makes a database 0644 and gives
    its -wal/-shm files the database's mode; QSaveFile keeps the mode of the file it replaces):
    create them private before the library opens them.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), PRIVATE_FILE_MODE)
    except FileExistsError:
        try:
            st = path.lstat()
            if stat.S_ISREG(st.st_mode):
                _strip_others(path, st)
        except OSError:
            pass
    except OSError:  # a read-only place: the library that opens the file reports it in its words
        pass
    else:
        os.close(fd)
    return path


def write_private(path: str | os.PathLike[str], content: str | bytes) -> Path:
    """Write `content` (text as UTF-8, or bytes) to `path` readable by the owner only (0600), atomically:
    a `.tmp` file next to it, fsynced, then renamed over it (a reader sees the old file or the new one,
    never half of one). The keys, certificates and settings files of the app are written this way."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, PRIVATE_FILE_MODE)  # O_CREAT's mode does not apply to a leftover .tmp file
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


@dataclass
class PermissionRepair:
    """What one walk of the data dir found and changed."""

    root: str
    checked: int = 0
    repaired: list[str] = field(default_factory=list)  # paths relative to root ("." = the dir itself)
    skipped: list[str] = field(default_factory=list)  # symlinks and entries of another user
    failed: list[str] = field(default_factory=list)  # "path: reason"
    note: str = ""  # why nothing was walked, if so


_secured: dict[Path, PermissionRepair] = {}
_secured_lock = threading.Lock()


def _too_wide(path: Path) -> bool:
    """A data dir that is `/`, the home dir or a parent of it (a mistaken --data-dir): never walk it."""
    if path == Path(path.anchor):
        return True
    try:
        home = Path.home().resolve()
    except (RuntimeError, OSError):  # no home dir known: only the root check applies
        return False
    return home.is_relative_to(path)


def secure_data_dir(path: str | os.PathLike[str] | None = None, *, force: bool = False) -> PermissionRepair:
    """Make the data dir private: the dir itself 0700, then every entry below it that we own and that
    is not a symlink loses its group/other bits (files end 0600, folders 0700 when the app made
    them). Symlinks are neither followed nor changed; entries of another user are left alone.

    Done once per data dir and process (again with `force`); logs one line when something was
    repaired. Never raises: a problem is logged and listed in the result.
    """
    try:
        root = (Path(path).expanduser() if path is not None else data_dir()).resolve()
    except OSError as exc:
        log.warning("cannot open the data dir to check its permissions: %s", exc)
        return PermissionRepair(root=str(path or ""), note=str(exc))
    with _secured_lock:
        if not force and root in _secured:
            return _secured[root]
        report = PermissionRepair(root=str(root))
        if not _posix():
            report.note = "permissions are the platform's (not POSIX)"
        elif _too_wide(root):
            report.note = "the data dir is / or the home folder: its permissions are left alone"
            log.warning("data dir %s is / or the home folder: not changing permissions in it", root)
        else:
            _walk(root, report)
            if report.repaired or report.failed:
                shown = ", ".join(report.repaired[:5]) + (" …" if len(report.repaired) > 5 else "")
                # an open data dir (an older version's, or widened by hand) is news for the user; a
                # file inside a private dir was unreachable anyway
                level = logging.WARNING if "." in report.repaired or report.failed else logging.INFO
                log.log(level, "data dir %s: made %d of %d entries private (group/other access removed)%s%s",
                        root, len(report.repaired), report.checked, f": {shown}" if shown else "",
                        f"; could not change {len(report.failed)}: {report.failed[0]}" if report.failed else "")
        _secured[root] = report
        return report


def _walk(root: Path, report: PermissionRepair) -> None:
    def visit(entry: Path) -> bool:
        """Check one entry; True if it is a folder to descend into."""
        rel = "." if entry == root else str(entry.relative_to(root))
        try:
            st = entry.lstat()
        except OSError as exc:
            report.failed.append(f"{rel}: {exc.strerror or exc}")
            return False
        report.checked += 1
        if stat.S_ISLNK(st.st_mode) or st.st_uid != os.geteuid():
            report.skipped.append(rel)
            return False
        try:
            if _strip_others(entry, st):
                report.repaired.append(rel)
        except OSError as exc:
            report.failed.append(f"{rel}: {exc.strerror or exc}")
        return stat.S_ISDIR(st.st_mode)

    if not visit(root):
        return
    # the top first, so that others lose access at once; os.walk never descends into a symlink
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=None):
        here = Path(folder)
        dirs[:] = [d for d in dirs if visit(here / d)]
        for name in files:
            visit(here / name)


RESULTS_FOLDER_NAME = "MediaFlow results"


def default_results_dir() -> Path:
    """Where results go unless the person chose another folder (not created here).

    `~/MediaFlow results` normally. When MEDIAFLOW_DATA_DIR is set (tests, portable installs) it
    moves with it: `<parent of the data dir>/MediaFlow results`, beside the data dir rather than
    inside it, because the data dir is private (0700, and `secure_data_dir` strips group/other bits
    from everything in it) while results keep the normal modes of the person's files.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser().absolute().parent / RESULTS_FOLDER_NAME
    return Path.home() / RESULTS_FOLDER_NAME


def task_store_path() -> Path:
    return data_dir() / "tasks.sqlite3"


def settings_path() -> Path:
    return data_dir() / "settings.json"


def resources_dir() -> Path:
    """`resources/` of a source checkout, the copy packed into the wheel, or the bundle's
    `resources/` in a frozen app (PyInstaller sets sys._MEIPASS; packaging/mediaflow.spec puts it there)."""
    here = Path(__file__).resolve().parent
    candidates = [here / "_resources", here.parent / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        candidates.insert(0, Path(bundle) / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the resources folder of MediaFlow is missing from this installation")


def sample_workflow_path(name: str = "standard.mfw.json") -> Path:
    return resources_dir() / "workflows" / name
