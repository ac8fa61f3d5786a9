r"""Evaluate an elaborated statement on a concrete instance: d-dimensional vectors, n examples.

An :class:`Instance` fixes the dimension ``d`` and the number of examples ``n`` and gives every
atom a value: a SymPy symbol per scalar and per vector component (so the value of a statement is
a scalar SymPy statement the provers can decide), or, with ``assign``, the exact numbers of a
point. Expectations over a random index are the exact finite average over its ``n`` values;
``w_t`` and the other history-dependent atoms are held fixed (a deterministic history, e.g.
``t = 0``), which is a legitimate instance of every statement about them.

With ``outcomes = 2`` the history is random instead: it has two outcomes of probability 1/2
each (as ``w_1`` has for ``n = 2``). Every history-dependent atom (an undefined ``random vector``,
a gradient or Hessian at one) then takes one value per outcome; ``\mathbf{E}`` without a
subscript averages over the outcomes as well as over the random indices, and outside it the
outcome is ``ctx[HISTORY]`` (1 by default). A hypothesis is stated for every value of the
history, so its expectations are evaluated with ``ctx[FIXED]`` set: over the indices only.
A gradient at the mean ``\mathbf{E}[w_t]`` of a random vector is an atom of its own with a random
history, and the gradient at ``w_t`` itself with a deterministic one (there the two points agree).

The same walker runs with SymPy, mpmath or interval numbers (:mod:`verify.numbers`), so the
exact confirmation of a counterexample and the mpmath cross-check read the parsed statement
itself, not a transcription.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from verify import cost
from verify import terms as t
from verify.elaborate import Apply, Deriv, Exp, GradAt, HessAt, OpNorm, Transpose, mean_point
from verify.numbers import SympyOps
from verify.scope import MATRICES, SCALARS, VECTORS, Scope
from verify.values import (EvaluationError, Mat, Row, Vec, add, as_int, dot, mul, scalar, scale,
                           vmap)

__all__ = ["FIXED", "HISTORY", "EvaluationError", "Instance", "Mat", "Row", "Vec", "evaluate",
           "relations", "random_indices"]

HISTORY = "@history"  # context key: the outcome of the history (1 .. Instance.outcomes)
FIXED = "@fixed"  # context key: expectations do not average over the history (a hypothesis)


@dataclass
class Instance:
    """Values of the atoms of a statement in dimension ``d`` with ``n`` examples."""

    scope: Scope
    d: int = 1
    n: int = 1
    count: str | None = None  # the symbol that counts the examples ("n")
    definitions: dict = field(default_factory=dict)  # atom key -> elaborated node
    diagonal: frozenset = frozenset()  # functions whose Hessians are taken diagonal
    values: dict = field(default_factory=dict)
    assign: dict | None = None
    outcomes: int = 1  # 2: a random history with two equally likely outcomes

    def history_atom(self, key) -> bool:
        """Whether an atom depends on the history: a ``random vector``, or taken at one."""
        if self.outcomes == 1 or key[0] not in ("vector", "grad", "hess"):
            return False
        decl = self.scope.decls.get(key[1] if key[0] == "vector" else key[2])
        if decl is None:
            return False
        if decl.kind == "mean value point":
            return any((e := self.scope.decls.get(x)) is not None and e.kind == "random vector"
                       for x in decl.param("between"))
        return decl.kind == "random vector"

    def _fresh(self, label: str, **assumptions):
        return sympy.Symbol(label, real=True, **assumptions)

    def atom(self, key):
        """The value of an atom (created on first use; mapped through ``assign``)."""
        if key not in self.values:
            kind = key[0]
            label = "|".join(str(k) for k in key[1:])
            if kind == "scalar":
                decl = self.scope.decls[key[1]]
                extra = {"integer": True} if decl.kind != "real" else {}
                if decl.kind == "positive integer":
                    extra["positive"] = True
                self.values[key] = self._fresh(key[1], **extra)
            elif kind == "apply":  # f(args) of "any function": one unknown per argument value
                self.values[key] = self._fresh(f"{key[1]}({', '.join(map(str, key[2]))})")
            elif kind in ("vector", "grad"):
                self.values[key] = Vec(tuple(self._fresh(f"{label}[{k}]") for k in range(self.d)))
            elif kind == "hess":
                s = [[None] * self.d for _ in range(self.d)]
                for i in range(self.d):
                    for j in range(i, self.d):
                        if i != j and key[1] in self.diagonal:
                            s[i][j] = s[j][i] = sympy.Integer(0)
                        else:
                            s[i][j] = s[j][i] = self._fresh(f"{label}[{i}{j}]")
                self.values[key] = Mat(tuple(tuple(r) for r in s))
            else:
                raise EvaluationError(f"unknown atom {key}")
        value = self.values[key]
        return value if self.assign is None else vmap(value, lambda v: sympy.sympify(v).xreplace(
            self.assign))

    def symbols(self) -> set[sympy.Symbol]:
        out: set = set()
        for value in self.values.values():
            vmap(value, lambda v: out.update(sympy.sympify(v).free_symbols) or v)
        return out


def random_indices(node: t.Node, inst: Instance, bound=()) -> list[str]:
    """Random indices a tree depends on (through definitions too), in order of appearance."""
    out: list[str] = []
    for n in t.walk(node):
        if isinstance(n, GradAt) and n.index and n.index not in bound:
            decl = inst.scope.decls.get(n.index) or inst.scope.decls.get(n.index.split("_")[0])
            if decl is not None and decl.kind == "random index" and n.index not in out:
                out.append(n.index)
        key = _key_of(n, inst, {}) if isinstance(n, (t.Sym, GradAt)) else None
        if key is not None and key in inst.definitions:
            out += [i for i in random_indices(inst.definitions[key], inst, bound) if i not in out]
    return out


def _key_of(node, inst: Instance, ctx):
    if isinstance(node, t.Sym):
        return ("vector", node.name)
    if isinstance(node, GradAt):
        return ("grad", node.func, node.point, ctx.get(node.index, node.index))
    return None


class _Evaluator:
    def __init__(self, inst: Instance, ops) -> None:
        self.inst, self.ops = inst, ops

    def num(self, value):
        return self.ops.cast(value) if self.ops.name != "sympy" else value

    def ev(self, node: t.Node, ctx: dict):  # noqa: C901 - one case per node type
        ops = self.ops
        if isinstance(node, t.Num):
            return ops.num(node.value)
        if isinstance(node, t.Sym):
            return self._sym(node, ctx)
        if isinstance(node, t.Add):
            out = self.ev(node.terms[0], ctx)
            for term in node.terms[1:]:
                out = add(out, self.ev(term, ctx))
            return out
        if isinstance(node, t.Neg):
            return scale(-1, self.ev(node.arg, ctx))
        if isinstance(node, t.Mul):
            out = self.ev(node.factors[0], ctx)
            for f in node.factors[1:]:
                out = mul(out, self.ev(f, ctx))
            return out
        if isinstance(node, t.Frac):
            den = self.ev(node.den, ctx)
            if not scalar(den):
                raise EvaluationError("division by a vector or matrix")
            return scale(1 / den if ops.name != "sympy" else sympy.Integer(1) / den,
                          self.ev(node.num, ctx))
        if isinstance(node, t.Pow):
            base, exp = self.ev(node.base, ctx), self.ev(node.exp, ctx)
            if not (scalar(base) and scalar(exp)):
                raise EvaluationError("powers of vectors or matrices are not defined here")
            return base ** exp
        if isinstance(node, Exp):
            return ops.exp(self.ev(node.arg, ctx))
        if isinstance(node, t.Log):
            return ops.log(self.ev(node.arg, ctx))
        if isinstance(node, t.Abs):
            return ops.abs(self.ev(node.arg, ctx))
        if isinstance(node, t.Max):
            args = [self.ev(a, ctx) for a in node.args]
            return ops.max(*args) if node.kind == "max" else ops.min(*args)
        if isinstance(node, t.Factorial):
            return ops.factorial(self.ev(node.arg, ctx))
        if isinstance(node, t.Norm):
            v = self.ev(node.arg, ctx)
            if not isinstance(v, Vec):
                raise EvaluationError("the norm \\|.\\| takes a vector")
            return ops.sqrt(dot(v.c, v.c))
        if isinstance(node, OpNorm):
            return self._opnorm(self.ev(node.arg, ctx))
        if isinstance(node, t.Inner):
            a, b = self.ev(node.left, ctx), self.ev(node.right, ctx)
            if not (isinstance(a, Vec) and isinstance(b, Vec)):
                raise EvaluationError("<.,.> takes two vectors")
            return dot(a.c, b.c)
        if isinstance(node, Transpose):
            v = self.ev(node.arg, ctx)
            if not isinstance(v, Vec):
                raise EvaluationError("^T takes a vector")
            return Row(v.c)
        if isinstance(node, GradAt):
            return self._atom(("grad", node.func, node.point, self._index(node.index, ctx)), ctx)
        if isinstance(node, HessAt):
            return self._atom(("hess", node.func, node.point), ctx)
        if isinstance(node, Deriv):
            def fn(x):
                return self.ev(node.body, {**ctx, node.param: x})
            return ops.diff(fn, self.ev(node.arg, ctx), node.order)
        if isinstance(node, t.Sum):
            return self._sum(node, ctx)
        if isinstance(node, t.Expect):
            return self._expect(node, ctx)
        if isinstance(node, Apply):
            return self._apply(node, ctx)
        if isinstance(node, t.Cost):
            return cost.evaluations(node.arg, lambda b: self.ev(b, ctx))
        raise EvaluationError(f"cannot evaluate {type(node).__name__}")

    def _apply(self, node: Apply, ctx):
        """The unknown value of ``f`` at its argument, keyed by the argument's symbolic value
        (expanded), so ``f(a x + (1 - a) y)`` and ``f((1 - a) y + a x)`` are one unknown."""
        symbolic = _Evaluator(dataclasses.replace(self.inst, assign=None), SympyOps())
        args = tuple(symbolic.ev(a, ctx) for a in node.args)
        if not all(scalar(a) for a in args):
            raise EvaluationError(f"{node.func} takes real arguments")
        return self.num(self.inst.atom(("apply", node.func,
                                        tuple(sympy.expand(a) for a in args))))

    def _index(self, name, ctx):
        if name is None:
            return None
        if name not in ctx:
            raise EvaluationError(f"the random index {name} is not drawn here")
        return int(ctx[name])

    def _sym(self, node: t.Sym, ctx):
        if node.name in ctx:
            value = ctx[node.name]
            return self.ops.num(Fraction(value)) if isinstance(value, int) else value
        if node.name == self.inst.count:
            return self.ops.num(Fraction(self.inst.n))
        decl = self.inst.scope.lookup(node)
        if decl.kind in SCALARS:
            return self.num(self.inst.atom(("scalar", decl.name)))
        if decl.kind == "identity matrix":
            one, zero = self.ops.num(Fraction(1)), self.ops.num(Fraction(0))
            return Mat(tuple(tuple(one if i == j else zero for j in range(self.inst.d))
                             for i in range(self.inst.d)))
        if decl.kind in VECTORS:
            return self._atom(("vector", node.name), ctx)
        if decl.kind in MATRICES:
            return self._atom(("hess", node.name, ""), ctx)
        raise EvaluationError(f"{node.name} ({decl.kind}) has no value")

    def _atom(self, key, ctx):
        lookup = key if key in self.inst.definitions else (
            key[:3] + (None,) if key[0] == "grad" and key[:3] + (None,) in self.inst.definitions
            else None)
        if lookup is not None:
            value = self.ev(self.inst.definitions[lookup], ctx)
            if key[0] in ("vector", "grad") and scalar(value) and value == 0:
                value = Vec(tuple(value for _ in range(self.inst.d)))  # "= 0" for a vector
            return value
        if key[0] in ("grad", "hess") and mean_point(key[2]) and self.inst.outcomes == 1:
            key = (key[0], key[1], mean_point(key[2]), *key[3:])  # a fixed history: E[w_t] = w_t
        if self.inst.history_atom(key):
            key = (*key, f"@{ctx.get(HISTORY, 1)}")
        return vmap(self.inst.atom(key), self.num)

    def _opnorm(self, m):
        if not isinstance(m, Mat):
            raise EvaluationError("\\|.\\|_2 takes a matrix")
        rows = m.rows
        if all(rows[i][j] == 0 for i in range(len(rows)) for j in range(len(rows)) if i != j):
            return self.ops.max(*(self.ops.abs(rows[i][i]) for i in range(len(rows))))
        if self.ops.name == "mpmath":
            import mpmath
            eig, _ = mpmath.eigsy(mpmath.matrix([list(r) for r in rows]))
            return max(abs(e) for e in eig)
        if len(rows) == 2 and self.ops.name == "sympy":
            (a, b), (_, c) = rows
            return (sympy.Abs(a + c) + sympy.sqrt((a - c) ** 2 + 4 * b**2)) / 2
        raise EvaluationError("operator norm of a non-diagonal matrix in these numbers")

    def _sum(self, node: t.Sum, ctx):
        lo, hi = self.ev(node.lo, ctx), (None if isinstance(node.hi, t.Infinity)
                                         else self.ev(node.hi, ctx))
        name = node.index.name
        if hi is not None and as_int(hi) is not None and as_int(lo) is not None:
            terms = [self.ev(node.body, {**ctx, name: k})
                     for k in range(as_int(lo), as_int(hi) + 1)]
            out = terms[0]
            for term in terms[1:]:
                out = add(out, term)
            return out
        return self.ops.series(lambda k: self.ev(node.body, {**ctx, name: k}), lo, hi)

    def _expect(self, node: t.Expect, ctx):
        if node.sub is not None:
            indices = [node.sub.name]
        else:
            indices = random_indices(node.arg, self.inst, bound=tuple(ctx))
        histories = ([{HISTORY: k} for k in range(1, self.inst.outcomes + 1)]
                     if node.sub is None and not ctx.get(FIXED) else [{}])
        out, count = None, 0
        for history, values in itertools.product(
                histories, itertools.product(range(1, self.inst.n + 1), repeat=len(indices))):
            v = self.ev(node.arg, {**ctx, **history, **dict(zip(indices, values, strict=True))})
            out = v if out is None else add(out, v)
            count += 1
        one = self.ops.num(Fraction(1))
        return scale(one / count, out)


# ------------------------------------------------------------------------------------ relations
_SYMPY_REL = {"=": sympy.Eq, "<": sympy.Lt, ">": sympy.Gt, "leq": sympy.Le, "geq": sympy.Ge,
              "neq": sympy.Ne}


def evaluate(node: t.Node, inst: Instance, ops=None, ctx=None):
    """The value of an elaborated expression on ``inst`` (SymPy numbers unless ``ops`` given)."""
    return _Evaluator(inst, ops or SympyOps()).ev(node, dict(ctx or {}))


def relations(node: t.Node, inst: Instance, ctx=None) -> list[tuple]:
    """A one-link chain or a membership as ``(lhs, op, rhs)`` scalar triples (SymPy).

    A vector equation gives one triple per component; ``A \\preceq B`` gives the conditions for
    ``B - A`` to be positive semidefinite (diagonal entries, or the 2 x 2 minors).
    """
    ev = _Evaluator(inst, SympyOps())
    ctx = dict(ctx or {})
    if isinstance(node, t.Member):
        dom = node.domain
        if not isinstance(dom, t.Interval):
            raise EvaluationError("membership is only judged in an interval [a, b]")
        x = ev.ev(node.elem, ctx)
        return [(ev.ev(dom.lo, ctx), "leq", x), (x, "leq", ev.ev(dom.hi, ctx))]
    if not (isinstance(node, t.Chain) and len(node.ops) == 1):
        raise EvaluationError("expected one relation")
    op = node.ops[0]
    lhs, rhs = ev.ev(node.items[0], ctx), ev.ev(node.items[1], ctx)
    if op in ("preceq", "succeq"):
        low, high = (lhs, rhs) if op == "preceq" else (rhs, lhs)
        if not (isinstance(low, Mat) and isinstance(high, Mat)):
            raise EvaluationError("\\preceq compares matrices")
        gap = add(high, scale(-1, low)).rows
        out = [(sympy.Integer(0), "leq", gap[i][i]) for i in range(len(gap))]
        if len(gap) == 2 and not (gap[0][1] == 0):
            out.append((gap[0][1] ** 2, "leq", gap[0][0] * gap[1][1]))
        return out
    if isinstance(lhs, Vec) and rhs == 0:
        rhs = Vec(tuple(0 * x for x in lhs.c))
    if isinstance(rhs, Vec) and lhs == 0:
        lhs = Vec(tuple(0 * x for x in rhs.c))
    if isinstance(lhs, Vec) and isinstance(rhs, Vec) and op == "=":
        return [(a, "=", b) for a, b in zip(lhs.c, rhs.c, strict=True)]
    if not (scalar(lhs) and scalar(rhs)):
        raise EvaluationError(f"cannot compare {type(lhs).__name__} with {type(rhs).__name__}")
    return [(lhs, op, rhs)]
