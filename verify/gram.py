r"""The typed encoding for proofs in every dimension: vectors as linear combinations, Gram entries.

A vector expression becomes a linear combination of *atoms* ``W b``, where ``b`` is a base vector
(a declared vector, a gradient ``\nabla f(p; x_i)``, or the sum over the examples
``\sum_j \nabla f(p; x_j)``) and ``W`` a word in symmetric matrix atoms (Hessians); matrices are
linear combinations of words, ``I`` the empty word. Inner products are expanded bilinearly into
Gram entries ``<b, W c>`` (with ``<W b, V c> = <b, W^T V c>`` and ``W^T`` the reversed word, the
matrices being symmetric), which are real symbols; a norm is the square root of its Gram form.
An identity whose two sides have the same expansion holds in every inner-product space, for every
dimension d, so a proof here is a proof for all d; hypotheses of the form ``atom = ...`` are used
by substitution.

Expectations: ``\mathbf{E}`` over a random index ``i`` uniform on ``{1..n}`` (n symbolic) is the
exact finite average, applied term by term: a Gram entry linear in ``\nabla f(p; x_i)`` becomes the
entry with ``\frac1n\sum_j \nabla f(p; x_j)``; any other ``i``-dependent product becomes one opaque
symbol ``\frac1n\sum_j[...]``. What depends on the history (``w_t``, gradients and Hessians at
``w_t``) is then averaged by an opaque linear expectation ``E[...]`` per monomial: deterministic
factors pass through, so the expectation is linear, and an inequality whose sides are linear in
these symbols follows from the same inequality pointwise (monotonicity), see :func:`pointwise`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from verify.scope import Scope

__all__ = ["Algebra", "Base", "GramError", "Mat", "Row", "Table", "Vec"]


class GramError(ValueError):
    """The statement is outside the typed encoding (one line)."""


@dataclass(frozen=True, order=True)
class Base:
    """A base vector: ``vector`` (a symbol), ``grad`` at (point, index), ``sum`` over examples,
    ``E`` (the expectation of a random atom)."""

    kind: str
    name: str
    point: str = ""
    index: str = ""

    def label(self) -> str:
        if self.kind == "vector":
            return self.name
        if self.kind == "grad":
            return f"∇{self.name}({self.point}{'; x_' + self.index if self.index else ''})"
        if self.kind == "sum":
            return f"Σ_j ∇{self.name}({self.point}; x_j)"
        return f"E[{self.name}]"


@dataclass
class Vec:
    """``{(word, base): coefficient}``; ``row`` for a transposed vector."""

    terms: dict = field(default_factory=dict)
    row: bool = False


@dataclass
class Mat:
    terms: dict = field(default_factory=dict)  # word -> coefficient; () is I


Row = Vec


def _lin(a: dict, b: dict, s=1) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = sympy.expand(out.get(k, 0) + s * v)
        if out[k] == 0:
            del out[k]
    return out


class Table:
    """The Gram entries and opaque symbols created while encoding one claim."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.info: dict[sympy.Symbol, dict] = {}
        self.scalars: dict[str, sympy.Symbol] = {}

    def scalar(self, name: str) -> sympy.Symbol:
        if name not in self.scalars:
            decl = self.scope.decls[name]
            extra = {}
            if decl.kind in ("integer", "positive integer"):
                extra["integer"] = True
            if decl.kind == "positive integer":
                extra["positive"] = True
            self.scalars[name] = sympy.Symbol(name, real=True, **extra)
        return self.scalars[name]

    def random_base(self, base: Base) -> bool:
        if base.kind == "E":
            return False
        return self.random_point(base.name if base.kind == "vector" else base.point)

    def random_point(self, name: str) -> bool:
        decl = self.scope.decls.get(name)
        if decl is None:
            return False
        if decl.kind == "mean value point":
            return any(self.random_point(p) for p in decl.param("between"))
        return decl.random

    def random_matrix(self, word) -> bool:
        return any(self.random_point(m.split("@")[1]) for m in word if "@" in m)

    def _symbol(self, label: str, **info) -> sympy.Symbol:
        sym = sympy.Symbol(label, real=True)
        if sym not in self.info:
            self.info[sym] = info
        return sym

    def gram(self, u: tuple, v: tuple) -> sympy.Symbol:
        """``<W1 b1, W2 b2>`` for atoms ``(W1, b1)``, ``(W2, b2)``, canonically oriented."""
        (w1, b1), (w2, b2) = u, v
        word = tuple(reversed(w1)) + tuple(w2)
        key = min((b1, word, b2), (b2, tuple(reversed(word)), b1))
        a, word, b = key
        label = f"<{a.label()}|{'·'.join(word)}|{b.label()}>"
        return self._symbol(label, kind="gram", bases=(a, b), word=word,
                            nonneg=(a == b and not word),
                            random=self.random_base(a) or self.random_base(b)
                            or self.random_matrix(word))

    def opaque(self, kind: str, label: str, *, nonneg=False, random=False, content=None,
               indices=()) -> sympy.Symbol:
        return self._symbol(label, kind=kind, nonneg=nonneg, random=random, content=content,
                            indices=tuple(indices), bases=(), word=())

    def indices(self, sym) -> set[str]:
        info = self.info.get(sym)
        if info is None:
            return set()
        return {b.index for b in info["bases"] if b.index} | set(info.get("indices", ()))

    def is_random(self, expr) -> bool:
        return any(self.info.get(s, {}).get("random") for s in sympy.sympify(expr).free_symbols)

    def facts(self) -> list:
        """True facts about the symbols: squared norms and sums of squares are >= 0."""
        return [s >= 0 for s, info in self.info.items() if info.get("nonneg")]


