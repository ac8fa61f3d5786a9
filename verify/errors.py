"""Errors the provers raise instead of deciding: inputs on which no verdict would mean anything.

Every class is a :class:`ValueError`, so a caller that validates parameters with one ``except
ValueError`` reports them as one line. Each is raised before any proof is attempted.
"""

from __future__ import annotations

__all__ = [
    "HypothesesError",
    "SymbolClashError",
    "UndecidedHypothesesError",
    "UnsupportedSymbolError",
    "VacuousHypothesesError",
]


class SymbolClashError(ValueError):
    """Two distinct SymPy symbols with the same name in one decision.

    ``Symbol('x', positive=True)`` and ``Symbol('x', real=True)`` are different objects that print
    alike: a statement mixing them is ambiguous, and a counterexample keyed by name could not say
    which one it assigns.
    """


class UnsupportedSymbolError(ValueError):
    """A symbol that cannot range over the finite reals (non-real, infinite, non-commutative)."""


class HypothesesError(ValueError):
    """The hypotheses of a decision are not shown to have a common real solution."""


class VacuousHypothesesError(HypothesesError):
    """The hypotheses are contradictory: every statement would follow from them, so none does.

    Message: ``"vacuous hypotheses: ..."``.
    """


class UndecidedHypothesesError(HypothesesError):
    """No exact witness of the hypotheses was found (z3 answered ``unknown``, or its model did not
    survive exact evaluation, and the rational grid has no point satisfying them).

    Message: ``"could not show the hypotheses consistent: ..."``.
    """
