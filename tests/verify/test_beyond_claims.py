"""The second data set: formulas the simulator relies on beyond the lecture
(``verify/lectures/beyond_lecture1/``), judged by the same grammar and rule as the slides.

Each claim is judged from its own text to its recorded verdict; each quote stands in the data
set's ``lecture.md``; every tamper of a statement changes the verdict or is explained; and a
wrong version of each formula is rejected (not proved) by the judge."""

from __future__ import annotations

import dataclasses
import re

import pytest

import verify
from sgd_suite import formulas
from sgd_suite.cmd_verify import merged_json
from verify import lecture, tamper
from verify.judge import judge, parse_status
from verify.rule import RuleError, Unrepaired

BEYOND = verify.beyond_claims()
BY_ID = {c.id: c for c in BEYOND}
LAYOUT = re.compile(r"\s+|\\\\|&|\\q?quad(?![a-zA-Z])")


def _flat(text: str) -> str:
    return LAYOUT.sub("", text)


def test_the_second_data_set_is_kept_out_of_the_lecture():
    assert len(verify.all_claims()) == 77
    assert len(BEYOND) == 19
    assert not {c.id for c in BEYOND} & {c.id for c in verify.all_claims()}
    assert {c.source.lecture for c in BEYOND} == {verify.BEYOND}
    assert {c.source.lecture for c in verify.all_claims() if isinstance(c, lecture.Claim)} == {
        lecture.LECTURE}
    assert {c.recorded for c in BEYOND} == {"true", "false"}


@pytest.mark.parametrize("claim", BEYOND, ids=lambda c: c.id)
def test_every_quote_occurs_in_the_data_sets_text(claim):
    assert _flat(claim.source.quote) in _flat(lecture.lecture_text(verify.BEYOND))
    assert _flat(claim.source.quote) not in _flat(lecture.lecture_text())


@pytest.mark.parametrize("claim", BEYOND, ids=lambda c: c.id)
def test_verdict_is_computed_from_the_text_and_matches_the_record(claim):
    out = verify.run(claim)
    assert out.verdict == claim.recorded
    assert parse_status(claim) == (True, None)
    if out.verdict == "false":
        assert out.counterexample and out.correction == claim.correction
    else:
        assert out.counterexample is None


@pytest.mark.parametrize("claim", BEYOND, ids=lambda c: c.id)
def test_every_tamper_turns_the_verdict_or_is_explained(claim):
    rows = tamper.outcomes(claim)
    assert rows
    assert [(r.kind, r.verdict) for r in rows if r.status not in ("detected", "kept")] == []
    assert all(r.reason for r in rows if r.status == "kept")
    assert set(dict(claim.tamper_keeps)) <= {r.kind for r in rows if r.status == "kept"}
    if claim.recorded == "true":
        assert any(r.status == "detected" for r in rows)


def _with(cid, **changes):
    return dataclasses.replace(BY_ID[cid], **changes)


# A wrong version of each formula: a changed statement (or a weakened hypothesis) is refuted by
# an exact counterexample and nothing repairs it.
WRONG = {
    "almost-sure.contraction": dict(
        statement=r"\|(I - \alpha H) e\| \leq \min(|1 - \alpha\mu|, |1 - \alpha L|) \|e\|"),
    "almost-sure.coordinate-step": dict(
        statement=r"|(1 - \alpha\lambda) z + \alpha\lambda c| \leq (1 - \alpha\lambda) |z| "
                  r"+ \alpha\lambda g"),
    "almost-sure.rho": dict(
        hypotheses=(r"\mu > 0", r"\mu \leq L", r"\alpha > 0", r"\alpha \leq \frac{2}{L}")),
    "almost-sure.a-t": dict(
        statement=r"\|w_K - w^*\| \leq \rho^K \|w_0 - w^*\| + \alpha G \frac{1 - \rho^K}{1 + \rho}"),
    "almost-sure.unrolled": dict(
        statement=r"\|w_K - w^*\| \leq (1 - \alpha\mu)^K \|w_0 - w^*\| + \frac{G}{2\mu} "
                  r"(1 - (1 - \alpha\mu)^K)"),
    "almost-sure.uniform": dict(statement=r"\|w_K - w^*\| \leq \|w_0 - w^*\| + \frac{G}{2\mu}"),
    "inverse-time.law-lower": dict(
        statement=r"\mu (K + 1) \mathbf{E} \left[ \|v_K - w^*\|^2 \right] \geq M"),
    "stationary.fixed-point": dict(
        statement=r"\frac{\alpha c}{2\lambda - \alpha\lambda} = (1 - \alpha\lambda)^2 "
                  r"\frac{\alpha c}{2\lambda - \alpha\lambda} + \alpha^2 c"),
    "stationary.convergence": dict(
        statement=r"(1 - \alpha\lambda)^2 < 1 \Leftrightarrow 0 < \alpha < \frac{1}{\lambda}"),
    "minibatch.with-replacement-2": dict(
        statement=r"\mathbf{E} \left[ \left\| \frac{1}{2} (\nabla f(w; x_i) + \nabla f(w; x_j)) "
                  r"- \nabla h(w) \right\|^2 \right] = \frac{1}{4} \mathbf{E} \left[ "
                  r"\|\nabla f(w; x_i) - \nabla h(w)\|^2 \right]"),
    "minibatch.without-replacement-4-2": dict(
        statement=BY_ID["minibatch.without-replacement-4-2"].statement.replace(
            r"\frac{4 - 2}{2 (4 - 1)}", r"\frac{4 - 2}{2 \cdot 4}")),
    "momentum.jury": dict(
        statement=r"|1 + \beta - \alpha\lambda| < 1 + \beta \Leftrightarrow 0 < \alpha \lambda"
                  r" < 2"),
}


