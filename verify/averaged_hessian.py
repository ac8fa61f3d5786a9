r"""The vector mean value theorem fails; the averaged Hessian repairs it (no claims here).

For :math:`f: \mathbb R^d \to \mathbb R`, :math:`d \ge 2`, there need not be a single
:math:`\zeta` on the segment :math:`[w^*, w_t]` with
:math:`\nabla f(w_t) - \nabla f(w^*) = \nabla^2 f(\zeta)(w_t - w^*)`
(:func:`mean_value_counterexample`). The repair used by the gradient-descent and SGD claims
(through the library entry ``averaged hessian``, :mod:`verify.library`) is the averaged
Hessian

.. math:: \bar H_t = \int_0^1 \nabla^2 f(w^* + s(w_t - w^*))\,ds,\qquad
          \nabla f(w_t) - \nabla f(w^*) = \bar H_t (w_t - w^*),\qquad
          \mu I \preceq \bar H_t \preceq L I,

(fundamental theorem of calculus along the segment; an average of matrices in the convex set
:math:`[\mu I, L I]` stays in it), checked by :func:`averaged_hessian_checks`.

References:
    J. M. Ortega, W. C. Rheinboldt, "Iterative Solution of Nonlinear Equations in Several
    Variables", SIAM 2000, 3.2 (mean value theorems for vector-valued maps).
    Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer 2018, Thm. 2.1.6.
"""

from __future__ import annotations

import functools
import itertools

import sympy as sp

from verify import provers

__all__ = ["MVT_METHOD", "averaged_hessian_checks", "mean_value_counterexample"]

_R = sp.Rational


@functools.cache
def mean_value_counterexample() -> tuple[tuple[provers.Check, ...], str]:
    r"""No :math:`\zeta` on the segment satisfies the vector mean value formula.

    :math:`f(w) = \phi(w_1) + \psi(w_2)` with :math:`\phi'' = 1 + \min(u^2, 1)`,
    :math:`\psi'' = 1 + \min(u^4, 1)`, :math:`\phi'(0) = \psi'(0) = 0` (so :math:`w^* = 0`,
    :math:`\mu = 1`, :math:`L = 2`, :math:`f \in C^2`), :math:`w_t = (1, 1)`. On the segment
    :math:`\zeta = s(1, 1)`, :math:`0 \le s \le 1`, the formula needs
    :math:`1 + s^2 = \phi'(1) = 4/3` and :math:`1 + s^4 = \psi'(1) = 6/5` at once:
    :math:`s^2 = 1/3` forces :math:`s^4 = 1/9 \ne 1/5`.
    """
    u, s = sp.symbols("u s", real=True)
    inner = (u >= -1, u <= 1)
    checks = (
        provers.inequality(1 + u**2, "<=", 2, assumptions=inner),  # mu = 1, L = 2 on |u| <= 1,
        provers.inequality(1 + u**4, "<=", 2, assumptions=inner),  # and the clip is 2 outside
        provers.identity(sp.integrate(1 + u**2, (u, 0, 1)), _R(4, 3)),
        provers.identity(sp.integrate(1 + u**4, (u, 0, 1)), _R(6, 5)),
        provers.implies([s >= 0, s <= 1, sp.Eq(1 + s**2, _R(4, 3))], sp.Ne(1 + s**4, _R(6, 5))),
    )
    text = (
        "f(w) = phi(w1) + psi(w2), phi'' = 1 + min(u^2, 1), psi'' = 1 + min(u^4, 1), "
        "phi'(0) = psi'(0) = 0 (mu = 1, L = 2, w* = 0), w_t = (1, 1): grad f(w_t) = (4/3, 6/5) "
        "needs Hessian diag(1 + s^2, 1 + s^4) at zeta = s(1, 1) with s^2 = 1/3 and s^4 = 1/5 "
        "at once"
    )
    return checks, text


MVT_METHOD = (
    "counterexample: Hessian bounds, gradient integrals and 'no common s on the segment' proved; "
    "repair: averaged-Hessian identity exact for the general bivariate quartic: "
)


@functools.cache
def averaged_hessian_checks() -> tuple[provers.Check, ...]:
    r"""Exact checks of :math:`\nabla f(p + v) - \nabla f(p) = \bar H v` and of its bounds.

    For the general quartic in two variables (15 symbolic coefficients) the averaged Hessian is
    integrated exactly and the identity reduces to 0; for the counterexample of
    :func:`mean_value_counterexample`, :math:`\bar H = \operatorname{diag}(4/3, 6/5)` lies in
    :math:`[1, 2]`.
    """
    x, y, s = sp.symbols("x y s", real=True)
    p, v = sp.symbols("p1 p2", real=True), sp.symbols("v1 v2", real=True)
    f = sum(
        sp.Symbol(f"c{i}{j}") * x**i * y**j
        for i, j in itertools.product(range(5), repeat=2)
        if i + j <= 4
    )
    grad = sp.Matrix([f.diff(x), f.diff(y)])
    seg = {x: p[0] + s * v[0], y: p[1] + s * v[1]}
    hbar = (
        sp.hessian(f, (x, y)).subs(seg).applyfunc(lambda e: sp.integrate(sp.expand(e), (s, 0, 1)))
    )
    jump = grad.subs({x: p[0] + v[0], y: p[1] + v[1]}) - grad.subs({x: p[0], y: p[1]})
    residual = jump - hbar * sp.Matrix(v)
    checks = [provers.identity(residual[k], 0) for k in range(2)]
    checks += [provers.inequality(_R(1), "<=", h) for h in (_R(4, 3), _R(6, 5))]
    checks += [provers.inequality(h, "<=", _R(2)) for h in (_R(4, 3), _R(6, 5))]
    return tuple(checks)
