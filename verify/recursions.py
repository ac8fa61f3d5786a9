r"""Limits of a sequence bounded by a linear recursion: ``\lim_{t \to \infty} x_t \le B``.

The sequence ``x_t`` is the body of the limit (``\mathbf{E}[\|w_t - w^*\|^2]``); ``x_{t+1}`` is
the same text with the subscript ``t`` read as ``t + 1``. A hypothesis
``x_{t+1} \le \rho x_t + c``, in which ``\rho`` and ``c`` are expressions in the scalar parameters,
is the recursion; the scalar hypotheses ``H`` constrain the parameters. Then:

* *proved*, for a recursion with ``=``: the limit exists and is ``b^* = c / (1 - \rho)``
  (``x_t = \rho^t (x_0 - b^*) + b^*``), so any bound ``\lim x_t \mathrel{op} B`` that ``H``
  proves for ``b^*`` holds (refuted where it fails, by the sequence itself started at ``b^*``);
* *proved*: ``H`` proves ``0 \le \rho < 1``, ``c \ge 0`` and ``c / (1 - \rho) \mathrel{op} B``, and
  the statement is about ``\limsup``, or a hypothesis says that the limit ``\text{ exists}``: by
  the comparison theorem (library entry ``linear recursive bound``),
  ``\limsup x_t \le c / (1 - \rho)`` for every ``x_0``;
* *refuted*: ``c / (1 - \rho) \mathrel{op} B`` fails at an exact point of ``H``: there the constant
  sequence ``x_t = c / (1 - \rho) \ge 0`` satisfies the recursion with equality and violates the
  statement;
* a lower bound ``\ge B`` or an equation ``= B`` from a recursion with ``\le`` is *refuted* at
  a point of ``H`` where 0 violates it, by the zero sequence (``c \ge 0``);
* *unsupported* (``\lim`` without the existence hypothesis): the sequence ``0, c, 0, c, \dots``
  satisfies the recursion (``\rho, c \ge 0``) and has no limit at a point of ``H`` with ``c > 0``,
  which is exhibited: the recursion bounds the ``\limsup`` only.

Anything else (no recursion among the hypotheses, ``\rho`` not in ``[0, 1)``, ``\liminf``) raises
:class:`verify.instances.Undecided`.

References:
    L. Bottou, F. E. Curtis, J. Nocedal, "Optimization methods for large-scale machine learning",
    SIAM Review 60(2), 2018, Thm. 4.6 (the constant step size: the limsup of the noise ball).
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from verify import library
from verify import terms as t
from verify.encoding import Encoder
from verify.instances import Undecided, prove
from verify.rule import Evidence
from verify.scope import SCALARS, Decl, Scope

__all__ = ["applies", "evidence", "recursion_of", "shift"]

_SEQ = "x_seq"  # the name of the sequence's value in the scalar encoding
_OPS = ("leq", "<")
_TEXT = {"leq": "<=", "<": "<"}
_LOWER = {"geq": ">=", ">": ">", "=": "="}  # bounds that the zero sequence can violate


def applies(p) -> bool:
    """Whether ``p`` bounds a limit in ``t \\to \\infty`` from above."""
    s = p.statement
    return (isinstance(s, t.Chain) and len(s.ops) == 1 and isinstance(s.items[0], t.Lim)
            and isinstance(s.items[0].to, t.Infinity))


def _map(node, fn):
    """``node`` with ``fn`` applied to each child (dataclass fields, tuples of nodes)."""
    return t.map_children(node, fn)


def shift(node, var: str):
    """``node`` with every subscript ``var`` read as ``var + 1`` (``w_t`` becomes ``w_{t+1}``)."""
    if isinstance(node, t.Sym):
        if node.sub == t.Sym(var):
            return t.Sym(node.base, t.Add((t.Sym(var), t.Num(Fraction(1)))), node.star,
                         node.primes)
        return node
    return _map(node, lambda c: shift(c, var))


def _replace(node, target, new):
    if node == target:
        return new
    return _map(node, lambda c: _replace(c, target, new))


def _scalar(node, scope: Scope) -> bool:
    for n in t.walk(node):
        if isinstance(n, (t.Expect, t.Norm, t.Inner, t.Lim, t.Predicate)):
            return False
        if isinstance(n, t.Sym) and scope.decls.get(n.name, Decl(n.name, "")).kind not in SCALARS:
            return False
    return True


def _exists(p, lim: t.Lim) -> bool:
    return any(isinstance(h, t.Predicate) and h.text.strip() == "exists"
               and isinstance(h.subject, t.Lim) and (h.subject.var, h.subject.body)
               == (lim.var, lim.body) for h in p.hypotheses)


def _recursion(p, lim: t.Lim, enc: Encoder):
    """``(rho, c)`` of the hypothesis ``x_{t+1} \\le rho x_t + c`` (one with ``=`` first)."""
    later = shift(lim.body, lim.var.name)
    for h in sorted(p.hypotheses, key=lambda h: getattr(h, "ops", None) != ("=",)):
        if not (isinstance(h, t.Chain) and h.ops in (("leq",), ("=",)) and h.items[0] == later):
            continue
        rhs = _replace(h.items[1], lim.body, t.Sym(_SEQ))
        if not _scalar(rhs, enc.scope):
            continue
        value = sympy.expand(enc.conv(rhs))
        x = enc.table.scalar(_SEQ)
        rho = sympy.expand(sympy.diff(value, x))
        if rho.has(x):
            continue
        return rho, sympy.expand(value - rho * x), h.ops == ("=",)
    return None


def _encoder(p) -> Encoder:
    """A scalar encoder of the claim's scope, with the sequence's value and scalar hypotheses."""
    scope = Scope({})
    scope.decls = {**p.scope.decls, _SEQ: Decl(_SEQ, "real")}
    scope.definitions = p.scope.definitions
    enc = Encoder(scope)
    for h in p.hypotheses:
        if isinstance(h, t.Chain) and _scalar(h, scope):
            enc.hypothesis(h)
    return enc


def recursion_of(p, enc: Encoder | None = None):
    """``(rho, c)`` (SymPy) of the recursion that bounds the sequence of the limit in ``p``."""
    return _found(p, enc or _encoder(p))[:2]


def _found(p, enc: Encoder):
    found = _recursion(p, p.statement.items[0], enc)
    if found is None or not _scalar(p.statement.items[1], enc.scope):
        raise Undecided("no hypothesis x_{t+1} <= rho x_t + c bounds the sequence of the limit")
    return found


def evidence(p) -> Evidence:
    """The evidence for a bound on a limit (see the module docstring)."""
    lim, (op,) = p.statement.items[0], p.statement.ops
    if lim.kind == "liminf" or op not in (*_OPS, *_LOWER):
        raise Undecided(f"only bounds on lim and limsup are judged, not {lim.kind} {op}")
    enc = _encoder(p)
    rho, c, exact = _found(p, enc)
    bound, given = enc.conv(p.statement.items[1]), enc.assumptions
    facts = [prove(rho, "geq", 0, given), prove(rho, "<", 1, given), prove(c, "geq", 0, given)]
    if not all(f.holds for f in facts):
        raise Undecided(f"0 <= rho < 1 and c >= 0 are not proved for rho = {rho}, c = {c}")
    if op in _LOWER and not exact:
        return _lower(op, bound, given)
    star = sympy.factor(c / (1 - rho))
    check = prove(star, op, bound, given)
    how = (f"x_(t+1) {'=' if exact else '<='} rho x_t + c with rho = {rho}, c = {c}; "
           f"0 <= rho < 1: {facts[1].method}")
    if exact and check.holds:
        return Evidence("proved", f"{how}; x_t = rho^t (x_0 - b*) + b* converges to b* = {star} "
                        f"for every x_0 ({library.theorem('linear recursive bound').method()}); "
                        f"b* {_TEXT.get(op) or _LOWER[op]} B: {check.method}")
    if not check.holds:
        if check.counterexample is None:
            raise Undecided(f"c/(1 - rho) {op} B is undecided: {check.detail}")
        return Evidence(
            "refuted", f"{how}; c/(1 - rho) {op} B refuted: {check.method}",
            counterexample=f"at {check.counterexample}: the constant sequence x_t = {star} "
                           "satisfies the recursion with equality and has the limit "
                           f"{star}, which violates the bound")
    theorem = library.theorem("linear recursive bound").method()
    if lim.kind == "limsup" or _exists(p, lim):
        why = "" if lim.kind == "limsup" else "; the limit exists, so it is the limsup"
        return Evidence("proved", f"{how}; {theorem}: limsup x_t <= c/(1 - rho) = {star}; "
                        f"c/(1 - rho) {_TEXT[op]} B: {check.method}{why}")
    alternating = prove(0, "leq", rho * c + c, given)
    positive = prove(c, "leq", 0, given)
    if not alternating.holds or positive.holds or positive.counterexample is None:
        raise Undecided("the limit's existence is neither shown nor refuted by the recursion")
    return Evidence(
        "unsupported", f"{how}; {theorem}: the limsup is bounded",
        counterexample=f"the recursion does not give a limit: x_t = 0, c, 0, c, ... with c = {c} "
                       f"satisfies it (rho >= 0, c >= 0) and has no limit where c > 0, e.g. at "
                       f"{positive.counterexample}")


def _lower(op, bound, given) -> Evidence:
    """A lower bound or an equation: refuted by the zero sequence where 0 violates it."""
    check = prove(0, op, bound, given)
    if check.holds or check.counterexample is None:
        raise Undecided("a lower bound on the limit is not implied by an upper recursion")
    return Evidence("refuted", f"the bound {_LOWER[op]} B refuted: {check.method}",
                    counterexample=f"at {check.counterexample}: the sequence x_t = 0 satisfies "
                                   "the recursion (c >= 0) and has the limit 0, which violates "
                                   "the bound")
