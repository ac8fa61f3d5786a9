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
}


def theorem(name: str) -> Theorem:
    try:
        return THEOREMS[name]
    except KeyError:
        raise KeyError(f"unknown library theorem {name!r}; known: {sorted(THEOREMS)}") from None
