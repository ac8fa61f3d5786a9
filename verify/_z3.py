"""SymPy -> z3 translation and satisfiability queries over the reals (QF_NRA), for the provers.

Polynomial arithmetic translates directly; a negative integer power becomes a fresh ``d`` with
``d * base**k == 1`` (so ``base != 0``). Non-polynomial atoms (``exp``, ``log``, ``Abs``, ``sqrt``,
``Max``, ``Min``) become fresh real variables constrained by true facts (``E > 0``,
``E >= 1 + u`` for ``E = exp(u)``; ``A >= 0 and (A = u or A = -u)`` for ``A = |u|``; ...). The facts
over-approximate the atoms, so ``unsat`` is a proof while a model is only a candidate, to be
confirmed exactly by the caller. Symbols carry their SymPy assumptions (``positive``,
``integer``, ...) into z3 as premises.

References:
    L. de Moura, N. Bjørner, "Z3: An efficient SMT solver", TACAS 2008.
    D. Jovanović, L. de Moura, "Solving non-linear arithmetic", IJCAR 2012 (nlsat).
"""

from __future__ import annotations

import functools

import sympy
import z3

__all__ = ["require_consistent", "solve"]

_Z3_TIMEOUT_MS = 4000


class _Translator:
    """SymPy -> z3 over the reals, with transcendental atoms replaced by constrained variables."""

    def __init__(self) -> None:
        self.vars: dict[str, z3.ArithRef] = {}
        self.facts: list[z3.BoolRef] = []
        self.atoms: dict[sympy.Expr, z3.ArithRef] = {}
        self.relaxed = False

    def var(self, sym: sympy.Symbol) -> z3.ArithRef:
        if sym.name not in self.vars:
            v = self.vars[sym.name] = z3.Real(sym.name)
            # SymPy's own assumptions on the symbol are premises too.
            for holds, fact in (
                (sym.is_positive, v > 0),
                (sym.is_negative, v < 0),
                (sym.is_nonnegative, v >= 0),
                (sym.is_nonpositive, v <= 0),
                (sym.is_integer, z3.IsInt(v)),
            ):
                if holds:
                    self.facts.append(fact)
        return self.vars[sym.name]

    def atom(self, e: sympy.Expr) -> z3.ArithRef:
        if e in self.atoms:
            return self.atoms[e]
        v = z3.Real(f"__atom{len(self.atoms)}")
        self.atoms[e] = v
        arg = self.expr(e.args[0]) if len(e.args) == 1 or e.is_Pow else None
        if isinstance(e, sympy.Abs):
            self.facts.append(z3.And(v >= 0, z3.Or(v == arg, v == -arg)))
        elif isinstance(e, (sympy.Max, sympy.Min)):
            args = [self.expr(x) for x in e.args]
            bound = [v >= x for x in args] if isinstance(e, sympy.Max) else [v <= x for x in args]
            self.facts += [*bound, z3.Or([v == x for x in args])]
        elif e.is_Pow:
            # sqrt(u): the nonnegative root, defined where u >= 0.
            self.facts += [v >= 0, v * v == arg]
        elif isinstance(e, sympy.exp):
            self.relaxed = True
            # exp(u) > 0, exp(u) >= 1 + u, and exp(0) = 1.
            self.facts += [v > 0, v >= 1 + arg, z3.Implies(arg == 0, v == 1)]
            self.facts.append(z3.Implies(arg > 0, v > 1))
            self.facts.append(z3.Implies(arg < 0, v < 1))
        elif isinstance(e, sympy.log):
            self.relaxed = True
            # log is only real on u > 0; there log(u) <= u - 1 and sign(log u) = sign(u - 1).
            self.facts += [arg > 0, v <= arg - 1, z3.Implies(arg == 1, v == 0)]
            self.facts.append(z3.Implies(arg > 1, v > 0))
            self.facts.append(z3.Implies(arg < 1, v < 0))
        else:
            raise _Untranslatable(e)
        return v

    def expr(self, e: sympy.Expr) -> z3.ArithRef:
        if e.is_Symbol:
            return self.var(e)
        if e.is_Rational:
            return z3.RealVal(f"{e.p}/{e.q}")
        if e is sympy.E:
            return self.atom(sympy.exp(sympy.Integer(1), evaluate=False))
        if e.is_Add:
            return z3.Sum([self.expr(a) for a in e.args])
        if e.is_Mul:
            return z3.Product([self.expr(a) for a in e.args])
        if e.is_Pow and e.exp.is_Integer:
            base, n = self.expr(e.base), int(e.exp)
            if n >= 0:
                return base**n if n else z3.RealVal(1)
            d = z3.Real(f"__inv{len(self.facts)}")
            # d * base^|n| = 1 encodes the reciprocal and forces base != 0.
            self.facts.append(d * base ** (-n) == 1)
            return d
        if e.is_Pow and e.exp == sympy.Rational(1, 2):
            return self.atom(e)
        if isinstance(e, (sympy.Abs, sympy.exp, sympy.log, sympy.Max, sympy.Min)):
            return self.atom(e)
        raise _Untranslatable(e)

    def boolean(self, b: sympy.Basic) -> z3.BoolRef:
        if isinstance(b, sympy.core.relational.Relational):
            lhs, rhs = self.expr(b.lhs), self.expr(b.rhs)
            ops = {
                "<=": lhs <= rhs,
                "<": lhs < rhs,
                ">=": lhs >= rhs,
                ">": lhs > rhs,
                "==": lhs == rhs,
                "!=": lhs != rhs,
            }
            return ops[b.rel_op]
        if isinstance(b, sympy.And):
            return z3.And([self.boolean(a) for a in b.args])
        if isinstance(b, sympy.Or):
            return z3.Or([self.boolean(a) for a in b.args])
        if isinstance(b, sympy.Not):
            return z3.Not(self.boolean(b.args[0]))
        if isinstance(b, sympy.Implies):
            return z3.Implies(self.boolean(b.args[0]), self.boolean(b.args[1]))
        if b is sympy.true:
            return z3.BoolVal(True)
        if b is sympy.false:
            return z3.BoolVal(False)
        raise _Untranslatable(b)


