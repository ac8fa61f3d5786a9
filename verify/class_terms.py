r"""Reading statements about function classes: declarations, witnesses, terms -> SymPy.

Used by :mod:`verify.classes` (which documents the method). :class:`Setting` holds a claim's
declarations and hypotheses; :class:`Conv` turns parsed terms into SymPy, either abstractly
(function values are real atoms keyed by their exactly expanded argument; vectors and matrices
are non-commuting symbols; norms and inner products expand into Gram entries) or for a concrete
witness instance in dimension 1; :func:`formula` gives the pointwise formula of a relation, a
``\\forall`` or a predicate (``is convex``: the defining inequality at the claim's points), and
:func:`instances` the defining inequalities that a convexity hypothesis contributes.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from fractions import Fraction

import sympy

from verify import provers
from verify import terms as t
from verify.parse import parse

__all__ = ["WITNESSES", "ClassError", "Conv", "Setting", "Witness", "assumptions", "formula",
           "instances", "predicate_of", "subject", "truth"]

PREDICATES = {"is convex": "convex", "is concave": "concave", "is differentiable": "C1",
              "is twice differentiable": "C2", "is not generally convex": "not convex"}
_REL = {"=": "==", "leq": "<=", "geq": ">=", "<": "<", ">": ">", "succeq": ">=", "preceq": "<="}
X = sympy.Symbol("x", real=True)


class ClassError(ValueError):
    """The statement is outside what this strategy reads (the message says what)."""


# ------------------------------------------------------------------------------------ witnesses
@dataclass(frozen=True)
class Witness:
    """A concrete function of one real variable, with the classes it is proved to belong to."""

    name: str
    expr: sympy.Expr

    @functools.cached_property
    def classes(self) -> frozenset[str]:
        y, a = sympy.Symbol("y", real=True), sympy.Symbol("alpha", real=True)
        z = a * X + (1 - a) * y
        lhs, rhs = self.expr.subs(X, z), a * self.expr + (1 - a) * self.expr.subs(X, y)
        unit = (a >= 0, a <= 1)
        out = set()
        if provers.inequality(lhs, "<=", rhs, assumptions=unit).holds:
            out.add("convex")
        if provers.inequality(lhs, ">=", rhs, assumptions=unit).holds:
            out.add("concave")
        if not self.expr.has(sympy.Abs):  # the witnesses without |.| are polynomials
            out |= {"C1", "C2"}
        return frozenset(out)

    def kink(self) -> str | None:
        """One-sided derivatives at 0, when they differ (computed by limits)."""
        s = sympy.Symbol("s", positive=True)
        right = sympy.limit((self.expr.subs(X, s) - self.expr.subs(X, 0)) / s, s, 0)
        left = sympy.limit((self.expr.subs(X, -s) - self.expr.subs(X, 0)) / (-s), s, 0)
        return None if right == left else f"its one-sided derivatives at 0 are {left} and {right}"


WITNESSES = tuple(Witness(n, e) for n, e in (
    ("x^2", X**2), ("x", X), ("-x", -X), ("x^2 - 1", X**2 - 1), ("|x|", sympy.Abs(X)),
    ("-x^2", -X**2), ("x^3", X**3)))
PARAMS = (Fraction(1), Fraction(-1), Fraction(0), Fraction(2), Fraction(1, 2), Fraction(3))
POINTS = (Fraction(-1), Fraction(0), Fraction(1), Fraction(2))
WEIGHTS = (Fraction(1, 2), Fraction(0), Fraction(1), Fraction(1, 4))


# ------------------------------------------------------------------------------------ the setting
class Setting:
    """Declarations, class facts and the other hypotheses of one claim."""

    def __init__(self, symbols, hypotheses, statement: str | None = None) -> None:
        self.kinds = dict(symbols)
        texts = [*hypotheses, *([statement] if statement is not None else [])]
        self.mentioned = {n.name for x in texts for n in t.walk(parse(x)) if isinstance(n, t.Sym)}
        self.facts: dict[str, set[str]] = {}
        self.relations: list[t.Node] = []
        for text in hypotheses:
            node = parse(text)
            if isinstance(node, t.Predicate):
                name = _subject_name(node)
                self.facts.setdefault(name, set()).add(predicate_of(node))
            else:
                self.relations.append(node)
        self.points = [n for n, k in symbols if k == "vector"][:2]
        self.weights = [n for n, k in symbols if k == "weight"]

    def kind(self, name: str) -> str:
        if name not in self.kinds:
            raise ClassError(f"symbol {name!r} is not declared")
        return self.kinds[name]

    def abstract(self) -> list[str]:
        """The abstract functions the claim speaks of (witnesses replace them)."""
        return [n for n, k in self.kinds.items() if k == "any function" and n in self.mentioned]

    def params(self) -> list[str]:
        """What a witness instance fixes: scalars, matrices and vectors other than the points."""
        return [n for n, k in self.kinds.items() if n in self.mentioned and (
            k in ("real", "matrix", "symmetric matrix") or (k == "vector" and n not in self.points))]


def predicate_of(node: t.Predicate) -> str:
    text = " ".join(node.text.split())
    if text not in PREDICATES:
        raise ClassError(f"unknown predicate {text!r}; known: {sorted(PREDICATES)}")
    return PREDICATES[text]


def _subject_name(node: t.Predicate) -> str:
    if isinstance(node.subject, t.Sym):
        return node.subject.name
    if isinstance(node.subject, t.Chain) and len(node.subject.items) == 1 and isinstance(
            node.subject.items[0], t.Sym):
        return node.subject.items[0].name
    raise ClassError("a hypothesis predicate must be about a named function")



# ------------------------------------------------------------------------------------ conversion
class Conv:
    """Parsed terms -> SymPy. ``concrete`` maps abstract functions to witnesses (dimension 1)."""

    def __init__(self, setting: Setting, concrete=None, values=None) -> None:
        self.s, self.concrete, self.values = setting, concrete, values or {}
        self.apps: dict[tuple[str, sympy.Expr], sympy.Symbol] = {}
        self.gram: dict[sympy.Symbol, tuple[str, str]] = {}  # <a, b> -> (a, b)
        self.defs: dict[str, tuple[str, t.Node]] = {}
        self.alias: dict[str, str] = {}

    # symbols
    def sym(self, node: t.Sym, env):
        if node.name in env:
            return env[node.name]
        if node.name in self.alias:
            return self.sym(t.Sym(self.alias[node.name]), env)
        if node.base == "e" and node.name not in self.s.kinds:
            return sympy.E
        kind = self.s.kind(node.name)
        if node.name in self.values:
            return self.values[node.name]
        if kind in ("real", "weight"):
            return sympy.Symbol(node.name, real=True)
        if kind == "identity matrix":
            return sympy.Integer(1)
        if kind in ("vector", "matrix", "symmetric matrix"):
            if self.concrete is not None:
                return sympy.Symbol(node.name, real=True)
            return sympy.Symbol(node.name, commutative=False)
        raise ClassError(f"{node.name!r} ({kind}) is not a value")

    def ev(self, node, env):  # noqa: C901 - one case per node type
        if isinstance(node, t.Num):
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, t.Sym):
            return self.sym(node, env)
        if isinstance(node, t.Group):
            if len(node.items) != 1:
                raise ClassError("a tuple is not a value")
            return self.ev(node.items[0], env)
        if isinstance(node, t.Add):
            return sympy.Add(*(self.ev(x, env) for x in node.terms))
        if isinstance(node, t.Neg):
            return -self.ev(node.arg, env)
        if isinstance(node, t.Mul):
            return self.mul(node.factors, env)
        if isinstance(node, t.Frac):
            return self.ev(node.num, env) / self.ev(node.den, env)
        if isinstance(node, t.Pow):
            if isinstance(node.base, t.Norm) and node.exp == t.Num(Fraction(2)):
                v = self.ev(node.base.arg, env)
                return self.inner(v, v)
            return self.ev(node.base, env) ** self.ev(node.exp, env)
        if isinstance(node, t.Norm):
            v = self.ev(node.arg, env)
            return sympy.sqrt(self.inner(v, v))
        if isinstance(node, t.Inner):
            return self.inner(self.ev(node.left, env), self.ev(node.right, env))
        if isinstance(node, t.Abs):
            return sympy.Abs(self.ev(node.arg, env))
        if isinstance(node, t.Log):
            return sympy.log(self.ev(node.arg, env))
        if isinstance(node, t.Grad):
            return self.grad(node.func.name, node.args, node.order, env)
        raise ClassError(f"cannot read {type(node).__name__} here")

    def mul(self, factors, env):
        out, i = sympy.Integer(1), 0
        while i < len(factors):
            f = factors[i]
            name = self.alias.get(f.name, f.name) if isinstance(f, t.Sym) else None
            if (name is not None and i + 1 < len(factors) and isinstance(factors[i + 1], t.Group)
                    and (name in self.defs or self.s.kinds.get(name) == "any function")):
                out, i = out * self.apply(f.name, self.ev(factors[i + 1], env)), i + 2
                continue
            out, i = out * self.ev(f, env), i + 1
        return out

    def apply(self, name: str, arg):
        name = self.alias.get(name, name)
        if name in self.defs:
            param, body = self.defs[name]
            return self.ev(body, {param: arg})
        if self.concrete is not None:
            return self.concrete[name].expr.subs(X, arg)
        key = (name, sympy.expand(arg))
        if key not in self.apps:
            self.apps[key] = sympy.Symbol(f"{name}[{len(self.apps)}]", real=True)
        return self.apps[key]

    def grad(self, name: str, args: t.Group, order: int, env):
        name = self.alias.get(name, name)
        arg = self.ev(args, env)
        if name in self.defs:
            param, body = self.defs[name]
            return _derivative(self, body, param, order, arg)
        if self.concrete is not None:
            return sympy.diff(self.concrete[name].expr, X, order).subs(X, arg)
        label = "\\nabla" if order == 1 else "\\nabla^2"
        return sympy.Symbol(f"{label} {name}({sympy.expand(arg)})", commutative=False)

    def inner(self, u, v):
        if self.concrete is not None:
            return sympy.expand(u * v)
        out = sympy.Integer(0)
        for a, ca in _vector_terms(u):
            for b, cb in _vector_terms(v):
                key = sorted((str(a), str(b)))
                g = sympy.Symbol(f"<{key[0]}, {key[1]}>", real=True)
                self.gram[g] = (key[0], key[1])
                out += ca * cb * g
        return sympy.expand(out)


def _vector_terms(v):
    """``v`` as (non-commuting monomial, commuting coefficient) pairs."""
    out = []
    for term in sympy.Add.make_args(sympy.expand(v)):
        if term == 0:
            continue
        c, nc = term.args_cnc()
        if not nc:
            raise ClassError(f"{term} is a scalar where a vector is needed")
        out.append((sympy.Mul(*nc), sympy.Mul(*c)))
    return out


def _derivative(conv: Conv, body, param: str, order: int, at):
    """``\\nabla`` (order 1) or ``\\nabla^2`` (order 2) of a definition's body, at ``at``."""
    if isinstance(body, t.Add):
        return sympy.Add(*(_derivative(conv, x, param, order, at) for x in body.terms))
    if isinstance(body, t.Neg):
        return -_derivative(conv, body.arg, param, order, at)
    if isinstance(body, t.Mul):
        fs = body.factors
        if (len(fs) >= 2 and isinstance(fs[-2], t.Sym) and isinstance(fs[-1], t.Group)
                and fs[-1].items == (t.Sym(param),) and fs[-2].name not in conv.defs
                and not any(_mentions(f, param) for f in fs[:-2])):
            const = sympy.Mul(*(conv.ev(f, {}) for f in fs[:-2]))
            return const * conv.ev(t.Grad(fs[-2], t.Group((t.Sym("@"),)), order), {"@": at})
        heads = [i for i, f in enumerate(fs) if _mentions(f, param)]
        if len(heads) == 1 and not isinstance(fs[heads[0]], t.Group):
            const = sympy.Mul(*(conv.ev(f, {}) for j, f in enumerate(fs) if j != heads[0]))
            return const * _derivative(conv, fs[heads[0]], param, order, at)
    if isinstance(body, t.Frac) and not _mentions(body.den, param):
        return _derivative(conv, body.num, param, order, at) / conv.ev(body.den, {})
    if (isinstance(body, t.Pow) and isinstance(body.base, t.Norm) and body.base.arg == t.Sym(param)
            and body.exp == t.Num(Fraction(2))):
        return 2 * at if order == 1 else sympy.Integer(2)
    if not _mentions(body, param):
        return sympy.Integer(0)
    raise ClassError(f"cannot differentiate {t.latex(body)} here")


