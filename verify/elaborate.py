r"""Resolve a parsed statement against a claim's declarations (the one place types decide syntax).

* ``f(x)`` is an application when ``f`` is declared a function: a defined function is unfolded
  (its definition with the argument substituted), ``f''(x)`` becomes :class:`Deriv` of the
  definition; otherwise ``a(b)`` is a product.
* ``\nabla h(w)`` of a defined ``h`` is computed from the definition by linearity:
  ``h(w) = \frac{1}{n}\sum_i f(w; x_i)`` gives ``\frac{1}{n}\sum_i \nabla f(w; x_i)``.
  The gradient of an undefined objective is an atom :class:`GradAt` (point, example index), and
  every Hessian is an atom :class:`HessAt` (a symmetric matrix constrained only by hypotheses).
* ``e`` is Euler's number (``e^x`` is :class:`Exp`), ``v^T`` a transpose, ``\|M\|_2`` the
  operator norm :class:`OpNorm`; parentheses disappear.

``rename`` instantiates a statement quantified over ``any point`` symbols at given points.
"""

from __future__ import annotations

from dataclasses import dataclass

from verify import terms as t
from verify.parse import symbol
from verify.scope import FUNCTIONS, DeclarationError, Scope

__all__ = ["Apply", "Deriv", "ElaborationError", "Exp", "GradAt", "HessAt", "OpNorm", "Transpose",
           "elaborate", "mean_point", "points", "substitute"]


class ElaborationError(ValueError):
    """The statement does not fit its declarations (one line naming the place)."""


@dataclass(frozen=True)
class GradAt(t.Node):
    """``\nabla f(point)`` or ``\nabla f(point; x_index)``: an atom (a vector)."""

    func: str
    point: str
    index: str | None = None


@dataclass(frozen=True)
class HessAt(t.Node):
    """``\nabla^2 f(point)``: an atom (a symmetric matrix)."""

    func: str
    point: str


@dataclass(frozen=True)
class Deriv(t.Node):
    """The ``order``-th derivative of ``x -> body`` (``param`` = x) at ``arg``."""

    func: str
    param: str
    body: t.Node
    order: int
    arg: t.Node


@dataclass(frozen=True)
class Exp(t.Node):
    arg: t.Node


@dataclass(frozen=True)
class OpNorm(t.Node):
    arg: t.Node


@dataclass(frozen=True)
class Transpose(t.Node):
    arg: t.Node


@dataclass(frozen=True)
class Apply(t.Node):
    """``f(args)`` for ``f`` declared ``any function``: its value is an unknown per argument."""

    func: str
    args: tuple[t.Node, ...]


@dataclass(frozen=True)
class _App(t.Node):
    func: str
    args: tuple[t.Node, ...]


def substitute(node: t.Node, mapping: dict[str, t.Node]) -> t.Node:
    """Replace symbols by name (a summation index shadows the names it binds)."""
    if isinstance(node, t.Sym):
        plain = t.Sym(node.base, node.sub, node.star)
        if node.primes == 0 and plain.name in mapping:
            return mapping[plain.name]
        return node
    if isinstance(node, t.Sum) and node.index.name in mapping:
        inner = {k: v for k, v in mapping.items() if k != node.index.name}
        return t.Sum(node.index, substitute(node.lo, mapping), substitute(node.hi, mapping),
                     substitute(node.body, inner))
    return t.map_children(node, lambda child: substitute(child, mapping))


def _mentions(node: t.Node, name: str) -> bool:
    return any(isinstance(n, t.Sym) and t.Sym(n.base, n.sub, n.star).name == name
               for n in t.walk(node))


