r"""Induction on an iteration count: a statement about ``w_K`` from hypotheses about every step t.

A claim declares ``K`` as ``iteration count, induction on t``. Its statement S(K) speaks about
iterates such as ``w_K`` and ``w_0``; its hypotheses H(t) that mention ``t`` hold for every step
t = 0, 1, 2, ... (the slide's "and recursively"); the others hold throughout. Then:

* **proved** for every integer K >= 0 when the base S(0) is proved and the step S(t + 1) is proved
  from S(t), H(t) and H(0) (t a generic step; ``a^{t+1}`` is written ``a^t \cdot a`` and ``a^t``
  is replaced by a fresh real ``\Theta_t``, so the step is proved for every value it can take);
* **refuted** by an exact counterexample to S(k) under H(0), ..., H(k - 1) for k = 0, 1 or 2: the
  recursion unrolled. So that it is a counterexample to the statement itself, the later steps'
  hypotheses must hold too: when the claim declares a minimiser ``w^*``, the iterates are
  continued there (``w_t = w^*`` for t > k), and the search also requires H(k) with the iterates
  of step k + 1 at ``w^*`` and H(t) with every iterate at ``w^*``. Without a minimiser the
  continuation is presumed, not proved;
* **unsupported** otherwise: the step's counterexample shows that the hypotheses, as stated, do
  not carry the bound from t to t + 1.

An iterate obtained by substitution (``w_0``, ``w_1`` from ``w_t``, ``w_{t+1}``) inherits the
declaration of the iterate it comes from. Each part is judged by :mod:`verify.strategies`.

Reference: Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer 2018, Thm. 2.1.15
(the unrolled linear rate of gradient descent).
"""

from __future__ import annotations

from fractions import Fraction

from verify import strategies
from verify.elaborate import substitute
from verify import terms as t
from verify.parse import parse
from verify.rule import Evidence
from verify.scope import Scope

__all__ = ["evidence", "instance", "variable"]

_UNROLL = (1, 2)
_FRESH = ("Theta", "Phi", "Psi", "Omega")


def variable(symbols) -> tuple[str, str] | None:
    """``(K, t)`` for the claim's iteration count, or None."""
    found = Scope(dict(symbols)).of_kind("iteration count")
    if not found:
        return None
    if len(found) > 1:
        raise ValueError("a claim may declare one iteration count")
    return found[0].name, found[0].param("step")


def _fold(node: t.Node) -> t.Node:
    """``0 + 1`` -> ``1`` in a subscript."""
    if isinstance(node, t.Add) and all(isinstance(x, t.Num) for x in node.terms):
        return t.Num(sum((x.value for x in node.terms), Fraction(0)))
    return node


def _subst(node: t.Node, name: str, value: t.Node, renamed: dict) -> t.Node:
    if isinstance(node, t.Sym):
        if node.sub is None and node.primes == 0 and not node.star and node.base == name:
            return value
        if node.sub is not None:
            sub = _fold(_subst(node.sub, name, value, renamed))
            if sub != node.sub:
                new = t.Sym(node.base, sub, node.star, node.primes)
                renamed[new.name] = node.name
                return new
        return node
    if isinstance(node, t.Pow) and isinstance(node.exp, t.Sym) and node.exp.name == name:
        base = _subst(node.base, name, value, renamed)
        if isinstance(value, t.Add) and value.terms[-1] == t.Num(1):  # a^{s+1} = a^s a
            rest = value.terms[0] if len(value.terms) == 2 else t.Add(value.terms[:-1])
            return t.Mul((t.Pow(base, rest), base))
        return t.Pow(base, value)
    return t.map_children(node, lambda child: _subst(child, name, value, renamed))


def _mentions(node: t.Node, name: str) -> bool:
    return any(isinstance(n, t.Sym) and n.base == name and n.sub is None for n in t.walk(node)) \
        or any(isinstance(n, t.Sym) and n.sub is not None and _mentions(n.sub, name)
               for n in t.walk(node))


