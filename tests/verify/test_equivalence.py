r"""Equivalences ``A \Leftrightarrow B``: both implications proved, a failing one refuted, and a
quantified premise (used only at its endpoints) never the source of a counterexample."""

from __future__ import annotations

import pytest

from verify import strategies, tamper
from verify.instances import Undecided

SYMBOLS = {"x": "real", "y": "real"}


def _evidence(statement, hypotheses=()):
    return strategies.evidence(strategies.problem(SYMBOLS, (), hypotheses, statement))


def test_a_true_equivalence_is_proved_in_both_directions():
    found = _evidence(r"x^2 < 1 \Leftrightarrow -1 < x < 1")
    assert found.status == "proved" and found.method.startswith("both directions")


@pytest.mark.parametrize(("statement", "arrow"), [
    (r"x^2 < 1 \Leftrightarrow 0 < x < 1", "=>"),
    (r"x^2 < 1 \Leftrightarrow -1 < x < 2", "<="),
])
def test_a_false_direction_is_refuted_exactly(statement, arrow):
    found = _evidence(statement)
    assert found.status == "refuted"
    assert found.counterexample.startswith(f"direction {arrow} fails")


def test_hypotheses_apply_to_both_directions():
    assert _evidence(r"x^2 < 1 \Leftrightarrow x < 1", [r"x > 0"]).status == "proved"
    assert _evidence(r"x^2 < 1 \Leftrightarrow x < 1").status == "refuted"


def test_a_quantified_conclusion_is_proved_on_its_whole_range():
    found = _evidence(r"\forall y \in [0, 1], x y \leq 1 \Leftrightarrow x \leq 1")
    assert found.status == "proved"
    assert _evidence(r"\forall y \in [0, 2], x y \leq 2 \Leftrightarrow x \leq 2").status == \
        "refuted"  # x = 2, y = 2: the direction <= fails on the range


def test_a_quantified_premise_used_at_its_endpoints_never_refutes():
    # True (the minimum of (y - 1)^2 on [0, 2] is 0, inside), but the endpoints only give x <= 1.
    with pytest.raises(Undecided, match="endpoints"):
        _evidence(r"\forall y \in [0, 2], (y - 1)^2 \geq x \Leftrightarrow x \leq 0")


def test_the_right_side_of_an_equivalence_is_tampered():
    statement = r"x^2 < 1 \Leftrightarrow -1 < x < 1"
    assert tamper.tampered(statement, "coefficient") == r"x^2 < 1 \Leftrightarrow -1 < x < 2"
    assert tamper.tampered(statement, "relation") == r"x^2 < 1 \Leftrightarrow -1 < x > 1"
    assert tamper.tampered(statement, "sign") is None  # no sum in the last link
    assert tamper.tampered(r"x \leq 1 \Leftrightarrow x - 1 \leq 0", "sign") == \
        r"x \leq 1 \Leftrightarrow x + 1 \leq 0"
    assert tamper.tampered(r"x < 1 \Leftrightarrow x < 1", "drop") is None
