"""Exact points: witnesses that hypotheses are consistent, and counterexamples to a statement.

A candidate point comes from a z3 model (:func:`verify._z3.solve`) or from a small rational grid.
It counts only after exact evaluation (:mod:`verify._exact`) shows every value admissible for its
symbol's declared assumptions, every hypothesis defined and true, and, for a counterexample, the
statement defined and false (a *refutation*) or undefined (an *undefined-at* point). Signs are
proved (rationals exactly, other closed forms by interval enclosures), never read off floats.
Symbols typed integer (declared, or in the limits of a ``Sum``/``Product``) take integer values.

Reference:
    A. Meurer et al., "SymPy: symbolic computing in Python", PeerJ Comput. Sci. 3:e103, 2017.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import sympy

from verify import _exact, _z3
from verify._exact import Undefined
from verify.errors import UndecidedHypothesesError, VacuousHypothesesError

__all__ = ["Found", "require_consistent", "search"]

_GRID = tuple(
    sympy.Rational(v)
    for v in (
        "0", "1", "-1", "1/2", "2", "-1/2", "-2", "3", "1/3", "3/2", "-3", "1/10", "5", "-5/2"
    )
)
_GRID_LIMIT = 600


@dataclass(frozen=True)
class Found:
    """An exactly confirmed point: by symbol name, and the reason if the goal is undefined there."""

    point: dict
    how: str
    undefined: str | None = None


def _admissible(sym, v, integers) -> bool:
    return _exact.admissible(sym, v, integer=sym in integers)


def _grid(sym, integers) -> tuple:
    return tuple(v for v in _GRID if _admissible(sym, v, integers))


class _Point(dict):
    """Symbol values, plus an undefined function's values read from a z3 model when first used
    (``g(3)`` for a sum up to 3 even if z3 only saw ``g(n)``); read values stay in the point."""

    def __init__(self, values, model) -> None:
        super().__init__(values)
        self._model = model

    def __missing__(self, key):
        found = self._model.apply(key)  # None unless key is some g(exact numbers) in the model
        if found is None:
            raise KeyError(key)
        self[key] = found
        return found


def _name(key) -> str:
    return key.name if isinstance(key, sympy.Symbol) else str(key)


def _confirm(point, hypotheses, goal, integers, *, want) -> tuple[dict, str | None] | None:
    """``(point by name, why the goal is undefined there or None)`` if the point passes every
    exact check: admissible values, hypotheses true, and the goal false (``want="false"``) or
    undefined (``want="undefined"``); a witness (``goal=None``) needs the first two only."""
    if not all(_admissible(s, point[s], integers) for s in point if isinstance(s, sympy.Symbol)):
        return None
    if any(_exact.truth(h, point) is not True for h in hypotheses):
        return None
    reason = None
    if goal is not None:
        t = _exact.truth(goal, point)
        if isinstance(t, Undefined):
            reason = t.reason
        if not ((t is False) if want == "false" else (reason is not None)):
            return None
    # Named after the goal's evaluation, which may add undefined functions' values.
    return {_name(k): v for k, v in sorted(point.items(), key=lambda kv: _name(kv[0]))}, reason


def _from_model(model, symbols, integers) -> _Point | None:
    """The model's point; symbols it does not constrain take their first admissible grid value."""
    values = dict(model.symbols)
    for s in symbols:
        if s not in values:
            grid = _grid(s, integers)
            if not grid:
                return None
            values[s] = grid[0]
    return _Point({s: values[s] for s in symbols}, model)


def _find(hypotheses, goal, symbols, integers, *, want) -> tuple[Found | None, str]:
    """z3 model first, then the rational grid; ``(found, z3 status)``."""
    status, model = _z3.solve(hypotheses, goal, want, integers)
    if status == "sat":
        point = _from_model(model, symbols, integers)
        found = None if point is None else _confirm(point, hypotheses, goal, integers, want=want)
        if found is not None:
            return Found(found[0], "z3 model, confirmed by exact evaluation", found[1]), status
    if status == "unsat":
        return None, status
    ordered = sorted(symbols, key=lambda s: s.name)
    grids = [_grid(s, integers) for s in ordered]
    for values in itertools.islice(itertools.product(*grids), _GRID_LIMIT):
        point = dict(zip(ordered, values, strict=True))
        found = _confirm(point, hypotheses, goal, integers, want=want)
        if found is not None:
            how = "rational grid search, confirmed by exact evaluation"
            return Found(found[0], how, found[1]), status
    return None, status


def search(hypotheses, goal, symbols, integers, *, want: str):
    """An exact point where the hypotheses hold and ``goal`` is ``want``: ``"false"`` (defined and
    false) or ``"undefined"``.

    Returns ``(Found or None, how)``; ``how`` says what was tried when nothing was found.
    """
    found, status = _find(tuple(hypotheses), goal, frozenset(symbols), integers, want=want)
    if found is not None:
        return found, found.how
    return None, f"z3: {status}; no exact point on the rational grid"


def _declaration(s: sympy.Symbol) -> str:
    """``"not integer, positive"``: what was declared on the symbol, in a fixed order."""
    return ", ".join(k if v else "not " + k for k, v in sorted(s._assumptions_orig.items()))


def _require_consistent(hypotheses: tuple, symbols: frozenset, integers: frozenset) -> Found:
    """An exact point satisfying every hypothesis and symbol assumption, or an error.

    Raises :class:`VacuousHypothesesError` when z3 proves the hypotheses unsatisfiable (the
    translation over-approximates, so unsat is a proof), :class:`UndecidedHypothesesError` when no
    exact witness is found ("unknown" never counts as consistent).
    """
    shown = ", ".join(map(str, hypotheses)) or "no explicit hypotheses"
    declared = sorted(f"{s.name}: {_declaration(s)}" for s in symbols if s._assumptions_orig)
    if declared:
        shown += " [declared " + "; ".join(declared) + "]"
    found, status = _find(hypotheses, None, symbols, integers, want="false")
    if found is not None:
        return found
    if status == "unsat":
        raise VacuousHypothesesError(
            f"vacuous hypotheses: {shown} have no common real solution where they are defined "
            "(z3: unsat), so every statement would follow from them"
        )
    raise UndecidedHypothesesError(
        f"could not show the hypotheses consistent: {shown} (z3: {status}; no exact witness "
        "on the rational grid)"
    )


# Cached per decision setting (a wrapper kept apart, so the function itself stays plain).
require_consistent = functools.lru_cache(maxsize=1024)(_require_consistent)
