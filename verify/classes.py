r"""Statements about classes of functions, judged from the definition of convexity.

A claim about every convex function (``f \text{ is convex}`` among its hypotheses, or a statement
``h(x) = ... \text{ is convex}``, ``... \Leftrightarrow ...``) is not an identity between
expressions. It is judged here, from its parsed text, in three ways:

* **By the definition, pointwise.** Abstract functions (kind ``any function``) are atoms: one real
  unknown per function and argument. "``F`` is convex" is its defining inequality
  :math:`F(\alpha x + (1-\alpha) y) \le \alpha F(x) + (1-\alpha) F(y)` at the claim's points
  ``x, y`` (kind ``vector``) and weight ``alpha`` (kind ``weight``, in [0, 1]); concave reverses
  it. A hypothesis "``f`` is convex" adds that inequality for every argument ``w`` of ``f`` that is
  a convex combination ``beta u + (1 - beta) v`` of two other arguments (``beta`` a weight),
  found by expanding the arguments exactly (vectors and matrices are non-commuting symbols, so
  ``A x`` is a linear map, any dimension). Norms and inner products expand bilinearly into Gram
  entries ``<u, v>``; ``A \succeq B`` is ``<v, (A - B) v> >= 0`` for a fresh vector ``v``. The
  provers then decide the implication. A proof holds for every function of the class, in every
  dimension: it uses nothing but the stated inequalities.
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

The reading of terms is :mod:`verify.class_terms`; the theorems are :mod:`verify.class_theorems`.

Reference: S. Boyd, L. Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1-3.2.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import sympy

from verify import provers
from verify import terms as t
from verify.class_terms import (PARAMS, POINTS, WEIGHTS, WITNESSES, ClassError, Conv, Setting,
                                assumptions, formula, instances, predicate_of, subject, truth)
from verify.class_theorems import CLASS_THEOREMS
from verify.parse import parse
from verify.rule import Evidence

__all__ = ["WITNESSES", "ClassError", "Conv", "Setting", "applies", "evidence", "formula",
           "numeric_holds"]

def applies(symbols, hypotheses, statement: str) -> bool:
    """Whether a claim is judged here: it declares an ``any function`` and its statement is a
    predicate or an equivalence, or a hypothesis is a predicate (``f \\text{ is convex}``)."""
    if not any(kind == "any function" for _, kind in symbols):
        return False
    node = parse(statement)
    return isinstance(node, (t.Iff, t.Predicate)) or any(
        isinstance(parse(h), t.Predicate) for h in hypotheses)


def _implies(premises, goal, conv: Conv) -> provers.Check:
    check = provers.implies(tuple(premises), goal, assumptions=tuple(assumptions(conv)))
    if check.undecided:
        raise ClassError(f"the provers did not decide {goal}: {check.detail}")
    return check


# ------------------------------------------------------------------------------------ evidence
def evidence(symbols, hypotheses, statement: str) -> Evidence:
    """The evidence for ``statement`` under ``hypotheses`` (see the module docstring)."""
    setting = Setting(symbols, hypotheses, statement)
    node = parse(statement)
    if isinstance(node, t.Iff):
        return _iff(setting, node)
    if isinstance(node, t.Predicate) and predicate_of(node) == "not convex":
        return _not_convex(setting, node)
    conv = Conv(setting)
    goal = formula(conv, node)
    premises = [formula(conv, h) for h in setting.relations]
    premises += instances(conv)
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



def _fails(conv: Conv, node) -> str | None:
    return "" if truth(formula(conv, node)) is False else None


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
        for pv in itertools.product(PARAMS, repeat=len(params)):
            fixed = {n: sympy.Rational(v.numerator, v.denominator)
                     for n, v in zip(params, pv, strict=True)}
            free = Conv(setting, concrete, fixed)
            if any(truth(formula(free, h)) is False for h in setting.relations):
                continue  # a hypothesis on the parameters alone fails
            values = [POINTS] * len(setting.points) + [WEIGHTS] * len(setting.weights)
            for qv in itertools.product(*values):
                at = {**fixed, **{n: sympy.Rational(v.numerator, v.denominator)
                                  for n, v in zip(points, qv, strict=True)}}
                conv = Conv(setting, concrete, at)
                if not all(truth(formula(conv, h)) for h in setting.relations):
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
                            assumptions=tuple(assumptions(conv)))
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
        premises += instances(conv)
        fwd = _implies([*premises, left], right, conv)
        back = _implies([*premises, right], left, conv)
        if fwd.holds and back.holds:
            return Evidence("proved", f"both directions {_HOW}: {fwd.method}; {back.method}")

    def differ(conv, free):
        lt, rt = truth(formula(conv, node.left)), truth(formula(conv, node.right))
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
    premises = [formula(conv, h) for h in setting.relations] + instances(conv)
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
        if not (isinstance(left, t.Predicate) and predicate_of(left) == "convex"):
            return None
        name = subject(conv, left)
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
    fwd = provers.implies((ours,), theirs, assumptions=tuple(assumptions(conv)))
    back = provers.implies((theirs,), ours, assumptions=tuple(assumptions(conv)))
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

    setting = Setting(symbols, hypotheses, statement)
    node = parse(statement)
    if isinstance(node, t.Predicate) and predicate_of(node) == "not convex":
        return True
    rng = random.Random(seed)
    funcs, params = setting.abstract(), setting.params()
    options = [[w for w in WITNESSES if setting.facts.get(f, set()) <= w.classes] for f in funcs]
    points = [*setting.points, *setting.weights]
    tol = mpmath.mpf(10) ** -30
    sides = (node.left, node.right) if isinstance(node, t.Iff) else (node,)
    with mpmath.workdps(50):
        for ws in itertools.product(*options):
            for pv in itertools.product(PARAMS[:3], repeat=len(params)):
                fixed = {n: sympy.Rational(v.numerator, v.denominator)
                         for n, v in zip(params, pv, strict=True)}
                free = Conv(setting, dict(zip(funcs, ws, strict=True)), fixed)
                if any(truth(formula(free, h)) is False for h in setting.relations):
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