class Algebra:
    """Linear algebra on :class:`Vec` and :class:`Mat`, with substitution of defined atoms."""

    def __init__(self, scope: Scope, table: Table, count: str | None,
                 definitions: dict | None = None) -> None:
        self.scope, self.table, self.count = scope, table, count
        self.definitions = definitions if definitions is not None else {}
        self.history = True

    # ---------------------------------------------------------------------------- atoms
    def atom(self, base: Base, depth=0) -> Vec:
        if base in self.definitions:
            if depth > 20:
                raise GramError("definitions refer to each other in a cycle")
            return self.substituted(self.definitions[base], depth + 1)
        return Vec({((), base): sympy.Integer(1)})

    def substituted(self, v: Vec, depth=0) -> Vec:
        out: dict = {}
        for (word, base), c in v.terms.items():
            inner = self.atom(base, depth) if base in self.definitions else Vec({((), base): 1})
            out = _lin(out, {(word + w, b): c * d for (w, b), d in inner.terms.items()})
        return Vec(out, v.row)

    # ---------------------------------------------------------------------------- arithmetic
    def add(self, a, b):
        if isinstance(a, Vec) and isinstance(b, Vec) and a.row == b.row:
            return Vec(_lin(a.terms, b.terms), a.row)
        if isinstance(a, Mat) and isinstance(b, Mat):
            return Mat(_lin(a.terms, b.terms))
        if not isinstance(a, (Vec, Mat)) and not isinstance(b, (Vec, Mat)):
            return a + b
        raise GramError(f"cannot add {type(a).__name__} and {type(b).__name__}")

    def scale(self, c, x):
        if isinstance(x, Vec):
            return Vec({k: sympy.expand(c * v) for k, v in x.terms.items() if c * v != 0}, x.row)
        if isinstance(x, Mat):
            return Mat({k: sympy.expand(c * v) for k, v in x.terms.items() if c * v != 0})
        return c * x

    def mul(self, a, b):
        scalar = (not isinstance(a, (Vec, Mat)), not isinstance(b, (Vec, Mat)))
        if scalar[0]:
            return self.scale(a, b)
        if scalar[1]:
            return self.scale(b, a)
        if isinstance(a, Mat) and isinstance(b, Mat):
            out: dict = {}
            for w1, c1 in a.terms.items():
                out = _lin(out, {w1 + w2: c1 * c2 for w2, c2 in b.terms.items()})
            return Mat(out)
        if isinstance(a, Mat) and isinstance(b, Vec) and not b.row:
            out = {}
            for w1, c1 in a.terms.items():
                out = _lin(out, {(w1 + w2, base): c1 * c2 for (w2, base), c2 in b.terms.items()})
            return self.substituted(Vec(out))
        if isinstance(a, Vec) and a.row and isinstance(b, Mat):
            transposed = Mat({tuple(reversed(w)): c for w, c in b.terms.items()})
            return Vec(self.mul(transposed, Vec(a.terms)).terms, row=True)
        if isinstance(a, Vec) and a.row and isinstance(b, Vec) and not b.row:
            return self.inner(a, b)
        raise GramError(f"cannot multiply {type(a).__name__} by {type(b).__name__}")

    def inner(self, a: Vec, b: Vec):
        total = sympy.Integer(0)
        for u, c1 in a.terms.items():
            for v, c2 in b.terms.items():
                total += c1 * c2 * self.table.gram(u, v)
        return sympy.expand(total)
