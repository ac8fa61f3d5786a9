r"""Setting and running example shared by the SGD slides (no claims here).

Setting: :math:`h(w) = \frac1n\sum_i f(w; x_i)`, :math:`i_t` uniform on :math:`\{1..n\}` and
independent of :math:`i_0, \dots, i_{t-1}` (hence of :math:`w_t`),
:math:`w_{t+1} = w_t - \alpha\nabla f(w_t; x_{i_t})`, :math:`\mu I \preceq \nabla^2 h \preceq L I`,
:math:`0 < \mu \le L`, noise :math:`B_t = \nabla f(w_t; x_{i_t}) - \nabla h(w_t)` with
:math:`\mathbf E[\|\nabla f(w; x_i) - \nabla h(w)\|^2] \le M` for every :math:`w`. Expectations over
finitely many paths are computed exactly by enumeration (:func:`path_distribution`).

The running example is :math:`f(w; x) = \phi(w - x)` with :math:`\phi'' = 1 + \min(u^2, 1)`
(so :math:`1 \le \phi'' \le 2`), written once in SymPy (:func:`phi_prime`) and once, independently,
in mpmath (:func:`mp_phi1`, :func:`mp_phi`) for the numeric cross-checks.

Reference:
    L. Bottou, F. E. Curtis, J. Nocedal, "Optimization methods for large-scale machine learning",
    SIAM Review 60(2), 2018, Sec. 4.
"""

from __future__ import annotations

import mpmath
import sympy as sp

__all__ = [
    "SLIDE_SGD",
    "mp_phi",
    "mp_phi1",
    "path_distribution",
    "phi_prime",
]

SLIDE_SGD = "Stochastic Gradient Descent"
_R = sp.Rational


def phi_prime(u):
    r""":math:`\phi'` for :math:`\phi'' = 1 + \min(u^2, 1)`, :math:`\phi'(0) = 0` (exact SymPy)."""
    u = sp.sympify(u)
    if abs(u) <= 1:
        return u + u**3 / 3
    return sp.sign(u) * (_R(4, 3) + 2 * (abs(u) - 1))


def path_distribution(grad, data, *, step, w0, steps):
    """Exact law of SGD iterates: list over t of ``{w_t: probability}`` (uniform i_t)."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    laws = [{w0: sp.Integer(1)}]
    for _ in range(steps):
        nxt: dict = {}
        for w, p in laws[-1].items():
            for x in data:
                v = w - step * grad(w, x)
                nxt[v] = nxt.get(v, 0) + p / len(data)
        laws.append(nxt)
    return laws


def mp_phi1(u):  # phi' written again in mpmath for the numeric cross-checks
    return u + u**3 / 3 if abs(u) <= 1 else mpmath.sign(u) * (mpmath.mpf(4) / 3 + 2 * (abs(u) - 1))


def mp_phi(u):  # phi itself, for numeric differentiation
    r = abs(u) - 1
    return u**2 / 2 + u**4 / 12 if r <= 0 else mpmath.mpf(7) / 12 + mpmath.mpf(4) / 3 * r + r**2