def _mentions(node, name: str) -> bool:
    return any(isinstance(n, t.Sym) and n.name == name for n in t.walk(node))


# ------------------------------------------------------------------------------------ formulas
def _is_matrix(conv: Conv, expr) -> bool:
    return any(not s.is_commutative and (s.name.startswith("\\nabla^2") or conv.s.kinds.get(
        s.name) in ("matrix", "symmetric matrix")) for s in sympy.sympify(expr).free_symbols)


def formula(conv: Conv, node, env=None):
    """A pointwise formula (SymPy relational) for a chain, a ``\\forall`` or a predicate."""
    env = env or {}
    if isinstance(node, t.Forall):
        return formula(conv, node.body, env)
    if isinstance(node, t.Predicate):
        return _definition(conv, node, env)
    if not (isinstance(node, t.Chain) and len(node.ops) == 1):
        raise ClassError("a statement must be one relation, a predicate or an equivalence")
    (op,) = node.ops
    if op not in _REL:
        raise ClassError(f"relation {op!r} is not read here")
    lhs, rhs = (conv.ev(x, env) for x in node.items)
    if op in ("succeq", "preceq") and conv.concrete is None and (_is_matrix(conv, lhs)
                                                                 or _is_matrix(conv, rhs)):
        v = sympy.Symbol("v", commutative=False)
        lhs, rhs = conv.inner(v, sympy.expand((lhs - rhs) * v)), sympy.Integer(0)
    return _relation(lhs, _REL[op], rhs)


