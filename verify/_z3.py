"""SymPy -> z3 translation with definedness, and satisfiability queries over the reals (QF_NRA).

A formula ``b`` translates to two z3 formulas: ``pos`` ("``b`` is defined and true") and ``neg``
("``b`` is defined and false"); where neither holds, ``b`` is undefined. A relation ``s op t`` is
defined where both sides are; a term is defined where each of its sub-terms is and ``1/u`` has
``u != 0``, ``log(u)`` has ``u > 0``, ``u**r`` (``r`` not an integer) has ``u >= 0`` (``u > 0`` if
``r < 0``). Connectives follow strong Kleene logic (``or`` is true if one defined disjunct is
true), so a condition arising in a disjunct or a ``Piecewise`` branch binds that branch only.

Polynomial arithmetic translates directly. ``1/u`` and ``u**(1/q)`` become fresh variables whose
defining equations (``d * u == 1``; ``w >= 0, w**q == u``) are imposed only where the sub-term is
defined, so they never restrict the other variables. ``exp`` and ``log`` become fresh variables
with true facts (``E > 0``, ``E >= 1 + u``, ...; ``log`` only where ``u > 0``); ``Abs``, ``Max``,
``Min`` and ``Piecewise`` are exact. An undefined function ``g(u)`` is a z3 uninterpreted
function (any real function), and a ``Sum`` or ``Product`` an unconstrained real. The facts
over-approximate the atoms, so ``unsat`` is a proof, while a model is only a candidate, to be
confirmed by exact evaluation (:mod:`verify._exact`). A symbol's declared assumptions
(``positive``, ``integer``, ``even``, ...) become facts on its variable; symbols are keyed by the
SymPy symbol itself (name and assumptions). The solver runs under a deterministic resource limit
(``rlimit``), so an answer does not depend on the machine's load.

References:
    L. de Moura, N. Bjørner, "Z3: An efficient SMT solver", TACAS 2008.
    D. Jovanović, L. de Moura, "Solving non-linear arithmetic", IJCAR 2012 (nlsat).
    S. C. Kleene, *Introduction to Metamathematics*, 1952, section 64 (strong three-valued logic).
"""

from __future__ import annotations

import functools

import sympy
import z3

from verify import _exact
from verify._domain import total
from verify.errors import SymbolClashError

__all__ = ["Model", "solve"]

_RLIMIT = 2_000_000  # about 2 s of CPU; the lecture's queries need < 100_000
_ORDER = {"<=": "__le__", "<": "__lt__", ">=": "__ge__", ">": "__gt__"}


def _symbol_facts(sym: sympy.Symbol, v: z3.ArithRef, integer: bool) -> list[z3.BoolRef]:
    """z3 facts implied by the assumptions declared on ``sym`` (SymPy's closure of them)."""
    facts = (
        lambda: v > 0,
        lambda: v < 0,
        lambda: v >= 0,
        lambda: v <= 0,
        lambda: v == 0,
        lambda: v != 0,
        lambda: z3.IsInt(v),
        lambda: z3.IsInt(v / 2),
        lambda: z3.IsInt((v - 1) / 2),
    )
    return [facts[i]() for i in _declared(sym, integer)]


@functools.lru_cache(maxsize=4096)
def _declared(sym: sympy.Symbol, integer: bool) -> tuple[int, ...]:
    """Which of :func:`_symbol_facts`' facts ``sym`` declares (asked of SymPy once per symbol)."""
    flags = (
        sym.is_extended_positive,
        sym.is_extended_negative,
        sym.is_extended_nonnegative,
        sym.is_extended_nonpositive,
        sym.is_zero,
        sym.is_extended_nonzero,
        sym.is_integer or integer,
        sym.is_even,
        sym.is_odd,
    )
    return tuple(i for i, declared in enumerate(flags) if declared)


class _Untranslatable(Exception):
    pass


# Terms z3 sees as unknown reals: sums and products (over integer limits). An undefined function
# g(u) becomes a z3 uninterpreted function: any real function, the same value at the same point.
_OPAQUE = (sympy.Sum, sympy.Product)
_UNDEFINED = sympy.core.function.AppliedUndef


