"""The report's JSON text (sgd_suite.report_json) and the split of run facts from the report."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sgd_suite import report
from sgd_suite.report_json import SIGNIFICANT, dumps, jsonable, round_float


def test_dumps_layout():
    doc = {"b": [1, 2.5, None], "a": {"μ": "≤", "nan": float("nan"), "inf": -math.inf},
           "arr": np.array([0.1, 1 / 3]), "np": np.float64(2.0), "i": np.int64(7), "t": (1,)}
    text = dumps(doc)
    assert text == ('{\n "b": [\n  1,\n  2.5,\n  null\n ],\n "a": {\n  "μ": "≤",\n'
                    '  "nan": null,\n  "inf": null\n },\n "arr": [\n  0.1,\n  0.3333333333\n'
                    ' ],\n "np": 2.0,\n "i": 7,\n "t": [\n  1\n ]\n}\n')
    assert dumps(json.loads(text)) == text  # a written file is rewritten byte for byte


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_rounding_keeps_the_significant_digits(x):
    r = round_float(x)
    assert r == float(f"{x:.{SIGNIFICANT}g}") or (r == x and abs(x) > 1.79e308)
    assert abs(r - x) <= 5 * 10.0 ** -SIGNIFICANT * abs(x) * (1 + 1e-12) or x == 0
    assert round_float(r) == r  # idempotent, so rereading and rewriting changes nothing
    assert json.loads(dumps(x)) == r


def test_rounding_never_overflows():
    big = np.finfo(float).max
    assert round_float(big) == big
    assert round_float(-big) == -big
    assert json.loads(dumps(big)) == big


def test_last_bit_differences_do_not_reach_the_file():
    x = 0.8337526720718156
    assert dumps(x) == dumps(np.nextafter(x, 1)) == dumps(np.nextafter(x, 0)) == "0.8337526721\n"


def test_jsonable_keeps_key_order_and_types():
    out = jsonable({"z": True, "a": "s", "m": None, "k": 3})
    assert list(out) == ["z", "a", "m", "k"]
    assert out == {"z": True, "a": "s", "m": None, "k": 3}


def test_split_run_facts_moves_every_run_fact():
    claims = [{"id": "c1", "verdict": "true", "seconds": 0.25}, {"id": "c2", "verdict": "gap"}]
    sims = [{"id": "s1", "elapsed_s": 1.5, "parameters": {"alpha": 0.1, "device": "cpu"}}]
    facts = report.split_run_facts(claims, sims)
    assert claims == [{"id": "c1", "verdict": "true"}, {"id": "c2", "verdict": "gap"}]
    assert sims == [{"id": "s1", "parameters": {"alpha": 0.1}}]
    assert facts == {"claims_seconds": {"c1": 0.25, "c2": None},
                     "simulations": {"s1": {"elapsed_s": 1.5, "device": "cpu"}}}


RUN_FACTS = ("seconds", "elapsed_s", "device", "started_utc", "platform", "run_time_s",
             "versions")


def test_no_run_fact_in_a_generated_report(tmp_path, monkeypatch):
    """A quick report's verification.json holds no timing, machine or date; run-info.json does."""
    import verify
    from sgd_suite import experiments

    chosen = verify.all_claims()[:2]
    monkeypatch.setattr(verify, "all_claims", lambda: chosen)
    monkeypatch.setattr(verify, "beyond_claims", lambda: chosen[:1])
    exps = [e for e in experiments.catalogue(quick=True) if e.id == "quad-d5"]
    monkeypatch.setattr(experiments, "catalogue", lambda quick=False: exps)
    report.generate(tmp_path / "r", report.Options(quick=True, progress=False,
                                                    trajectories=1024))
    text = (tmp_path / "r" / "verification.json").read_text()
    info = (tmp_path / "r" / "run-info.json").read_text()
    for key in RUN_FACTS:
        assert f'"{key}"' not in text, key
        assert key in info, key
    assert dumps(json.loads(text)) == text
    assert "run-info.json" in (tmp_path / "r" / "verification.md").read_text()
