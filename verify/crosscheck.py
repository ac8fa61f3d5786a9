r"""The numeric cross-check of a claim: its parsed statement evaluated in mpmath at sampled points.

:func:`sample` draws exact rational points of a concrete instance (dimension ``d``, ``n``
examples) that satisfy every hypothesis exactly: equations are solved for some unknowns (they
are linear in them), the other unknowns are drawn from a seeded generator and kept only when the
inequalities hold. :func:`holds` evaluates the statement at such a point with mpmath at 50 digits
(``f''`` by ``mpmath.diff``, expectations as finite averages): no SymPy simplification, no
transcription of the statement. The tests require true claims (and gaps, with their added
hypotheses) to hold at every sampled point, and false claims to fail at the judge's
counterexample.

An equivalence holds at a point when its two sides are both true or both false there (a side
``\forall x \in [a, b]`` is evaluated at 33 equally spaced points of the range). A bound on the
limit of a sequence bounded by a linear recursion (:mod:`verify.recursions`) is evaluated on the
recursion's own comparison sequence ``x_{t+1} = \rho x_t + c``, iterated in mpmath from
``x_0 = 1`` until ``\rho^t`` is below the tolerance.

Reference: F. Johansson et al., mpmath 1.3 (2023), https://mpmath.org.
"""

from __future__ import annotations

import itertools
import random

import mpmath
import sympy

from verify import recursions
from verify import terms as t
from verify.elaborate import Deriv
from verify.encoding import example_count
from verify.evaluate import HISTORY, Instance, Vec, _Evaluator, evaluate, relations
from verify.parse import links
from verify.instances import _free_indices, _split, truth
from verify.numbers import DPS, MpmathOps

__all__ = ["at_witness", "holds", "sample"]

_TOL = mpmath.mpf(10) ** -30
_TOL_DIFF = mpmath.mpf(10) ** -15  # numerical differentiation at 50 digits


def _instance(p, d: int, n: int, outcomes: int = 1) -> Instance:
    defs, diagonal, _ = _split(p)
    count = {x.param("over") for x in p.scope.of_kind("random index")}
    count = count.pop() if len(count) == 1 else None if count else example_count(p.scope)
    return Instance(p.scope, d, n, count, defs, diagonal, outcomes=outcomes)


def sample(p, *, d: int = 2, n: int = 3, seed: int = 0, tries: int = 400):
    """An instance and an exact point satisfying the hypotheses of ``p`` (None if none found)."""
    inst = _instance(p, d, n)
    rest = [h for h in _split(p)[2] if not isinstance(h, t.Predicate)]
    rels = [tr for h in rest for tr in relations(h, inst)]
    if isinstance(p.statement, t.Iff) or recursions.applies(p):
        _touch(p, inst)
    else:
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
    if isinstance(p.statement, t.Iff):
        with mpmath.workdps(DPS):
            ev = _Evaluator(inst, MpmathOps())
            return _truth(ev, p.statement.left, tol) == _truth(ev, p.statement.right, tol)
    if recursions.applies(p):
        return _limit_holds(p, inst, tol)
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


# ------------------------------------------------------------- equivalences and recursive limits
def _touch(p, inst: Instance) -> None:
    """Create the atoms of an equivalence's links, or of a limit's bound."""
    if recursions.applies(p):
        evaluate(p.statement.items[1], inst)
        return
    for side in (p.statement.left, p.statement.right):
        body = side.body if isinstance(side, t.Forall) else side
        for link in links(body):
            for item in link.items:
                evaluate(item, inst)


def _compare(a, op, b, tol) -> bool:
    slack = tol * max(1, abs(a), abs(b))
    return {"=": abs(a - b) <= slack, "leq": a <= b + slack, "<": a < b + slack,
            "geq": a + slack >= b, ">": a + slack > b, "neq": abs(a - b) > slack}[op]


def _truth(ev, side, tol, ctx=None) -> bool:
    """Whether one side of an equivalence holds at the instance's point (mpmath)."""
    ctx = dict(ctx or {})
    if isinstance(side, t.Forall):
        lo, hi = ev.ev(side.domain.lo, ctx), ev.ev(side.domain.hi, ctx)
        return all(_truth(ev, side.body, tol, {**ctx, side.var.name: lo + (hi - lo) * k / 32})
                   for k in range(33))
    values = [ev.ev(item, ctx) for item in side.items]
    return all(_compare(values[k], op, values[k + 1], tol) for k, op in enumerate(side.ops))


def _limit_holds(p, inst: Instance, tol) -> bool:
    """The bound on the limit, at the point, on the comparison sequence of the recursion."""
    (op,) = p.statement.ops
    names = {s.name: v for s, v in inst.assign.items()}
    rho, c = (sympy.Rational(e.xreplace({s: names[s.name] for s in e.free_symbols}))
              for e in recursions.recursion_of(p))
    with mpmath.workdps(DPS):
        r, cc = (mpmath.mpf(v.p) / v.q for v in (rho, c))
        x, power, steps = mpmath.mpf(1), mpmath.mpf(1), 0
        while power > tol and steps < 10**6:
            x, power, steps = r * x + cc, power * r, steps + 1
        bound = _Evaluator(inst, MpmathOps()).ev(p.statement.items[1], {})
        return _compare(x, op, bound, tol * 10**6)
