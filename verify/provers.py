"""Exact deciders for the statements on the slides.

Every decider returns a :class:`Check`: ``holds=True`` only with a proof, ``holds=False`` with an
exact counterexample, or, when neither is found, with ``detail`` starting ``"undecided"``
(:attr:`Check.undecided`), which callers must treat as an error, never a verdict.

Semantics (the rule every decider follows):

1. *Symbols.* Every symbol ranges over the reals, restricted by the assumptions declared on it
   (``positive``, ``nonnegative``, ``integer``, ``even``, ...); a symbol in the limits of a ``Sum``
   or ``Product`` ranges over the integers; an undefined function ``g(u)`` is any real function
   (its values at a counterexample are part of it, keyed ``"g(1)"``). A symbol is its name *and*
   its assumptions: two distinct symbols with one name in one decision raise
   :class:`SymbolClashError`, and a symbol that cannot be real raises
   :class:`UnsupportedSymbolError`, before any work.
2. *Hypotheses.* The hypotheses are the symbols' assumptions, the ``assumptions`` and, for
   :func:`implies`, the ``premises``. A hypothesis holds at a point where it is defined and true:
   its own domain conditions restrict it (a premise ``log(u) > 0`` holds only where ``u > 0``).
   They must be shown consistent by an exact witness before anything is decided: if z3 proves them
   unsatisfiable, :class:`VacuousHypothesesError` (``"vacuous hypotheses: ..."``); if no witness
   survives exact evaluation (z3 ``unknown`` included), :class:`UndecidedHypothesesError`
   (``"could not show the hypotheses consistent: ..."``). A vacuous implication is never a proof.
3. *Domains.* A statement is judged at every point where the hypotheses hold. A term is defined
   where each sub-term is and ``1/u`` has ``u != 0``, ``log(u)`` has ``u > 0``, ``u**r`` (``r``
   not an integer) has ``u >= 0`` (``u > 0`` if ``r < 0``). These conditions attach to the
   sub-term where they arise: they never join the hypotheses, and inside a ``Piecewise`` branch or
   a disjunct they bind that branch only (``u < 0 or log(u) > 0`` is true at ``u = -1``; connectives
   follow strong Kleene logic). A statement undefined at some point where the hypotheses hold is
   not proved: it is refuted with that point as the counterexample, ``Check.undefined`` giving the
   reason and ``detail`` starting ``"undefined at"``. :func:`derivative` also requires ``f`` to
   be defined. (SymPy simplifies on construction, e.g. ``x/x`` is ``1``; domains are read from
   the expressions as SymPy holds them.)
4. *Proofs.* A difference that SymPy reduces to exactly ``0`` or a factorisation into factors of
   known sign (each valid where the statement is defined), or an ``unsat`` answer from z3 over
   nonlinear real arithmetic (QF_NRA), together with a proof that the statement is defined
   wherever the hypotheses hold. Non-polynomial atoms become z3 variables with true facts
   (:mod:`verify._z3`), so ``unsat`` stays a proof.
5. *Counterexamples* come from z3 models or a rational grid (:mod:`verify._counterexamples`) and
   are confirmed by exact evaluation (:mod:`verify._exact`): rational arithmetic where the
   statement is rational, otherwise signs proved by interval enclosures; never by a float
   comparison. A value is rational, or a real algebraic number where z3's model is irrational.
   A false point is reported before an undefined one.

References:
    L. de Moura, N. Bjørner, "Z3: An efficient SMT solver", TACAS 2008.
    D. Jovanović, L. de Moura, "Solving non-linear arithmetic", IJCAR 2012 (nlsat).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy

from verify import _z3
from verify._domain import total
from verify._counterexamples import search
from verify._setting import Setting, boolean, expr, relations, setting_of
from verify.errors import (
    HypothesesError,
    SymbolClashError,
    UndecidedHypothesesError,
    UnsupportedSymbolError,
    VacuousHypothesesError,
)

__all__ = [
    "Check",
    "HypothesesError",
    "SymbolClashError",
    "UndecidedHypothesesError",
    "UnsupportedSymbolError",
    "VacuousHypothesesError",
    "derivative",
    "fixed_point",
    "identity",
    "implies",
    "inequality",
]

_SIMPLIFY_MAX_OPS = 300
_FACTOR_MAX_SYMBOLS = 8
_RELS = {"<=": sympy.Le, "<": sympy.Lt, ">=": sympy.Ge, ">": sympy.Gt}


@dataclass(frozen=True)
class Check:
    """Result of one exact decision.

    Attributes:
        holds: the statement is proved (``True``) or not proved (``False``).
        method: how it was decided.
        counterexample: exact assignment (symbol name -> SymPy number) where the hypotheses hold
            and the statement fails (is false, or is undefined: see ``undefined``).
        detail: certificate, simplified difference or solver output, human readable.
        undefined: at a counterexample where the statement is undefined rather than false, why
            (e.g. ``"log of -1, which is not positive"``); ``None`` otherwise.
    """

    holds: bool
    method: str
    counterexample: dict[str, sympy.Expr] | None = None
    detail: str = ""
    undefined: str | None = None

    @property
    def undecided(self) -> bool:
        """Neither proved nor refuted: an error for the caller, not a verdict."""
        return not self.holds and self.counterexample is None


def _decide(setting: Setting, goal, proof, *, kind: str, z3_method: str, also_defined=()):
    """Combine a proof where the goal is defined (``proof``: ``(method, detail)`` or None; else
    z3 is asked) with a proof that the goal is defined wherever the hypotheses hold; failing
    either, look for an exact counterexample (false first, then undefined)."""
    hyps, ints, syms = setting.hypotheses, setting.integers, setting.symbols
    if proof is None and _z3.solve(hyps, goal, "false", ints)[0] == "unsat":
        proof = (z3_method, "unsat")
    whole = sympy.And(goal, *(sympy.Eq(t, t, evaluate=False) for t in also_defined))
    is_total = total(whole)
    defined = is_total or _z3.solve(hyps, whole, "undefined", ints)[0] == "unsat"
    if proof is not None and defined:
        where = "; defined wherever the hypotheses hold (z3: undefined is unsat)"
        return Check(True, proof[0], detail=proof[1] + ("" if is_total else where))
    tried = []
    if proof is None:
        found, how = search(hyps, goal, syms, ints, want="false")
        if found is not None:
            return Check(False, found.how, found.point, detail=f"{kind} fails at {found.point}")
        tried.append(how)
    if not defined:
        found, how = search(hyps, whole, syms, ints, want="undefined")
        if found is not None:
            return Check(
                False,
                f"{found.how}: the statement is undefined there",
                found.point,
                detail=f"undefined at {found.point}: {found.undefined}",
                undefined=found.undefined,
            )
        tried.append(f"definedness: {how}")
    return Check(False, kind, detail="undecided: " + "; ".join(tried))


# ------------------------------------------------------------------------------ public deciders
def identity(lhs, rhs, *, assumptions=()) -> Check:
    """Decide ``lhs == rhs`` at every real point allowed by ``assumptions``.

    Proof: ``expand``/``cancel``/``simplify`` reduce ``lhs - rhs`` to exactly ``0``, or z3 shows
    ``assumptions and lhs != rhs`` unsatisfiable; plus definedness. Refutation: an exact point.
    """
    return _identity(expr(lhs, "lhs"), expr(rhs, "rhs"), assumptions)


def _identity(lhs, rhs, assumptions, *, also_defined=(), extra=()) -> Check:
    setting = setting_of(relations(assumptions, "assumptions"), lhs, rhs, *also_defined, *extra)
    diff = lhs - rhs
    steps = [("expand", sympy.expand), ("cancel", sympy.cancel)]
    # simplify is a heuristic search whose cost grows quickly with size; z3 handles large
    # polynomial differences better, so simplify is kept for small (transcendental) ones.
    if sympy.count_ops(diff) <= _SIMPLIFY_MAX_OPS:
        steps.append(("simplify", sympy.simplify))
    proof, reduced = None, diff
    for name, fn in steps:
        reduced = fn(diff)
        if reduced == 0:
            proof = (f"{name}(lhs - rhs) == 0", "difference is identically 0")
            break
    goal = sympy.Eq(lhs, rhs, evaluate=False)
    check = _decide(
        setting,
        goal,
        proof,
        kind="lhs == rhs",
        z3_method="z3 (QF_NRA): assumptions and lhs != rhs is unsat",
        also_defined=also_defined,
    )
    if check.counterexample is not None and check.undefined is None:
        # Factored only when small: a difference in dozens of variables shows nothing more
        # factored, and factoring it costs seconds.
        shown = sympy.factor(diff) if len(diff.free_symbols) <= _FACTOR_MAX_SYMBOLS else reduced
        return Check(False, check.method, check.counterexample, f"lhs - rhs = {shown}")
    return check


def _factor_sign(factor: sympy.Expr, setting: Setting) -> int | None:
    """+1 / -1 if the factor is provably > 0 / < 0, +2 / -2 for >= 0 / <= 0, else None."""
    signs = ((1, sympy.Gt), (-1, sympy.Lt), (2, sympy.Ge), (-2, sympy.Le))
    first = _z3.first_proved(setting.hypotheses, tuple(rel(factor, 0) for _, rel in signs),
                             setting.integers)
    return None if first is None else signs[first][0]


def _factor_certificate(diff: sympy.Expr, strict: bool, setting: Setting) -> str | None:
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
        s = 2 if (mult % 2 == 0 and not in_den) else _factor_sign(base, setting)
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
    Either comes with a proof that both sides are defined wherever the assumptions hold.
    """
    lhs, rhs = expr(lhs, "lhs"), expr(rhs, "rhs")
    if rel not in _RELS:
        raise ValueError(f"rel must be one of {sorted(_RELS)}, got {rel!r}")
    setting = setting_of(relations(assumptions, "assumptions"), lhs, rhs)
    goal = _RELS[rel](lhs, rhs, evaluate=False)
    diff = (rhs - lhs) if rel in ("<=", "<") else (lhs - rhs)
    cert = _factor_certificate(diff, rel in ("<", ">"), setting)
    proof = None if cert is None else ("factorisation into factors of known sign", cert)
    z3_method = "z3 (QF_NRA), denominators cleared"
    return _decide(setting, goal, proof, kind=f"lhs {rel} rhs", z3_method=z3_method)