class _Untranslatable(Exception):
    pass


def _clear_denominators(rel: sympy.Basic) -> sympy.Basic:
    """``p/q  op  0``  ->  ``p*q op 0`` (with ``q != 0`` implied): same truth value, polynomial."""
    if not isinstance(rel, sympy.core.relational.Relational) or rel.rel_op in ("==", "!="):
        return rel
    num, den = sympy.fraction(sympy.together(rel.lhs - rel.rhs))
    if den.is_number and den.is_positive:
        return rel.func(sympy.expand(num), 0)
    return sympy.And(rel.func(sympy.expand(num * den), 0), sympy.Ne(den, 0))


@functools.lru_cache(maxsize=4096)
def solve(formulas: tuple[sympy.Basic, ...]) -> tuple[str, dict | None, bool]:
    """Satisfiability of the conjunction: ('unsat'|'sat'|'unknown', model by name, relaxed).

    Cached: the same queries recur across claims (e.g. consistency of the same assumptions, the
    sign of the same factor). Callers must not mutate the returned model.
    """
    tr = _Translator()
    try:
        goals = [tr.boolean(_clear_denominators(f)) for f in formulas]
    except _Untranslatable:
        return "unknown", None, True
    solver = z3.SolverFor("QF_NRA")
    solver.set("timeout", _Z3_TIMEOUT_MS)
    solver.add(*goals, *tr.facts)
    answer = solver.check()
    if answer == z3.unsat:
        return "unsat", None, tr.relaxed
    if answer == z3.sat:
        model = solver.model()
        values = {}
        for name, v in tr.vars.items():
            val = model.eval(v, model_completion=True)
            values[name] = _z3_to_rational(val)
        return "sat", values, tr.relaxed
    return "unknown", None, tr.relaxed


def _z3_to_rational(val) -> sympy.Rational:
    if z3.is_rational_value(val):
        return sympy.Rational(val.numerator_as_long(), val.denominator_as_long())
    # Algebraic model value: a nearby rational, to be re-confirmed exactly by the caller.
    approx = val.approx(30)
    return sympy.Rational(approx.numerator_as_long(), approx.denominator_as_long())


@functools.lru_cache(maxsize=512)
def _assumptions_consistent(assumptions: tuple[sympy.Basic, ...]) -> bool:
    if not assumptions:
        return True
    status, _, _ = solve(assumptions)
    return status != "unsat"


def require_consistent(assumptions: tuple[sympy.Basic, ...]) -> None:
    if not _assumptions_consistent(assumptions):
        shown = ", ".join(map(str, assumptions))
        raise ValueError(f"assumptions are contradictory: {shown} has no real solution")
