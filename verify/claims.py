"""The registry of claims: every mathematical step on the slides, with its recorded verdict.

A claim is registered by decorating its check function::

    @claim("quadratic.line1", slide="Example: Quadratic", statement=r"...", assumptions="...",
           recorded="true", numeric=NumericCheck(...))
    def _() -> Outcome:
        ...

Verdicts: ``"true"`` (proved exactly as written), ``"false"`` (false as written: exact
counterexample and a proved correction), ``"gap"`` (true, but the slide's argument is incomplete:
what is missing, and a proof of the repaired statement).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from verify.numeric import NumericCheck

__all__ = [
    "Claim",
    "Outcome",
    "UndecidedError",
    "Verdict",
    "all_claims",
    "claim",
    "decide",
    "format_point",
    "get",
    "joined",
    "proved",
    "register",
    "require",
    "run",
]

Verdict = Literal["true", "false", "gap"]
VERDICTS: tuple[str, ...] = get_args(Verdict)


@dataclass(frozen=True)
class Outcome:
    """What a claim's check computes.

    Attributes:
        verdict: ``"true"``, ``"false"`` or ``"gap"``.
        method: how it was decided (from the prover checks used).
        counterexample: exact and human readable; required for ``"false"``.
        correction: the corrected or repaired statement (LaTeX), itself proved; required for
            ``"false"`` and ``"gap"``.
        gap: what the argument leaves out; required for ``"gap"``.
    """

    verdict: Verdict
    method: str
    counterexample: str | None = None
    correction: str | None = None
    gap: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if not isinstance(self.method, str) or not self.method:
            raise ValueError("method must be a non-empty string")
        if self.verdict == "false" and not (self.counterexample and self.correction):
            raise ValueError("a 'false' outcome needs a counterexample and a correction")
        if self.verdict == "gap" and not (self.gap and self.correction):
            raise ValueError("a 'gap' outcome needs the gap and the repaired statement")


@dataclass(frozen=True)
class Claim:
    """One step of the lecture, judged as written."""

    id: str
    slide: str
    statement: str
    assumptions: str
    recorded: Verdict
    check: Callable[[], Outcome]
    numeric: NumericCheck | None = None
    parse_error: str | None = None  # why the statement is not read from the slide's text


_REGISTRY: dict[str, Claim] = {}


def claim(
    id: str,  # noqa: A002 - the contract's field name
    *,
    slide: str,
    statement: str,
    assumptions: str,
    recorded: Verdict,
    numeric: NumericCheck | None = None,
    parse_error: str | None = None,
) -> Callable[[Callable[[], Outcome]], Callable[[], Outcome]]:
    """Register the decorated zero-argument function as the check of claim ``id``."""
    if not isinstance(id, str) or "." not in id:
        raise ValueError(f"id must look like '<topic>.<short-name>', got {id!r}")
    if id in _REGISTRY:
        raise ValueError(f"claim id {id!r} is already registered")
    if recorded not in VERDICTS:
        raise ValueError(f"recorded must be one of {VERDICTS}, got {recorded!r}")
    for name, value in (("slide", slide), ("statement", statement), ("assumptions", assumptions)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} of claim {id!r} must be a non-empty string")
    if numeric is not None and not isinstance(numeric, NumericCheck):
        raise TypeError(f"numeric must be a NumericCheck or None, got {type(numeric).__name__}")
    if numeric is not None and (numeric.expect == "fails") != (recorded == "false"):
        raise ValueError(
            f"claim {id!r}: numeric expect={numeric.expect!r} contradicts {recorded!r}"
        )

    def register(check: Callable[[], Outcome]) -> Callable[[], Outcome]:
        if not callable(check):
            raise TypeError("@claim must decorate a function")
        _REGISTRY[id] = Claim(id, slide, statement, assumptions, recorded, check, numeric,
                              parse_error)
        return check

    return register


def register(claim) -> None:
    """Register a claim read from the lecture data (:class:`verify.lecture.Claim`)."""
    if claim.id in _REGISTRY:
        raise ValueError(f"claim id {claim.id!r} is already registered")
    if claim.recorded not in VERDICTS:
        raise ValueError(f"recorded must be one of {VERDICTS}, got {claim.recorded!r}")
    _REGISTRY[claim.id] = claim


def all_claims() -> list[Claim]:
    """Every registered claim in lecture order (module import order, then definition order)."""
    return list(_REGISTRY.values())


def get(id: str) -> Claim:  # noqa: A002
    """The claim with this id; ``KeyError`` naming close ids if there is none."""
    try:
        return _REGISTRY[id]
    except KeyError:
        close = difflib.get_close_matches(str(id), list(_REGISTRY), n=5, cutoff=0.5)
        hint = f"; close ids: {', '.join(close)}" if close else f"; {len(_REGISTRY)} ids registered"
        raise KeyError(f"unknown claim id {id!r}{hint}") from None


def run(claim_or_id: Claim | str) -> Outcome:
    """Compute the outcome of a claim (given itself or by id).

    A claim read from the lecture data is judged from its own fields (:func:`verify.judge.judge`);
    a claim registered with :func:`claim` runs its check.
    """
    from verify import lecture
    from verify.judge import judge

    if isinstance(claim_or_id, str):
        claim_or_id = get(claim_or_id)
    if isinstance(claim_or_id, lecture.Claim):
        return judge(claim_or_id)
    if not isinstance(claim_or_id, Claim):
        raise TypeError(f"expected a Claim or a claim id, got {type(claim_or_id).__name__}")
    outcome = claim_or_id.check()
    if not isinstance(outcome, Outcome):
        raise TypeError(
            f"check of {claim_or_id.id!r} returned {type(outcome).__name__}, not Outcome"
        )
    return outcome


# --------------------------------------------------------------------------- helpers for checks
class UndecidedError(RuntimeError):
    """A prover neither proved nor refuted a step: a defect of the check, never a verdict."""


def require(check, what: str):
    """Return ``check`` if decided (proved or refuted); else raise :class:`UndecidedError`."""
    if check.undecided:
        raise UndecidedError(f"{what}: {check.detail}")
    return check


def format_point(point) -> str:
    """``{'alpha': 1/2, 'x': 1}`` -> ``"alpha = 1/2, x = 1"``."""
    return ", ".join(f"{name} = {value}" for name, value in sorted(point.items()))


def joined(*checks) -> str:
    """The methods of several checks, in order, as one line (repeats collapsed to ``(xN)``)."""
    parts: list[list] = []
    for c in checks:
        if parts and parts[-1][0] == c.method:
            parts[-1][1] += 1
        else:
            parts.append([c.method, 1])
    return "; ".join(m if n == 1 else f"{m} (x{n})" for m, n in parts)


def decide(check, *, what: str, correction: str | None = None, repaired=()) -> Outcome:
    """``"true"`` if ``check`` proves the step; ``"false"`` (with its exact counterexample) if it
    refutes it and every check in ``repaired`` proves the corrected statement ``correction``."""
    require(check, what)
    if check.holds:
        return Outcome("true", check.method)
    for fix in repaired:
        require(fix, f"correction of {what}")
        if not fix.holds:
            raise UndecidedError(
                f"the correction of {what} is itself refuted: {fix.counterexample}"
            )
    if correction is None or not repaired:
        raise UndecidedError(f"{what} is refuted but no proved correction was supplied")
    return Outcome(
        "false",
        f"{check.method}; correction: {joined(*repaired)}",
        counterexample=format_point(check.counterexample),
        correction=correction,
    )


def proved(*checks, what: str) -> str:
    """Require every check to hold; return their joined methods (true claims, gap repairs)."""
    for c in checks:
        require(c, what)
        if not c.holds:
            raise UndecidedError(f"{what} is refuted at {format_point(c.counterexample)}")
    return joined(*checks)