@pytest.mark.parametrize("cid", sorted(WRONG))
def test_a_wrong_version_of_each_formula_is_refuted(cid):
    with pytest.raises(Unrepaired):
        judge(_with(cid, **WRONG[cid]))


def test_the_upper_half_of_the_law_needs_the_first_step():
    """Without E||v_0 - w^*||^2 = M/mu^2 (the step alpha_0 = 1/mu) the base case is open."""
    claim = BY_ID["inverse-time.law-upper"]
    hyps = tuple(h for h in claim.hypotheses if "v_0" not in h)
    assert len(hyps) == len(claim.hypotheses) - 1
    with pytest.raises(Unrepaired, match="K = 0"):
        judge(dataclasses.replace(claim, hypotheses=hyps))


def test_a_wrong_correction_is_not_accepted():
    """The false claim's correction must itself be proved: G/(2 mu) in its place is refuted."""
    bad = r"\|w_K - w^*\| \leq \|w_0 - w^*\| + \frac{G}{2\mu}"
    with pytest.raises(RuleError, match="not proved"):
        judge(_with("almost-sure.uniform-stable-steps", correction=bad))


def test_the_nemirovski_repair_needs_twice_theta_squared_m_squared():
    """At j = 1 the coefficient 1 - 2 c theta is negative and A_2 <= theta^2 M^2 is all the
    recursion gives, so the constant max(Q, theta^2 M^2) is too small: refuted, not a repair."""
    claim = BY_ID["inverse-time.nemirovski"]
    bad = claim.correction.replace(r"2 \theta^2 M^2", r"\theta^2 M^2")
    assert bad != claim.correction
    with pytest.raises(RuleError, match="not proved"):
        judge(dataclasses.replace(claim, correction=bad))


def test_the_false_claim_is_true_inside_the_theorems_step_range():
    """With the theorem's alpha <= 2/(L + mu) in place of alpha < 2/L the statement is proved."""
    claim = BY_ID["almost-sure.uniform-stable-steps"]
    hyps = tuple(r"\alpha \leq \frac{2}{L + \mu}" if h == r"\alpha < \frac{2}{L}" else h
                 for h in claim.hypotheses)
    assert hyps != claim.hypotheses
    assert judge(dataclasses.replace(claim, hypotheses=hyps)).verdict == "true"


def _record(cid, verdict, recorded, **extra):
    base = {"id": cid, "slide": "S", "statement": "a = b", "verdict": verdict,
            "method": "m", "counterexample": None, "correction": None, "gap": None,
            "recorded": recorded, "source": {"quote": "a = b"}, "restated": None}
    return {**base, **extra}


def test_section_counts_and_flags_a_mismatch():
    recs = [_record("x.one", "true", "true"),
            _record("x.two", "false", "false", counterexample="a = 1", correction="a = a",
                    restated="the words say it", source={"quote": "q = r"})]
    text = "\n".join(formulas.section(recs))
    assert f"## {formulas.TITLE}" in text
    assert "2 formulas, 1 true, 1 false as written, 0 with a gap" in text
    assert "*The source's words" in text and "slide's words" not in text
    assert "differ" not in text
    assert formulas.mismatched(recs) == []
    recs[0]["verdict"] = "error"
    text = "\n".join(formulas.section(recs))
    assert formulas.mismatched(recs) == ["x.one"]
    assert "1 could not be decided" in text and "`x.one`" in text


def test_merged_json_adds_beyond_claims_and_keeps_the_lecture_records(tmp_path):
    import json

    path = tmp_path / "verification.json"
    rec = _record("quadratic.line1", "true", "true")
    first = json.loads(merged_json(path, [rec], [_record("x.one", "true", "true")]))
    assert [r["id"] for r in first["claims"]] == ["quadratic.line1"]
    assert [r["id"] for r in first["beyond_claims"]] == ["x.one"]
    path.write_text(json.dumps(first))
    again = json.loads(merged_json(path, [rec]))  # a run with --only keeps them
    assert [r["id"] for r in again["beyond_claims"]] == ["x.one"]


def test_report_shows_the_formulas_and_a_differing_verdict_fails_it(tmp_path, monkeypatch):
    """``sgd-suite report`` writes ``beyond_claims`` and the section; a formula whose computed
    verdict differs from its record makes the report not ok (exit 1), like a lecture claim."""
    from sgd_suite import beyond, experiments, report
    from verify import records

    lecture_claim = verify.all_claims()[0]
    formula = BY_ID["stationary.fixed-point"]
    real_run = records.run

    def run(c):
        if c.id == formula.id:
            return verify.Outcome("false", "forced", counterexample="x = 0", correction="x")
        return real_run(c)

    monkeypatch.setattr(verify, "all_claims", lambda: [lecture_claim])
    monkeypatch.setattr(verify, "beyond_claims", lambda: [formula])
    monkeypatch.setattr(experiments, "catalogue", lambda quick=False: [])
    monkeypatch.setattr(beyond, "run_all", lambda **_: [])  # the runs are not what is tested
    res = report.generate(tmp_path / "ok", report.Options(quick=True, progress=False))
    assert res.ok
    assert [r["id"] for r in res.record["beyond_claims"]] == [formula.id]
    md = (tmp_path / "ok" / "verification.md").read_text()
    assert f"## {formulas.TITLE}" in md and "*The source's words" not in md
    assert formula.source.quote.split()[0] in md
    monkeypatch.setattr(records, "run", run)
    res = report.generate(tmp_path / "bad", report.Options(quick=True, progress=False))
    assert res.mismatched_claims == (formula.id,)
    assert not res.ok
    md = (tmp_path / "bad" / "verification.md").read_text()
    assert f"differ from the recorded ones for `{formula.id}`" in md
