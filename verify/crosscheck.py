r"""The numeric cross-check of a claim: its parsed statement evaluated in mpmath at sampled points.

:func:`sample` draws exact rational points of a concrete instance (dimension ``d``, ``n``
examples) that satisfy every hypothesis exactly: equations are solved for some unknowns (they
are linear in them), the other unknowns are drawn from a seeded generator and kept only when the
inequalities hold. :func:`holds` evaluates the statement at such a point with mpmath at 50 digits
(``f''`` by ``mpmath.diff``, expectations as finite averages): no SymPy simplification, no
transcription of the statement. The tests require true claims (and gaps, with their added
hypotheses) to hold at every sampled point, and false claims to fail at the judge's
counterexample.

Reference: F. Johansson et al., mpmath 1.3 (2023), https://mpmath.org.
"""

from __future__ import annotations

import itertools
import random

import mpmath
import sympy

from verify import terms as t
from verify.elaborate import Deriv
from verify.evaluate import HISTORY, Instance, Vec, _Evaluator, relations
from verify.instances import _free_indices, _split, truth
from verify.numbers import DPS, MpmathOps

__all__ = ["at_witness", "holds", "sample"]

_TOL = mpmath.mpf(10) ** -30
_TOL_DIFF = mpmath.mpf(10) ** -15  # numerical differentiation at 50 digits


def _instance(p, d: int, n: int, outcomes: int = 1) -> Instance:
    defs, diagonal, _ = _split(p)
    count = {x.param("over") for x in p.scope.of_kind("random index")}
    return Instance(p.scope, d, n, count.pop() if len(count) == 1 else None, defs, diagonal,
                    outcomes=outcomes)


def sample(p, *, d: int = 2, n: int = 3, seed: int = 0, tries: int = 400):
    """An instance and an exact point satisfying the hypotheses of ``p`` (None if none found)."""
    inst = _instance(p, d, n)
    rest = _split(p)[2]
    rels = [tr for h in rest for tr in relations(h, inst)]
    for ctx in _contexts(p, inst):
        relations(p.statement, inst, ctx)  # creates every atom of the statement
    unknowns = sorted(inst.symbols(), key=str)
    equations = [sympy.Eq(a, b) for a, b in ((x, y) for x, op, y in rels if op == "=")]
    solved = sympy.solve(equations, unknowns, dict=True) if equations else [{}]
    if not solved:
        return None
    solution = solved[0]
    free = [s for s in unknowns if s not in solution]
    rng = random.Random(seed)
    inequalities = sorted((tr for tr in rels if tr[1] != "="),  # cheap ones fail first
                          key=lambda tr: len(sympy.sympify(tr[0] - tr[2]).free_symbols))
    for _ in range(tries):
        point = {s: _draw(s, rng) for s in free}
        for _ in range(12):  # repair: solve a violated inequality for one unknown in it
            full = {**point, **{s: sympy.sympify(v).xreplace(point) for s, v in solution.items()}}
            bad = next((tr for tr in inequalities if truth(
                sympy.sympify(tr[0]).xreplace(full), tr[1],
                sympy.sympify(tr[2]).xreplace(full)) is not True), None)
            if bad is None:
                return Instance(inst.scope, d, n, inst.count, inst.definitions, inst.diagonal,
                                inst.values, full)
            if not _repair(bad, point, rng):
                break
    return None


def _draw(s, rng):
    if s.is_integer:
        return sympy.Integer(rng.randint(1 if s.is_positive else -3, 4))
    return sympy.Rational(rng.randint(-30, 30), rng.randint(1, 10))


def _repair(bad, point, rng) -> bool:
    """Set one unknown that enters the violated inequality linearly so that it holds."""
    lhs, op, rhs = bad
    gap = sympy.sympify(rhs - lhs if op in ("leq", "<") else lhs - rhs)  # want gap >= 0
    names = [x for x in point if gap.has(x) and not sympy.diff(gap, x).has(x)]
    rng.shuffle(names)
    for x in names:
        rest = {k: v for k, v in point.items() if k != x}
        coeff = sympy.sympify(sympy.diff(gap, x).xreplace(rest))
        base = sympy.sympify(gap.xreplace({**rest, x: 0}))
        if coeff.free_symbols or base.free_symbols or coeff == 0:
            continue
        slack = sympy.Rational(rng.randint(1, 20), 10)
        point[x] = (slack - base) / coeff
        return True
    return False


def at_witness(p, witness) -> Instance:
    """The instance and point of a judge's counterexample (``Evidence.witness``)."""
    d, n, values, *outcomes = witness  # a fourth entry: a history with that many outcomes
    inst = _instance(p, d, n, *outcomes)
    for h in _split(p)[2]:
        relations(h, inst)
    for ctx in _contexts(p, inst):
        relations(p.statement, inst, ctx)
    point = dict(values)
    assign = {s: sympy.Rational(point.get(s.name, "0")) for s in inst.symbols()}
    return Instance(inst.scope, d, n, inst.count, inst.definitions, inst.diagonal, inst.values,
                    assign, inst.outcomes)


def _contexts(p, inst: Instance):
    free = _free_indices(p.statement, inst)
    for history in range(1, inst.outcomes + 1):
        for values in itertools.product(range(1, inst.n + 1), repeat=len(free)):
            ctx = dict(zip(free, values, strict=True))
            if inst.outcomes > 1:
                ctx[HISTORY] = history
            yield ctx


def holds(p, inst: Instance) -> bool:
    """Whether the statement of ``p`` holds at ``inst``'s point, in mpmath at 50 digits."""
    tol = _TOL_DIFF if any(isinstance(n, Deriv) for n in t.walk(p.statement)) else _TOL
    (op,) = p.statement.ops
    with mpmath.workdps(DPS):
        ev = _Evaluator(inst, MpmathOps())
        for ctx in _contexts(p, inst):
            lhs, rhs = ev.ev(p.statement.items[0], ctx), ev.ev(p.statement.items[1], ctx)
            if isinstance(lhs, Vec) and not isinstance(rhs, Vec):
                rhs = Vec(tuple(rhs for _ in lhs.c))  # "= 0" for a vector
            pairs = (zip(lhs.c, rhs.c, strict=True) if isinstance(lhs, Vec) else [(lhs, rhs)])
            for a, b in pairs:
                slack = tol * max(1, abs(a), abs(b))
                ok = {"=": abs(a - b) <= slack, "leq": a <= b + slack, "<": a < b + slack,
                      "geq": a + slack >= b, ">": a + slack > b, "neq": abs(a - b) > slack}[op]
                if not ok:
                    return False
    return True