class _Texts:
    """The statement and hypotheses with K or t replaced, and the declarations they need."""

    def __init__(self, symbols, hypotheses, statement, k: str, step: str) -> None:
        self.k, self.step = k, step
        self.specs = {name: spec for name, spec in symbols if name != k}
        self.specs.setdefault(step, "integer")
        self.powers: dict[str, t.Sym] = {}
        self.statement = parse(statement)
        self.steps, self.fixed = [], []
        for h in hypotheses:
            (self.steps if _mentions(parse(h), step) else self.fixed).append(parse(h))

    def _text(self, node, name, value) -> str:
        renamed: dict = {}
        out = _subst(node, name, value, renamed)
        for new, old in renamed.items():
            if new not in self.specs and old in self.specs:
                self.specs[new] = self.specs[old]
        return t.latex(self._powers(out))

    def _powers(self, node: t.Node) -> t.Node:
        """``a^t`` (t the generic step) -> a fresh real: the step is proved for every value."""
        if isinstance(node, t.Pow) and node.exp == t.Sym(self.step):
            key = t.latex(node.base)
            if key not in self.powers:
                free = [g for g in _FRESH if f"{g}_{self.step}" not in self.specs]
                if not free:
                    raise ValueError("too many powers of the step in one statement")
                self.powers[key] = t.Sym(free[0], t.Sym(self.step))
                self.specs[self.powers[key].name] = "real"
            return self.powers[key]
        return t.map_children(node, self._powers)

    def s(self, value: t.Node) -> str:
        return self._text(self.statement, self.k, value)

    def h(self, value: t.Node | None) -> list[str]:
        if value is None:
            return [t.latex(h) for h in self.steps]
        return [self._text(h, self.step, value) for h in self.steps]

    def continuation(self, k: int) -> list[str]:
        """The hypotheses of the steps after ``k`` with the iterates continued at the minimiser."""
        stays = Scope(dict(self.specs)).of_kind("minimiser")
        if not stays:
            return []
        stay = parse(stays[0].name)
        out = []
        for h in self.steps:
            renamed: dict = {}
            at_k = _subst(h, self.step, _num(k), renamed)
            for new, old in renamed.items():
                if new not in self.specs and old in self.specs:
                    self.specs[new] = self.specs[old]
            moved = {new: stay for new in renamed if parse(new).sub == _num(k + 1)}
            out.append(t.latex(self._powers(substitute(at_k, moved))))
            iterates = {n.name: stay for n in t.walk(h) if isinstance(n, t.Sym)
                        and n.sub is not None and _mentions(n.sub, self.step)}
            out.append(t.latex(self._powers(substitute(h, iterates))))
        return out

    def problem(self, definitions, hypotheses, statement):
        fixed = [t.latex(h) for h in self.fixed]
        return strategies.problem(tuple(self.specs.items()), definitions,
                                  [*fixed, *hypotheses], statement)


def _num(k: int) -> t.Node:
    return t.Num(Fraction(k))


def instance(symbols, definitions, hypotheses, statement):
    """The problem of the induction step (for the numeric cross-check)."""
    k, step = variable(symbols)
    x = _Texts(symbols, hypotheses, statement, k, step)
    t_sym = t.Sym(step)
    nxt = t.Add((t_sym, _num(1)))
    return x.problem(definitions, [*x.h(None), *x.h(_num(0)), x.s(t_sym)], x.s(nxt))


def evidence(symbols, definitions, hypotheses, statement):
    """``(Evidence, step problem)`` for a statement about an iteration count (module docstring)."""
    k, step = variable(symbols)
    x = _Texts(symbols, hypotheses, statement, k, step)
    base_p = x.problem(definitions, x.h(None), x.s(_num(0)))
    base = strategies.evidence(base_p)
    if base.status != "proved":
        return _at(base, k, 0), base_p
    step_p = instance(symbols, definitions, hypotheses, statement)
    try:
        ev = strategies.evidence(step_p)
    except strategies.Undecided as exc:
        ev = exc
    if isinstance(ev, Evidence) and ev.status == "proved":
        return Evidence("proved", f"induction on {k}: base {k} = 0: {base.method}; step {step} "
                        f"-> {step} + 1: {ev.method}", note=ev.note), step_p
    for n in _UNROLL:
        p = x.problem(definitions, [*(h for j in range(n) for h in x.h(_num(j))),
                                    *x.continuation(n)], x.s(_num(n)))
        unrolled = strategies.evidence(p)
        if unrolled.status == "refuted":
            return _at(unrolled, k, n), p
    if not isinstance(ev, Evidence):
        raise ev
    return Evidence("unsupported", f"induction on {k}: the step is not proved ({ev.method})",
                    counterexample=f"the hypotheses do not carry the statement from {k} = {step} "
                    f"to {step} + 1: {ev.counterexample}"), step_p


def _at(ev: Evidence, k: str, n: int) -> Evidence:
    return Evidence(ev.status, f"{k} = {n}: {ev.method}",
                    counterexample=f"{k} = {n}: {ev.counterexample}" if ev.counterexample else None,
                    note=ev.note, witness=ev.witness)
