"""Exact evaluation at a point: values, definedness and signs, with no floating-point decision.

:func:`value` evaluates a SymPy expression at an exact point bottom-up, checking at every node that
the expression is defined over the reals there (``1/u``: ``u != 0``; ``log(u)``: ``u > 0``;
``u**r`` with ``r`` not an integer: ``u >= 0``, and ``u > 0`` when ``r < 0``; a ``Piecewise``: the
first branch whose condition holds; a ``Sum``/``Product``: integer limits). A failed check raises
:class:`Undefined` with the reason. :func:`truth` evaluates a relational or a boolean combination
in three-valued (strong Kleene) logic: ``True``, ``False`` or an :class:`Undefined`; ``None``
means "could not decide". A disjunct or a branch that is undefined does not make a true sibling
undefined: ``u < 0 or log(u) > 0`` is true at ``u = -1``.

:func:`sign` decides the sign of a closed-form real number: exactly for rationals; otherwise by
mpmath interval arithmetic (``mpmath.iv``, outward rounding) at 64, then 256 and 1024 bits
until the enclosure excludes 0; zero only by an exact argument (a rational, a minimal polynomial
equal to ``t`` for an algebraic number, or a SymPy rewrite to the literal ``0``) once no
enclosure up to 1024 bits excludes 0. Otherwise ``None``: a sign is never read off a float.

References:
    F. Johansson et al., mpmath: a Python library for arbitrary-precision floating-point
    arithmetic, version 1.3 (interval arithmetic: ``mpmath.iv``).
    R. E. Moore, R. B. Kearfott, M. J. Cloud, *Introduction to Interval Analysis*, SIAM 2009.
"""

from __future__ import annotations

import sympy
from mpmath import iv
from mpmath.libmp.libmpf import ComplexResult
from sympy.core.function import AppliedUndef
from sympy.polys.polyerrors import BasePolynomialError

__all__ = ["AppliedUndef", "Undefined", "admissible", "sign", "truth", "value"]

_PRECISIONS = (64, 256, 1024)
_MAX_TERMS = 10_000
# Functions defined (and real) at every real argument: evaluated by SymPy on exact arguments.
# (Abs, Max and Min are evaluated here, by proved signs, not by SymPy's numerical comparisons.)
_TOTAL = (sympy.exp, sympy.sin, sympy.cos)
_INTERVAL_FUNCTIONS = {sympy.exp: iv.exp, sympy.sin: iv.sin, sympy.cos: iv.cos}


