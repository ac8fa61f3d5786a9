"""The command line's parts: value types, output-path checks, the exit paths of main()."""

from __future__ import annotations

import argparse
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sgd_suite import argtypes, cli, outputs
from sgd_suite.cli import UsageError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("text", "value"), [("7", 7), ("1e6", 10**6), (" 12 ", 12),
                                             ("2.0", 2), ("1E3", 1000)])
def test_integer_accepts_whole_numbers(text, value):
    assert argtypes.integer(1)(text) == value


@pytest.mark.parametrize("text", ["1.5", "abc", "inf", "nan", "", "1e-3"])
def test_integer_rejects_what_is_not_a_whole_number(text):
    with pytest.raises(argparse.ArgumentTypeError, match="must be an integer >= 1"):
        argtypes.integer(1)(text)


@pytest.mark.parametrize(("low", "high", "text", "rule"), [
    (1, None, "0", "an integer >= 1"),
    (None, 5, "6", "an integer <= 5"),
    (0, 2**64 - 1, str(2**64), "an integer in [0, 2^64 - 1]"),
    (1, 2**31 - 1, "0", "an integer in [1, 2^31 - 1]"),
    (1, 2**40, str(2**40 + 1), "an integer in [1, 2^40]"),
])
def test_integer_range_ends(low, high, text, rule):
    with pytest.raises(argparse.ArgumentTypeError) as info:
        argtypes.integer(low, high)(text)
    assert str(info.value) == f"must be {rule}, got {text}"
    assert argtypes.integer(low, high)(str(high if high is not None else low)) is not None


@pytest.mark.parametrize(("kwargs", "good", "bad", "rule"), [
    ({"low": 0}, ["1e-300", "5"], ["0", "-1", "inf", "nan", "x"], "a finite number > 0"),
    ({"low": 0, "low_open": False}, ["0"], ["-1e-300"], "a finite number >= 0"),
    ({"low": 0, "high": 1, "high_open": True}, ["0.5"], ["0", "1", "2"],
     "a finite number in (0, 1)"),
    ({"low": 0, "high": 1e6, "low_open": False}, ["0", "1e6"], ["1000001"],
     "a finite number in [0, 1e+06]"),
    ({"high": 3.0}, ["-5", "3"], ["3.5"], "a finite number <= 3"),
    ({"high": 3.0, "high_open": True}, ["2.9"], ["3"], "a finite number < 3"),
    ({}, ["-1e300"], ["-inf"], "a finite number,"),
])
def test_real(kwargs, good, bad, rule):
    parse = argtypes.real(**kwargs)
    for text in good:
        assert parse(text) == float(text)
    for text in bad:
        with pytest.raises(argparse.ArgumentTypeError) as info:
            parse(text)
        assert f"must be {rule}" in str(info.value) + ","


def test_output_file(tmp_path):
    assert outputs.output_file("--f", tmp_path / "a.png", suffixes=(".png",)) == tmp_path / "a.png"
    (tmp_path / "old.json").write_text("x")
    outputs.output_file("--f", tmp_path / "old.json")  # an existing file may be replaced
    assert os.listdir(tmp_path) == ["old.json"]  # the probe left nothing behind
    with pytest.raises(UsageError, match="does not exist"):
        outputs.output_file("--f", tmp_path / "no" / "a.png")
    with pytest.raises(UsageError, match="is a folder"):
        outputs.output_file("--f", tmp_path)
    with pytest.raises(UsageError, match=r"old.json is a file, not a folder"):
        outputs.output_file("--f", tmp_path / "old.json" / "a.png")
    with pytest.raises(UsageError, match=r"must end in one of \.png"):
        outputs.output_file("--f", tmp_path / "a.PNGX", suffixes=(".png",))
    assert outputs.output_file("--f", tmp_path / "A.PNG", suffixes=(".png",))


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_output_file_that_is_not_a_regular_file():
    with pytest.raises(UsageError, match="not a regular file"):
        outputs.output_file("--f", "/dev/null")


def test_output_folder(tmp_path):
    assert outputs.output_folder("--out", tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert not (tmp_path / "a").exists()  # checked, not created
    assert outputs.output_folder("--out", tmp_path, replaced=True) == tmp_path
    assert os.listdir(tmp_path) == []
    (tmp_path / "f").write_text("x")
    with pytest.raises(UsageError, match="is a file; give a folder"):
        outputs.output_folder("--out", tmp_path / "f")
    with pytest.raises(UsageError, match="is a file, not a folder"):
        outputs.output_folder("--out", tmp_path / "f" / "g")


def test_a_folder_that_refuses_new_files(tmp_path, monkeypatch):
    def refuse(*_, **__):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(outputs.tempfile, "mkstemp", refuse)
    with pytest.raises(UsageError, match=r"cannot write in .* \(Permission denied\)"):
        outputs.output_folder("--out", tmp_path)
    with pytest.raises(UsageError, match="cannot write in"):
        outputs.output_file("--json", tmp_path / "x.json")


def _with_func(monkeypatch, func):
    """main() with the verify subcommand's work replaced by ``func``."""
    import sgd_suite.cmd_verify as cmd

    monkeypatch.setattr(cmd, "run", func)


def test_main_turns_an_os_error_into_one_line(monkeypatch, capsys, tmp_path):
    def fail(args):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))

    _with_func(monkeypatch, fail)
    assert cli.main(["verify"]) == 1
    assert capsys.readouterr().err == (f"sgd-suite verify: error: No space left on device: "
                                       f"{tmp_path / 'x'}\n")


def test_main_folds_a_multi_line_message(monkeypatch, capsys):
    def fail(args):
        raise ValueError("first line\n  second line")

    _with_func(monkeypatch, fail)
    assert cli.main(["verify"]) == 2
    assert capsys.readouterr().err == "sgd-suite verify: error: first line second line\n"


def test_main_reports_an_interruption(monkeypatch, capsys, tmp_path):
    def interrupted(args):
        raise KeyboardInterrupt

    _with_func(monkeypatch, interrupted)
    assert cli.main(["verify", "--out", str(tmp_path)]) == 130
    assert capsys.readouterr().err == (f"sgd-suite verify: interrupted; nothing was written to "
                                       f"{tmp_path}\n")


def test_closed_stdout_is_not_a_traceback():
    """``sgd-suite --help | head -1``: the reader goes away; no BrokenPipeError traceback."""
    proc = subprocess.run(f"'{sys.executable}' -m sgd_suite simulate --help | head -c 1",
                          shell=True, cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.stdout == "u"
    assert "Traceback" not in proc.stderr


def test_version_falls_back_to_the_package(monkeypatch):
    from importlib import metadata

    import sgd_suite

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    assert cli.version() == sgd_suite.__version__