@functools.lru_cache(maxsize=8192)
def _cleared(difference: sympy.Expr) -> tuple[sympy.Expr, sympy.Expr, int | None]:
    """``(p, q, sign of q)`` with ``difference = p/q``: the denominator is cleared
    (``p/q op 0  <=>  p*q op 0`` where ``q != 0``), which keeps the query polynomial. The sign is
    ``None`` unless ``q`` is a nonzero number. Cached: the same hypotheses recur in every query
    of a claim, and ``together`` is most of the cost of translating them."""
    num, den = sympy.fraction(sympy.together(difference))
    return num, den, _exact.sign(den)


class _Translator:
    """SymPy -> z3 with definedness; transcendental atoms become constrained variables."""

    def __init__(self, integers: frozenset) -> None:
        self.integers = integers
        self.vars: dict[sympy.Symbol, z3.ArithRef] = {}
        self.names: dict[str, sympy.Symbol] = {}
        self.facts: list[z3.BoolRef] = []
        self.terms: dict[sympy.Expr, z3.ArithRef] = {}
        self.domains: dict[sympy.Expr, z3.BoolRef] = {}
        self.functions: dict[tuple[str, int], z3.FuncDeclRef] = {}
        # A context of its own: what z3 answers then depends on this query alone, not on the
        # terms earlier queries left in a shared context (which change the numbering z3's
        # search follows, and so the model it returns).
        self.ctx = z3.Context()

    def var(self, sym: sympy.Symbol) -> z3.ArithRef:
        if sym not in self.vars:
            other = self.names.setdefault(sym.name, sym)
            if other is not sym:
                raise SymbolClashError(f"symbol clash: two symbols named {sym.name!r}")
            v = self.vars[sym] = z3.Real(sym.name, self.ctx)
            self.facts += _symbol_facts(sym, v, sym in self.integers)
        return self.vars[sym]

    # ----------------------------------------------------------------------------- terms
    def term(self, e: sympy.Expr) -> z3.ArithRef:
        if e not in self.terms:
            self.terms[e] = self._term(e)
        return self.terms[e]

    def _term(self, e: sympy.Expr) -> z3.ArithRef:
        if e.is_Symbol:
            return self.var(e)
        if e.is_Rational:
            return z3.RealVal(f"{e.p}/{e.q}", self.ctx)
        if e is sympy.E:
            return self.term(sympy.exp(sympy.Integer(1), evaluate=False))
        if e.is_Add:
            return z3.Sum([self.term(a) for a in e.args])
        if e.is_Mul:
            return z3.Product([self.term(a) for a in e.args])
        if e.is_Pow and e.exp.is_Rational:
            p, q = int(e.exp.p), int(e.exp.q)
            base = self.term(e.base)
            if q != 1:
                # w = u**(1/q), the nonnegative root, fixed only where u >= 0.
                w = z3.FreshReal(ctx=self.ctx)
                self.facts.append(z3.Implies(base >= 0, z3.And(w >= 0, w**q == base)))
                base = w
            if p >= 0:
                return base**p if p else z3.RealVal(1, self.ctx)
            d = z3.FreshReal(ctx=self.ctx)
            # d * base^|p| = 1 where base != 0; elsewhere the term is undefined and d is free.
            self.facts.append(z3.Implies(base != 0, d * base ** (-p) == 1))
            return d
        if isinstance(e, (sympy.Abs, sympy.exp, sympy.log, sympy.Max, sympy.Min, sympy.Piecewise)):
            return self._atom(e)
        if isinstance(e, _OPAQUE):
            # Any real value: no fact, so no proof depends on it (one variable per expression).
            return z3.FreshReal(ctx=self.ctx)
        if isinstance(e, _UNDEFINED):
            key = (e.func.__name__, len(e.args))
            if key not in self.functions:
                self.functions[key] = z3.Function(key[0], *[z3.RealSort(self.ctx)] * (key[1] + 1))
            return self.functions[key](*(self.term(a) for a in e.args))
        raise _Untranslatable(e)

    def _atom(self, e: sympy.Expr) -> z3.ArithRef:
        v = z3.FreshReal(ctx=self.ctx)
        if isinstance(e, sympy.Piecewise):
            for taken, branch in self._branches(e):
                self.facts.append(z3.Implies(taken, v == self.term(branch)))
            return v
        args = [self.term(a) for a in e.args]
        if isinstance(e, sympy.Abs):
            self.facts.append(z3.And(v >= 0, z3.Or(v == args[0], v == -args[0])))
        elif isinstance(e, (sympy.Max, sympy.Min)):
            bound = [v >= x for x in args] if isinstance(e, sympy.Max) else [v <= x for x in args]
            self.facts += [*bound, z3.Or([v == x for x in args])]
        elif isinstance(e, sympy.exp):
            u = args[0]
            # exp(u) > 0 and exp(u) >= 1 + u; exp(u) <= 1 for u <= 0, < 1 for u < 0. (Together:
            # exp(0) = 1 and sign(exp(u) - 1) = sign(u).)
            self.facts += [v > 0, v >= 1 + u, z3.Implies(u <= 0, v <= 1), z3.Implies(u < 0, v < 1)]
        elif len(args) == 1:
            u = args[0]
            # Where u > 0: log(u) <= u - 1; log(u) >= 0 for u >= 1, > 0 for u > 1. (Together:
            # log(1) = 0 and sign(log u) = sign(u - 1).)
            facts = [v <= u - 1, z3.Implies(u >= 1, v >= 0), z3.Implies(u > 1, v > 0)]
            self.facts.append(z3.Implies(u > 0, z3.And(facts)))
        else:
            raise _Untranslatable(e)
        return v

    def _branches(self, e: sympy.Piecewise):
        """(z3 'this branch is taken', branch) for each branch of a Piecewise, in order."""
        earlier_false: list[z3.BoolRef] = []
        for branch, cond in e.args:
            pos, neg = self.formula(cond)
            yield z3.And(*earlier_false, pos, self.ctx), branch
            earlier_false.append(neg)

    # ------------------------------------------------------------------------ definedness
    def defined(self, e: sympy.Expr) -> z3.BoolRef | None:
        """Where ``e`` is defined, or ``None`` where it is defined everywhere."""
        if e not in self.domains:
            self.domains[e] = self._defined(e)
        return self.domains[e]

    def _all(self, parts) -> z3.BoolRef | None:
        """The conjunction of the conditions that are not ``None`` (``None`` if there are none)."""
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else z3.And(parts, self.ctx)

    def _defined(self, e: sympy.Expr) -> z3.BoolRef | None:
        if e.is_Symbol or e.is_Rational or e is sympy.E:
            return None
        if isinstance(e, _OPAQUE):
            if total(e):
                return None
            raise _Untranslatable(e)
        if isinstance(e, _UNDEFINED):
            return self._all(self.defined(a) for a in e.args)
        if isinstance(e, sympy.Piecewise):
            return z3.Or([self._all((t, self.defined(b))) for t, b in self._branches(e)],
                         self.ctx)
        if not isinstance(e, (sympy.Add, sympy.Mul, sympy.Pow, sympy.Abs, sympy.exp, sympy.log,
                              sympy.Max, sympy.Min)) or (e.is_Pow and not e.exp.is_Rational):
            raise _Untranslatable(e)
        parts = [self.defined(a) for a in e.args]
        if isinstance(e, sympy.log):
            parts.append(self.term(e.args[0]) > 0)
        elif e.is_Pow and e.exp.is_Integer and e.exp < 0:
            parts.append(self.term(e.base) != 0)
        elif e.is_Pow and not e.exp.is_Integer:
            base = self.term(e.base)
            parts.append(base > 0 if e.exp < 0 else base >= 0)
        return self._all(parts)

    # --------------------------------------------------------------------------- formulas
    def formula(self, b: sympy.Basic) -> tuple[z3.BoolRef, z3.BoolRef]:
        """(defined and true, defined and false)."""
        if b is sympy.true or b is sympy.false:
            return z3.BoolVal(bool(b), self.ctx), z3.BoolVal(not b, self.ctx)
        if isinstance(b, sympy.core.relational.Relational) and b.rel_op in (*_ORDER, "==", "!="):
            return self._relation(b)
        if isinstance(b, sympy.Not):
            pos, neg = self.formula(b.args[0])
            return neg, pos
        if isinstance(b, sympy.Implies):
            (pa, na), (pc, nc) = self.formula(b.args[0]), self.formula(b.args[1])
            return z3.Or(na, pc), z3.And(pa, nc)
        if isinstance(b, (sympy.And, sympy.Or)):
            pairs = [self.formula(a) for a in b.args]
            pos, neg = [p for p, _ in pairs], [n for _, n in pairs]
            if isinstance(b, sympy.And):
                return z3.And(pos, self.ctx), z3.Or(neg, self.ctx)
            return z3.Or(pos, self.ctx), z3.And(neg, self.ctx)
        raise _Untranslatable(b)

    def _relation(self, b) -> tuple[z3.BoolRef, z3.BoolRef]:
        num, den, den_sign = _cleared(b.lhs - b.rhs)
        where = [c for c in (self.defined(b.lhs), self.defined(b.rhs), self.defined(num),
                             self.defined(den)) if c is not None]
        if den_sign:
            num, den = num * den_sign, sympy.Integer(1)
        else:
            where.append(self.term(den) != 0)
        if b.rel_op in ("==", "!="):
            lhs = self.term(num)
            rel = (lhs == 0) if b.rel_op == "==" else (lhs != 0)
        else:
            # The product is formed in z3: SymPy would merge exp(a) * exp(b) into a new atom.
            rel = getattr(self.term(num) * self.term(den), _ORDER[b.rel_op])(0)
        if not where:
            return rel, z3.Not(rel)
        return z3.And(*where, rel), z3.And(*where, z3.Not(rel))