class Undefined:
    """Truth value "undefined here", with the reason (e.g. ``"log of -1"``)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Undefined({self.reason!r})"


class _UndefinedError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ----------------------------------------------------------------------------------- signs
def sign(number: sympy.Expr) -> int | None:
    """Sign (-1, 0, 1) of a closed-form real number, proved; ``None`` if undecided.

    Nonzero: an interval enclosure excluding 0. Zero: enclosures up to 1024 bits all contain 0
    *and* SymPy rewrites the number exactly to 0 (a minimal polynomial equal to ``t``, or
    ``simplify``), so a wrong zero would need both a wrong rewrite and ``|number| < 2**-1000``.
    """
    number = sympy.sympify(number)
    if number.is_Rational:
        return int(sympy.sign(number))
    if number.free_symbols:
        return None
    for prec in _PRECISIONS:
        box = _enclosure(number, prec)
        if box is None:
            return None
        if box.a > 0:
            return 1
        if box.b < 0:
            return -1
    return 0 if _provably_zero(number) else None


def _provably_zero(number: sympy.Expr) -> bool:
    """An exact rewriting of ``number`` to 0 (never a numerical comparison)."""
    if _is_algebraic(number):
        try:
            t = sympy.Dummy()
            return sympy.minimal_polynomial(number, t) == t
        except (NotImplementedError, BasePolynomialError, ValueError):
            pass
    return sympy.simplify(number) == 0


def _is_algebraic(e: sympy.Expr) -> bool:
    """Built from rationals and real algebraic roots by +, *, and rational powers."""
    if e.is_Rational or isinstance(e, sympy.CRootOf):
        return True
    if e.is_Pow:
        return e.exp.is_Rational and _is_algebraic(e.base)
    return (e.is_Add or e.is_Mul) and all(_is_algebraic(a) for a in e.args)


def _enclosure(e: sympy.Expr, prec: int):
    """An ``mpmath.iv`` interval containing ``e``, or ``None`` where no enclosure is implemented."""
    saved, iv.prec = iv.prec, prec
    try:
        return _interval(e, prec)
    except (ComplexResult, ZeroDivisionError, ValueError):
        return None
    finally:
        iv.prec = saved


def _interval(e: sympy.Expr, prec: int):
    if e.is_Integer:
        return iv.mpf(int(e))
    if e.is_Rational:
        return iv.mpf(int(e.p)) / iv.mpf(int(e.q))
    if e is sympy.pi:
        return iv.pi
    if e is sympy.E:
        return iv.e
    if isinstance(e, sympy.CRootOf) and e.is_real:
        # SymPy refines the root's isolating interval to width <= dx: the root is within dx of
        # the returned centre.
        dx = sympy.Rational(1, 2**prec)
        center = e.eval_rational(dx=dx)
        return iv.mpf([_interval(center - dx, prec).a, _interval(center + dx, prec).b])
    args = [_interval(a, prec) for a in e.args]
    if any(a is None for a in args):
        return None
    if e.is_Add:
        return sum(args[1:], args[0])
    if e.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if e.is_Pow:
        base, expo = args
        if e.exp.is_Integer:
            n = int(e.exp)
            if n < 0 and base.a <= 0 <= base.b:
                return None
            return base**n if n >= 0 else 1 / base ** (-n)
        if base.a <= 0:
            return None
        return iv.exp(iv.log(base) * expo)
    if isinstance(e, sympy.log) and len(args) == 1:
        return iv.log(args[0])  # ComplexResult (caught) if the enclosure reaches 0
    if isinstance(e, sympy.Abs):
        return abs(args[0])
    if isinstance(e, (sympy.Max, sympy.Min)):
        pick = max if isinstance(e, sympy.Max) else min
        return iv.mpf([pick(a.a for a in args), pick(a.b for a in args)])
    fn = _INTERVAL_FUNCTIONS.get(type(e))
    return fn(args[0]) if fn is not None and len(args) == 1 else None


# ------------------------------------------------------------------------- exact evaluation
def value(e: sympy.Expr, point: dict) -> sympy.Expr | Undefined | None:
    """Exact value of ``e`` at ``point``, ``Undefined`` or ``None`` (unknown).

    ``point`` maps symbols, and applications ``g(1)`` of undefined functions at exact
    arguments, to exact numbers.
    """
    try:
        return _value(e, point)
    except _UndefinedError as exc:
        return Undefined(exc.reason)
    except _Unknown:
        return None


class _Unknown(Exception):
    pass


def _decided_sign(number: sympy.Expr) -> int:
    s = sign(number)
    if s is None:
        raise _Unknown
    return s


def _require(number: sympy.Expr, ok, reason: str) -> None:
    if not ok(_decided_sign(number)):
        raise _UndefinedError(reason)


def _value(e: sympy.Expr, point: dict) -> sympy.Expr:
    if e.is_Symbol:
        if e not in point:
            raise _Unknown
        return sympy.sympify(point[e])
    if e.is_Rational or e in (sympy.pi, sympy.E):
        return e
    if e.is_Add or e.is_Mul:
        return e.func(*(_value(a, point) for a in e.args))
    if e.is_Pow:
        return _power(_value(e.base, point), _value(e.exp, point), e)
    if isinstance(e, sympy.log) and len(e.args) == 1:
        u = _value(e.args[0], point)
        _require(u, lambda s: s > 0, f"log of {u}, which is not positive")
        return sympy.log(u)
    if isinstance(e, _TOTAL):
        return e.func(*(_value(a, point) for a in e.args))
    if isinstance(e, sympy.Abs):
        u = _value(e.args[0], point)
        return -u if _decided_sign(u) < 0 else u
    if isinstance(e, (sympy.Max, sympy.Min)):
        best, *rest = (_value(a, point) for a in e.args)
        for v in rest:
            s = _decided_sign(v - best)
            if (s > 0) if isinstance(e, sympy.Max) else (s < 0):
                best = v
        return best
    if isinstance(e, sympy.Piecewise):
        for branch, cond in e.args:
            t = truth(cond, point)
            if t is True:
                return _value(branch, point)
            if isinstance(t, Undefined):
                raise _UndefinedError(f"Piecewise condition {cond}: {t.reason}")
            if t is not False:
                raise _Unknown
        raise _UndefinedError(f"no branch of {e} applies")
    if isinstance(e, (sympy.Sum, sympy.Product)):
        return _series(e, point)
    if isinstance(e, AppliedUndef):
        # An undefined function's value is part of the point, keyed by g(exact arguments).
        key = e.func(*(_value(a, point) for a in e.args))
        try:
            return sympy.sympify(point[key])
        except KeyError:
            raise _Unknown from None
    if isinstance(e, sympy.Function):
        # Integer-valued functions (factorial, binomial, floor, ...) at exact arguments.
        result = e.func(*(_value(a, point) for a in e.args))
        if result.is_Rational:
            return result
    raise _Unknown


def _power(base, expo, e) -> sympy.Expr:
    if expo.is_Integer:
        if expo < 0:
            _require(base, lambda s: s != 0, f"division by zero in {e}")
        return base**expo
    positive_only = _decided_sign(expo) < 0
    _require(
        base,
        (lambda s: s > 0) if positive_only else (lambda s: s >= 0),
        f"{e}: base {base} is {'not positive' if positive_only else 'negative'}",
    )
    return base**expo


def _series(e, point) -> sympy.Expr:
    """``Sum``/``Product`` over integer limits, term by term (Karr's convention if hi < lo - 1)."""
    inner = e.func(e.function, *e.limits[:-1]) if len(e.limits) > 1 else e.function
    var, lo, hi = e.limits[-1]
    lo, hi = _value(lo, point), _value(hi, point)
    if not (lo.is_Integer and hi.is_Integer):
        raise _UndefinedError(f"limits {lo}, {hi} of {e} are not integers")
    combine = sympy.Add if isinstance(e, sympy.Sum) else sympy.Mul  # empty: Add() = 0, Mul() = 1
    reverse = hi < lo - 1
    if reverse:
        lo, hi = hi + 1, lo - 1
    if hi - lo + 1 > _MAX_TERMS:
        raise _Unknown
    terms = [_value(inner, {**point, var: sympy.Integer(k)}) for k in range(lo, hi + 1)]
    total = combine(*terms)
    if not reverse:
        return total
    return -total if isinstance(e, sympy.Sum) else 1 / total


# --------------------------------------------------------------------------- truth values
_COMPARE = {
    "<=": lambda s: s <= 0,
    "<": lambda s: s < 0,
    ">=": lambda s: s >= 0,
    ">": lambda s: s > 0,
    "==": lambda s: s == 0,
    "!=": lambda s: s != 0,
}


def truth(b: sympy.Basic, point: dict):
    """Truth of a relational / boolean combination at ``point``: bool, ``Undefined`` or ``None``."""
    if b is sympy.true or b is sympy.false:
        return bool(b)
    if isinstance(b, sympy.core.relational.Relational):
        lhs, rhs = value(b.lhs, point), value(b.rhs, point)
        for side in (lhs, rhs):
            if isinstance(side, Undefined) or side is None:
                return side
        s = sign(lhs - rhs)
        return None if s is None else _COMPARE[b.rel_op](s)
    if isinstance(b, sympy.Not):
        return _negate(truth(b.args[0], point))
    if isinstance(b, sympy.Implies):
        premise, conclusion = (truth(a, point) for a in b.args)
        return _kleene([_negate(premise), conclusion], decisive=True)
    if isinstance(b, (sympy.And, sympy.Or)):
        return _kleene([truth(a, point) for a in b.args], decisive=isinstance(b, sympy.Or))
    return None


def _negate(t):
    return (not t) if isinstance(t, bool) else t


def _kleene(values, *, decisive: bool):
    """Strong Kleene ``or`` (``decisive=True``) / ``and`` (``False``); ``None`` = unknown."""
    if decisive in values:
        return decisive
    if None in values:
        return None
    undefined = [v for v in values if isinstance(v, Undefined)]
    return undefined[0] if undefined else not decisive


# ------------------------------------------------------------------------- symbol domains
def admissible(sym: sympy.Symbol, number: sympy.Expr, *, integer: bool = False) -> bool:
    """Whether ``number`` satisfies every assumption declared on ``sym`` (proved, not guessed)."""
    if integer and number.is_integer is not True:
        return False
    return all(
        getattr(number, f"is_{key}") is declared for key, declared in sym.assumptions0.items()
    )
