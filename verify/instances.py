r"""Decisions on concrete instances: exact scalar statements, and counterexamples in d, n <= 2.

A scalar statement (no vectors) is decided outright: its exact SymPy value goes to the provers.
A vector statement that the typed encoding does not prove is searched for a counterexample on
instances with ``d = 1`` or ``2`` and ``n = 1`` or ``2``: every atom gets real unknowns, the
provers look for a point, and the point is kept only if the parsed statement, evaluated exactly
there, is false while every hypothesis is true. Exactness: rational values decide signs exactly;
otherwise an interval enclosure (mpmath.iv, outward rounding) must exclude 0, or SymPy must
simplify the difference to exactly 0.

A statement about the history (``w_t`` random, as it is for ``t >= 1``) can hold whenever the
history is deterministic and fail otherwise (``\mathbf{E}[\nabla h(w_t)]`` against
``\nabla h(\mathbf{E}[w_t])``). When no counterexample is found with a deterministic history,
instances with a history of two equally likely outcomes are searched (n = 2, the law of ``w_1``:
:class:`verify.evaluate.Instance` with ``outcomes = 2``); the outcomes of every undefined random
vector are kept apart (their first coordinates differ), so gradients at them are independent,
every hypothesis must hold at both outcomes, and the update must move differently for two
examples (so its step is not 0 and a step from a fresh ``w_0`` has the two outcomes as its law).
"""

from __future__ import annotations

import itertools
import re

import mpmath
import sympy

from verify import provers
from verify import terms as t
from verify.elaborate import Deriv, GradAt, HessAt
from verify.encoding import example_count
from verify.evaluate import (FIXED, HISTORY, Instance, Mat, Row, Vec, evaluate, random_indices,
                             relations)
from verify.rule import Evidence

__all__ = ["Undecided", "exact_sign", "prove", "refute", "scalar_evidence"]

_REL = {"leq": "<=", "geq": ">=", "<": "<", ">": ">"}
_SIZES = ((1, 1), (1, 2), (2, 2))
_VACUOUS = re.compile(r"contradictory|vacuous|unsatisfiable", re.I)


class Undecided(RuntimeError):
    """Neither a proof nor a counterexample was found (a defect of the check, not a verdict)."""


def prove(lhs, op, rhs, assumptions) -> provers.Check:
    """One prover call for ``lhs op rhs`` under ``assumptions``."""
    if op == "=":
        return provers.identity(lhs, rhs, assumptions=assumptions)
    if op in _REL:
        return provers.inequality(lhs, _REL[op], rhs, assumptions=assumptions)
    if op == "neq":
        return provers.implies([], sympy.Ne(lhs, rhs), assumptions=assumptions)
    raise ValueError(f"relation {op!r} is not judged")


_SYMPY = {"=": sympy.Eq, "<": sympy.Lt, ">": sympy.Gt, "leq": sympy.Le, "geq": sympy.Ge,
          "neq": sympy.Ne}


def _relational(lhs, op, rhs):
    return _SYMPY[op](lhs, rhs)


# ------------------------------------------------------------------------------ exact decisions
def _enclose(e, iv):
    if e.is_Rational:
        return iv.mpf(int(e.p)) / int(e.q)
    if e is sympy.E:
        return iv.e
    if e is sympy.pi:
        return iv.pi
    args = [_enclose(a, iv) for a in e.args]
    if isinstance(e, sympy.Add):
        return sum(args[1:], args[0])
    if isinstance(e, sympy.Mul):
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if isinstance(e, sympy.Pow):
        if e.exp.is_Integer:
            return args[0] ** int(e.exp)
        if e.exp == sympy.Rational(1, 2):
            return iv.sqrt(args[0])
    if isinstance(e, sympy.exp):
        return iv.exp(args[0])
    if isinstance(e, sympy.log):
        return iv.log(args[0])
    if isinstance(e, sympy.Abs):
        return abs(args[0])
    if isinstance(e, (sympy.Max, sympy.Min)):
        pick = max if isinstance(e, sympy.Max) else min
        return iv.mpf([pick(a.a for a in args), pick(a.b for a in args)])
    raise TypeError(f"no enclosure for {type(e).__name__}")


