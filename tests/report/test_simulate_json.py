"""``sgd-suite simulate --json PATH``: the run's record as JSON, written atomically."""

from __future__ import annotations

import json

import numpy as np

from sgd_suite import cli

SMALL = ["simulate", "--dim", "2", "--n", "16", "--steps", "20", "--trajectories", "2048",
         "--engine", "array"]


def test_json_record_holds_parameters_checks_and_arrays(tmp_path, capsys):
    path = tmp_path / "run.json"
    assert cli.main(SMALL + ["--json", str(path)]) == 0
    assert f"json: {path}" in capsys.readouterr().out
    record = json.loads(path.read_text())
    assert record["parameters"]["steps"] == 20 and record["parameters"]["trajectories"] == 2048
    assert record["bound_check"]["passed"] is True and record["exact_check"]["passed"] is True
    est = np.array(record["arrays"]["mean_sq_dist"])
    assert est.shape == (21,) and np.all(est >= 0)
    assert [p.name for p in path.parent.iterdir()] == ["run.json"]


def test_json_to_a_folder_is_one_line_error(tmp_path, capsys):
    try:
        code = cli.main(SMALL + ["--json", str(tmp_path)])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err == f"sgd-suite simulate: error: --json {tmp_path}: is a folder; give a file name inside it"


def test_json_in_a_missing_folder_is_one_line_error_before_any_work(tmp_path, capsys):
    path = tmp_path / "missing" / "run.json"
    assert cli.main(SMALL + ["--json", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sgd-suite simulate: error: --json ") and "does not exist" in err
    assert len(err.splitlines()) == 1 and not path.parent.exists()
