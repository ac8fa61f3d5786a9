r"""Named theorems about function classes, for :mod:`verify.classes`.

Each theorem is an equivalence ``left \Leftrightarrow right`` about a function ``F`` (or a symmetric
matrix ``A``) that holds under ``premises`` (``C1``: differentiable on R^d, ``C2``: twice
differentiable). They are theorems of analysis (the mean value theorem, limits of difference
quotients), not identities, so they are library entries with their references; ``checks()`` runs
the exact algebraic steps of the standard proofs (the calculus around them is the reference's).

* ``first-order condition``: for differentiable ``F``, ``F`` is convex iff its gradient is monotone,
  :math:`\langle x - y, \nabla F(x) - \nabla F(y)\rangle \ge 0` for all ``x, y``.
* ``second-order condition``: for twice differentiable ``F``, ``F`` is convex iff
  :math:`\nabla^2 F(x) \succeq 0` for all ``x``.
* ``positive semidefinite``: a symmetric ``A`` has nonnegative eigenvalues iff
  :math:`\langle x, Ax\rangle \ge 0` for all ``x`` (here ``A \succeq 0`` is read through the
  eigenvalues, as in :mod:`verify.spectral`).

References:
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., 2018, Thm. 2.1.3 and 2.1.4.
    S. Boyd, L. Vandenberghe, *Convex Optimization*, 2004, Sec. 3.1.3-3.1.4.
    R. A. Horn, C. R. Johnson, *Matrix Analysis*, 2nd ed., 2013, Sec. 4.1 and 7.1.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from verify import provers

__all__ = ["CLASS_THEOREMS", "ClassTheorem"]

a, x, y, t, s = sp.symbols("alpha x y t s", real=True)
fx, fy, fz = sp.symbols("f_x f_y f_z", real=True)
gxi, gyi, xi, yi = sp.symbols("g_i h_i x_i y_i", real=True)
d1, d2, p0, pa, p1 = sp.symbols("D_1 D_2 phi_0 phi_alpha phi_1", real=True)
UNIT = (a >= 0, a <= 1)


@dataclass(frozen=True)
class ClassTheorem:
    """``left \\Leftrightarrow right`` under ``premises``, with its reference and exact checks."""

    name: str
    left: str  # "predicate" (F is convex) or "psd" (A \succeq 0)
    right: str  # LaTeX about F (or A) and the points x, y
    premises: tuple[str, ...]
    reference: str
    steps: Callable[[], tuple]

    @functools.cached_property
    def results(self) -> tuple[provers.Check, ...]:
        return tuple(self.steps())

    def method(self) -> str:
        failed = [c for c in self.results if not c.holds]
        if failed:
            raise RuntimeError(f"library entry {self.name!r} failed: {failed[0].detail}")
        return f"{self.name} ({self.reference}; {len(self.results)} exact checks of its proof)"


def _convex_from_monotone_derivative() -> tuple:
    """phi(alpha) - phi(0) = alpha phi'(xi_1), phi(1) - phi(alpha) = (1 - alpha) phi'(xi_2) with
    xi_1 <= xi_2 (mean value theorem) and phi' nondecreasing give the definition on the segment."""
    mvt = provers.implies(
        (sp.Eq(pa - p0, a * d1), sp.Eq(p1 - pa, (1 - a) * d2), d1 <= d2),
        pa <= a * p1 + (1 - a) * p0, assumptions=UNIT)
    segment = provers.identity(y + a * (x - y), a * x + (1 - a) * y)
    return mvt, segment


