r"""The one rule that turns prover evidence into a verdict.

A judging strategy (:mod:`verify.strategies`) reports :class:`Evidence` about a statement under a
set of hypotheses: ``proved``, ``refuted`` (an exact counterexample that satisfies the
hypotheses) or ``unsupported`` (a hypothesis the statement needs is shown to fail in the slide's
setting: a missing hypothesis is exhibited). A prover that can do neither raises; so does a
prover error (vacuous hypotheses, a symbol clash): errors are never verdicts.

:func:`decide` applies the rule, given the evidence for

* the statement under the slide's hypotheses H (``as_written``);
* the statement under H plus the claim's ``hypotheses_added`` A (``with_added``), if any;
* the claim's correction under H (``correction``), if any:

==========  =====================================================================================
verdict     condition
==========  =====================================================================================
true        ``as_written`` is proved.
gap         ``as_written`` is refuted or unsupported, and ``with_added`` is proved.
false       ``as_written`` (or ``with_added``) is refuted, and the correction is proved.
==========  =====================================================================================

Anything else raises: :class:`Unrepaired` when the statement is refuted but no proved correction
or added hypotheses repair it (the counterexample is exact, the claim lacks a repair), and
:class:`RuleError` for a correction that is itself refuted, or an unsupported statement without
added hypotheses. So changing the statement changes what is proved and hence the verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Evidence", "Judgement", "RuleError", "Unrepaired", "decide"]

Status = Literal["proved", "refuted", "unsupported"]


class RuleError(RuntimeError):
    """The evidence does not satisfy any verdict's condition."""


class Unrepaired(RuleError):
    """The statement is refuted by an exact counterexample and the claim has no proved repair."""

    def __init__(self, counterexample: str, method: str) -> None:
        super().__init__(f"refuted at {counterexample} ({method}); no proved correction or "
                         "added hypotheses repair it")
        self.counterexample = counterexample


@dataclass(frozen=True)
class Evidence:
    """What a strategy established about one statement under one set of hypotheses."""

    status: Status
    method: str
    counterexample: str | None = None  # exact; for "refuted" and "unsupported"
    note: str | None = None  # e.g. "equal in expectation only"
    witness: tuple = ()  # (d, n, ((unknown, value), ...)) of a refutation, for the cross-check

    def __post_init__(self) -> None:
        if self.status not in ("proved", "refuted", "unsupported"):
            raise ValueError(f"status must be proved, refuted or unsupported, got {self.status!r}")
        if self.status != "proved" and not self.counterexample:
            raise ValueError(f"{self.status} evidence needs its counterexample")


@dataclass(frozen=True)
class Judgement:
    """A verdict with the evidence that decided it (the fields of a claim record)."""

    verdict: Literal["true", "false", "gap"]
    method: str
    counterexample: str | None = None
    correction: str | None = None
    gap: str | None = None
    hypotheses_added: tuple[str, ...] = ()
    note: str | None = None
    witness: tuple = ()


def decide(as_written: Evidence, *, with_added: Evidence | None = None,
           added: tuple[str, ...] = (), added_text: str | None = None,
           correction: str | None = None, correction_evidence: Evidence | None = None
           ) -> Judgement:
    """Apply the rule (see the module docstring)."""
    if as_written.status == "proved":
        return Judgement("true", as_written.method, note=as_written.note)
    witness = as_written
    if with_added is not None:
        if with_added.status == "proved":
            why = ("refuted" if as_written.status == "refuted" else
                   "not supported by what the slide states")
            return Judgement(
                "gap", f"{as_written.method}; with the added hypotheses: {with_added.method}",
                counterexample=as_written.counterexample,
                correction=added_text,
                gap=f"As written the statement is {why}: {as_written.counterexample}. It is "
                    f"proved once these hypotheses are added: {'; '.join(added)}.",
                hypotheses_added=added, note=with_added.note, witness=as_written.witness)
        if with_added.status == "refuted":
            witness = with_added
        else:
            raise RuleError(f"with the added hypotheses the statement is still unsupported: "
                            f"{with_added.counterexample}")
    if witness.status != "refuted":
        raise RuleError(f"unsupported ({witness.counterexample}) and no added hypotheses prove it")
    if correction is None:
        raise Unrepaired(witness.counterexample, witness.method)
    if correction_evidence is None or correction_evidence.status != "proved":
        shown = correction_evidence.counterexample if correction_evidence else "not judged"
        raise RuleError(f"the correction {correction!r} is not proved: {shown}")
    return Judgement("false", f"{witness.method}; correction: {correction_evidence.method}",
                     counterexample=witness.counterexample, correction=correction,
                     witness=witness.witness)