# ----------------------------------------------------------------------------- queries
_WANT = ("false", "undefined", "not-true")


def _solve(hypotheses: tuple, goal=None, want: str = "false", integers: frozenset = frozenset()):
    """Satisfiability of the hypotheses (each defined and true) and, given a goal, of the goal
    being ``want``: ``"false"`` (defined and false), ``"undefined"``, or ``"not-true"`` (either).

    Returns ``(status, model)``: status ``'unsat' | 'sat' | 'unknown'``; a :class:`Model` with
    exact values (rational, or real algebraic numbers) when ``'sat'``, else ``None``.
    ``integers``: symbols typed integer beyond their declaration (limits of a ``Sum``).
    """
    if want not in _WANT:
        raise ValueError(f"want must be one of {_WANT}, got {want!r}")
    tr = _Translator(integers)
    try:
        goals = [tr.formula(h)[0] for h in hypotheses]
        if goal is not None:
            pos, neg = tr.formula(goal)
            goals.append(
                {"false": neg, "undefined": z3.Not(z3.Or(pos, neg)), "not-true": z3.Not(pos)}[
                    want
                ]
            )
    except _Untranslatable:
        return "unknown", None
    answer, solver = _check(tr, goals)
    if answer == z3.unsat:
        return "unsat", None
    if answer != z3.sat:
        return "unknown", None
    return "sat", Model(solver.model(), tr)


