"""Exact counterexamples: evaluate statements at rational points, and search for a failing one.

A candidate point comes from a z3 model of ``assumptions and not goal`` or from a small rational
grid. It is returned only after exact substitution shows every assumption true and the goal
false (signs of closed forms decided exactly, or at 60 digits far from zero). Symbols declared
``integer``, and symbols in the limits of a ``Sum`` or ``Product`` (defined only for integer
limits), take integer values only.

Reference:
    A. Meurer et al., "SymPy: symbolic computing in Python", PeerJ Comput. Sci. 3:e103, 2017.
"""

from __future__ import annotations

import itertools

import sympy

from verify import _z3

__all__ = ["search"]

_GRID = tuple(
    sympy.Rational(v)
    for v in (
        "0",
        "1",
        "-1",
        "1/2",
        "2",
        "-1/2",
        "-2",
        "3",
        "1/3",
        "3/2",
        "-3",
        "1/10",
        "5",
        "-5/2",
    )
)
_INTEGER_GRID = tuple(v for v in _GRID if v.is_integer)
_GRID_LIMIT = 600


def _truth(b: sympy.Basic, point: dict[sympy.Symbol, sympy.Expr]) -> bool | None:
    """Exact truth value of a relational at a point (None if undecidable or undefined there)."""
    if isinstance(b, sympy.core.relational.Relational):
        s = _sign(b.lhs.xreplace(point) - b.rhs.xreplace(point))
        if s is None:
            return None
        return {"<=": s <= 0, "<": s < 0, ">=": s >= 0, ">": s > 0, "==": s == 0, "!=": s != 0}[
            b.rel_op
        ]
    if isinstance(b, (sympy.And, sympy.Or)):
        vals = [_truth(a, point) for a in b.args]
        if None in vals:
            return None
        return all(vals) if isinstance(b, sympy.And) else any(vals)
    if isinstance(b, sympy.Not):
        v = _truth(b.args[0], point)
        return None if v is None else not v
    value = b.xreplace(point)
    return bool(value) if value in (sympy.true, sympy.false) else None


def _sign(value: sympy.Expr) -> int | None:
    """Exact sign of a closed-form real number; None when undefined (zoo, nan, complex)."""
    value = sympy.sympify(value)
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or value.free_symbols:
        return None
    if value.is_Rational:
        return int(sympy.sign(value))
    if value.is_extended_real is False:
        return None
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    simplified = sympy.simplify(value)
    if simplified.is_zero:
        return 0
    # Nonzero closed forms are separated from 0 at 60 digits far beyond the evaluation error.
    approx = simplified.evalf(60)
    if approx.is_real and abs(approx) > sympy.Float("1e-40", 60):
        return 1 if approx > 0 else -1
    return None


def _admissible(sym: sympy.Symbol, value: sympy.Expr) -> bool:
    """Whether ``value`` respects the assumptions declared on the SymPy symbol itself."""
    checks = (
        (sym.is_integer, value.is_integer),
        (sym.is_positive, value.is_positive),
        (sym.is_negative, value.is_negative),
        (sym.is_nonnegative, value.is_nonnegative),
        (sym.is_nonpositive, value.is_nonpositive),
    )
    return all(ok for declared, ok in checks if declared)


def _integer_valued(symbols, *items) -> frozenset[sympy.Symbol]:
    """The symbols that only take integer values: declared integer, or a limit of a sum/product.

    ``Sum(f(i), (i, a, b))`` is defined for integer ``b - a`` only; SymPy's evaluation at other
    values can recurse without end, so such limits are searched over the integers.
    """
    out = {s for s in symbols if s.is_integer}
    for item in items:
        for node in item.atoms(sympy.Sum, sympy.Product):
            for _, lo, hi in node.limits:
                out |= lo.free_symbols | hi.free_symbols
    return frozenset(out & set(symbols))


def _confirm(point, assumptions, goal, *, integers=frozenset()) -> dict[str, sympy.Expr] | None:
    """Return the point (by name) if it satisfies the assumptions and violates the goal exactly."""
    if any(not point[s].is_integer for s in integers if s in point):
        return None
    if not all(_admissible(sym, value) for sym, value in point.items()):
        return None
    if any(_truth(a, point) is not True for a in assumptions):
        return None
    if _truth(goal, point) is not False:
        return None
    return {s.name: v for s, v in sorted(point.items(), key=lambda kv: kv[0].name)}


def search(assumptions, goal, symbols) -> tuple[dict[str, sympy.Expr] | None, str]:
    """An exact counterexample to ``assumptions => goal``: z3 model first, then a rational grid.

    Integer-valued symbols (:func:`_integer_valued`) take integer values only, in both.
    """
    integers = _integer_valued(symbols, goal, *assumptions)
    status, model, _ = _z3.solve((*assumptions, sympy.Not(goal)))
    by_name = {s.name: s for s in symbols}
    if status == "sat":
        point = {by_name[n]: v for n, v in model.items() if n in by_name}
        point.update({s: sympy.Integer(0) for s in symbols if s not in point})
        found = _confirm(point, assumptions, goal, integers=integers)
        if found is not None:
            return found, "z3 model, confirmed by exact substitution"
    ordered = sorted(symbols, key=lambda s: s.name)
    grids = [_INTEGER_GRID if s in integers else _GRID for s in ordered]
    for values in itertools.islice(itertools.product(*grids), _GRID_LIMIT):
        found = _confirm(dict(zip(ordered, values, strict=True)), assumptions, goal)
        if found is not None:
            return found, "rational grid search, confirmed by exact substitution"
    return None, f"z3: {status}; no counterexample on the rational grid"
