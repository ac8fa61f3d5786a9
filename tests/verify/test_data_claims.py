"""Claims read from the lecture data: quotes, derived statements, verdicts, and the contract that
a claim is judged from its own fields (so the text a reader sees is the text that is decided)."""

from __future__ import annotations

import dataclasses
import re

import pytest

import verify
from verify import lecture
from verify.judge import JudgeError, judge, parse_status
from verify.rule import Unrepaired

DATA = [c for c in verify.all_claims() if isinstance(c, lecture.Claim)]
LAYOUT = re.compile(r"\s+|\\\\|&|\\q?quad(?![a-zA-Z])")


def _flat(text: str) -> str:
    """Text without whitespace and layout (line breaks, alignment marks, quads)."""
    return LAYOUT.sub("", text)


def test_phase_one_topics_are_data():
    assert {c.id.split(".")[0] for c in DATA} >= {"quadratic", "logistic", "gd", "sgd"}
    assert len(DATA) >= 35


@pytest.mark.parametrize("claim", DATA, ids=lambda c: c.id)
def test_every_quote_occurs_in_the_shipped_lecture(claim):
    assert _flat(claim.source.quote) in _flat(lecture.lecture_text())


@pytest.mark.parametrize("claim", [c for c in DATA if c.restated is not None], ids=lambda c: c.id)
def test_a_restatement_says_what_it_judges(claim):
    assert len(claim.restated.split()) >= 5, "a restatement must say what it judges"


@pytest.mark.parametrize("claim", [c for c in DATA if c.restated is None], ids=lambda c: c.id)
def test_statement_is_the_quote_or_one_of_its_links(claim):
    """Both sides of a derived statement are characters of the quote (whitespace aside); a
    restated claim (the slide speaks in words) is checked by the test below instead."""
    for side in re.split(r"\\leq|\\geq|=|<|>", claim.statement):
        assert _flat(side) in _flat(claim.source.quote), side


@pytest.mark.parametrize("claim", DATA, ids=lambda c: c.id)
def test_verdict_is_computed_from_the_text_and_matches_the_record(claim):
    out = verify.run(claim)
    assert out.verdict == claim.recorded
    assert parse_status(claim) == (True, None)
    if out.verdict == "false":
        assert out.counterexample and out.correction
    if out.verdict == "gap":
        assert out.hypotheses_added and out.gap and out.counterexample
    if out.verdict == "true":
        assert out.counterexample is None


def test_claims_are_frozen_dataclasses_with_the_contract_fields():
    for c in verify.all_claims():
        assert dataclasses.is_dataclass(c)
        for name in ("id", "slide", "statement", "assumptions"):
            assert isinstance(getattr(c, name), str)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DATA[0].statement = "x = x"


LOGISTIC_WRONG = r"f''(x) = \frac{e^{-x}}{1+e^{-x}}"


def test_a_false_second_derivative_turns_the_verdict():
    claim = verify.get("logistic.second-derivative")
    assert judge(claim).verdict == "true"
    out = judge(dataclasses.replace(claim, statement=LOGISTIC_WRONG))
    assert out.verdict == "false"
    assert out.counterexample == "x = 0"  # f''(0) = 1/4, the tampered formula gives 1/2
    assert out.correction == r"f''(x) = \frac{e^{x}}{\left(e^{x} + 1\right)^{2}}"


def test_replacing_the_statement_changes_what_is_proved():
    line2 = verify.get("quadratic.line2")
    assert judge(line2).verdict == "false"
    assert judge(dataclasses.replace(line2, statement=line2.correction)).verdict == "true"
    with pytest.raises(Unrepaired, match="alpha"):
        judge(dataclasses.replace(verify.get("quadratic.line1"), statement=line2.statement))


def test_hypotheses_are_read_too():
    line4 = verify.get("sgd.second-moment.line4")
    assert judge(line4).verdict == "gap"
    fixed = dataclasses.replace(line4, hypotheses=(*line4.hypotheses,
                                                   r"\alpha \leq \frac{2}{L + \mu}"))
    assert judge(fixed).verdict == "true"


def test_the_recorded_verdict_is_never_read():
    claim = verify.get("quadratic.line1")
    for recorded in ("false", "gap"):
        assert judge(dataclasses.replace(claim, recorded=recorded)).verdict == "true"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"statement": r"x = \foo"}, "ParseError"),
        ({"symbols": (("alpha", "real"),)}, "not declared"),
        ({"statement": "x = y = x"}, "one relation"),
    ],
)
def test_a_claim_that_cannot_be_judged_is_an_error_never_a_verdict(change, message):
    with pytest.raises(JudgeError, match=message):
        judge(dataclasses.replace(verify.get("quadratic.line1"), **change))


def test_an_unproved_correction_is_an_error():
    line2 = verify.get("quadratic.line2")
    with pytest.raises(verify.rule.RuleError, match="correction"):
        judge(dataclasses.replace(line2, correction=line2.statement))


def test_every_data_topic_is_registered_in_lecture_order():
    from verify import _TOPICS

    assert set(lecture.topics()) <= set(_TOPICS)
    ids = [c.id for c in verify.all_claims()]
    assert ids.index("quadratic.line1") < ids.index("abs.line1") < ids.index("gd.line1")


