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
confirmed exactly before it is returned.

References:
    L. de Moura, N. Bjørner, "Z3: An efficient SMT solver", TACAS 2008.
    D. Jovanović, L. de Moura, "Solving non-linear arithmetic", IJCAR 2012 (nlsat).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import sympy
import z3

__all__ = ["Check", "derivative", "fixed_point", "identity", "implies", "inequality"]

_Z3_TIMEOUT_MS = 4000
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


# ------------------------------------------------------------------------------- z3 translation
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
def _z3_solve(formulas: tuple[sympy.Basic, ...]) -> tuple[str, dict | None, bool]:
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
    status, _, _ = _z3_solve(assumptions)
    return status != "unsat"


def _require_consistent(assumptions: tuple[sympy.Basic, ...]) -> None:
    if not _assumptions_consistent(assumptions):
        shown = ", ".join(map(str, assumptions))
        raise ValueError(f"assumptions are contradictory: {shown} has no real solution")


# ----------------------------------------------------------------------------- exact evaluation
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


def _search(assumptions, goal, symbols) -> tuple[dict[str, sympy.Expr] | None, str]:
    """An exact counterexample to ``assumptions => goal``: z3 model first, then a rational grid.

    Integer-valued symbols (:func:`_integer_valued`) take integer values only, in both.
    """
    integers = _integer_valued(symbols, goal, *assumptions)
    status, model, _ = _z3_solve((*assumptions, sympy.Not(goal)))
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
    _require_consistent(assumptions)
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
    status, _, _ = _z3_solve((*assumptions, sympy.Ne(lhs, rhs)))
    if status == "unsat":
        return Check(True, "z3 (QF_NRA): assumptions and lhs != rhs is unsat", detail="unsat")
    found, how = _search(assumptions, goal, _free(lhs, rhs, *assumptions))
    if found is not None:
        return Check(False, how, found, detail=f"lhs - rhs = {sympy.factor(diff)}")
    return Check(False, "identity", detail=f"undecided: lhs - rhs = {diff}; {how}")


def _factor_sign(factor: sympy.Expr, assumptions) -> int | None:
    """+1 / -1 if the factor is provably > 0 / < 0, +2 / -2 for >= 0 / <= 0, else None."""
    for sign, rel in ((1, sympy.Gt), (-1, sympy.Lt), (2, sympy.Ge), (-2, sympy.Le)):
        status, _, _ = _z3_solve((*assumptions, sympy.Not(rel(factor, 0))))
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
    _require_consistent(assumptions)
    goal = _RELS[rel](lhs, rhs, evaluate=False)
    diff = (rhs - lhs) if rel in ("<=", "<") else (lhs - rhs)
    cert = _factor_certificate(diff, rel in ("<", ">"), assumptions)
    if cert is not None:
        return Check(True, "factorisation into factors of known sign", detail=cert)
    status, _, _ = _z3_solve((*assumptions, sympy.Not(goal)))
    if status == "unsat":
        return Check(True, "z3 (QF_NRA), denominators cleared", detail="negation unsat")
    found, how = _search(assumptions, goal, _free(lhs, rhs, *assumptions))
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
    _require_consistent(assumptions)
    status, _, _ = _z3_solve((*assumptions, *premises, sympy.Not(conclusion)))
    if status == "unsat":
        return Check(True, "z3 (QF_NRA): assumptions, premises and not(conclusion) is unsat")
    hyps = (*assumptions, *premises)
    found, how = _search(hyps, conclusion, _free(conclusion, *hyps))
    if found is not None:
        return Check(False, how, found, detail=f"premises hold, conclusion fails at {found}")
    return Check(False, "implication", detail=f"undecided: {how}")
