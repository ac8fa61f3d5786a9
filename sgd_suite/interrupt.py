"""A Ctrl-C that cannot be lost on the way to the command's exit.

Python raises KeyboardInterrupt wherever the main thread happens to be when SIGINT arrives. If
that is inside an object's ``__del__`` (a z3 solver being freed, say) the exception is reported
as "ignored" and dropped; some libraries catch every exception around their own work. The
command would then run on and write its results as if no one had pressed Ctrl-C.

:func:`install` (called by the command line) makes SIGINT also set a flag before it raises, and
:func:`check` raises KeyboardInterrupt again when the flag is set. The commands call it between
units of work (a claim, an experiment) and :mod:`sgd_suite.atomic` and
:mod:`sgd_suite.publish` call it before they put a result in place, so a Ctrl-C that was
swallowed still stops the command before anything is written.
"""

from __future__ import annotations

import signal
import threading

_received = False


def _handler(signum, frame) -> None:
    global _received
    _received = True
    raise KeyboardInterrupt


def install() -> None:
    """Take over SIGINT from Python's default handler (an ignored SIGINT stays ignored)."""
    global _received
    _received = False
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
        signal.signal(signal.SIGINT, _handler)


def uninstall() -> None:
    """Give SIGINT back to Python's default handler (if :func:`install` took it)."""
    global _received
    _received = False
    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is _handler):
        signal.signal(signal.SIGINT, signal.default_int_handler)


def check() -> None:
    """Raise KeyboardInterrupt if a Ctrl-C was received since :func:`install`."""
    if _received:
        raise KeyboardInterrupt