def _check(tr: _Translator, assertions: list) -> tuple:
    """``(answer, solver)``: a fresh solver in the translator's context, given ``assertions``
    and the translator's facts, checked under the resource limit. A Ctrl-C that z3 took (it
    then answers ``unknown``, "canceled") is raised again as KeyboardInterrupt."""
    # nlsat (QF_NRA) decides real polynomial arithmetic; uninterpreted functions need QF_UFNRA.
    solver = z3.SolverFor("QF_UFNRA" if tr.functions else "QF_NRA", ctx=tr.ctx)
    solver.set("rlimit", _RLIMIT)
    solver.add(*assertions, *tr.facts)
    answer = solver.check()
    if answer == z3.unknown and solver.reason_unknown() in ("canceled",
                                                           "interrupted from keyboard"):
        raise KeyboardInterrupt  # z3 took the Ctrl-C meant for the command
    return answer, solver


def _first_proved(hypotheses: tuple, goals: tuple, integers: frozenset = frozenset()):
    """The index of the first goal that cannot be false where the hypotheses hold (the query
    of :func:`_solve` with ``want="false"`` is ``unsat``), or ``None``.

    One translation of the hypotheses serves every goal: the goals are tried in order, each by a
    solver of its own in the same context, so the answer depends on the arguments alone.
    """
    tr = _Translator(integers)
    try:
        premises = [tr.formula(h)[0] for h in hypotheses]
        negations = [tr.formula(g)[1] for g in goals]
    except _Untranslatable:
        return None
    for index, negation in enumerate(negations):
        if _check(tr, [*premises, negation])[0] == z3.unsat:
            return index
    return None


