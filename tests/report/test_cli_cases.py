"""Every bad command line, as a user meets it: one line on stderr, exit code 2, before any work;
Ctrl-C: one line saying what was kept, exit code 130.

Each case runs ``python -m sgd_suite`` (what the ``sgd-suite`` console script calls) in a fresh
process from the repository root, with the memory a run may use fixed at 16 GiB
(``SGD_SUITE_MAX_MEMORY``) so that the refusals do not depend on the machine.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from sgd_suite import cli, runs

ROOT = Path(__file__).resolve().parents[2]
LINUX = sys.platform.startswith("linux")


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "sgd_suite", *args]


def _env() -> dict[str, str]:
    # read at each call, so that the child sees the environment of the moment
    return {**os.environ, "SGD_SUITE_MAX_MEMORY": "16GiB"}


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(_command(*args), cwd=ROOT, env=_env(), capture_output=True, text=True,
                          timeout=timeout, check=False)


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert " error: " in lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


@pytest.fixture
def a_file(tmp_path) -> Path:
    f = tmp_path / "a-file"
    f.write_text("keep me")
    return f


CASES = {
    "alpha 1e308": (["simulate", "--alpha", "1e308"],
                    ["--alpha must be < 2/mu = 2 ", "got 1e+308"]),
    "alpha at 2/mu": (["simulate", "--alpha", "2"], ["--alpha must be < 2/mu = 2 "]),
    "steps 1e13": (["simulate", "--steps", "10000000000000"],
                   ["16 GiB are available", "at most", "steps"]),
    "steps 1e8": (["simulate", "--steps", "100000000"], ["16 GiB are available", "at most"]),
    "dim 100000": (["simulate", "--dim", "100000"], ["a dimension of at most"]),
    "bench dim 100000": (["bench", "--dim", "100000"], ["what would fit: --dim"]),
    "trajectories 1": (["simulate", "--trajectories", "1"],
                       ["argument --trajectories: must be an integer >= 2, got 1"]),
    "steps 0": (["simulate", "--steps", "0"], ["argument --steps: must be an integer >= 1"]),
    "steps 1.5": (["simulate", "--steps", "1.5"], ["argument --steps", "'1.5'"]),
    "r0 nan": (["simulate", "--r0", "nan"], ["argument --r0: must be a finite number"]),
    "seed -1": (["simulate", "--seed", "-1"], ["[0, 2^64 - 1]"]),
    "n 2^31": (["simulate", "--n", str(2**31)], ["[1, 2^31 - 1]"]),
    "condition 1e20": (["simulate", "--mu", "1", "--L", "1e20"], ["--L/--mu must be <="]),
    "L below mu": (["simulate", "--mu", "2", "--L", "1"], ["--L must be >= --mu"]),
    "spread overflow": (["simulate", "--spread", "1e200"], ["overflow float64"]),
    "delta 1": (["report", "--delta", "1"],
                ["argument --delta: must be a finite number in (0, 1)"]),
    "engine unknown": (["simulate", "--engine", "foo"], ["argument --engine: invalid choice"]),
    "fused on numpy": (["report", "--engine", "cupy-fused", "--backend", "numpy"],
                       ["does not run on backend"]),
    "unknown claim": (["verify", "--only", "quadratic.line9"], ["unknown claim id"]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_command_line(case):
    argv, fragments = CASES[case]
    assert_one_line_error(run_cli(*argv), *fragments)


@pytest.mark.parametrize("command", [["simulate", "--figure"], ["bench", "--json"]])
def test_output_file_in_a_missing_folder(tmp_path, command):
    target = tmp_path / "missing" / ("x.json" if "bench" in command else "x.png")
    assert_one_line_error(run_cli(*command, str(target)), "does not exist")
    assert not target.parent.exists()


@pytest.mark.parametrize("command", ["report", "verify"])
def test_out_that_is_a_file(a_file, command):
    assert_one_line_error(run_cli(command, "--out", str(a_file)), "is a file")
    assert a_file.read_text() == "keep me"


@pytest.mark.skipif(not LINUX, reason="/proc is Linux's")
@pytest.mark.parametrize("command", ["report", "verify"])
def test_out_where_nothing_can_be_written(command):
    assert_one_line_error(run_cli(command, "--out", "/proc/x"), "--out /proc/x: cannot write")


def test_out_below_a_file(a_file):
    assert_one_line_error(run_cli("verify", "--out", str(a_file / "sub")),
                          f"{a_file} is a file, not a folder")


def test_figure_that_is_a_folder_or_has_no_image_suffix(tmp_path):
    assert_one_line_error(run_cli("simulate", "--figure", str(tmp_path)), "is a folder")
    assert_one_line_error(run_cli("simulate", "--figure", str(tmp_path / "x.txt")),
                          "must end in one of .png, .pdf, .svg")


def test_report_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    assert_one_line_error(run_cli("report", "--out", str(tmp_path)), "notes.txt")
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"sgd-suite {cli.version()}"
    assert cli.version().count(".") >= 2


def test_console_script_is_this_main():
    """The ``sgd-suite`` console script calls the ``main`` these tests run."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"sgd-suite": "sgd_suite.cli:main"}


