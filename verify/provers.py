"""Exact deciders for the statements on the slides.

Every decider returns a :class:`Check`. ``holds=True`` only comes with a proof: a difference that
SymPy reduces to exactly ``0``, a factorisation into factors of known sign, or an ``unsat`` answer
from z3 over nonlinear real arithmetic (QF_NRA) for the negated goal. ``holds=False`` comes with an
exact counterexample (rationals) confirmed by exact substitution into the original SymPy
statement, or, when neither a proof nor a counterexample is found, with ``detail`` starting
``"undecided"`` (:attr:`Check.undecided`), which callers must treat as an error, never a verdict.

All symbols range over the reals, restricted by the assumptions passed in and by those declared
on the symbols themselves (``positive``, ``nonnegative``, ``integer``, ...). Statements are judged
where they are defined: ``1/u`` brings ``u != 0``, ``log(u)`` brings ``u > 0``, ``sqrt(u)``
brings ``u >= 0``, and a symbol in the limits of a ``Sum`` or ``Product`` is an integer.

Non-polynomial atoms (``exp``, ``log``, ``Abs``, ``sqrt``, ``Max``, ``Min``) are replaced by
fresh real variables with true defining facts (``E > 0``, ``E >= 1 + u`` for ``E = exp(u)``;
``A >= 0 and (A = u or A = -u)`` for ``A = |u|``; ...). The facts over-approximate the atoms, so
``unsat`` remains a proof; a model of the relaxation is only a *candidate* counterexample and is
confirmed exactly before it is returned. The translation lives in :mod:`verify._z3`, the exact
evaluation and counterexample search in :mod:`verify._counterexamples`.

References:
    L. de Moura, N. Bjørner, "Z3: An efficient SMT solver", TACAS 2008.
    D. Jovanović, L. de Moura, "Solving non-linear arithmetic", IJCAR 2012 (nlsat).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import sympy

from verify import _z3
from verify._counterexamples import search

__all__ = ["Check", "derivative", "fixed_point", "identity", "implies", "inequality"]

_SIMPLIFY_MAX_OPS = 300
_RELS = {"<=": sympy.Le, "<": sympy.Lt, ">=": sympy.Ge, ">": sympy.Gt}


@dataclass(frozen=True)
class Check:
    """Result of one exact decision.

    Attributes:
        holds: the statement is proved (``True``) or not proved (``False``).
        method: how it was decided.
        counterexample: exact assignment (symbol name -> SymPy number) at which the statement fails.
        detail: certificate, simplified difference or solver output, human readable.
    """

    holds: bool
    method: str
    counterexample: dict[str, sympy.Expr] | None = None
    detail: str = ""

    @property
    def undecided(self) -> bool:
        """Neither proved nor refuted: an error for the caller, not a verdict."""
        return not self.holds and self.counterexample is None


# ------------------------------------------------------------------------------- input checking
def _expr(value, name: str) -> sympy.Expr:
    """Accept SymPy expressions (and exact Python ints / Fractions); reject everything else."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{name} must be an exact SymPy expression, got {type(value).__name__}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if not isinstance(value, sympy.Expr):
        raise TypeError(f"{name} must be a SymPy expression, got {type(value).__name__}")
    return value


def _relations(items, name: str) -> tuple[sympy.Basic, ...]:
    if isinstance(items, sympy.Basic):
        items = (items,)
    if not isinstance(items, Iterable):
        raise TypeError(
            f"{name} must be a sequence of SymPy relationals, got {type(items).__name__}"
        )
    out = []
    for i, rel in enumerate(items):
        if not isinstance(rel, sympy.logic.boolalg.Boolean) or isinstance(rel, sympy.Symbol):
            raise TypeError(
                f"{name}[{i}] must be a SymPy relational or boolean combination, got {rel!r}"
            )
        if rel is sympy.false:
            raise ValueError(f"assumptions are contradictory: {name}[{i}] is False")
        if rel is not sympy.true:
            out.append(rel)
    return tuple(out)


