r"""Named theorems about function classes, each with exact checks, for the judging strategies.

Some steps of the slides are not identities between expressions but uses of a theorem about a
class of functions (the mean value theorem, Fermat's rule). The judging strategies look these up
by name; each entry returns the prover checks that establish it (or refute it) and a one-line
statement of what was shown. No entry knows which claim uses it.

* ``mean value theorem, vector form``: for ``F: R^d -> R`` with ``d >= 2`` there need not be a
  single point ``zeta`` of the segment with ``\nabla F(b) - \nabla F(a) = \nabla^2 F(zeta)(b - a)``
  (exact counterexample with ``mu = 1, L = 2``).
* ``averaged hessian``: ``\bar H = \int_0^1 \nabla^2 F(a + s(b - a)) ds`` satisfies that relation
  exactly and inherits ``mu I \preceq \bar H \preceq L I``.
* ``CLASS_THEOREMS`` (:mod:`verify.class_theorems`): the first- and second-order conditions for
  convexity and the quadratic-form reading of positive semidefinite, applied by
  :mod:`verify.classes`.
* ``linear recursive bound``: ``x_{t+1} \le \rho x_t + c`` with ``0 \le \rho < 1`` gives
  ``x_t \le b_t = \rho^t (x_0 - b^*) + b^*``, ``b^* = c/(1 - \rho)`` (induction: ``b \mapsto \rho b
  + c`` is nondecreasing), and ``b_t \to b^*``, so ``\limsup x_t \le b^*``.
* ``tight noise ball``: for ``f(w; x) = \mu (w - x)^2 / 2`` on the data ``x = \pm\sigma``
  (``d = 1``, ``\mu = L``, ``w^* = 0``) the noise has second moment exactly ``M = \mu^2\sigma^2``
  at every ``w`` and ``E[w_{t+1}^2 | w_t] = (1 - \alpha\mu)^2 w_t^2 + \alpha^2 M``: the
  second-moment recursion holds with equality (and ``M > 0`` for ``\sigma \ne 0``).

References:
    J. M. Ortega, W. C. Rheinboldt, *Iterative Solution of Nonlinear Equations in Several
    Variables*, SIAM 2000, 3.2 (no mean value theorem for vector-valued maps).
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer 2018, Thm. 2.1.6.
"""

from __future__ import annotations

import functools

from verify import provers
from verify.averaged_hessian import averaged_hessian_checks, mean_value_counterexample
from verify.class_theorems import CLASS_THEOREMS

__all__ = ["CLASS_THEOREMS", "THEOREMS", "Theorem", "theorem"]


class Theorem:
    """A named library entry: ``checks()`` (prover checks, all must hold) and ``text``."""

    def __init__(self, name: str, checks, text: str) -> None:
        self.name, self._checks, self.text = name, checks, text

    @functools.cached_property
    def results(self) -> tuple[provers.Check, ...]:
        return tuple(self._checks())

    def method(self) -> str:
        failed = [c for c in self.results if not c.holds]
        if failed:
            raise RuntimeError(f"library entry {self.name!r} failed: {failed[0].detail}")
        return f"{self.name} ({len(self.results)} exact checks)"


def _recursive_bound_checks():
    import sympy

    x, x1, b, b0, c, r, p = sympy.symbols("x x1 b b0 c rho P", real=True)  # P stands for rho^t
    star = c / (1 - r)
    return (
        # Induction step: x_t <= b_t implies x_{t+1} <= rho x_t + c <= rho b_t + c = b_{t+1}.
        provers.implies([x <= b, r >= 0, x1 <= r * x + c], x1 <= r * b + c),
        # b_t = rho^t (b_0 - b*) + b* solves b_{t+1} = rho b_t + c, and b* is its fixed point.
        provers.identity(r * (p * (b0 - star) + star) + c, (r * p) * (b0 - star) + star,
                         assumptions=[r < 1]),
        provers.fixed_point(r * b + c, b, star, assumptions=[r >= 0, r < 1]),
        # rho^t -> 0 for 0 <= rho < 1: |b_t - b*| = rho^t |b_0 - b*| decreases geometrically.
        provers.implies([r >= 0, r < 1, p >= 0, p <= 1], sympy.And(r * p >= 0, r * p <= r)),
    )


def _tight_checks():
    import sympy

    w, sigma, alpha, mu = sympy.symbols("w sigma alpha mu", real=True)
    step = [w - alpha * mu * (w - x) for x in (sigma, -sigma)]  # one SGD step from w
    noise = [(mu * (w - x) - mu * w) ** 2 for x in (sigma, -sigma)]  # ||grad f - grad h||^2
    return (
        provers.identity(sum(noise) / 2, mu**2 * sigma**2),
        provers.identity(sum(v**2 for v in step) / 2,
                         (1 - alpha * mu) ** 2 * w**2 + alpha**2 * mu**2 * sigma**2),
        provers.implies([sympy.Ne(sigma, 0), sympy.Ne(mu, 0)], mu**2 * sigma**2 > 0),
    )


def _mvt_checks():
    checks, _ = mean_value_counterexample()
    return checks


THEOREMS = {
    "mean value theorem fails in d >= 2": Theorem(
        "mean value theorem fails in d >= 2", _mvt_checks, mean_value_counterexample()[1]),
    "averaged hessian": Theorem(
        "averaged hessian", averaged_hessian_checks,
        "the averaged Hessian H = int_0^1 Hess F(a + s(b - a)) ds satisfies grad F(b) - grad F(a) "
        "= H (b - a) exactly (general quartic, symbolic coefficients) and keeps mu I <= H <= L I"),
    "linear recursive bound": Theorem(
        "linear recursive bound", _recursive_bound_checks,
        "x_{t+1} <= rho x_t + c with 0 <= rho < 1 gives x_t <= rho^t (x_0 - b*) + b* with "
        "b* = c/(1 - rho) (induction), so limsup x_t <= b*"),
    "tight noise ball": Theorem(
        "tight noise ball", _tight_checks,
        "f(w; x) = mu (w - x)^2/2 on the data x = +-sigma (d = 1, w* = 0): the noise has second "
        "moment exactly M = mu^2 sigma^2 and E[w_{t+1}^2 | w_t] = (1 - alpha mu)^2 w_t^2 + "
        "alpha^2 M, the recursion with equality"),
}


def theorem(name: str) -> Theorem:
    try:
        return THEOREMS[name]
    except KeyError:
        raise KeyError(f"unknown library theorem {name!r}; known: {sorted(THEOREMS)}") from None