def _relation(lhs, op, rhs):
    return {"==": sympy.Eq, "<=": sympy.Le, ">=": sympy.Ge, "<": sympy.Lt, ">": sympy.Gt}[op](
        lhs, rhs, evaluate=False)


def subject(conv: Conv, node: t.Predicate) -> str:
    """Register ``h(x) = E`` as a definition; return the function's name."""
    subj = node.subject
    if isinstance(subj, t.Sym):
        return subj.name
    if (isinstance(subj, t.Chain) and subj.ops == ("=",) and isinstance(subj.items[0], t.Mul)
            and len(subj.items[0].factors) == 2 and isinstance(subj.items[0].factors[0], t.Sym)
            and isinstance(subj.items[0].factors[1], t.Group)
            and len(subj.items[0].factors[1].items) == 1
            and isinstance(subj.items[0].factors[1].items[0], t.Sym)):
        head, group = subj.items[0].factors
        conv.defs[head.name] = (group.items[0].name, subj.items[1])
        return head.name
    raise ClassError("a predicate is about a named function or a definition 'h(x) = ...'")


def _definition(conv: Conv, node: t.Predicate, env):
    kind = predicate_of(node)
    if kind not in ("convex", "concave"):
        raise ClassError(f"'{node.text.strip()}' is not a pointwise property")
    if len(conv.s.points) < 2 or not conv.s.weights:
        raise ClassError("declare two points (kind 'vector') and a weight (kind 'weight')")
    name = subject(conv, node)
    x, y = (conv.sym(t.Sym(p), env) for p in conv.s.points)
    a = conv.sym(t.Sym(conv.s.weights[0]), env)
    mid = conv.apply(name, a * x + (1 - a) * y)
    chord = a * conv.apply(name, x) + (1 - a) * conv.apply(name, y)
    return _relation(mid, "<=" if kind == "convex" else ">=", chord)