def _free(*items) -> set[sympy.Symbol]:
    out: set[sympy.Symbol] = set()
    for item in items:
        out |= item.free_symbols
    return out


# ------------------------------------------------------------------------------ public deciders
def identity(lhs, rhs, *, assumptions=()) -> Check:
    """Decide ``lhs == rhs`` for all real values allowed by ``assumptions``.

    Proof: ``expand``/``cancel``/``simplify`` reduce ``lhs - rhs`` to exactly ``0``, or z3 shows
    ``assumptions and lhs != rhs`` unsatisfiable. Refutation: an exact rational point.
    """
    lhs, rhs = _expr(lhs, "lhs"), _expr(rhs, "rhs")
    assumptions = _relations(assumptions, "assumptions")
    _z3.require_consistent(assumptions)
    diff = lhs - rhs
    steps = [("expand", sympy.expand), ("cancel", sympy.cancel)]
    # simplify is a heuristic search whose cost grows quickly with size; z3 handles large
    # polynomial differences better, so simplify is kept for small (transcendental) ones.
    if sympy.count_ops(diff) <= _SIMPLIFY_MAX_OPS:
        steps.append(("simplify", sympy.simplify))
    for name, fn in steps:
        if fn(diff) == 0:
            return Check(True, f"{name}(lhs - rhs) == 0", detail="difference is identically 0")
    goal = sympy.Eq(lhs, rhs)
    status, _, _ = _z3.solve((*assumptions, sympy.Ne(lhs, rhs)))
    if status == "unsat":
        return Check(True, "z3 (QF_NRA): assumptions and lhs != rhs is unsat", detail="unsat")
    found, how = search(assumptions, goal, _free(lhs, rhs, *assumptions))
    if found is not None:
        return Check(False, how, found, detail=f"lhs - rhs = {sympy.factor(diff)}")
    return Check(False, "identity", detail=f"undecided: lhs - rhs = {diff}; {how}")


def _factor_sign(factor: sympy.Expr, assumptions) -> int | None:
    """+1 / -1 if the factor is provably > 0 / < 0, +2 / -2 for >= 0 / <= 0, else None."""
    for sign, rel in ((1, sympy.Gt), (-1, sympy.Lt), (2, sympy.Ge), (-2, sympy.Le)):
        status, _, _ = _z3.solve((*assumptions, sympy.Not(rel(factor, 0))))
        if status == "unsat":
            return sign
    return None


def _factor_certificate(diff: sympy.Expr, strict: bool, assumptions) -> str | None:
    """Certificate that ``diff >= 0`` (``> 0`` if strict) from signs of the factors of ``diff``.

    Numerator and denominator of ``together(diff)`` are factored separately; a denominator factor
    must have a strict sign (an even power of it still needs it nonzero).
    """
    num, den = sympy.fraction(sympy.together(diff))
    try:
        coeff_n, num_factors = sympy.factor_list(num)
        coeff_d, den_factors = sympy.factor_list(den)
    except sympy.PolynomialError:
        return None
    coeff = coeff_n / coeff_d
    if coeff == 0:
        return None if strict else "difference is 0"
    if len(num_factors) + len(den_factors) < 2:
        return None  # nothing to factor: the z3 certificate covers it directly
    negative, weak, shown = coeff < 0, False, []
    for in_den, (base, mult) in itertools.chain(
        ((False, f) for f in num_factors), ((True, f) for f in den_factors)
    ):
        s = 2 if (mult % 2 == 0 and not in_den) else _factor_sign(base, assumptions)
        if s is None or (in_den and abs(s) == 2):
            return None
        weak = weak or abs(s) == 2
        if s < 0 and mult % 2:
            negative = not negative
        power = f"({base})**{mult}" if mult != 1 else f"({base})"
        shown.append(f"/ {power}" if in_den else f"* {power}")
    if negative or (strict and weak):
        return None
    return f"{coeff} " + " ".join(shown) + "; each factor of known sign under the assumptions"


