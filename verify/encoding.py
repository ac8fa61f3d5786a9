r"""Elaborated statements -> the typed encoding of :mod:`verify.gram` (proofs in every dimension).

:class:`Encoder` turns a tree into a SymPy scalar (with Gram entries and opaque symbols), a
:class:`~verify.gram.Vec` or a :class:`~verify.gram.Mat`, and a hypothesis into what a proof can
use: a scalar assumption, a definition of an atom (``w_{t+1} = w_t - \alpha \nabla f(w_t)``
defines ``w_{t+1}``; ``\nabla h(w^*) = 0`` defines the example sum at ``w^*``), or a spectral
bound ``\mu I \preceq H \preceq L I`` on a Hessian atom.
"""

from __future__ import annotations

import sympy

from verify import cost
from verify import terms as t
from verify.elaborate import Exp, GradAt, HessAt, OpNorm, Transpose
from verify.gram import Algebra, Base, GramError, Mat, Table, Vec
from verify.scope import MATRICES, SCALARS, VECTORS, Scope

__all__ = ["Encoder", "example_count", "hess_name", "nonneg", "relation", "zero_vector"]


def hess_name(func: str, point: str) -> str:
    return f"∇²{func}@{point}"


class Encoder(Algebra):
    """Encode one claim's statement and hypotheses (see :mod:`verify.gram`)."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, Table(scope), _count(scope))
        self.assumptions: list = []
        self.spectral: dict[str, dict[str, sympy.Expr]] = {}
        self.norms: list = []  # Gram forms under a square root (>= 0)
        self.integrands = False  # True: read E[X] as X (to compare integrands)
        self.divisors: list = []  # coefficients a definition divided by: must be nonzero

    # ---------------------------------------------------------------------------- conversion
    def conv(self, node: t.Node, bound: frozenset = frozenset()):  # noqa: C901
        if isinstance(node, t.Num):
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, t.Sym):
            return self._sym(node, bound)
        if isinstance(node, t.Add):
            out = self.conv(node.terms[0], bound)
            for term in node.terms[1:]:
                out = self.add(out, self.conv(term, bound))
            return out
        if isinstance(node, t.Neg):
            return self.scale(-1, self.conv(node.arg, bound))
        if isinstance(node, t.Mul):
            out = self.conv(node.factors[0], bound)
            for f in node.factors[1:]:
                out = self.mul(out, self.conv(f, bound))
            return out
        if isinstance(node, t.Frac):
            den = self._scalar(self.conv(node.den, bound), "a denominator")
            return self.scale(1 / den, self.conv(node.num, bound))
        if isinstance(node, t.Pow):
            return (self._scalar(self.conv(node.base, bound), "a power")
                    ** self._scalar(self.conv(node.exp, bound), "an exponent"))
        if isinstance(node, Exp):
            return sympy.exp(self._scalar(self.conv(node.arg, bound), "exp"))
        if isinstance(node, t.Log):
            return sympy.log(self._scalar(self.conv(node.arg, bound), "log"))
        if isinstance(node, t.Abs):
            return sympy.Abs(self._scalar(self.conv(node.arg, bound), "|.|"))
        if isinstance(node, t.Max):
            args = [self._scalar(self.conv(a, bound), node.kind) for a in node.args]
            return sympy.Max(*args) if node.kind == "max" else sympy.Min(*args)
        if isinstance(node, t.Norm):
            v = self._vector(self.conv(node.arg, bound), "\\|.\\|")
            g = self.inner(v, v)
            self.norms.append(g)
            return sympy.sqrt(g)
        if isinstance(node, t.Inner):
            return self.inner(self._vector(self.conv(node.left, bound), "<.,.>"),
                              self._vector(self.conv(node.right, bound), "<.,.>"))
        if isinstance(node, Transpose):
            return Vec(self._vector(self.conv(node.arg, bound), "^T").terms, row=True)
        if isinstance(node, OpNorm):
            return self._opnorm(self.conv(node.arg, bound))
        if isinstance(node, GradAt):
            return self.atom(Base("grad", node.func, node.point, node.index or ""))
        if isinstance(node, HessAt):
            return Mat({(hess_name(node.func, node.point),): sympy.Integer(1)})
        if isinstance(node, t.Sum):
            return self._sum(node, bound)
        if isinstance(node, t.Expect):
            return self.expect(self.conv(node.arg, bound),
                               None if node.sub is None else node.sub.name)
        if isinstance(node, t.Cost):
            return sympy.sympify(cost.evaluations(
                node.arg, lambda b: self._scalar(self.conv(b, bound), "a summation bound")))
        raise GramError(f"{type(node).__name__} is outside the vector encoding")

    def _sym(self, node: t.Sym, bound):
        if node.name in bound:
            raise GramError(f"the summation index {node.name} is used as a number")
        decl = self.scope.lookup(node)
        if decl.kind in SCALARS:
            return self.table.scalar(decl.name)
        if decl.kind == "identity matrix":
            return Mat({(): sympy.Integer(1)})
        if decl.kind in MATRICES:
            return Mat({(decl.name,): sympy.Integer(1)})
        if decl.kind in VECTORS:
            return self.atom(Base("vector", node.name))
        raise GramError(f"{node.name} ({decl.kind}) has no value")

    def _scalar(self, x, what):
        if isinstance(x, (Vec, Mat)):
            raise GramError(f"{what} must be a number, got a {type(x).__name__.lower()}")
        return x

    def _vector(self, x, what) -> Vec:
        if not isinstance(x, Vec) or x.row:
            raise GramError(f"{what} takes a column vector")
        return x

    def _opnorm(self, m) -> sympy.Symbol:
        if not isinstance(m, Mat):
            raise GramError("\\|.\\|_2 takes a matrix")
        label = " + ".join(f"({c})·{'·'.join(w) or 'I'}" for w, c in sorted(m.terms.items()))
        words = [w for w in m.terms]
        return self.table.opaque("opnorm", f"‖{label}‖₂", nonneg=True, content=m,
                                 random=any(self.table.random_matrix(w) for w in words))

    def _sum(self, node: t.Sum, bound):
        if node.lo != t.Num(1) or not (isinstance(node.hi, t.Sym) and node.hi.name == self.count):
            raise GramError(f"sums run over the examples 1..{self.count}")
        i = node.index.name
        body = self.conv(node.body, bound | {i})
        n = self.table.scalar(self.count)
        if isinstance(body, Vec):
            out: dict = {}
            for (word, base), c in body.terms.items():
                if base.kind == "grad" and base.index == i:
                    key = (word, Base("sum", base.name, base.point))
                    out[key] = out.get(key, 0) + c
                else:
                    out[(word, base)] = out.get((word, base), 0) + n * c
            return self.substituted(Vec({k: v for k, v in out.items() if v != 0}, body.row))
        if isinstance(body, Mat):
            raise GramError("sums of matrices are not encoded")
        if any(i in self.table.indices(s) for s in sympy.sympify(body).free_symbols):
            raise GramError("a sum of index-dependent numbers is not encoded")
        return n * body

    # ---------------------------------------------------------------------------- expectations
    def random_indices(self, value) -> list[str]:
        if isinstance(value, Vec):
            found = {b.index for (_, b) in value.terms if b.index}
        elif isinstance(value, Mat):
            found = set()
        else:
            found = set().union(*(self.table.indices(s) for s in sympy.sympify(value).free_symbols))
        return sorted(i for i in found if (d := self.scope.decls.get(i)) is not None
                      and d.kind == "random index")

    def expect(self, value, sub: str | None):
        """``E`` over the random indices in ``value`` (only ``sub`` if given), then the history."""
        if self.integrands:
            return value
        for r in ([sub] if sub else self.random_indices(value)):
            value = self.average(value, r)
        return self.history_mean(value) if sub is None and self.history else value

    def average(self, value, r: str):
        n = self.table.scalar(self.count)
        if isinstance(value, Vec):
            out: dict = {}
            for (word, base), c in value.terms.items():
                if base.index == r:
                    key = (word, Base("sum", base.name, base.point))
                    out[key] = sympy.expand(out.get(key, 0) + c / n)
                else:
                    out[(word, base)] = sympy.expand(out.get((word, base), 0) + c)
            return self.substituted(Vec({k: v for k, v in out.items() if v != 0}, value.row))
        total = sympy.Integer(0)
        for term in sympy.Add.make_args(sympy.expand(value)):
            dep = [f for f in sympy.Mul.make_args(term)
                   if any(r in self.table.indices(s) for s in f.free_symbols)]
            rest = sympy.Mul(*[f for f in sympy.Mul.make_args(term) if f not in dep])
            if not dep:
                total += term
                continue
            linear = self._linear_in_index(dep, r)
            if linear is not None:
                total += rest * linear / n
                continue
            product = sympy.Mul(*dep)
            label = "Σ_j[" + str(product).replace(f"x_{r}", "x_j") + "]"
            sym = self.table.opaque("sum", label, nonneg=nonneg(product, self.table),
                                    random=self.table.is_random(product))
            total += rest * sym / n
        return sympy.expand(total)

    def _linear_in_index(self, dep, r):
        if len(dep) != 1 or not isinstance(dep[0], sympy.Symbol):
            return None
        info = self.table.info[dep[0]]
        if info["kind"] != "gram":
            return None
        a, b = info["bases"]
        if (a.index == r) == (b.index == r):
            return None
        summed = [Base("sum", x.name, x.point) if x.index == r else x for x in (a, b)]
        return self.table.gram(((), summed[0]), (info["word"], summed[1]))

    def history_mean(self, value):
        if isinstance(value, Vec):
            out: dict = {}
            for (word, base), c in value.terms.items():
                if self.table.random_base(base) or self.table.random_matrix(word):
                    label = ("·".join(word) + " " if word else "") + base.label()
                    key = ((), Base("E", label))
                else:
                    key = (word, base)
                out[key] = out.get(key, 0) + c
            return Vec(out, value.row)
        total = sympy.Integer(0)
        for term in sympy.Add.make_args(sympy.expand(value)):
            factors = sympy.Mul.make_args(term)
            rand = [f for f in factors if self.table.is_random(f)]
            if not rand:
                total += term
                continue
            product = sympy.Mul(*rand)
            sym = self.table.opaque("E", f"E[{product}]", nonneg=nonneg(product, self.table),
                                    content=product)
            total += sympy.Mul(*[f for f in factors if f not in rand]) * sym
        return total

    # ---------------------------------------------------------------------------- hypotheses
    def hypothesis(self, node: t.Node) -> None:
        """Record one elaborated hypothesis (a one-link chain or a membership).

        A hypothesis holds for every value of the history (it is stated for a fixed point), so its
        expectations average over its random indices only.
        """
        saved, self.history = self.history, False
        try:
            self._hypothesis(node)
        finally:
            self.history = saved

    def _hypothesis(self, node: t.Node) -> None:
        if isinstance(node, t.Member):
            x = self._scalar(self.conv(node.elem), "a member of an interval")
            lo, hi = self.conv(node.domain.lo), self.conv(node.domain.hi)
            self.assumptions += [lo <= x, x <= hi]
            return
        (op,) = node.ops
        lhs, rhs = zero_vector(self.conv(node.items[0]), self.conv(node.items[1]))
        if op in ("preceq", "succeq"):
            self._spectral(*((lhs, rhs) if op == "preceq" else (rhs, lhs)))
        elif isinstance(lhs, Vec) and isinstance(rhs, Vec) and op == "=":
            self._define(lhs, rhs)
        elif isinstance(lhs, (Vec, Mat)) or isinstance(rhs, (Vec, Mat)):
            raise GramError("a vector hypothesis must be an equation")
        else:
            self.assumptions.append(relation(lhs, op, rhs))

    def _spectral(self, low, high) -> None:
        for a, b, side in ((low, high, "lo"), (high, low, "hi")):
            if (isinstance(a, Mat) and set(a.terms) <= {()} and isinstance(b, Mat)
                    and len(b.terms) == 1 and len(next(iter(b.terms))) == 1
                    and next(iter(b.terms.values())) == 1):
                (name,) = next(iter(b.terms))
                self.spectral.setdefault(name, {})[side] = a.terms.get((), sympy.Integer(0))
                return
        raise GramError("a matrix hypothesis must read c I \\preceq H or H \\preceq c I")

    def _define(self, lhs: Vec, rhs: Vec) -> None:
        """Solve ``lhs = rhs`` for an atom of ``lhs`` that ``rhs`` does not contain."""
        lhs, rhs = self.substituted(lhs), self.substituted(rhs)
        candidates = [k for k in lhs.terms if not k[0] and k not in rhs.terms]
        if not candidates:
            raise GramError("a vector equation must define an atom of its left side")
        key = candidates[0]
        c = lhs.terms[key]
        if not (sympy.sympify(c).is_number and c != 0):
            self.divisors.append(c)
        rest = self.add(rhs, self.scale(-1, Vec({k: v for k, v in lhs.terms.items() if k != key})))
        self.definitions[key[1]] = self.scale(1 / c, rest)


_RELATIONS = {"=": sympy.Eq, "<": sympy.Lt, ">": sympy.Gt, "leq": sympy.Le, "geq": sympy.Ge,
              "neq": sympy.Ne}


def zero_vector(lhs, rhs):
    """Read the number 0 compared with a vector as the zero vector (``\\nabla f(w^*) = 0``)."""
    if isinstance(lhs, Vec) and rhs == 0:
        return lhs, Vec({}, lhs.row)
    if isinstance(rhs, Vec) and lhs == 0:
        return Vec({}, rhs.row), rhs
    return lhs, rhs


def relation(lhs, op, rhs):
    return _RELATIONS[op](lhs, rhs, evaluate=False)


def _count(scope: Scope) -> str | None:
    overs = {d.param("over") for d in scope.of_kind("random index")}
    if len(overs) > 1:
        raise GramError(f"random indices over different ranges {sorted(overs)}")
    if overs:
        return overs.pop()
    return example_count(scope)


def example_count(scope: Scope) -> str | None:
    """Without a random index, the one ``positive integer`` declared counts the examples."""
    counts = [d.name for d in scope.of_kind("positive integer")]
    return counts[0] if len(counts) == 1 and scope.of_kind("examples") else None


def nonneg(expr, table: Table) -> bool:
    """Syntactically >= 0: squared norms, |.|, even powers, sqrt, products and sums of such."""
    expr = sympy.sympify(expr)
    if expr.is_Number:
        return bool(expr >= 0)
    if isinstance(expr, sympy.Symbol):
        return bool(table.info.get(expr, {}).get("nonneg"))
    if isinstance(expr, (sympy.Abs, sympy.exp)):
        return True
    if isinstance(expr, sympy.Max):
        return any(nonneg(a, table) for a in expr.args)
    if isinstance(expr, sympy.Pow):
        if expr.exp == sympy.Rational(1, 2):
            return True  # the principal square root
        return (expr.exp.is_Integer and expr.exp % 2 == 0) or nonneg(expr.base, table)
    if isinstance(expr, (sympy.Mul, sympy.Add)):
        return all(nonneg(a, table) for a in expr.args)
    return False
