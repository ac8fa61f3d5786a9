"""Build a folder next to its destination and move it into place in one step.

A report is written into a fresh temporary sibling of its destination (same filesystem, so a
rename is possible) and only then swapped in. If anything fails or the run is interrupted
before the swap, the previous folder is untouched and the temporary one is removed.

On Linux the swap is a single ``renameat2(RENAME_EXCHANGE)`` system call, so there is no
instant at which the destination is missing. Elsewhere (or on filesystems without exchange)
it falls back to two renames; a crash between them leaves the previous folder under
``.<name>.old-*`` next to the destination, never a half-written report.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sgd_suite import interrupt

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two existing paths; False if the platform cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def replace_dir(src: str | Path, dst: str | Path) -> None:
    """Move folder ``src`` to ``dst``, replacing any previous ``dst`` atomically where possible.

    Args:
        src: the freshly built folder (a sibling of ``dst``).
        dst: the destination; a previous folder there is replaced, a file is an error.
    """
    src, dst = Path(src), Path(dst)
    if dst.exists() and not dst.is_dir():
        raise ValueError(f"--out must be a folder, but {dst} is a file")
    if not dst.exists():
        os.replace(src, dst)
        return
    if _exchange(src, dst):
        shutil.rmtree(src)  # now holds the previous content
        return
    old = Path(tempfile.mkdtemp(prefix=f".{dst.name}.old-", dir=dst.parent))
    old.rmdir()
    os.replace(dst, old)
    os.replace(src, dst)
    shutil.rmtree(old)


@contextlib.contextmanager
def staged_dir(dst: str | Path) -> Iterator[Path]:
    """Yield an empty temporary sibling of ``dst``; on success it replaces ``dst``.

    On any exception (including KeyboardInterrupt) the temporary folder is deleted and ``dst``
    keeps its previous content.
    """
    dst = Path(dst)
    if dst.exists() and not dst.is_dir():
        raise ValueError(f"--out must be a folder, but {dst} is a file")
    parent = dst.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", suffix=".partial", dir=parent))
    try:
        # mkdtemp makes the folder private (0700); the published report gets the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
        yield tmp
        interrupt.check()  # a Ctrl-C, even one a library swallowed, keeps the old folder
        replace_dir(tmp, dst.absolute())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