def inequality(lhs, rel, rhs, *, assumptions=()) -> Check:
    """Decide ``lhs rel rhs`` (``rel`` in ``<=, <, >=, >``) under ``assumptions``.

    Certificate 1: ``rhs - lhs`` (or ``lhs - rhs``) factors into factors of known sign.
    Certificate 2: z3 (QF_NRA), denominators cleared, proves the negation unsatisfiable.
    """
    lhs, rhs = _expr(lhs, "lhs"), _expr(rhs, "rhs")
    if rel not in _RELS:
        raise ValueError(f"rel must be one of {sorted(_RELS)}, got {rel!r}")
    assumptions = _relations(assumptions, "assumptions")
    _z3.require_consistent(assumptions)
    goal = _RELS[rel](lhs, rhs, evaluate=False)
    diff = (rhs - lhs) if rel in ("<=", "<") else (lhs - rhs)
    cert = _factor_certificate(diff, rel in ("<", ">"), assumptions)
    if cert is not None:
        return Check(True, "factorisation into factors of known sign", detail=cert)
    status, _, _ = _z3.solve((*assumptions, sympy.Not(goal)))
    if status == "unsat":
        return Check(True, "z3 (QF_NRA), denominators cleared", detail="negation unsat")
    found, how = search(assumptions, goal, _free(lhs, rhs, *assumptions))
    if found is not None:
        return Check(False, how, found, detail=f"fails at {found}")
    return Check(False, "inequality", detail=f"undecided: {how}")


def derivative(f, var, claimed, *, order: int = 1, assumptions=()) -> Check:
    """Decide ``d^order f / d var^order == claimed`` by differentiating and comparing exactly."""
    f, claimed = _expr(f, "f"), _expr(claimed, "claimed")
    if not isinstance(var, sympy.Symbol):
        raise TypeError(f"var must be a SymPy Symbol, got {type(var).__name__}")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"order must be an integer >= 1, got {order!r}")
    computed = sympy.diff(f, var, order)
    check = identity(computed, claimed, assumptions=assumptions)
    method = f"diff(f, {var}, {order}) = {computed} compared with the claim: {check.method}"
    return Check(check.holds, method, check.counterexample, check.detail)


def fixed_point(update, state, candidate, *, assumptions=()) -> Check:
    """Decide whether ``candidate`` is a fixed point of ``state -> update``: ``update(c) == c``."""
    update, candidate = _expr(update, "update"), _expr(candidate, "candidate")
    if not isinstance(state, sympy.Symbol):
        raise TypeError(f"state must be a SymPy Symbol, got {type(state).__name__}")
    image = update.subs(state, candidate)
    check = identity(image, candidate, assumptions=assumptions)
    method = f"update at the candidate compared with the candidate: {check.method}"
    return Check(check.holds, method, check.counterexample, check.detail)


def implies(premises, conclusion, *, assumptions=()) -> Check:
    """Decide ``assumptions and premises => conclusion`` with z3; counterexamples are exact."""
    premises = _relations(premises, "premises")
    if not isinstance(conclusion, sympy.logic.boolalg.Boolean) or isinstance(
        conclusion, sympy.Symbol
    ):
        raise TypeError(f"conclusion must be a SymPy relational, got {conclusion!r}")
    assumptions = _relations(assumptions, "assumptions")
    _z3.require_consistent(assumptions)
    status, _, _ = _z3.solve((*assumptions, *premises, sympy.Not(conclusion)))
    if status == "unsat":
        return Check(True, "z3 (QF_NRA): assumptions, premises and not(conclusion) is unsat")
    hyps = (*assumptions, *premises)
    found, how = search(hyps, conclusion, _free(conclusion, *hyps))
    if found is not None:
        return Check(False, how, found, detail=f"premises hold, conclusion fails at {found}")
    return Check(False, "implication", detail=f"undecided: {how}")
