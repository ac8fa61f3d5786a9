"""``sgd-suite verify``: table, JSON record schema, atomic write, exit codes."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

import verify
from sgd_suite import atomic
from sgd_suite.cli import main
from verify import claims

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"id", "slide", "statement", "verdict", "method", "counterexample", "correction", "gap"}


def test_full_run_writes_every_claim_and_exits_zero(tmp_path, capsys):
    """Run over the committed report, ``verify`` leaves it byte for byte as it was: its records
    are what the report holds, counterexamples found by z3 included, whatever this process ran
    before (each z3 query has a context of its own; SymPy's random choices are fixed per
    judgement). The fresh-clone test checks the same of ``report``."""
    committed = (ROOT / "reports" / "verification.json").read_bytes()
    (tmp_path / "verification.json").write_bytes(committed)
    assert main(["verify", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "verification.json").read_bytes() == committed
    records = json.loads((tmp_path / "verification.json").read_text())["claims"]
    assert [r["id"] for r in records] == [c.id for c in verify.all_claims()]
    for r in records:
        assert KEYS <= set(r)
        assert r["verdict"] == r["recorded"]
        if r["verdict"] == "true":
            assert r["counterexample"] is None
            assert r["gap"] is None
            assert r["correction"] is None
        if r["verdict"] == "false":
            assert r["counterexample"]
            assert r["correction"]
        if r["verdict"] == "gap":
            assert r["gap"]
            assert r["correction"]
    beyond = json.loads((tmp_path / "verification.json").read_text())["beyond_claims"]
    assert [r["id"] for r in beyond] == [c.id for c in verify.beyond_claims()]
    assert all(KEYS <= set(r) and r["verdict"] == r["recorded"] for r in beyond)
    out = capsys.readouterr().out
    assert "Beyond the lecture: formulas (19 claims)" in out
    assert "formulas beyond the lecture: 16 true, 3 false" in out
    assert "== Example: Quadratic" in out
    assert "quadratic.line2" in out
    assert "counterexample:" in out


def test_only_selects_claims(tmp_path, capsys):
    assert main(["verify", "--out", str(tmp_path), "--only", "quadratic.line2", "exp.proof"]) == 0
    records = json.loads((tmp_path / "verification.json").read_text())["claims"]
    assert [r["id"] for r in records] == ["quadratic.line2", "exp.proof"]
    assert records[0]["verdict"] == "false"
    assert records[1]["verdict"] == "gap"
    assert "gap:" in capsys.readouterr().out


def test_unknown_id_is_a_usage_error(tmp_path, capsys):
    assert main(["verify", "--out", str(tmp_path), "--only", "quadratic.line9"]) == 2
    assert "unknown claim id" in capsys.readouterr().err
    assert not (tmp_path / "verification.json").exists()


def test_mismatch_exits_one_and_names_the_claim(tmp_path, capsys, monkeypatch):
    wrong = dataclasses.replace(verify.get("quadratic.line2"), recorded="true")
    monkeypatch.setitem(claims._REGISTRY, "quadratic.line2", wrong)
    assert main(["verify", "--out", str(tmp_path), "--only", "quadratic.line2"]) == 1
    assert "MISMATCH quadratic.line2: computed false, recorded true" in capsys.readouterr().err


def test_a_check_that_raises_is_an_error_verdict(tmp_path, capsys, monkeypatch):
    # A claim that cannot be judged (x and y undeclared): the judge raises, never a verdict.
    bad = dataclasses.replace(verify.get("abs.line1"), symbols=(("alpha", "real"),))
    monkeypatch.setitem(claims._REGISTRY, "abs.line1", bad)
    assert main(["verify", "--out", str(tmp_path), "--only", "abs.line1"]) == 1
    records = json.loads((tmp_path / "verification.json").read_text())["claims"]
    assert records[0]["verdict"] == "error"
    assert "MISMATCH abs.line1" in capsys.readouterr().err


def test_a_tampered_statement_turns_the_verdict_and_the_exit_status(tmp_path, capsys, monkeypatch):
    """The slide's f'' replaced by a false formula: judged false, and verify exits 1."""
    claim = verify.get("logistic.second-derivative")
    wrong = dataclasses.replace(claim, statement=r"f''(x) = \frac{e^{-x}}{1+e^{-x}}")
    monkeypatch.setitem(claims._REGISTRY, claim.id, wrong)
    assert main(["verify", "--out", str(tmp_path), "--only", claim.id]) == 1
    (record,) = json.loads((tmp_path / "verification.json").read_text())["claims"]
    assert (record["verdict"], record["recorded"]) == ("false", "true")
    assert record["statement"] == wrong.statement
    assert "MISMATCH logistic.second-derivative: computed false" in capsys.readouterr().err


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "f.json"
    atomic.write_text_atomic(target, "old")
    atomic.write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert os.listdir(target.parent) == ["f.json"]


def test_interrupted_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "f.json"
    atomic.write_text_atomic(target, "old")

    def fail(*_):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text_atomic(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.json"]


def test_atomic_write_rejects_bad_input(tmp_path):
    with pytest.raises(TypeError, match="text"):
        atomic.write_text_atomic(tmp_path / "f", b"bytes")
    with pytest.raises(ValueError, match="directory"):
        atomic.write_text_atomic(tmp_path, "x")


def test_verify_keeps_a_report_and_updates_claims_by_id(tmp_path):
    report = {
        "claims": [{"id": "quadratic.line2", "verdict": "stale", "seconds": 1.0},
                   {"id": "exp.proof", "verdict": "gap"}],
        "simulations": [{"name": "kept"}],
        "meta": {"seed": 0},
    }
    (tmp_path / "verification.json").write_text(json.dumps(report))
    assert main(["verify", "--out", str(tmp_path), "--only", "quadratic.line2"]) == 0
    merged = json.loads((tmp_path / "verification.json").read_text())
    assert merged["simulations"] == [{"name": "kept"}]
    assert merged["meta"] == {"seed": 0}
    assert [c["id"] for c in merged["claims"]] == ["quadratic.line2", "exp.proof"]
    assert merged["claims"][0]["verdict"] == "false"
    assert merged["claims"][0]["seconds"] == 1.0
    assert merged["claims"][1] == {"id": "exp.proof", "verdict": "gap"}


def test_atomic_write_gives_plain_file_modes(tmp_path):
    umask = os.umask(0o022)
    try:
        fresh = atomic.write_text_atomic(tmp_path / "fresh.txt", "x")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        kept.chmod(0o640)
        atomic.write_text_atomic(kept, "new")
        assert kept.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(umask)
