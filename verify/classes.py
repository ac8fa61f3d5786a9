r"""Statements about classes of functions, judged from the definition of convexity.

A claim about every convex function (``f \text{ is convex}`` among its hypotheses, or a statement
``h(x) = ... \text{ is convex}``, ``... \Leftrightarrow ...``) is not an identity between
expressions. It is judged here, from its parsed text, in three ways:

* **By the definition, pointwise.** Abstract functions (kind ``any function``) are atoms: one real
  unknown per function and argument. "``F`` is convex" is its defining inequality
  :math:`F(\alpha x + (1-\alpha) y) \le \alpha F(x) + (1-\alpha) F(y)` at the claim's points
  ``x, y`` (kind ``vector``) and weight ``alpha`` (kind ``weight``, in [0, 1]); concave reverses
  it. A hypothesis "``f`` is convex" adds that inequality for every argument ``w`` of ``f`` that is
  a convex combination ``beta u + (1 - beta) v`` of two other arguments (``beta`` a weight), found by
  expanding the arguments exactly (vectors and matrices are non-commuting symbols, so ``A x`` is a
  linear map, any dimension). Norms and inner products expand bilinearly into Gram entries
  ``<u, v>``; ``A \succeq B`` is ``<v, (A - B) v> >= 0`` for a fresh vector ``v``. The provers
  then decide the implication. A proof holds for every function of the class, in every dimension:
  it uses nothing but the stated inequalities.
* **By a named theorem** (:data:`verify.library.CLASS_THEOREMS`): an equivalence
  ``G \text{ is convex} \Leftrightarrow R`` is proved when, for a library theorem
  ``F \text{ is convex} \Leftrightarrow R_T(F)`` (first- and second-order conditions, with their
  references), ``R`` is equivalent pointwise to ``R_T(G)`` (``\nabla G`` computed from ``G``'s
  definition) and ``G`` meets the theorem's premises. If ``G`` does not (no differentiability is
  stated), the statement is *unsupported*: a convex witness without a gradient is exhibited.
* **By witnesses, for refutations.** Each abstract function is replaced by a concrete function of
  its class, proved to be in it (:data:`WITNESSES`), in dimension 1, and free parameters and points
  by small rationals; a counterexample is an exact point where every hypothesis holds and the
  statement fails (for an equivalence: one side proved for the witness, the other failing at a
  point).

Reference: S. Boyd, L. Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1-3.2.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from fractions import Fraction

import sympy

from verify import provers
from verify.class_theorems import CLASS_THEOREMS
from verify import terms as t
from verify.parse import parse
from verify.rule import Evidence

__all__ = ["ClassError", "WITNESSES", "applies", "evidence"]

PREDICATES = {"is convex": "convex", "is concave": "concave", "is differentiable": "C1",
              "is twice differentiable": "C2", "is not generally convex": "not convex"}
_REL = {"=": "==", "leq": "<=", "geq": ">=", "<": "<", ">": ">", "succeq": ">=", "preceq": "<="}
_X = sympy.Symbol("x", real=True)


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
        z = a * _X + (1 - a) * y
        lhs, rhs = self.expr.subs(_X, z), a * self.expr + (1 - a) * self.expr.subs(_X, y)
        unit = (a >= 0, a <= 1)
        out = set()
        if provers.inequality(lhs, "<=", rhs, assumptions=unit).holds:
            out.add("convex")
        if provers.inequality(lhs, ">=", rhs, assumptions=unit).holds:
            out.add("concave")
        if not self.expr.has(sympy.Abs):
            out |= {"C1", "C2"}
        return frozenset(out)

    def kink(self) -> str | None:
        """One-sided derivatives at 0, when they differ (computed by limits)."""
        s = sympy.Symbol("s", positive=True)
        right = sympy.limit((self.expr.subs(_X, s) - self.expr.subs(_X, 0)) / s, s, 0)
        left = sympy.limit((self.expr.subs(_X, -s) - self.expr.subs(_X, 0)) / (-s), s, 0)
        return None if right == left else f"its one-sided derivatives at 0 are {left} and {right}"


WITNESSES = tuple(Witness(n, e) for n, e in (
    ("x^2", _X**2), ("x", _X), ("-x", -_X), ("x^2 - 1", _X**2 - 1), ("|x|", sympy.Abs(_X)),
    ("-x^2", -_X**2)))
_PARAMS = (Fraction(1), Fraction(-1), Fraction(0), Fraction(2), Fraction(1, 2), Fraction(3))
_POINTS = (Fraction(-1), Fraction(0), Fraction(1), Fraction(2))
_WEIGHTS = (Fraction(1, 2), Fraction(0), Fraction(1), Fraction(1, 4))


# ------------------------------------------------------------------------------------ the setting
class Setting:
    """Declarations, class facts and the other hypotheses of one claim."""

    def __init__(self, symbols, hypotheses) -> None:
        self.kinds = dict(symbols)
        self.facts: dict[str, set[str]] = {}
        self.relations: list[t.Node] = []
        for text in hypotheses:
            node = parse(text)
            if isinstance(node, t.Predicate):
                name = _subject_name(node)
                self.facts.setdefault(name, set()).add(_predicate(node))
            else:
                self.relations.append(node)
        self.points = [n for n, k in symbols if k == "vector"][:2]
        self.weights = [n for n, k in symbols if k == "weight"]

    def kind(self, name: str) -> str:
        if name not in self.kinds:
            raise ClassError(f"symbol {name!r} is not declared")
        return self.kinds[name]

    def abstract(self) -> list[str]:
        return [n for n, k in self.kinds.items() if k == "any function"]

    def params(self) -> list[str]:
        """What a witness instance fixes: scalars, matrices and vectors other than the points."""
        return [n for n, k in self.kinds.items() if k in ("real", "matrix", "symmetric matrix")
                or (k == "vector" and n not in self.points)]


def _predicate(node: t.Predicate) -> str:
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


def applies(hypotheses, statement: str) -> bool:
    """Whether a statement is judged here (a predicate, an equivalence, or class hypotheses)."""
    node = parse(statement)
    return isinstance(node, (t.Iff, t.Predicate)) or any(
        isinstance(parse(h), t.Predicate) for h in hypotheses)


# ------------------------------------------------------------------------------------ conversion
class Conv:
    """Parsed terms -> SymPy. ``concrete`` maps abstract functions to witnesses (dimension 1)."""

    def __init__(self, setting: Setting, concrete=None, values=None) -> None:
        self.s, self.concrete, self.values = setting, concrete, values or {}
        self.apps: dict[tuple[str, sympy.Expr], sympy.Symbol] = {}
        self.gram: set[sympy.Symbol] = set()
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
            return self.concrete[name].expr.subs(_X, arg)
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
            return sympy.diff(self.concrete[name].expr, _X, order).subs(_X, arg)
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
                if key[0] == key[1]:
                    self.gram.add(g)
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


def _subject(conv: Conv, node: t.Predicate) -> str:
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
    kind = _predicate(node)
    if kind not in ("convex", "concave"):
        raise ClassError(f"'{node.text.strip()}' is not a pointwise property")
    if len(conv.s.points) < 2 or not conv.s.weights:
        raise ClassError("declare two points (kind 'vector') and a weight (kind 'weight')")
    name = _subject(conv, node)
    x, y = (conv.sym(t.Sym(p), env) for p in conv.s.points)
    a = conv.sym(t.Sym(conv.s.weights[0]), env)
    mid = conv.apply(name, a * x + (1 - a) * y)
    chord = a * conv.apply(name, x) + (1 - a) * conv.apply(name, y)
    return _relation(mid, "<=" if kind == "convex" else ">=", chord)


def _instances(conv: Conv) -> list:
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


def _assumptions(conv: Conv) -> list:
    out = [c for w in conv.s.weights for c in (sympy.Symbol(w, real=True) >= 0,
                                               sympy.Symbol(w, real=True) <= 1)]
    return out + [g >= 0 for g in sorted(conv.gram, key=str)]


def _implies(premises, goal, conv: Conv) -> provers.Check:
    check = provers.implies(tuple(premises), goal, assumptions=tuple(_assumptions(conv)))
    if check.undecided:
        raise ClassError(f"the provers did not decide {goal}: {check.detail}")
    return check


# ------------------------------------------------------------------------------------ evidence
def evidence(symbols, hypotheses, statement: str) -> Evidence:
    """The evidence for ``statement`` under ``hypotheses`` (see the module docstring)."""
    setting = Setting(symbols, hypotheses)
    node = parse(statement)
    if isinstance(node, t.Iff):
        return _iff(setting, node)
    if isinstance(node, t.Predicate) and _predicate(node) == "not convex":
        return _not_convex(setting, node)
    conv = Conv(setting)
    goal = formula(conv, node)
    premises = [formula(conv, h) for h in setting.relations]
    premises += _instances(conv)
    check = _implies(premises, goal, conv)
    if check.holds:
        return Evidence("proved", f"{_HOW} ({len(premises)} premises): {check.method}")
    found = _search(setting, lambda conv, free: _fails(conv, node))
    if found is not None:
        return _refuted(found, "the statement fails")
    raise ClassError(f"not proved from the definition ({check.detail}) and no witness refutes it")


_HOW = "pointwise from the definition of convexity, every function of the class, every dimension"


def _refuted(found, what: str) -> Evidence:
    text, method = found
    return Evidence("refuted", f"exact witness in dimension 1: {method}",
                    counterexample=f"{text}: {what}")


def _truth(rel) -> bool | None:
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


def _fails(conv: Conv, node) -> str | None:
    return "" if _truth(formula(conv, node)) is False else None


def _search(setting: Setting, test, *, limit: int = 2000):
    """The first witness instance (functions, parameters, points) where every hypothesis holds and
    ``test(conv, free_conv)`` returns a description: (description of the instance, method)."""
    funcs = setting.abstract()
    options = [[w for w in WITNESSES if setting.facts.get(f, set()) <= w.classes] for f in funcs]
    params = setting.params()
    points = [*setting.points, *setting.weights]
    tried = 0
    for ws in itertools.product(*options):
        concrete = dict(zip(funcs, ws, strict=True))
        for pv in itertools.product(_PARAMS, repeat=len(params)):
            fixed = {n: sympy.Rational(v.numerator, v.denominator)
                     for n, v in zip(params, pv, strict=True)}
            free = Conv(setting, concrete, fixed)
            if any(_truth(formula(free, h)) is False for h in setting.relations):
                continue  # a hypothesis on the parameters alone fails
            values = [_POINTS] * len(setting.points) + [_WEIGHTS] * len(setting.weights)
            for qv in itertools.product(*values):
                at = {**fixed, **{n: sympy.Rational(v.numerator, v.denominator)
                                  for n, v in zip(points, qv, strict=True)}}
                conv = Conv(setting, concrete, at)
                if not all(_truth(formula(conv, h)) for h in setting.relations):
                    continue
                tried += 1
                if tried > limit:
                    return None
                out = test(conv, free)
                if out is not None:
                    names = ", ".join(f"{f} = {w.name}" for f, w in concrete.items())
                    where = ", ".join(f"{k} = {v}" for k, v in at.items())
                    return (f"{names}{', ' if names and where else ''}{where}"
                            f"{out and '; ' + out}", "exact evaluation")
    return None


def _holds_everywhere(conv: Conv, node) -> bool:
    """Whether a side holds at every point for a fixed witness instance (proved)."""
    rel = formula(conv, node)
    check = provers.implies(tuple(formula(conv, h) for h in conv.s.relations), rel,
                            assumptions=tuple(_assumptions(conv)))
    return check.holds


def _iff(setting: Setting, node: t.Iff) -> Evidence:
    for thm in CLASS_THEOREMS.values():
        out = _by_theorem(setting, node, thm)
        if out is not None:
            return out
    conv = Conv(setting)
    try:
        left, right = formula(conv, node.left), formula(conv, node.right)
    except ClassError:
        left = right = None
    if left is not None:
        premises = [formula(conv, h) for h in setting.relations]
        premises += _instances(conv)
        fwd = _implies([*premises, left], right, conv)
        back = _implies([*premises, right], left, conv)
        if fwd.holds and back.holds:
            return Evidence("proved", f"both directions {_HOW}: {fwd.method}; {back.method}")

    def differ(conv, free):
        lt, rt = _truth(formula(conv, node.left)), _truth(formula(conv, node.right))
        if lt is None or rt is None or lt == rt:
            return None
        true_side = node.left if lt else node.right
        if not _holds_everywhere(free, true_side):
            return None
        return (f"the {'left' if lt else 'right'} side holds everywhere (proved), the "
                f"{'right' if lt else 'left'} side fails here")

    found = _search(setting, differ)
    if found is not None:
        return _refuted(found, "the two sides of the equivalence differ")
    raise ClassError("the equivalence is neither proved nor refuted by a witness")


def _not_convex(setting: Setting, node: t.Predicate) -> Evidence:
    """'is not generally convex': a witness of the hypotheses' classes where convexity fails."""
    positive = t.Predicate(node.subject, " is convex")
    found = _search(setting, lambda conv, free: _fails(conv, positive))
    if found is not None:
        text, method = found
        return Evidence("proved", f"exact witness in dimension 1 ({method}): {text}, where the "
                        "defining inequality of convexity fails")
    conv = Conv(setting)
    goal = formula(conv, positive)
    premises = [formula(conv, h) for h in setting.relations] + _instances(conv)
    check = _implies(premises, goal, conv)
    if check.holds:
        return Evidence("refuted", f"{_HOW}: {check.method}",
                        counterexample="none exists: every instance is convex (proved)")
    raise ClassError("no witness found and convexity not proved")


