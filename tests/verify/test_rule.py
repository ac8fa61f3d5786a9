"""The one rule: each verdict exactly when its condition on the evidence holds; errors otherwise."""

from __future__ import annotations

import pytest

from verify.rule import Evidence, Judgement, RuleError, Unrepaired, decide

PROVED = Evidence("proved", "p")
REFUTED = Evidence("refuted", "r", counterexample="x = 1", witness=(1, 1, (("x", "1"),)))
UNSUPPORTED = Evidence("unsupported", "u", counterexample="the relation fails")


def test_proved_as_written_is_true_whatever_else_is_given():
    out = decide(PROVED, with_added=REFUTED, correction="c", correction_evidence=REFUTED)
    assert out == Judgement("true", "p")
    noted = Evidence("proved", "p", note="equal in expectation only")
    assert decide(noted).note == "equal in expectation only"


def test_refuted_and_proved_with_the_added_hypotheses_is_a_gap():
    out = decide(REFUTED, with_added=PROVED, added=("a: $x > 0$", "b"), added_text="under x > 0")
    assert out.verdict == "gap"
    assert out.counterexample == "x = 1" and out.witness == REFUTED.witness
    assert out.hypotheses_added == ("a: $x > 0$", "b")
    assert out.gap == ("As written the statement is refuted: x = 1. It is proved once these "
                       "hypotheses are added: a: $x > 0$; b.")
    assert out.method == "r; with the added hypotheses: p"
    assert out.correction == "under x > 0"


def test_unsupported_and_proved_with_the_added_hypotheses_is_a_gap():
    out = decide(UNSUPPORTED, with_added=Evidence("proved", "p", note="n"), added=("R",),
                 added_text="t")
    assert out.verdict == "gap"
    assert out.gap == ("As written the statement is not supported by what the slide states: the "
                       "relation fails. It is proved once these hypotheses are added: R.")
    assert (out.note, out.witness) == ("n", ())


def test_refuted_with_a_proved_correction_is_false():
    out = decide(REFUTED, correction="x = x", correction_evidence=PROVED)
    assert (out.verdict, out.counterexample, out.correction) == ("false", "x = 1", "x = x")
    assert out.method == "r; correction: p"
    # The refutation's witness goes with the verdict, for the numeric cross-check.
    assert out.witness == REFUTED.witness


def test_refuted_even_with_the_added_hypotheses_uses_that_counterexample():
    other = Evidence("refuted", "r2", counterexample="x = 2", witness=(1, 1, (("x", "2"),)))
    out = decide(REFUTED, with_added=other, added=("A",), correction="c",
                 correction_evidence=PROVED)
    assert (out.verdict, out.counterexample, out.witness) == ("false", "x = 2", other.witness)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, Unrepaired, "refuted at x = 1"),
        ({"correction": "c", "correction_evidence": REFUTED}, RuleError,
         r"^the correction 'c' is not proved: x = 1$"),
        ({"correction": "c"}, RuleError, r"^the correction 'c' is not proved: not judged$"),
        ({"with_added": UNSUPPORTED}, RuleError,
         "^with the added hypotheses the statement is still unsupported: the relation fails$"),
    ],
)
def test_refuted_without_a_proved_repair_raises(kwargs, error, message):
    with pytest.raises(error, match=message):
        decide(REFUTED, **kwargs)


def test_unsupported_without_added_hypotheses_raises_and_is_not_unrepaired():
    with pytest.raises(RuleError, match=r"^unsupported \(the relation fails\) and no added "
                       r"hypotheses prove it$") as info:
        decide(UNSUPPORTED, correction="c", correction_evidence=PROVED)
    assert not isinstance(info.value, Unrepaired)


def test_unrepaired_carries_the_counterexample():
    with pytest.raises(Unrepaired) as info:
        decide(REFUTED)
    assert info.value.counterexample == "x = 1"
    assert str(info.value) == ("refuted at x = 1 (r); no proved correction or added hypotheses "
                               "repair it")


@pytest.mark.parametrize(
    "kwargs",
    [{"status": "maybe", "method": "m"}, {"status": "refuted", "method": "m"},
     {"status": "unsupported", "method": "m", "counterexample": ""}],
)
def test_malformed_evidence_is_rejected(kwargs):
    with pytest.raises(ValueError, match="status|counterexample"):
        Evidence(**kwargs)