@pytest.mark.parametrize("argv", [
    ["simulate", "--figure", "{tmp}/missing/x.png"],
    ["simulate", "--dim", "100000"],
    ["simulate", "--alpha", "1e308"],
    ["report", "--out", "{tmp}/file"],
])
def test_refused_before_any_work(tmp_path, monkeypatch, argv):
    """The refusal comes before a problem is built or a claim is checked."""
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("SGD_SUITE_MAX_MEMORY", "16GiB")

    def no_work(*_, **__):
        raise AssertionError("work started")

    import sgd_suite.experiments
    import sgd_suite.report

    monkeypatch.setattr(runs, "run", no_work)
    monkeypatch.setattr(sgd_suite.experiments, "build", no_work)
    monkeypatch.setattr(sgd_suite.report, "generate", no_work)
    assert cli.main([a.format(tmp=tmp_path) for a in argv]) == 2


# --- Ctrl-C -------------------------------------------------------------------------------


# ``python -m sgd_suite ARGS`` with Python's own SIGINT handler: a test runner may ignore
# SIGINT, an ignored signal stays ignored across exec, and Python then leaves it ignored. (A
# preexec_fn would do the same, but forking a process that runs threads is unsafe.)
_MAIN = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
         "sys.argv[0] = 'sgd-suite'; runpy.run_module('sgd_suite', run_name='__main__')")


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _MAIN, *args], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stderr_line(proc: subprocess.Popen, timeout: float = 60) -> str:
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        assert sel.select(timeout), "no line on stderr in time"
    return proc.stderr.readline()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _interrupt(proc: subprocess.Popen) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # the Ctrl-C was lost: stop it, and fail this test only
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"no exit within 60 s of Ctrl-C; stderr: {err[-2000:]}")
    assert proc.returncode == 130, (proc.returncode, out, err)
    assert "Traceback" not in err
    return out, err


@pytest.mark.skipif(not LINUX, reason="POSIX signals and /proc")
def test_ctrl_c_during_a_long_simulation():
    proc = _start("simulate", "--trajectories", "1000000000000")
    first = _stderr_line(proc)
    assert first.startswith("sgd-suite simulate: estimated about ")
    assert "days" in first
    _, err = _interrupt(proc)
    assert err.splitlines() == ["sgd-suite simulate: interrupted; nothing was written"]


@pytest.mark.skipif(not LINUX, reason="POSIX signals and /proc")
def test_ctrl_c_during_report_keeps_the_previous_report(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "verification.json").write_text('{"previous": true}\n')
    (out / "verification.md").write_text("# previous\n")
    proc = _start("report", "--quick", "--out", str(out), "--no-progress")
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".reports.*.partial")):  # the report is being built
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    _, err = _interrupt(proc)
    assert err.splitlines() == [f"sgd-suite report: interrupted; the previous report in {out} "
                                "is unchanged"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
    assert (out / "verification.json").read_text() == '{"previous": true}\n'


@pytest.mark.skipif(not LINUX, reason="POSIX signals and /proc")
def test_ctrl_c_during_verify_keeps_the_previous_file(tmp_path):
    (tmp_path / "verification.json").write_text('{"claims": []}\n')
    proc = _start("verify", "--out", str(tmp_path))
    deadline = time.monotonic() + 60
    while _cpu_seconds(proc.pid) < 1.0:  # well into importing the provers or checking
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    _, err = _interrupt(proc)
    target = tmp_path / "verification.json"
    assert err.splitlines() == [f"sgd-suite verify: interrupted; {target} is unchanged"]
    assert target.read_text() == '{"claims": []}\n'
    assert os.listdir(tmp_path) == ["verification.json"]


@pytest.mark.skipif(not LINUX, reason="POSIX signals and /proc")
@pytest.mark.parametrize("delay", [0.0, 0.01, 0.03, 0.3])
def test_ctrl_c_during_bench(tmp_path, delay):
    """Ctrl-C while the measuring processes are looked up and started, or while they warm up.

    A Ctrl-C 10 ms after the estimate once landed inside a third-party import, which
    swallowed it; the benchmark then ran on.
    """
    target = tmp_path / "bench.json"
    proc = _start("bench", "--trajectories", "1000000", "--steps", "100000", "--json",
                  str(target))
    assert _stderr_line(proc).startswith("sgd-suite bench: estimated about ")
    time.sleep(delay)
    _, err = _interrupt(proc)
    assert err.splitlines() == ["sgd-suite bench: interrupted; no measurements were written"]
    assert not target.exists()
