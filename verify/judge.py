r"""``judge(claim)``: decide a claim from its own fields (statement, symbols, hypotheses, repairs).

1. The statement and the slide's hypotheses are parsed and elaborated (:mod:`verify.strategies`);
   the evidence for the statement as written is computed.
2. If that is not a proof and the claim names ``hypotheses_added``, the evidence under the
   hypotheses plus those is computed, and each added hypothesis's ``justify`` entry of the
   library (:mod:`verify.library`) must hold.
3. If the statement is refuted and the claim has a ``correction`` (or, for a derivative, the
   derivative computed from the definition), the correction is judged under the slide's
   hypotheses.
4. :func:`verify.rule.decide` turns the evidence into the verdict.

Every failure along the way (a text outside the grammar, an undeclared symbol, an undecided or
failing prover) raises :class:`JudgeError`; :class:`verify.rule.Unrepaired` (a subclass of
:class:`verify.rule.RuleError`) says the statement is refuted and nothing repairs it.
"""

from __future__ import annotations

import sympy

from verify import _seeded, chains, classes, induction, library, rule, strategies
from verify.elaborate import Deriv
from verify.evaluate import Instance, evaluate
from verify.parse import ParseError, parse
from verify.rule import Judgement, RuleError

__all__ = ["JudgeError", "judge", "parse_status"]


class JudgeError(RuntimeError):
    """The claim could not be judged (the message names the stage and the reason)."""


def parse_status(claim) -> tuple[bool, str | None]:
    """Whether every LaTeX field of ``claim`` is in the grammar (and the reason if not)."""
    fields = [("statement", claim.statement), *(("hypothesis", h) for h in claim.hypotheses),
              *(("definition", d) for d in claim.definitions),
              *(("added hypothesis", a.statement) for a in claim.hypotheses_added)]
    if claim.correction:
        fields.append(("correction", claim.correction))
    for name, text in fields:
        try:
            parse(text)
        except ParseError as exc:
            return False, f"{name}: {exc}"
    return True, None


def _evidence(claim, hypotheses, statement):
    if induction.variable(claim.symbols) is not None:
        return induction.evidence(claim.symbols, claim.definitions, hypotheses, statement)
    if classes.applies(claim.symbols, hypotheses, statement):  # about a class of functions
        return classes.evidence(claim.symbols, hypotheses, statement), None
    p = strategies.problem(claim.symbols, claim.definitions, hypotheses, statement)
    try:
        return strategies.evidence(p), p
    except strategies.Undecided:
        from_chain = chains.conclusion_evidence(claim, hypotheses, statement)
        if from_chain is None:
            raise
        return from_chain, p


def _derivative_correction(claim, p) -> str | None:
    """``f''(x) = <the derivative computed from the definition>`` when the left side is f''(x)."""
    lhs = p.statement.items[0] if hasattr(p.statement, "items") else None
    if not isinstance(lhs, Deriv):
        return None
    value = evaluate(lhs, Instance(p.scope))
    source = parse(claim.statement)
    start, end = source.spans[0]
    computed = sympy.latex(sympy.factor(sympy.together(value)))
    text = f"{claim.statement[start:end].strip()} = {computed}"
    try:
        parse(text)
    except ParseError:
        return None
    return text


def judge(claim) -> Judgement:
    """The verdict of ``claim``, computed from its fields (see the module docstring)."""
    try:
        with _seeded.fixed():
            return _judge(claim)
    except RuleError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure is an error, never a verdict
        raise JudgeError(f"{type(exc).__name__}: {exc}") from exc


def _judge(claim) -> Judgement:
    as_written, p = _evidence(claim, claim.hypotheses, claim.statement)
    if p is not None and p.notes and as_written.status == "proved":
        as_written = rule.Evidence("proved", f"{as_written.method} ({'; '.join(p.notes)})",
                                   note=as_written.note)
    with_added, names, text = None, (), None
    if as_written.status != "proved" and claim.hypotheses_added:
        added = claim.hypotheses_added
        with_added, _ = _evidence(claim, (*claim.hypotheses, *(a.statement for a in added)),
                                  claim.statement)
        justified = [library.theorem(a.justify).method() for a in added if a.justify]
        if justified and with_added.status == "proved":
            with_added = rule.Evidence("proved", f"{with_added.method}; the added hypotheses "
                                       f"hold: {'; '.join(justified)}", note=with_added.note)
        names = tuple(f"{a.name}: ${a.statement}$" for a in added)
        text = (r"\text{under } " + r",\ ".join(a.statement for a in added) + r":\ "
                + claim.statement)
    correction, corrected = claim.correction, None
    refuted = as_written.status == "refuted" or (with_added is not None
                                                 and with_added.status == "refuted")
    if refuted and (with_added is None or with_added.status != "proved"):
        if correction is None and p is not None:
            correction = _derivative_correction(claim, p)
        if correction is not None:
            corrected, _ = _evidence(claim, claim.hypotheses, correction)
    return rule.decide(as_written, with_added=with_added, added=names, added_text=text,
                       correction=correction, correction_evidence=corrected)