def exact_sign(value) -> int | None:
    """The sign of a closed-form real number, decided exactly; None if it cannot be."""
    value = sympy.sympify(value)
    if value.free_symbols or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    if value.is_Rational:
        return int(sympy.sign(value))
    for prec in (120, 400):
        try:
            with mpmath.workprec(prec):
                box = _enclose(value, mpmath.iv)
        except (TypeError, ValueError, ZeroDivisionError):
            break
        if box.a > 0:
            return 1
        if box.b < 0:
            return -1
    return 0 if sympy.simplify(value) == 0 else None


def truth(lhs, op, rhs) -> bool | None:
    s = exact_sign(sympy.sympify(lhs) - sympy.sympify(rhs))
    if s is None:
        return None
    return {"=": s == 0, "neq": s != 0, "leq": s <= 0, "<": s < 0, "geq": s >= 0, ">": s > 0}[op]


# ------------------------------------------------------------------------------------ instances
def _defined(p, lhs, rhs):
    """``(atom key, its value)`` when ``lhs = rhs`` solves for a vector atom of ``lhs``: the atom
    alone, or the first term of a sum ``atom - other terms`` whose atom ``rhs`` does not use."""
    terms = lhs.terms if isinstance(lhs, t.Add) else (lhs,)
    head, others = terms[0], terms[1:]
    if isinstance(head, t.Sym) and p.scope.lookup(head).kind in ("vector", "random vector"):
        key = ("vector", head.name)
    elif isinstance(head, GradAt) and head.index is None:
        key = ("grad", head.func, head.point, None)
    else:
        return None
    if any(n == head for n in t.walk(rhs)) or any(n == head for o in others for n in t.walk(o)):
        return None
    value = t.Add((rhs, *(o.arg if isinstance(o, t.Neg) else t.Neg(o) for o in others))) \
        if others else rhs
    return key, value


def _split(p):
    """Definitions of atoms (for the instance), Hessians taken diagonal, other hypotheses."""
    defs, diagonal, rest = {}, set(), []
    for h in p.hypotheses:
        if isinstance(h, t.Chain) and h.ops == ("=",):
            found = _defined(p, *h.items)
            if found is not None and found[0] not in defs:
                defs[found[0]] = found[1]
                continue
        if isinstance(h, t.Chain) and h.ops[0] in ("preceq", "succeq"):
            diagonal |= {n.func for n in t.walk(h) if isinstance(n, HessAt)}
        rest.append(h)
    return defs, frozenset(diagonal), rest


def _free_indices(node, inst: Instance, seen=()) -> list[str]:
    """Random indices the statement depends on outside any expectation."""
    out: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, t.Expect):
            continue
        if isinstance(n, GradAt) and n.index:
            d = inst.scope.decls.get(n.index)
            if d is not None and d.kind == "random index" and n.index not in out:
                out.append(n.index)
        key = ("vector", n.name) if isinstance(n, t.Sym) else None
        if key in inst.definitions and key not in seen:
            out += [i for i in _free_indices(inst.definitions[key], inst, (*seen, key))
                    if i not in out]
        stack.extend(v for v in vars(n).values() if isinstance(v, t.Node))
        stack.extend(x for v in vars(n).values() if isinstance(v, tuple)
                     for x in v if isinstance(x, t.Node))
    return out


def _symbols(value) -> set:
    cells = value.c if isinstance(value, (Vec, Row)) else (
        [x for r in value.rows for x in r] if isinstance(value, Mat) else [value])
    return set().union(*(sympy.sympify(x).free_symbols for x in cells))


def _show(value) -> str:
    if isinstance(value, (Vec, Row)):
        return "(" + ", ".join(map(str, value.c)) + ")"
    if isinstance(value, Mat):
        return "[" + "; ".join(", ".join(map(str, r)) for r in value.rows) + "]"
    return str(value)


def _label(key) -> str:
    if key[-1].startswith("@") if isinstance(key[-1], str) else False:
        return f"{_label(key[:-1])} (outcome {key[-1][1:]})"
    if key[0] in ("scalar", "vector"):
        return key[1]
    if key[0] == "apply":
        return f"{key[1]}({', '.join(map(str, key[2]))})"
    if key[0] == "grad":
        return f"∇{key[1]}({key[2]}" + (f"; x_{key[3]})" if key[3] is not None else ")")
    return f"∇²{key[1]}({key[2]})" if key[2] else key[1]


