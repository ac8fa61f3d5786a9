r"""Declarations: what each symbol of a claim is (a real scalar, a vector, a random index, ...).

A claim's ``symbols`` map names as :attr:`verify.terms.Sym.name` spells them (``alpha``, ``w_t``,
``w_{t+1}``, ``w^*``, ``zeta_t``; a family such as ``x_i`` is declared by its base ``x``) to a kind:

===========================  ======================================================================
kind                         meaning
===========================  ======================================================================
``real``                     a real scalar
``integer``                  an integer scalar
``positive integer``         an integer >= 1 (``n``, the number of examples)
``vector``                   a deterministic vector in R^d (any d >= 1)
``random vector``            a vector in R^d that depends on the past random indices (``w_t``)
``any point``                a vector quantified "for every w" in a hypothesis
``symmetric matrix``         a symmetric d x d matrix
``identity matrix``          the identity ``I``
``function``                 a real function of one real variable, defined by a definition
``any function``             any real function of real arguments (no definition): its values are
                             unknowns, one per argument value
``objective``                a twice differentiable function R^d -> R (``\nabla f``, ``\nabla^2 f``)
``per-example objective``    ``f(w; x_i)``, one objective per training example
``examples``                 the training examples ``x_i`` (they carry an index only)
``random index over n``      uniform on {1, ..., n}, independent of everything drawn before
``mean value point of f      a point on the segment [a, b] at which the claim evaluates
between a and b``            ``\nabla^2 f`` as in the mean value theorem
``minimiser of f``           a minimiser of the objective ``f``, so ``\nabla f`` vanishes there
``iteration count, induction an integer K >= 0 indexing iterates (``w_K``): a statement about it is
on t``                       proved by induction on K from hypotheses stated for every step ``t``
                             (:mod:`verify.induction`)
``any function``             a function R^d -> R known only through the claim's hypotheses
                             (``f \text{ is convex}``); judged by :mod:`verify.classes`
``weight``                   a scalar in [0, 1], the weight of a convex combination
``matrix``                   a d x d (or m x d) matrix, not necessarily symmetric
===========================  ======================================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from verify import terms as t

__all__ = ["KINDS", "Decl", "DeclarationError", "Scope"]

KINDS = frozenset({
    "real", "integer", "positive integer", "vector", "random vector", "any point",
    "symmetric matrix", "identity matrix", "function", "objective", "per-example objective",
    "examples", "random index", "mean value point", "minimiser", "any function",
    "iteration count", "weight", "matrix",
})
SCALARS = frozenset({"real", "integer", "positive integer", "weight"})
VECTORS = frozenset({"vector", "random vector", "any point", "mean value point", "minimiser"})
MATRICES = frozenset({"symmetric matrix", "identity matrix", "matrix"})
FUNCTIONS = frozenset({"function", "objective", "per-example objective", "any function"})
_PATTERNS = {
    "random index": re.compile(r"random index over (?P<over>\S+)$"),
    "mean value point": re.compile(r"mean value point of (?P<of>\S+) between (?P<a>\S+) and "
                                   r"(?P<b>\S+)$"),
    "minimiser": re.compile(r"minimiser of (?P<of>\S+)$"),
    "iteration count": re.compile(r"iteration count, induction on (?P<step>\S+)$"),
}


class DeclarationError(ValueError):
    """A symbol is undeclared, declared twice, or declared with an unknown kind."""


@dataclass(frozen=True)
class Decl:
    """One declaration: ``name`` is of ``kind``; ``params`` for the kinds that take them."""

    name: str
    kind: str
    params: tuple[tuple[str, object], ...] = ()

    def param(self, key: str):
        return dict(self.params)[key]

    @property
    def random(self) -> bool:
        """Depends on the random indices drawn before the current step (the history)."""
        return self.kind == "random vector"


def _decl(name: str, spec) -> Decl:
    if not isinstance(spec, str):
        raise DeclarationError(f"symbol {name!r}: the kind must be a string, got {spec!r}")
    spec = " ".join(spec.split())
    if spec in KINDS and spec not in _PATTERNS:
        return Decl(name, spec)
    for kind, pattern in _PATTERNS.items():
        m = pattern.match(spec)
        if m:
            params = m.groupdict()
            if kind == "mean value point":
                params = {"of": params["of"], "between": (params["a"], params["b"])}
            return Decl(name, kind, tuple(sorted(params.items())))
    raise DeclarationError(
        f"symbol {name!r}: unknown kind {spec!r}; kinds: {sorted(KINDS - set(_PATTERNS))}, "
        "'random index over n', 'mean value point of f between a and b', 'minimiser of f', "
        "'iteration count, induction on t'")


class Scope:
    """The declarations of one claim, and the definitions (``f(x) = ...``) it uses."""

    def __init__(self, symbols: Mapping[str, object], definitions=()) -> None:
        self.decls = {name: _decl(name, spec) for name, spec in symbols.items()}
        self.bound: dict[str, str] = {}  # names bound in force: summation indices, parameters
        self.definitions: dict[str, tuple[tuple[str, ...], t.Node]] = {}
        for node in definitions:
            self._define(node)

    def _define(self, node: t.Node) -> None:
        if not (isinstance(node, t.Chain) and node.ops == ("=",)
                and isinstance(node.items[0], t.Mul) and len(node.items[0].factors) == 2
                and isinstance(node.items[0].factors[0], t.Sym)
                and isinstance(node.items[0].factors[1], t.Group)):
            raise DeclarationError(f"a definition must read 'f(x) = ...', got {t.latex(node)!r}")
        head, args = node.items[0].factors
        decl = self.lookup(head)
        if decl.kind not in FUNCTIONS:
            raise DeclarationError(f"{head.name!r} is defined but declared {decl.kind!r}")
        params = []
        for p in args.items:
            if not isinstance(p, t.Sym):
                raise DeclarationError(f"parameters of {head.name!r} must be symbols")
            params.append(p.name)
        self.definitions[head.name] = (tuple(params), node.items[1])

    def lookup(self, sym: t.Sym) -> Decl:
        """The declaration of a symbol: by its full name, else by its base (a family ``x_i``)."""
        bare = t.Sym(sym.base, sym.sub, sym.star).name
        for key in (bare, sym.base):
            if key in self.bound:
                return Decl(key, self.bound[key])
            if key in self.decls:
                return self.decls[key]
        raise DeclarationError(f"symbol {bare!r} is not declared")

    def kind(self, sym: t.Sym) -> str:
        return self.lookup(sym).kind

    def of_kind(self, *kinds: str) -> list[Decl]:
        return [d for d in self.decls.values() if d.kind in kinds]
