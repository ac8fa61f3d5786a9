"""The ``simulate`` and ``report`` subcommands: flags, one-line errors, exit codes."""

from __future__ import annotations

import pytest

import sim.theory
from sgd_suite import cli

SMALL = ["simulate", "--dim", "2", "--n", "16", "--steps", "20", "--trajectories", "2048",
         "--engine", "array"]


def _main(argv):
    try:
        return cli.main(argv)
    except SystemExit as exc:  # argparse exits on its own errors
        return exc.code


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--alpha", "-1"],
        ["simulate", "--alpha", "abc"],
        ["simulate", "--dim", "0"],
        ["simulate", "--mu", "2", "--L", "1"],
        ["simulate", "--dim", "1", "--mu", "1", "--L", "2"],
        ["simulate", "--problem", "cubic"],
        ["simulate", "--trajectories", "1"],
        ["simulate", "--delta", "1.5"],
        ["simulate", "--l2", "nan"],
        ["report", "--trajectories", "1"],
        ["report", "--delta", "0"],
        ["report", "--seed", "x"],
        ["simulate", "--backend", "foo"],
        ["simulate", "--engine", "foo"],
        ["report", "--backend", "foo"],
        ["report", "--engine", "cupy-fused", "--backend", "numpy"],
    ],
    ids=lambda a: " ".join(a),
)
def test_bad_flags_give_one_line_error(argv, capsys):
    assert _main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "error" in lines[0]


def test_report_out_that_is_a_file(tmp_path, capsys):
    f = tmp_path / "reports"
    f.write_text("x")
    assert _main(["report", "--out", str(f)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"sgd-suite report: error: --out {f}: is a file; give a folder"]
    assert f.read_text() == "x"


def test_report_refuses_to_replace_a_folder_with_other_files(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "verification.md").write_text("old")
    assert _main(["report", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "notes.txt" in err[0]
    assert (tmp_path / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize("command", ["verify", "simulate", "report", "bench"])
def test_every_flag_has_help(command):
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    for action in sub._actions:
        assert action.help, f"{command} {action.option_strings} has no help text"


def test_simulate_inside_condition_passes(capsys):
    """At N = 2^18 both checks can see a 5% error (mde below the tolerance), so they decide."""
    argv = [a if a != "2048" else str(2**18) for a in SMALL]
    assert _main(argv + ["--alpha", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "bound check" in out
    assert "passed" in out
    header = next(line for line in out.splitlines() if line.split()[:2] == ["t", "estimate"])
    assert header.split() == ["t", "estimate", "stderr", "bound", "exact", "z"]


def test_simulate_wrong_bound_is_rejected_with_exit_1(monkeypatch, capsys):
    """Feeding the checker half the lecture's bound must fail the confirmation (exit 1).

    With the bound halved, the estimate exceeds it by about half the noise ball, hundreds of
    standard errors at N = 2048, far beyond the threshold for delta = 1e-9.
    """
    real = sim.theory.sgd_bound
    monkeypatch.setattr(sim.theory, "sgd_bound", lambda *a, **k: 0.5 * real(*a, **k))
    assert _main(SMALL + ["--alpha", "0.1"]) == 1
    assert "REJECTED" in capsys.readouterr().out


def test_simulate_outside_condition_violation_is_expected(capsys):
    code = _main(["simulate", "--dim", "2", "--n", "16", "--mu", "1", "--L", "10",
                  "--alpha", "0.19", "--spread", "0.3", "--steps", "40", "--trajectories",
                  "2048", "--engine", "array"])
    out = capsys.readouterr().out
    assert code == 0
    assert "outside the step-size condition" in out


def test_simulate_draws_figure(tmp_path, capsys):
    path = tmp_path / "run.png"
    assert _main(SMALL + ["--problem", "logistic", "--figure", str(path)]) == 0
    assert path.stat().st_size > 10_000
    assert "exact check" not in capsys.readouterr().out  # no exact curve for logistic


def test_simulate_with_too_few_trajectories_is_inconclusive(monkeypatch, capsys):
    """N = 2 decides nothing: never REJECTED or DISAGREES, exit 0, even against a wrong bound
    (half the lecture's) that N = 2048 rejects (see above)."""
    real = sim.theory.sgd_bound
    monkeypatch.setattr(sim.theory, "sgd_bound", lambda *a, **k: 0.5 * real(*a, **k))
    argv = [a if a != "2048" else "2" for a in SMALL]
    assert _main(argv + ["--alpha", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "REJECTED" not in out
    assert "DISAGREES" not in out
    verdict_lines = [line for line in out.splitlines() if line.startswith(("bound check",
                                                                           "exact check"))]
    assert len(verdict_lines) == 2
    for line in verdict_lines:
        assert "inconclusive (N = 2: an effect smaller than" in line


def test_simulate_reports_divergence_as_the_api_does(tmp_path, capsys):
    """alpha = 1.5 > 2/L on a quadratic: the run diverges; no row of nan, the step is named."""
    from sim import simulate

    from sgd_suite.experiments import Experiment, build

    argv = ["simulate", "--dim", "5", "--alpha", "1.5", "--steps", "300", "--trajectories",
            "2048", "--engine", "array", "--figure", str(tmp_path / "d.png")]
    assert _main(argv) == 0  # outside the step-size condition: a violation is expected
    out = capsys.readouterr().out
    problem, w0 = build(Experiment(id="x", group="x", purpose="x", problem="quadratic", dim=5,
                                   n=64, mu=1.0, L=4.0, alpha=1.5, steps=300,
                                   trajectories=2048))
    at = simulate(problem, alpha=1.5, steps=300, trajectories=2048, w0=w0, engine="array",
                  backend="numpy").diverged_at
    assert at is not None
    assert f"diverged at step {at} (result.diverged_at = {at})" in out
    assert "nan" not in out.lower()
    rows = [line.split() for line in out.splitlines() if line[:6].strip().isdigit()]
    assert rows
    assert max(int(r[0]) for r in rows) < at
    assert "bound check" not in out  # the divergence is the verdict
    assert (tmp_path / "d.png").stat().st_size > 10_000


def test_simulate_prints_readable_numbers(capsys):
    assert _main(["simulate", "--problem", "logistic", "--l2", "0.3", "--alpha", "7"]) == 2
    err = capsys.readouterr().err
    assert "2/mu = 6.66667 " in err