def instances(conv: Conv) -> list:
    """The defining inequality of each convex (concave) hypothesis at every argument of the
    function that is a convex combination of two others."""
    out = []
    weights = [sympy.Symbol(w, real=True) for w in conv.s.weights]
    for name, facts in conv.s.facts.items():
        args = [a for (f, a) in conv.apps if f == name]
        for kind in facts & {"convex", "concave"}:
            for w, u, v in itertools.permutations(args, 3):
                for b in weights:
                    if sympy.expand(w - b * u - (1 - b) * v) == 0:
                        chord = b * conv.apps[(name, u)] + (1 - b) * conv.apps[(name, v)]
                        out.append(_relation(conv.apps[(name, w)],
                                             "<=" if kind == "convex" else ">=", chord))
    return out


def assumptions(conv: Conv) -> list:
    """Weights in [0, 1]; Gram entries as in every inner-product space: <a, a> >= 0 and
    <a, b>^2 <= <a, a> <b, b> (Cauchy-Schwarz)."""
    out = [c for w in conv.s.weights for c in (sympy.Symbol(w, real=True) >= 0,
                                               sympy.Symbol(w, real=True) <= 1)]
    def diag(a):
        return sympy.Symbol(f"<{a}, {a}>", real=True)

    atoms = sorted({a for pair in conv.gram.values() for a in pair})
    out += [diag(a) >= 0 for a in atoms]
    out += [g**2 <= diag(a) * diag(b) for g, (a, b) in sorted(conv.gram.items(), key=str)
            if a != b]
    return out


def truth(rel) -> bool | None:
    """The truth of a relation between exact numbers (None if not exact rationals)."""
    diff = sympy.expand(rel.lhs - rel.rhs)
    if diff.free_symbols:
        return None
    if not diff.is_Rational:
        diff = sympy.simplify(diff)
    if not diff.is_Rational:
        return None
    return bool({sympy.Eq: diff == 0, sympy.Le: diff <= 0, sympy.Ge: diff >= 0,
                 sympy.Lt: diff < 0, sympy.Gt: diff > 0}[type(rel)])