def _needs(setting: Setting, conv: Conv, name: str, premises) -> list[str]:
    """The premises (C1, C2) that the hypotheses do not give for the function ``name``."""
    def has(f, p):
        facts = setting.facts.get(f, set())
        return p in facts or (p == "C1" and "C2" in facts)

    if name in conv.defs:
        body = conv.defs[name][1]
        funcs = {n.name for n in t.walk(body) if isinstance(n, t.Sym)
                 and setting.kinds.get(n.name) == "any function"}
    else:
        funcs = {name}
    return [f"{f}: {p}" for p in premises for f in sorted(funcs) if not has(f, p)]


_THEOREM_NAMES = {"predicate": "F", "psd": "A"}  # the function / matrix a theorem speaks of
_PREMISE_TEXT = {"C1": "differentiable", "C2": "twice differentiable"}


def _by_theorem(setting: Setting, node: t.Iff, thm) -> Evidence | None:
    """Evidence from a named theorem whose right side is equivalent to the claim's (else None)."""
    conv = Conv(setting)
    left = node.left
    if thm.left == "predicate":
        if not (isinstance(left, t.Predicate) and _predicate(left) == "convex"):
            return None
        name = _subject(conv, left)
        if name != _THEOREM_NAMES[thm.left]:
            conv.alias[_THEOREM_NAMES[thm.left]] = name
    else:
        if not (isinstance(left, t.Chain) and left.ops == ("succeq",)
                and isinstance(left.items[0], t.Sym) and left.items[1] == t.Num(Fraction(0))
                and setting.kinds.get(left.items[0].name) == "symmetric matrix"):
            return None
        name = left.items[0].name
        if name != _THEOREM_NAMES[thm.left]:
            conv.alias[_THEOREM_NAMES[thm.left]] = name
    env = {p: conv.sym(t.Sym(q), {}) for p, q in zip(("x", "y"), setting.points, strict=False)}
    try:
        theirs, ours = formula(conv, parse(thm.right), env), formula(conv, node.right)
    except ClassError:
        return None
    fwd = provers.implies((ours,), theirs, assumptions=tuple(_assumptions(conv)))
    back = provers.implies((theirs,), ours, assumptions=tuple(_assumptions(conv)))
    if not (fwd.holds and back.holds):
        return None
    method = (f"{thm.method()}, applied to {name}: the right side is equivalent to the "
              f"theorem's pointwise ({fwd.method})")
    missing = _needs(setting, conv, name, thm.premises)
    if not missing:
        return Evidence("proved", method)
    need = missing[0].split(": ")
    lacking = next(w for w in WITNESSES if "convex" in w.classes and need[1] not in w.classes)
    return Evidence(
        "unsupported", method,
        counterexample=f"the {thm.name} needs {need[0]} {_PREMISE_TEXT[need[1]]}, which is not "
                       f"stated: {need[0]}(x) = {lacking.name} is convex (proved) and "
                       f"{lacking.kink()}")


