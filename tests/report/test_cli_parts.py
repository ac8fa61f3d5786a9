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
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)  # main() silences it

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


def test_main_before_a_command_is_known(monkeypatch, capsys):
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)  # main() silences it

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert cli.main([]) == 130
    assert capsys.readouterr().err == "sgd-suite: interrupted; nothing written\n"


def _args(**kw):
    return argparse.Namespace(**kw)


def test_what_each_command_keeps(tmp_path):
    from sgd_suite import cmd_bench, cmd_report, cmd_simulate, cmd_verify

    assert cmd_verify.kept(_args(out=str(tmp_path))) == f"nothing was written to {tmp_path}"
    (tmp_path / "verification.json").write_text("{}")
    assert cmd_verify.kept(_args(out=str(tmp_path))) == (
        f"{tmp_path / 'verification.json'} is unchanged")
    assert cmd_report.kept(_args(out=str(tmp_path))) == (
        f"the previous report in {tmp_path} is unchanged")
    assert cmd_report.kept(_args(out=str(tmp_path / "new"))) == (
        f"nothing was written to {tmp_path / 'new'}")
    assert cmd_simulate.kept(_args(figure=None)) == "nothing was written"
    assert cmd_bench.kept(_args(json="x.json")) == "no measurements were written"
    assert cmd_bench.kept(_args(json=None)) == "nothing was written"


def test_report_checks_that_the_parent_of_out_accepts_the_new_report(tmp_path, monkeypatch,
                                                                      capsys):
    """report builds beside --out and swaps: a parent that refuses new entries is refused."""
    out = tmp_path / "reports"
    out.mkdir()
    real = outputs.tempfile.mkstemp

    def only_inside(*args, dir=None, **kw):
        if Path(dir) == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr(outputs.tempfile, "mkstemp", only_inside)
    assert outputs.output_folder("--out", out) == out  # enough for verify
    assert cli.main(["report", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (f"sgd-suite report: error: --out {out}: cannot write in "
                                       f"{tmp_path} (Permission denied)\n")


def test_report_estimate_covers_every_experiment(monkeypatch):
    from sgd_suite import cmd_report
    from sgd_suite.experiments import catalogue
    from sim import preflight

    for quick in (False, True):
        args = _args(quick=quick, trajectories=None)
        memory, seconds = cmd_report.preflight(args, "array", "numpy")
        each = [preflight.estimate(kind=e.problem, dim=e.dim, n=e.n, steps=e.steps,
                                   batch=e.batch, trajectories=e.trajectories,
                                   build_problem=True) for e in catalogue(quick=quick)]
        assert memory == max(e.bytes for e in each)
        assert seconds == pytest.approx(sum(e.seconds for e in each))
    big = cmd_report.preflight(_args(quick=True, trajectories=10**11), "array", "numpy")
    assert big[1] > 1000 * seconds
    monkeypatch.setenv("SGD_SUITE_MAX_MEMORY", "1MiB")
    with pytest.raises(preflight.InsufficientMemory, match="1 MiB are available"):
        cmd_report.preflight(_args(quick=True, trajectories=None), "array", "numpy")


def test_report_shows_the_estimate_of_a_long_run(monkeypatch, tmp_path, capsys):
    from sgd_suite import cmd_report, report

    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)  # main() silences it
    monkeypatch.setattr(cmd_report, "LONG_RUN_S", 0.0)

    def stop(*_, **__):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "generate", stop)
    assert cli.main(["report", "--quick", "--out", str(tmp_path / "r")]) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("sgd-suite report: estimated about ")
    assert err[0].endswith("of memory at most (numba engine); Ctrl-C stops it and keeps the "
                           "previous report")
    assert err[1] == f"sgd-suite report: interrupted; nothing was written to {tmp_path / 'r'}"


def test_bench_refuses_what_cannot_fit(monkeypatch, capsys):
    from sgd_suite import cmd_bench

    monkeypatch.setenv("SGD_SUITE_MAX_MEMORY", "16GiB")
    assert cli.main(["bench", "--dim", "100000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sgd-suite bench: error: the benchmark needs about ")
    assert "but 16 GiB are available; what would fit: --dim " in err
    dim = int(err.split("--dim ")[1].split()[0])
    sizes = {"trajectories": 10_000, "steps": 1000, "n": 256, "repeats": 3}
    assert cmd_bench.estimate(dim=dim, **sizes)[0] <= 16 * 2**30
    assert cmd_bench.estimate(dim=dim + 1, **sizes)[0] > 16 * 2**30


def test_bench_estimate_counts_every_implementation():
    from sgd_suite import cmd_bench
    from sim import preflight
    from sim.engines import available_engines

    sizes = {"kind": "quadratic", "dim": 10, "n": 256, "steps": 1000, "trajectories": 10_000,
             "build_problem": True}
    memory, seconds = cmd_bench.estimate(trajectories=10_000, steps=1000, dim=10, n=256,
                                         repeats=3)
    engines = [preflight.estimate(engine=e, **sizes) for e in available_engines("numpy")]
    jax = (4 * 10_000 * 10 + 2 * 10_000 + 3 * 1000) * 8
    assert memory == sum(e.bytes for e in engines) + jax
    assert seconds == pytest.approx(5 * (sum(e.seconds for e in engines) + engines[0].seconds
                                         + 64 * 1000 * 1e-6))


def test_bench_run_writes_its_json(monkeypatch, tmp_path, capsys):
    """The command's own flow, with the (slow, multi-process) measurement replaced."""
    import sim.bench
    from sgd_suite import cmd_bench

    rows = [{"key": "array/numpy", "seconds": 1.0}]
    monkeypatch.setattr(sim.bench, "run_benchmark", lambda **kw: {"workload": kw, "rows": rows})
    monkeypatch.setattr(sim.bench, "format_table", lambda r: f"table {r['workload']['dim']}")
    monkeypatch.setattr(cmd_bench, "LONG_RUN_S", 0.0)
    target = tmp_path / "b.json"
    assert cli.main(["bench", "--dim", "3", "--repeats", "1", "--json", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out == "table 3\n"
    assert err.startswith("sgd-suite bench: estimated about ")
    assert err.rstrip().endswith("of memory; Ctrl-C stops it")
    written = __import__("json").loads(target.read_text())
    assert written["workload"] == {"trajectories": 10_000, "steps": 1000, "dim": 3, "n": 256,
                                   "repeats": 1}
    rows.append({"key": "jax", "error": "boom"})
    assert cli.main(["bench", "--dim", "3", "--repeats", "1"]) == 1


def test_an_interruption_leaves_no_destructor_traceback():
    """An object left half built by Ctrl-C fails in ``__del__`` on the way out: still one line."""
    code = """
import sys
import sgd_suite.cli as cli
import sgd_suite.cmd_verify as cmd


class HalfBuilt:
    def __del__(self):
        raise AttributeError("'HalfBuilt' object has no attribute 'owner'")


def run(args):
    keep = HalfBuilt()  # freed with the interrupted frame
    sys.modules[__name__].global_one = HalfBuilt()  # freed at exit
    raise KeyboardInterrupt


cmd.run = run
sys.exit(cli.main(["verify", "--out", sys.argv[1]]))
"""
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run([sys.executable, "-c", code, out], cwd=ROOT, capture_output=True,
                              text=True, timeout=120, check=False)
    assert proc.returncode == 130
    assert proc.stderr == f"sgd-suite verify: interrupted; nothing was written to {out}\n"
