"""The tamper suite: perturb every data claim's statement and judge it again. Each perturbation
must change the verdict, or the claim must say why it cannot (``tamper_keeps``); the detection
rate is printed at the end of the test session (tests/verify/conftest.py)."""

from __future__ import annotations

import pytest

import verify
from verify import lecture, tamper

DATA = [c for c in verify.all_claims() if isinstance(c, lecture.Claim)]


@pytest.mark.parametrize("claim", DATA, ids=lambda c: c.id)
def test_every_tamper_turns_the_verdict_or_is_explained(claim, record_property):
    rows = tamper.outcomes(claim)
    assert rows, f"{claim.id}: no tamper applies"
    for row in rows:
        record_property(f"tamper {row.kind}", row.status)
    undetected = [(r.kind, r.statement, r.verdict) for r in rows if r.status != "detected"
                  and r.status != "kept"]
    assert not undetected
    assert all(r.reason for r in rows if r.status == "kept")
    kept = {r.kind for r in rows if r.status == "kept"}
    stale = set(dict(claim.tamper_keeps)) - kept
    assert not stale, f"{claim.id}: tamper_keeps lists tampers that do change the verdict: {stale}"


@pytest.mark.parametrize(("kind", "expected"), [
    ("sign", r"a = b + 2 c + d"),
    ("coefficient", r"a = b - 3 c + d"),
    ("drop", r"a = b - 2 c"),
    ("relation", None),
])
def test_each_perturbation_of_an_equation(kind, expected):
    assert tamper.tampered(r"a = b - 2c + d", kind) == expected


def test_perturbations_of_an_inequality():
    assert tamper.tampered(r"x \leq y", "relation") == r"x \geq y"
    assert tamper.tampered(r"x < y", "relation") == "x > y"
    assert tamper.tampered(r"x \leq y", "coefficient") == r"x \leq 2 y"  # no number: doubled
    assert tamper.tampered(r"x \leq y", "sign") is None
    assert tamper.tampered(r"x + 1 \leq y", "sign") == r"x - 1 \leq y"  # left side if not right


def test_subscripts_and_indices_are_not_perturbed():
    assert tamper.tampered(r"w_{t+1} = \sum_{i=1}^n g_i", "coefficient") == \
        r"w_{t + 1} = 2 \sum_{i=1}^n g_i"


@pytest.mark.parametrize(("statement", "kind", "error"), [
    ("a = b = c", "sign", "one-relation"),
    ("a = b", "colour", "kind must be"),
])
def test_bad_tamper_requests(statement, kind, error):
    with pytest.raises(ValueError, match=error):
        tamper.tampered(statement, kind)


def test_outcomes_of_a_false_claim_in_detail():
    """Tampers of a false statement stay false; tampers of its proved correction are caught."""
    rows = tamper.outcomes(verify.get("quadratic.line2"))
    assert {r.claim for r in rows} == {"quadratic.line2"}
    assert all(r.status in ("detected", "kept") for r in rows)
    own = [r for r in rows if not r.kind.startswith("correction")]
    assert {r.kind for r in own} == {"sign", "coefficient", "drop"}
    assert {(r.verdict, r.status, r.reason) for r in own} == {
        ("false", "kept", "still refuted: a perturbation of a false statement")}
    fixed = [r for r in rows if r.kind.startswith("correction")]
    assert {r.kind for r in fixed} == {"correction sign", "correction coefficient",
                                       "correction drop"}
    assert {(r.verdict, r.status) for r in fixed} == {("refuted, unrepaired", "detected")}


def test_outcomes_of_a_true_claim_in_detail():
    rows = tamper.outcomes(verify.get("sgd.second-moment.line2"))
    status = {r.kind: (r.status, r.verdict) for r in rows}
    assert status["sign"] == ("kept", "true")
    assert status["coefficient"] == ("detected", "refuted, unrepaired")
    assert "cross term has expectation 0" in next(r.reason for r in rows if r.kind == "sign")
