"""Output paths checked before any work starts, so a long run never fails at its last write.

A path passes when what the command will do with it can succeed now: the folder that will
receive the file exists (or can be created) and accepts a new file, tested by creating and
removing a temporary one there (permission bits alone say nothing about read-only mounts or
pseudo-filesystems such as ``/proc``). Each check raises :class:`sgd_suite.cli.UsageError` with
one line naming the flag.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sgd_suite.cli import UsageError


def _probe(flag: str, path: Path, folder: Path) -> None:
    """Create and remove a temporary file in ``folder``; UsageError if that fails."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".sgd-suite-probe-", dir=folder)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write in {folder} "
                         f"({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(tmp)


def _existing_ancestor(flag: str, path: Path) -> Path:
    """The nearest existing ancestor folder of ``path`` (which may itself be missing)."""
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"{flag} {path}: {parent} is a file, not a folder")
            return parent
    raise UsageError(f"{flag} {path}: no existing folder above it")  # pragma: no cover


def output_file(flag: str, path: str | os.PathLike, *,
                suffixes: tuple[str, ...] | None = None) -> Path:
    """A file to be written at the end: not a folder, in an existing folder that accepts files.

    Args:
        flag: the option's name, for the message (``--figure``).
        path: the path given.
        suffixes: allowed file name endings (lower case, with the dot), or None for any.
    """
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a folder; give a file name inside it")
    if suffixes is not None and path.suffix.lower() not in suffixes:
        raise UsageError(f"{flag} {path}: the file name must end in one of "
                         f"{', '.join(suffixes)}")
    folder = path.absolute().parent
    if not folder.exists():
        raise UsageError(f"{flag} {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise UsageError(f"{flag} {path}: {folder} is a file, not a folder")
    if path.exists() and not path.is_file():
        raise UsageError(f"{flag} {path}: exists and is not a regular file")
    _probe(flag, path, folder)
    return path


def output_folder(flag: str, path: str | os.PathLike, *, replaced: bool = False) -> Path:
    """A folder to write into (created if missing, with its parents).

    Args:
        flag: the option's name, for the message (``--out``).
        path: the path given.
        replaced: the folder is built beside itself and swapped in whole (``report``), so its
            parent must accept new entries too.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {path}: is a file; give a folder")
    if path.is_dir():
        _probe(flag, path, path)
        if replaced:
            _probe(flag, path, path.absolute().parent)
    else:
        _probe(flag, path, _existing_ancestor(flag, path))
    return path