class _Elaborator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    # ------------------------------------------------------------------- applications (pass 1)
    def resolve(self, node: t.Node) -> t.Node:
        """Turn ``f`` next to ``(args)`` into an application where ``f`` is a function."""
        if isinstance(node, t.Mul):
            out: list[t.Node] = []
            factors = [self.resolve(f) for f in node.factors]
            k = 0
            while k < len(factors):
                f = factors[k]
                if (isinstance(f, t.Sym) and k + 1 < len(factors)
                        and isinstance(factors[k + 1], t.Group) and self._is_function(f)):
                    out.append(self._apply(f, factors[k + 1].items))
                    k += 2
                    continue
                if isinstance(f, t.Sym) and f.primes:
                    raise ElaborationError(f"{t.latex(f)} must be applied to an argument")
                out.append(f)
                k += 1
            return out[0] if len(out) == 1 else t.Mul(tuple(out))
        if isinstance(node, t.Sum):
            saved = dict(self.scope.bound)
            self.scope.bound[node.index.name] = "integer"
            try:
                return t.Sum(node.index, self.resolve(node.lo), self.resolve(node.hi),
                             self.resolve(node.body))
            finally:
                self.scope.bound = saved
        if isinstance(node, t.Grad):
            return t.Grad(node.func, t.Group(tuple(self.resolve(a) for a in node.args.items),
                                             node.args.seps), node.order)
        return _map_children(node, self.resolve)

    def _is_function(self, sym: t.Sym) -> bool:
        try:
            return self.scope.kind(t.Sym(sym.base, sym.sub, sym.star)) in FUNCTIONS
        except DeclarationError:
            return False

    def _apply(self, f: t.Sym, args: tuple[t.Node, ...]) -> t.Node:
        name = t.Sym(f.base, f.sub, f.star).name
        if name not in self.scope.definitions:
            if f.primes:
                raise ElaborationError(f"{name}' needs a definition of {name}")
            return _App(name, args)
        params, body = self.scope.definitions[name]
        if len(params) != len(args):
            raise ElaborationError(f"{name} takes {len(params)} argument(s), got {len(args)}")
        if f.primes:
            return Deriv(name, params[0], self.resolve(body), f.primes, args[0])
        return t.Group((self.resolve(substitute(body, dict(zip(params, args, strict=True)))),))

    # ------------------------------------------------------------------------- gradients
    def gradient(self, body: t.Node, param: str, point: t.Node) -> t.Node | None:
        """Gradient in ``param`` of a resolved definition body at ``point``, by linearity."""
        if not _mentions(body, param):
            return None
        if isinstance(body, t.Group) and len(body.items) == 1:
            return self.gradient(body.items[0], param, point)
        if isinstance(body, t.Add):
            parts = [g for g in (self.gradient(x, param, point) for x in body.terms) if g]
            return t.Add(tuple(parts)) if len(parts) > 1 else (parts[0] if parts else None)
        if isinstance(body, t.Neg):
            g = self.gradient(body.arg, param, point)
            return None if g is None else t.Neg(g)
        if isinstance(body, t.Mul):
            varying = [f for f in body.factors if _mentions(f, param)]
            if len(varying) != 1:
                raise ElaborationError("a gradient by linearity needs one varying factor")
            g = self.gradient(varying[0], param, point)
            return t.Mul(tuple(g if f is varying[0] else f for f in body.factors))
        if isinstance(body, t.Frac) and not _mentions(body.den, param):
            return t.Frac(self.gradient(body.num, param, point), body.den)
        if isinstance(body, t.Sum):
            return t.Sum(body.index, body.lo, body.hi, self.gradient(body.body, param, point))
        if isinstance(body, _App) and body.args and body.args[0] == symbol(param):
            if any(_mentions(a, param) for a in body.args[1:]):
                raise ElaborationError(f"{body.func}: the parameter must be the first argument")
            return t.Grad(t.Sym(body.func), t.Group((point, *body.args[1:])))
        raise ElaborationError(f"cannot differentiate {t.latex(body)} by linearity")

    # ------------------------------------------------------------------------- pass 2
    def elaborate(self, node: t.Node) -> t.Node:  # noqa: C901 - one case per node type
        if isinstance(node, t.Group):
            if len(node.items) != 1:
                raise ElaborationError(f"a tuple {t.latex(node)} is only allowed as arguments")
            return self.elaborate(node.items[0])
        if isinstance(node, t.Sym):
            if node.base == "e" and node.sub is None and "e" not in self.scope.decls:
                return Exp(t.Num(1))
            self.scope.lookup(node)  # must be declared
            return node
        if isinstance(node, t.Pow):
            if (isinstance(node.base, t.Sym) and node.base.name == "e"
                    and "e" not in self.scope.decls):
                return Exp(self.elaborate(node.exp))
            if isinstance(node.exp, t.Sym) and node.exp.name == "T" and "T" not in self.scope.decls:
                return Transpose(self.elaborate(node.base))
            return t.Pow(self.elaborate(node.base), self.elaborate(node.exp))
        if isinstance(node, t.Norm):
            if node.sub == "2":
                return OpNorm(self.elaborate(node.arg))
            if node.sub is not None:
                raise ElaborationError(f"unknown norm subscript {node.sub!r}")
            return t.Norm(self.elaborate(node.arg))
        if isinstance(node, t.Grad):
            return self._grad(node)
        if isinstance(node, _App) and self.scope.kind(symbol(node.func)) == "any function":
            return Apply(node.func, tuple(self.elaborate(a) for a in node.args))
        if isinstance(node, _App):
            raise ElaborationError(f"the value {node.func}(...) of an undefined function is not "
                                   f"supported; only its gradient and Hessian are")
        if isinstance(node, Deriv):
            saved = dict(self.scope.bound)
            self.scope.bound[node.param] = "real"
            try:
                body = self.elaborate(node.body)
            finally:
                self.scope.bound = saved
            return Deriv(node.func, node.param, body, node.order, self.elaborate(node.arg))
        if isinstance(node, t.Sum):
            saved = dict(self.scope.bound)
            self.scope.bound[node.index.name] = "integer"
            try:
                return t.Sum(node.index, self.elaborate(node.lo), self.elaborate(node.hi),
                             self.elaborate(node.body))
            finally:
                self.scope.bound = saved
        if isinstance(node, (t.Hole, t.Text, t.Predicate, t.Forall, t.Iff, t.ArgMin)):
            raise ElaborationError(f"{type(node).__name__} is not a judgeable expression")
        return _map_children(node, self.elaborate)

    def _grad(self, node: t.Grad) -> t.Node:
        name = node.func.name
        args = node.args.items
        if node.order == 1 and name in self.scope.definitions:
            params, body = self.scope.definitions[name]
            if len(args) != 1 or len(params) != 1:
                raise ElaborationError(f"\\nabla {name} takes one point")
            grad = self.gradient(self.resolve(body), params[0], args[0])
            return self.elaborate(grad) if grad is not None else t.Num(0)
        decl = self.scope.lookup(node.func)
        if decl.kind not in ("objective", "per-example objective"):
            raise ElaborationError(f"\\nabla {name}: {name} is declared {decl.kind!r}")
        point = self.elaborate(args[0])
        if (isinstance(point, t.Expect) and point.sub is None and isinstance(point.arg, t.Sym)
                and self.scope.kind(point.arg) == "random vector"):
            point = t.Sym(f"E[{point.arg.name}]")  # the mean of a random vector: a fixed point
        if not isinstance(point, t.Sym):
            raise ElaborationError(f"\\nabla {name} at a compound point {t.latex(args[0])}")
        if node.order == 2:
            return HessAt(name, point.name)
        index = None
        if decl.kind == "per-example objective":
            if len(args) != 2:
                raise ElaborationError(f"\\nabla {name}(w; x_i) needs an example")
            example = args[1]
            if not (isinstance(example, t.Sym) and example.sub is not None
                    and self.scope.kind(t.Sym(example.base)) == "examples"):
                raise ElaborationError(f"{t.latex(example)} is not an indexed example")
            index = t.Sym(example.sub.base, example.sub.sub).name if isinstance(
                example.sub, t.Sym) else None
            if index is None:
                raise ElaborationError(f"the example index of {t.latex(example)} must be a symbol")
            self.scope.lookup(example.sub)
        elif len(args) != 1:
            raise ElaborationError(f"\\nabla {name} takes one point")
        return GradAt(name, point.name, index)


def _map_children(node: t.Node, fn) -> t.Node:
    return t.map_children(node, fn, skip=("index", "var", "func"))


def elaborate(node: t.Node, scope: Scope, rename: dict[str, str] | None = None) -> t.Node:
    """The statement or expression ``node`` resolved against ``scope`` (see the module doc)."""
    if rename:
        node = substitute(node, {k: symbol(v) for k, v in rename.items()})
    e = _Elaborator(scope)
    try:
        return e.elaborate(e.resolve(node))
    except DeclarationError as exc:
        raise ElaborationError(str(exc)) from None


def mean_point(name: str) -> str | None:
    """``w_t`` for the point ``E[w_t]`` (the mean of a random vector), else None."""
    return name[2:-1] if name.startswith("E[") and name.endswith("]") else None


def points(node: t.Node) -> set[str]:
    """The points at which an elaborated tree takes gradients and Hessians."""
    return {n.point for n in t.walk(node) if isinstance(n, (GradAt, HessAt))}