# Cached: the same queries recur across claims (a wrapper kept apart, so that the function
# itself stays an ordinary one).
solve = functools.lru_cache(maxsize=4096)(_solve)
first_proved = functools.lru_cache(maxsize=4096)(_first_proved)


class Model:
    """An exact view of a z3 model: symbol values, and undefined functions' values on demand.

    ``symbols``: ``(symbol, exact value)`` pairs. ``apply(g(1))``: the model's value of the
    undefined function ``g`` at exact arguments (``None`` for a function the model lacks).

    Everything is read out of z3 when the view is made, so that the view does not keep the
    query's z3 context (a few megabytes) alive in the cache of :func:`solve`. A function's
    interpretation is a finite table and a default value (z3's ``else``); one whose default is
    not a number (rare) keeps the z3 model and is evaluated there.
    """

    def __init__(self, model, tr: _Translator) -> None:
        self.symbols = tuple(
            (sym, _to_sympy(model.eval(v, model_completion=True))) for sym, v in tr.vars.items()
        )
        self._tables: dict[tuple[str, int], tuple[dict, sympy.Expr]] = {}
        self._model = None
        for key, decl in tr.functions.items():
            # evaluating an application completes the model with an interpretation of decl
            model.eval(decl(*[z3.RealVal(0, tr.ctx)] * key[1]), model_completion=True)
            interp = model[decl]
            default = interp.else_value()
            if not _is_number(default):
                self._model, self._functions = model, dict(tr.functions)
                self._tables.clear()
                break
            table = {tuple(_to_sympy(a) for a in entry[:-1]): _to_sympy(entry[-1])
                     for entry in interp.as_list()[:-1]}
            self._tables[key] = (table, _to_sympy(default))

    def apply(self, application: sympy.Expr) -> sympy.Expr | None:
        key = (application.func.__name__, len(application.args))
        if not all(a.is_Rational for a in application.args):
            return None
        if self._model is not None:
            decl = self._functions.get(key)
            if decl is None:
                return None
            args = [z3.RealVal(f"{a.p}/{a.q}", decl.ctx) for a in application.args]
            return _to_sympy(self._model.eval(decl(*args), model_completion=True))
        if key not in self._tables:
            return None
        table, default = self._tables[key]
        return table.get(tuple(application.args), default)


def _is_number(val) -> bool:
    """A z3 numeral: rational, or a real algebraic number."""
    return z3.is_rational_value(val) or z3.is_algebraic_value(val)


def _to_sympy(val) -> sympy.Expr:
    """A z3 model value as an exact SymPy number (rational, or a real algebraic root)."""
    if z3.is_rational_value(val):
        return sympy.Rational(val.numerator_as_long(), val.denominator_as_long())
    approx = val.approx(40)
    near = sympy.Rational(approx.numerator_as_long(), approx.denominator_as_long())
    t = sympy.Dummy()
    coeffs = [_to_sympy(c) for c in reversed(val.poly())]
    roots = list(dict.fromkeys(sympy.Poly(coeffs, t).real_roots()))
    # z3 numbers the real roots of the polynomial from 1 in increasing order; the choice is
    # checked against z3's own rational approximation before it is used.
    if 1 <= val.index() <= len(roots):
        root = roots[val.index() - 1]
        if _exact.sign(sympy.Abs(root - near) - sympy.Rational(1, 10**30)) == -1:
            return root
    return near