# ------------------------------------------------------------------------ numeric cross-check
def numeric_holds(symbols, hypotheses, statement: str, *, seed: int = 0,
                  samples: int = 12) -> bool:
    """The mpmath cross-check of a claim judged here, without SymPy's simplifier: for every
    witness instance of the hypotheses' classes (parameters from the grid, where the hypotheses on
    them hold), the parsed statement is evaluated by mpmath at 50 digits at seeded random points
    satisfying the pointwise hypotheses. A pointwise statement must hold at each; for an
    equivalence, where the left side holds at every sample the right side must too. An
    existential statement ('is not generally convex') has its exact witness instead (True)."""
    import random

    import mpmath

    setting = Setting(symbols, hypotheses)
    node = parse(statement)
    if isinstance(node, t.Predicate) and _predicate(node) == "not convex":
        return True
    rng = random.Random(seed)
    funcs, params = setting.abstract(), setting.params()
    options = [[w for w in WITNESSES if setting.facts.get(f, set()) <= w.classes] for f in funcs]
    points = [*setting.points, *setting.weights]
    tol = mpmath.mpf(10) ** -30
    sides = (node.left, node.right) if isinstance(node, t.Iff) else (node,)
    with mpmath.workdps(50):
        for ws in itertools.product(*options):
            for pv in itertools.product(_PARAMS[:3], repeat=len(params)):
                fixed = {n: sympy.Rational(v.numerator, v.denominator)
                         for n, v in zip(params, pv, strict=True)}
                free = Conv(setting, dict(zip(funcs, ws, strict=True)), fixed)
                if any(_truth(formula(free, h)) is False for h in setting.relations):
                    continue
                syms = [sympy.Symbol(p, real=True) for p in points]
                tests = [_mp_test(formula(free, h), syms, tol) for h in setting.relations]
                checks = [_mp_test(formula(free, s), syms, tol) for s in sides]
                held = [True] * len(checks)
                for _ in range(samples):
                    at = [mpmath.mpf(rng.random()) if p in setting.weights
                          else mpmath.mpf(rng.uniform(-3, 3)) for p in points]
                    if all(test(at) for test in tests):
                        held = [h and c(at) for h, c in zip(held, checks, strict=True)]
                if len(held) == 1 and not held[0]:
                    return False
                if len(held) == 2 and held[0] and not held[1]:
                    return False
    return True


def _mp_test(rel, syms, tol):
    lhs = sympy.lambdify(syms, rel.lhs, "mpmath")
    rhs = sympy.lambdify(syms, rel.rhs, "mpmath")

    def test(at):
        a, b = lhs(*at), rhs(*at)
        slack = tol * max(1, abs(a), abs(b))
        return {sympy.Eq: abs(a - b) <= slack, sympy.Le: a <= b + slack,
                sympy.Ge: a + slack >= b, sympy.Lt: a < b + slack,
                sympy.Gt: a + slack > b}[type(rel)]
    return test
