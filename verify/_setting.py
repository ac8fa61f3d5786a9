"""Input checking for the provers and the setting of one decision (checked before any work).

A decision's inputs must be exact SymPy objects. Its setting is its hypotheses and its symbols:
distinct symbols must have distinct names (:class:`SymbolClashError`), every symbol must be able to
range over the finite reals (:class:`UnsupportedSymbolError`), symbols in the limits of a ``Sum``
or ``Product`` are typed integer, and the hypotheses must have an exact common solution
(:func:`verify._counterexamples.require_consistent`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import sympy

from verify import _counterexamples
from verify.errors import SymbolClashError, UnsupportedSymbolError, VacuousHypothesesError

__all__ = ["Setting", "boolean", "expr", "relations", "setting_of"]


def _exact(value, name: str):
    if value.has(sympy.Float):
        raise TypeError(f"{name} must be exact, but {value} contains a float")
    return value


def expr(value, name: str) -> sympy.Expr:
    """Accept SymPy expressions (and exact Python ints / Fractions); reject everything else."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"{name} must be an exact SymPy expression, got {type(value).__name__}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return sympy.Rational(value.numerator, value.denominator)
    if not isinstance(value, sympy.Expr):
        raise TypeError(f"{name} must be a SymPy expression, got {type(value).__name__}")
    return _exact(value, name)


def boolean(value, name: str) -> sympy.Basic:
    """Accept a SymPy relational or boolean combination of relationals."""
    if not isinstance(value, sympy.logic.boolalg.Boolean) or isinstance(value, sympy.Symbol):
        raise TypeError(f"{name} must be a SymPy relational or boolean combination, got {value!r}")
    return _exact(value, name)


def relations(items, name: str) -> tuple[sympy.Basic, ...]:
    """A sequence of hypotheses; literal ``True`` dropped, literal ``False`` vacuous."""
    if isinstance(items, sympy.Basic):
        items = (items,)
    if not isinstance(items, Iterable):
        raise TypeError(
            f"{name} must be a sequence of SymPy relationals, got {type(items).__name__}"
        )
    out = []
    for i, rel in enumerate(items):
        rel = boolean(rel, f"{name}[{i}]")
        if rel is sympy.false:
            raise VacuousHypothesesError(f"vacuous hypotheses: {name}[{i}] is False")
        if rel is not sympy.true:
            out.append(rel)
    return tuple(out)


@dataclass(frozen=True)
class Setting:
    """The hypotheses of one decision, its symbols, and those typed integer by a sum's limits."""

    hypotheses: tuple
    symbols: frozenset
    integers: frozenset


def _symbol_order(s: sympy.Symbol) -> tuple:
    """Name, then declared assumptions: a stable order for symbols that share a name."""
    return s.name, str(sorted(s._assumptions_orig.items())), type(s).__name__


def setting_of(hypotheses: tuple, *items) -> Setting:
    """Check the symbols of a decision and the consistency of its hypotheses."""
    symbols: set[sympy.Symbol] = set()
    for item in (*hypotheses, *items):
        symbols |= item.free_symbols
    by_name: dict[str, list] = {}
    for s in sorted(symbols, key=_symbol_order):
        by_name.setdefault(s.name, []).append(s)
    for name, same in by_name.items():
        if len(same) > 1:
            shown = ", ".join(f"{s!r} {s._assumptions_orig or '{}'}" for s in same)
            raise SymbolClashError(
                f"symbol clash: {name!r} names {len(same)} different symbols in one decision "
                f"({shown}); give each its own name"
            )
    for s in symbols:
        if s.is_real is False:  # infinite and non-commutative symbols are not real either
            raise UnsupportedSymbolError(
                f"symbol {s.name!r} is declared {s._assumptions_orig}; the provers decide "
                "statements over finite real numbers"
            )
    integers: set[sympy.Symbol] = set()
    for item in (*hypotheses, *items):
        for node in item.atoms(sympy.Sum, sympy.Product):
            for _, lo, hi in node.limits:
                integers |= lo.free_symbols | hi.free_symbols
    setting = Setting(hypotheses, frozenset(symbols), frozenset(integers & symbols))
    _counterexamples.require_consistent(setting.hypotheses, setting.symbols, setting.integers)
    return setting
