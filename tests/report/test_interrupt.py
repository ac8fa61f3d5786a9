"""A Ctrl-C that a library swallows still stops the command before it writes anything."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from sgd_suite import atomic, cli, interrupt

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _swallowed_ctrl_c() -> None:
    """A Ctrl-C that arrives while a library runs code that drops every exception (as
    Python itself does for one raised in ``__del__``)."""
    try:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):
            pass
    except BaseException:  # noqa: BLE001, S110 - the library that swallows it
        pass


@pytest.fixture
def installed():
    interrupt.install()
    yield
    interrupt.uninstall()


def test_a_swallowed_ctrl_c_is_raised_again(installed):
    _swallowed_ctrl_c()
    with pytest.raises(KeyboardInterrupt):
        interrupt.check()


def test_without_a_ctrl_c_check_does_nothing(installed):
    interrupt.check()
    assert signal.getsignal(signal.SIGINT) is interrupt._handler


def test_uninstall_gives_sigint_back_and_forgets(installed):
    _swallowed_ctrl_c()
    interrupt.uninstall()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    interrupt.check()


def test_an_ignored_sigint_stays_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        interrupt.install()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        interrupt.uninstall()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_an_atomic_write_after_a_swallowed_ctrl_c_keeps_the_old_file(installed, tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    _swallowed_ctrl_c()
    with pytest.raises(KeyboardInterrupt):
        atomic.write_text_atomic(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.json"]


def test_verify_stops_at_a_swallowed_ctrl_c_and_writes_nothing(tmp_path, monkeypatch, capsys):
    from verify import records

    (tmp_path / "verification.json").write_text('{"claims": []}\n')
    judged = []
    real = records.record

    def record(claim):
        judged.append(claim.id)
        if len(judged) == 2:
            _swallowed_ctrl_c()
        return real(claim)

    monkeypatch.setattr(records, "record", record)
    assert cli.main(["verify", "--out", str(tmp_path), "--only", "quadratic.line1",
                     "quadratic.line2", "quadratic.line3"]) == cli.EXIT_INTERRUPTED
    assert len(judged) == 2
    assert (tmp_path / "verification.json").read_text() == '{"claims": []}\n'
    assert "interrupted" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