def derivative(f, var, claimed, *, order: int = 1, assumptions=()) -> Check:
    """Decide ``d^order f / d var^order == claimed`` by differentiating and comparing exactly.

    The statement is judged where ``f`` and the computed derivative are defined.
    """
    f, claimed = expr(f, "f"), expr(claimed, "claimed")
    if not isinstance(var, sympy.Symbol):
        raise TypeError(f"var must be a SymPy Symbol, got {type(var).__name__}")
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"order must be an integer >= 1, got {order!r}")
    computed = sympy.diff(f, var, order)
    check = _identity(computed, claimed, assumptions, also_defined=(f,), extra=(var,))
    method = f"diff(f, {var}, {order}) = {computed} compared with the claim: {check.method}"
    return Check(check.holds, method, check.counterexample, check.detail, check.undefined)


def fixed_point(update, state, candidate, *, assumptions=()) -> Check:
    """Decide whether ``candidate`` is a fixed point of ``state -> update``: ``update(c) == c``."""
    update, candidate = expr(update, "update"), expr(candidate, "candidate")
    if not isinstance(state, sympy.Symbol):
        raise TypeError(f"state must be a SymPy Symbol, got {type(state).__name__}")
    # A clash between update, state and candidate is an error even if the substitution hides it.
    setting_of((), update, state, candidate)
    image = update.subs(state, candidate)
    check = _identity(image, candidate, assumptions)
    method = f"update at the candidate compared with the candidate: {check.method}"
    return Check(check.holds, method, check.counterexample, check.detail, check.undefined)


def implies(premises, conclusion, *, assumptions=()) -> Check:
    """Decide ``assumptions and premises => conclusion``; the premises must be consistent."""
    premises = relations(premises, "premises")
    conclusion = boolean(conclusion, "conclusion")
    assumptions = relations(assumptions, "assumptions")
    setting = setting_of((*assumptions, *premises), conclusion)
    z3_method = "z3 (QF_NRA): assumptions, premises and not(conclusion) is unsat"
    check = _decide(setting, conclusion, None, kind="conclusion", z3_method=z3_method)
    if check.counterexample is not None and check.undefined is None:
        return Check(
            False,
            check.method,
            check.counterexample,
            f"premises hold, conclusion fails at {check.counterexample}",
        )
    return check