def test_a_topic_loads_into_exactly_these_fields():
    """The loader, run afresh (not from the import-time registry), on one topic of each kind."""
    lecture.load_topic.cache_clear()
    try:
        quadratic = {c.id: c for c in lecture.load_topic("example_quadratic")}
        sgd = {c.id: c for c in lecture.load_topic("sgd_second_moment")}
    finally:
        lecture.load_topic.cache_clear()
    line2 = quadratic["quadratic.line2"]
    assert line2.slide == "Example: Quadratic"
    assert line2.source == lecture.Source(
        "cs6787_lecture1", "Example: Quadratic", "display", line2.source.quote, 2, "chain")
    assert line2.source.quote.startswith(r"\begin{aligned}(\alpha x")
    assert line2.symbols == (("alpha", "real"), ("x", "real"), ("y", "real"))
    assert line2.hypotheses == (r"\alpha \in [0, 1]",)
    assert (line2.definitions, line2.hypotheses_added, line2.restated) == ((), (), None)
    assert line2.correction.endswith(r"\alpha(1 - \alpha)(x - y)^2")
    assert line2.recorded == "false"
    assert line2.assumptions == r"alpha, x, y: real; $\alpha \in [0, 1]$"
    assert quadratic["quadratic.proof"].statement == (
        r"(\alpha x + (1 - \alpha)y)^2 \leq \alpha x^2 + (1 - \alpha)y^2")
    line4 = sgd["sgd.second-moment.line4"]
    assert line4.definitions == (r"h(w) = \frac{1}{n} \sum_{i=1}^n f(w; x_i)",)
    assert line4.hypotheses_added == (lecture.Added(
        "'small enough alpha' made exact", r"\alpha \leq \frac{2}{L + \mu}", None),)
    assert dict(line4.symbols)["zeta_t"] == "mean value point of h between w^* and w_t"
    assert dict(line4.tamper_keeps) and line4.source.link == 4


@pytest.mark.parametrize("topic", lecture.topics())
def test_every_topic_reloads_and_judges_as_recorded(topic):
    """The loader and the judge together, on claims loaded afresh rather than at import."""
    lecture.load_topic.cache_clear()
    try:
        fresh = lecture.load_topic(topic)
    finally:
        lecture.load_topic.cache_clear()
    assert [c.id for c in fresh] == [c.id for c in DATA if c in fresh] and fresh
    for claim in fresh:
        assert judge(claim).verdict == claim.recorded, claim.id


def test_a_restated_claim_keeps_the_slides_words(tmp_path, monkeypatch):
    folder = tmp_path / "demo" / "claims"
    folder.mkdir(parents=True)
    (folder / "t.toml").write_text(
        '[[claim]]\nid = "t.a"\nslide = "S"\nquote = "in words"\n'
        'statement = "x = x"\nrestated = "the slide says it in words"\n'
        'symbols = { x = "real" }\ndefinitions = ["f(x) = x"]\nrecorded = "true"\n')
    monkeypatch.setattr(lecture, "_folder", lambda name: tmp_path / name)
    lecture.load_topic.cache_clear()
    try:
        (claim,) = lecture.load_topic("t", "demo")
    finally:
        lecture.load_topic.cache_clear()
    assert (claim.statement, claim.restated) == ("x = x", "the slide says it in words")
    assert (claim.source.quote, claim.symbols, claim.definitions) == (
        "in words", (("x", "real"),), ("f(x) = x",))


@pytest.mark.parametrize(("ops", "combined"), [
    (("=", "="), "="), (("=", "leq"), "leq"), (("leq", "<", "="), "<"), (("geq",), "geq"),
    (("=", ">", "geq"), ">"),
])
def test_links_combine_into_the_conclusions_relation(ops, combined):
    assert lecture._combined(ops) == combined


@pytest.mark.parametrize("ops", [("leq", "geq"), ("=", "preceq"), ("<", ">")])
def test_links_that_do_not_combine_are_rejected(ops):
    with pytest.raises(lecture.DataError, match=r"^the links .* do not combine into one relation$"):
        lecture._combined(ops)


def test_a_strict_conclusion_is_quoted_with_its_relation():
    assert lecture._statement(r"a &= b \\ &< c", "conclusion") == "a < c"
    assert lecture._statement(r"a &= b \\ &\geq c", "conclusion") == r"a \geq c"
    assert lecture._statement(r"a = b", None) == "a = b"


TOML = """
[defaults]
slide = "S"
symbols = {{ x = "real" }}
[[claim]]
{body}
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('id = "t.a"\nquote = "x = x"', "'recorded' is required"),
        ('id = "t.a"\nquote = "x = x"\nrecorded = "true"\ncolour = 1', "unknown keys"),
        ('id = "t.a"\nrecorded = "true"', "exactly one of 'block' and 'quote'"),
        ('id = "t.a"\nquote = "x = x"\nrecorded = "true"\nstatement = "x = x"', "restated"),
        ('id = "t.a"\nquote = "x = x = x"\nrecorded = "true"', "not one relation"),
        ('id = "t.a"\nquote = "x = \\\\foo"\nrecorded = "true"', "does not parse"),
        ('id = "t.a"\nquote = "x = x"\nrecorded = "true"\nlocation = "margin"', "location"),
    ],
)
def test_malformed_claim_data_is_rejected(tmp_path, monkeypatch, body, message):
    folder = tmp_path / "demo" / "claims"
    folder.mkdir(parents=True)
    (folder / "t.toml").write_text(TOML.format(body=body))
    monkeypatch.setattr(lecture, "_folder", lambda name: tmp_path / name)
    lecture.load_topic.cache_clear()
    try:
        with pytest.raises(lecture.DataError, match=message):
            lecture.load_topic("t", "demo")
    finally:
        lecture.load_topic.cache_clear()