def _confirm(p, inst: Instance, point: dict, ctx: dict, vector: bool) -> str | None:
    """The text of a confirmed counterexample, or None if exact evaluation does not confirm it."""
    assign = {s: sympy.sympify(point.get(s.name, 0)) for s in inst.symbols()}
    exact = Instance(inst.scope, inst.d, inst.n, inst.count, inst.definitions, inst.diagonal,
                     inst.values, assign, inst.outcomes)
    if not functions_consistent(exact):
        return None
    for h in _split(p)[2]:
        if not all(truth(*tr) is True for c in _histories(inst) for tr in relations(h, exact, c)):
            return None
    if not all(truth(*tr) is True for tr in _apart(exact)):
        return None
    if not all(any(truth(*tr) is True for tr in options) for options in _moves(exact)):
        return None
    if not any(truth(*tr) is False for tr in relations(p.statement, exact, ctx)):
        return None
    used = set().union(*(sympy.sympify(a - b).free_symbols
                         for a, _, b in relations(p.statement, inst, ctx)))
    shown = ", ".join(f"{_label(k)} = {_show(exact.atom(k))}" for k in sorted(
        inst.values, key=str) if (k[0] == "scalar" and k[1] != inst.count)
        or _symbols(inst.values[k]) & used or (inst.outcomes > 1 and k[0] == "vector"))
    where = f"d = {inst.d}, n = {inst.n}" + "".join(f", {k} = {v}" for k, v in ctx.items()
                                                     if k != HISTORY)
    if inst.outcomes > 1:
        where += (f", a history of {inst.outcomes} equally likely outcomes (the statement fails "
                  f"at outcome {ctx.get(HISTORY, 1)})")
    if not shown:
        shown = "no variables: " + "; ".join(f"{a} {op} {b} is false" for a, op, b in
                                               relations(p.statement, exact, ctx))
    return f"{where}: {shown}" if vector else shown


def function_facts(inst: Instance) -> list:
    """What every function satisfies: equal arguments give equal values (for ``apply`` atoms)."""
    keys = [k for k in inst.values if k[0] == "apply"]
    out = []
    for k1, k2 in itertools.combinations(keys, 2):
        if k1[1] == k2[1] and len(k1[2]) == len(k2[2]):
            out.append(sympy.Or(*(sympy.Ne(a, b) for a, b in zip(k1[2], k2[2], strict=True)),
                                sympy.Eq(inst.values[k1], inst.values[k2])))
    return out


def functions_consistent(inst: Instance) -> bool:
    """At ``inst``'s point, unknown values of one function at equal arguments are equal."""
    seen: dict = {}
    for key, value in inst.values.items():
        if key[0] != "apply":
            continue
        at = (key[1], tuple(sympy.sympify(a).xreplace(inst.assign) for a in key[2]))
        here = sympy.sympify(value).xreplace(inst.assign)
        if seen.setdefault(at, here) != here:
            return False
    return True


def _search(p, inst: Instance, vector: bool):
    """Prove every link on ``inst`` (methods) or return the text of a confirmed counterexample."""
    rest = _split(p)[2]
    assumptions = [_relational(*tr) for h in rest for c in _histories(inst)
                   for tr in relations(h, inst, c)]
    if any(a is sympy.false for a in assumptions):
        return None, []
    assumptions = [a for a in assumptions if a is not sympy.true]
    free = _free_indices(p.statement, inst)
    methods = []
    for history, values in itertools.product(
            range(1, inst.outcomes + 1), itertools.product(range(1, inst.n + 1), repeat=len(free))):
        ctx = dict(zip(free, values, strict=True))
        if inst.outcomes > 1:
            ctx[HISTORY] = history
        links = relations(p.statement, inst, ctx)
        extra = [_relational(*tr) for tr in _apart(inst)] + function_facts(inst)
        extra += [sympy.Or(*(_relational(*tr) for tr in options)) for options in _moves(inst)]
        assumptions += [a for a in extra if a not in assumptions]
        for tr in links:
            check = prove(*tr, assumptions)
            if check.holds:
                methods.append(check.method)
                continue
            if check.counterexample is None:
                if not vector:
                    raise Undecided(f"{check.method}: {check.detail}")
                continue
            text = _confirm(p, inst, check.counterexample, ctx, vector)
            if text is None:
                raise Undecided(f"a counterexample was not confirmed: {check.counterexample}")
            witness = (inst.d, inst.n, tuple(sorted((k, str(v)) for k, v in
                                                    check.counterexample.items())))
            if inst.outcomes > 1:
                witness += (inst.outcomes,)
            return Evidence("refuted", f"{check.method}; exact evaluation of the parsed statement "
                            "at the point", counterexample=text, witness=witness), methods
    return None, methods


