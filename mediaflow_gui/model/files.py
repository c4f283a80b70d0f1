"""What a path a workflow names really is, told from stat() alone, and where a relative one points.

A path in a workflow (the workflow file itself, a watermark image) must be a regular file. Anything
else is refused by its real nature, without opening it: reading a fifo blocks until a writer comes,
a device such as /dev/zero never ends, and a folder or a missing file deserve their own words rather
than "does not exist".
"""

from __future__ import annotations

import os
import stat


def not_a_regular_file(path: str | os.PathLike[str]) -> str | None:
    """None for a regular file (symlinks followed); else what it is, as the end of a sentence that
    starts with the path: "does not exist", "is a folder", "is a device", …"""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        try:
            os.lstat(path)
        except OSError:
            return "does not exist"
        return "is a broken link (what it points to does not exist)"
    except NotADirectoryError:
        return "does not exist (a part of its path is a file, not a folder)"
    except PermissionError:
        return "cannot be reached (permission denied)"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (fifo)"
    if stat.S_ISSOCK(mode):
        return "is a socket"
    return "is not a regular file"


def resolve_relative(path: str, base_dir: str | None) -> str:
    """`path` as a run reads it: `~` expanded; a relative path is relative to `base_dir` (the folder
    of the workflow file) when there is one, else to the current folder (a never-saved workflow)."""
    expanded = os.path.expanduser(path)
    if base_dir and not os.path.isabs(expanded):
        return os.path.normpath(os.path.join(base_dir, path))
    return expanded


def rebased(path: str, old_dir: str, new_dir: str) -> str:
    """A relative `path` (relative to `old_dir`) made relative to `new_dir`, naming the same file: what
    a workflow's relative watermark image becomes when the workflow is saved in another folder. An
    absolute path, or one on another drive, stays absolute."""
    if os.path.isabs(os.path.expanduser(path)):
        return path
    target = os.path.normpath(os.path.join(old_dir, path))
    try:
        return os.path.relpath(target, new_dir)
    except ValueError:  # another drive on Windows
        return target
