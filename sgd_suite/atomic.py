"""Atomic replacement of a file: readers see the old content or the new, never a partial file.

The new content goes to a temporary file in the destination's directory (same filesystem, so
``os.replace`` is a rename), is flushed and fsynced, then renamed over the destination; the
directory is fsynced where the platform allows so that the rename itself is durable.

Reference: POSIX ``rename(2)`` (atomic replacement of the target name).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from sgd_suite import interrupt

__all__ = ["write_bytes_atomic", "write_text_atomic"]


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Replace ``path`` by ``data`` atomically, creating parent folders; return the path."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    path = Path(path)
    if path.exists() and path.is_dir():
        raise ValueError(f"path must be a file, not the directory {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600; the result should get the mode a plain open() would give
    # (or keep the mode of the file it replaces).
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _creation_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        interrupt.check()  # a Ctrl-C, even one a library swallowed, keeps the old file
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    return path


def write_text_atomic(path: str | os.PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Replace ``path`` by ``text`` (encoded with ``encoding``) atomically. Returns the path."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    return write_bytes_atomic(path, text.encode(encoding))


def _creation_mode() -> int:
    """``0o666`` less the process umask, as for a file created by ``open(path, "w")``."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    # Directories cannot be opened for fsync on every platform (e.g. Windows); durability of the
    # rename is then left to the OS.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