def _histories(inst: Instance) -> list[dict]:
    """Contexts for a hypothesis: each outcome of the history, expectations over indices only."""
    if inst.outcomes == 1:
        return [{}]
    return [{HISTORY: k, FIXED: True} for k in range(1, inst.outcomes + 1)]


def _apart(inst: Instance) -> list[tuple]:
    """``x[0] != y[0]`` for the outcomes of every undefined random vector: distinct points."""
    out = []
    if inst.outcomes == 1:
        return out
    for d in sorted(inst.scope.of_kind("random vector"), key=lambda d: d.name):
        if ("vector", d.name) in inst.definitions:
            continue
        first, second = (inst.atom(("vector", d.name, f"@{k}")) for k in (1, 2))
        out.append((first.c[0], "neq", second.c[0]))
    return out


def _moves(inst: Instance) -> list[list[tuple]]:
    """For a random history: the update (a defined random vector that draws an index) moves
    differently for the examples 1 and 2 at some outcome (first coordinate); one list of
    alternatives per update. Then its step is not 0, and the two outcomes are the law of
    ``w_1 = w_0 - step`` from a fresh ``w_0``. (Symmetric in the outcomes, as is :func:`_apart`.)"""
    if inst.outcomes == 1:
        return []
    out = []
    for key, node in inst.definitions.items():
        decl = inst.scope.decls.get(key[1]) if key[0] == "vector" else None
        drawn = random_indices(node, inst) if decl is not None and decl.random else []
        if drawn:
            options = []
            for history in range(1, inst.outcomes + 1):
                one, two = (evaluate(node, inst, ctx={HISTORY: history, drawn[0]: k})
                            for k in (1, 2))
                options.append((one.c[0], "neq", two.c[0]))
            out.append(options)
    return out


def scalar_evidence(p) -> Evidence:
    """Decide a statement without vectors: a proof or a confirmed counterexample."""
    inst = Instance(p.scope)
    found, methods = _search(p, inst, vector=False)
    if found is not None:
        return found
    if not methods:
        raise Undecided("the hypotheses are contradictory on the reals")
    derivs = sorted({f"{n.func}{chr(39) * n.order}" for n in t.walk(p.statement)
                     if isinstance(n, Deriv)})
    how = f"{', '.join(derivs)} from the definition by sympy.diff; " if derivs else ""
    return Evidence("proved", how + "; ".join(dict.fromkeys(methods)))


def refute(p) -> Evidence | None:
    """A confirmed counterexample on an instance with d, n <= 2, or None."""
    defs, diagonal, _ = _split(p)
    count = {d.param("over") for d in p.scope.of_kind("random index")}
    count = count.pop() if len(count) == 1 else None if count else example_count(p.scope)
    for d, n in _SIZES if count else ((1, 1), (2, 1)):
        inst = Instance(p.scope, d, n, count, defs, diagonal)
        try:
            found, _ = _search(p, inst, vector=True)
        except ValueError as exc:
            # The provers refuse hypotheses that this small instance cannot satisfy (vacuous):
            # not a verdict, and no counterexample here; the next size is tried.
            if not _VACUOUS.search(str(exc)):
                raise
            continue
        if found is not None:
            return found
    if count and any(d.kind == "random vector" for d in p.scope.decls.values()):
        for d, n in _SIZES[1:]:
            try:
                found, _ = _search(p, Instance(p.scope, d, n, count, defs, diagonal, outcomes=2),
                                   vector=True)
            except ValueError as exc:
                if not _VACUOUS.search(str(exc)):
                    raise
                continue  # no random history satisfies the hypotheses here
            if found is not None:
                return found
    return None