def _first_order() -> tuple:
    return (
        # convex => f(y) >= f(x) + <grad f(x), y - x>: bound the difference quotient, alpha > 0.
        provers.implies((fz <= (1 - a) * fx + a * fy,), (fz - fx) / a <= fy - fx,
                        assumptions=(a > 0, a <= 1)),
        # adding it to the same inequality with x, y swapped gives monotonicity (per coordinate).
        provers.implies((d1 <= fy - fx, d2 <= fx - fy), d1 + d2 <= 0),
        provers.identity((xi - yi) * (gxi - gyi), -(gxi * (yi - xi) + gyi * (xi - yi))),
        # monotone => phi(t) = f(y + t(x - y)) has nondecreasing phi'(t) = <x - y, grad f(z_t)>.
        provers.identity(
            (xi - yi) * (gxi - gyi),
            ((y + t * (x - y)) - (y + s * (x - y))).subs({x: xi, y: yi}) * (gxi - gyi) / (t - s),
            assumptions=(sp.Ne(t, s),)),
        *_convex_from_monotone_derivative(),
    )


def _second_order() -> tuple:
    y1, y2, v1, v2, c, e = sp.symbols("y_1 y_2 v_1 v_2 c e", real=True)
    f = sp.Function("f")
    phi = f(y1 + t * v1, y2 + t * v2)
    hessian = sp.hessian(f(c, e), (c, e)).subs({c: y1 + t * v1, e: y2 + t * v2})
    v = sp.Matrix([v1, v2])
    dphi, ddphi = sp.symbols("dphi ddphi", real=True)
    return (
        # phi''(t) = v^T Hess f(y + t v) v (chain rule, generic C^2 f, d = 2).
        provers.identity(sp.diff(phi, t, 2), (v.T * hessian * v)[0]),
        # phi'' >= 0 => phi' nondecreasing (mean value theorem); conversely (difference quotient).
        provers.implies((sp.Eq(dphi, ddphi * (t - s)), ddphi >= 0), dphi >= 0,
                        assumptions=(t > s,)),
        provers.implies((dphi >= 0,), dphi / (t - s) >= 0, assumptions=(t > s,)),
        *_convex_from_monotone_derivative(),
    )


def _psd() -> tuple:
    pp, qq, rr, l1, l2 = sp.symbols("p q r lambda_1 lambda_2", real=True)

    def quad(v1, v2):
        return pp * v1**2 + 2 * qq * v1 * v2 + rr * v2**2

    lam = list(sp.Matrix([[pp, qq], [qq, rr]]).eigenvals(multiple=True))
    det = pp * rr - qq**2
    return (
        provers.identity(lam[0] * lam[1], det),
        provers.identity(lam[0] + lam[1], pp + rr),
        # eigenvalues >= 0 <=> trace >= 0 and det >= 0
        provers.implies((l1 * l2 >= 0, l1 + l2 >= 0), sp.And(l1 >= 0, l2 >= 0)),
        # <= : trace, det >= 0 => the quadratic form is >= 0 everywhere
        provers.implies((pp + rr >= 0, det >= 0), quad(x, y) >= 0),
        # => : the form at e_1, e_2, (q, -p), (-r, q), (1, -1), (1, 1) forces p, r >= 0, det >= 0
        provers.implies(
            tuple(quad(*w) >= 0 for w in ((1, 0), (0, 1), (qq, -pp), (-rr, qq), (1, -1), (1, 1))),
            sp.And(pp >= 0, rr >= 0, det >= 0)),
    )


CLASS_THEOREMS = {th.name: th for th in (
    ClassTheorem("first-order condition", "predicate",
                 r"\langle x - y, \nabla F(x) - \nabla F(y) \rangle \geq 0", ("C1",),
                 "Nesterov 2018, Thm. 2.1.3; Boyd-Vandenberghe 2004, Sec. 3.1.3", _first_order),
    ClassTheorem("second-order condition", "predicate", r"\nabla^2 F(x) \succeq 0", ("C2",),
                 "Nesterov 2018, Thm. 2.1.4; Boyd-Vandenberghe 2004, Sec. 3.1.4", _second_order),
    ClassTheorem("positive semidefinite", "psd", r"\langle x, Ax \rangle \geq 0", (),
                 "Horn-Johnson 2013, Sec. 4.1 and 7.1 (spectral theorem)", _psd),
)}
