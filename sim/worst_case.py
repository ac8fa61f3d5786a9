"""Independent worst-case cross-checks of the lecture's GD and SGD steps with PEPit (SDP, Clarabel).

A performance-estimation problem (PEP) computes the exact worst case of a method over a whole
function class by a semidefinite program over the Gram matrix of the iterates and gradients; the
interpolation conditions of the smooth strongly convex class make it tight ([1], [2]). Each
function returns ``(pepit_value, theoretical_value)``, PEPit's convention, so a caller compares the
solver's number with the closed form. Solved with Clarabel (interior point, about 1e-8 relative
here): PEPit's default SCS is only about 1e-5 accurate.

Needs the optional extra ``pepit`` (``pip install "sgd-lecture-suite[pepit]"``: PEPit and
Clarabel, with CVXPY as PEPit's modelling layer).

References:
    [1] A. B. Taylor, J. M. Hendrickx, F. Glineur (2017). Smooth strongly convex interpolation and
        exact worst-case performance of first-order methods. Math. Program. 161:307-345.
    [2] B. Goujaud, C. Moucer, F. Glineur, J. M. Hendrickx, A. B. Taylor, A. Dieuleveut (2024).
        PEPit: computer-assisted worst-case analyses of first-order optimization methods in
        Python. Math. Program. Comput. 16:337-367.
"""

from __future__ import annotations

import warnings
from typing import Any

from sim.theory._args import int_at_least, mu_L, nonneg, positive_float

__all__ = ["gd_contraction_worst_case", "sgd_step_worst_case"]

SOLVER = "CLARABEL"
# Clarabel settings tried in turn until one certifies an optimal solution: duality-gap and
# feasibility tolerances of 1e-10 (defaults 1e-8) leave two orders of magnitude between the
# solver's error and the 1e-6 agreement the tests require; near degenerate instances (a step
# at alpha L = 2, where the worst case sits on the boundary) are certified once Ruiz
# equilibration or static regularisation is switched off.
_TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10}
SETTINGS = (
    _TIGHT,
    {**_TIGHT, "equilibrate_enable": False},
    {**_TIGHT, "static_regularization_enable": False},
    {},
)


def _pep() -> Any:
    try:
        from PEPit import PEP
        from PEPit.functions import SmoothStronglyConvexFunction
        from PEPit.point import Point
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "the worst-case cross-checks need PEPit and Clarabel: "
            'pip install "sgd-lecture-suite[pepit]"'
        ) from exc
    return PEP, SmoothStronglyConvexFunction, Point


def _solve(problem: Any) -> float:
    """The PEP's value from the first of :data:`SETTINGS` that Clarabel solves to status
    ``optimal``; anything else is an error, never a silent number."""
    from cvxpy.error import SolverError

    statuses = []
    for options in SETTINGS:
        with warnings.catch_warnings():
            # CVXPY warns on "optimal_inaccurate"; the status is checked below instead.
            warnings.filterwarnings("ignore", message="Solution may be inaccurate")
            try:
                value = problem.solve(wrapper="cvxpy", solver=SOLVER, verbose=0, **options)
            except SolverError:
                statuses.append("solver error")
                continue
        status = problem.wrapper.prob.status
        if status == "optimal" and value is not None:
            return float(value)
        statuses.append(status)
    raise RuntimeError(f"the SDP solver did not reach an optimal solution (statuses {statuses})")


def gd_contraction_worst_case(mu: float, L: float, alpha: float) -> tuple[float, float]:
    """Worst :math:`\\|x_1-x_*\\|/\\|x_0-x_*\\|` of one gradient step over all :math:`L`-smooth,
    :math:`\\mu`-strongly convex :math:`f` (any dimension), against
    :math:`\\max(|1-\\alpha\\mu|, |1-\\alpha L|)`.

    The PEP: maximise :math:`\\|x_0-\\alpha\\nabla f(x_0)-x_*\\|^2` subject to
    :math:`\\|x_0-x_*\\|^2 \\le 1`, :math:`\\nabla f(x_*) = 0`, :math:`f \\in \\mathcal F_{\\mu,L}`
    (interpolation constraints at :math:`\\{x_0, x_*\\}`); the square root of its value is the
    contraction. It is solved for :math:`f/L \\in \\mathcal F_{\\mu/L,1}` with step
    :math:`\\alpha L` (the same iterates), which keeps the SDP well scaled. The closed form is
    attained by the quadratics :math:`\\frac\\mu2\\|x\\|^2` and
    :math:`\\frac L2\\|x\\|^2` and is an upper bound by the slide "Gradient Descent Converges
    (continued)"; at :math:`\\alpha = 2/(L+\\mu)` it is the slide's :math:`(L-\\mu)/(L+\\mu)`.

    Returns:
        ``(pepit_tau, theoretical_tau)``.
    """
    mu, L = mu_L(mu, L)
    alpha = positive_float("alpha", alpha)
    PEP, SmoothStronglyConvexFunction, _ = _pep()
    # Scale invariance: f/L is in F_{mu/L, 1} and the step alpha on f is the step alpha L on f/L;
    # solving the normalised problem keeps the SDP well scaled for any L.
    problem = PEP()
    f = problem.declare_function(SmoothStronglyConvexFunction, mu=mu / L, L=1.0)
    xs = f.stationary_point()
    x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    x1 = x0 - (alpha * L) * f.gradient(x0)
    problem.set_performance_metric((x1 - xs) ** 2)
    value = _solve(problem)
    return max(value, 0.0) ** 0.5, max(abs(1 - alpha * mu), abs(1 - alpha * L))


def sgd_step_worst_case(
    mu: float, L: float, alpha: float, M: float, R2: float = 1.0, n: int = 2
) -> tuple[float, float]:
    """Worst :math:`\\mathbf E\\|w_1-w^*\\|^2` after one SGD step, against the lecture's one-step
    recursion :math:`\\max((1-\\alpha\\mu)^2, (1-\\alpha L)^2)R^2 + \\alpha^2M`.

    What is computed. :math:`h \\in \\mathcal F_{\\mu,L}` (any dimension), a start with
    :math:`\\|w_0-w^*\\|^2 \\le R^2`, and a finite sum
    :math:`f_i = h + \\langle\\xi_i,\\cdot\\rangle`, :math:`i = 1..n`, with free vectors
    :math:`\\xi_i`, :math:`\\sum_i\\xi_i = 0` (so :math:`h = \\frac1n\\sum_if_i`) and
    :math:`\\frac1n\\sum_i\\|\\xi_i\\|^2 \\le M`: the gradient noise
    :math:`\\nabla f_i(w)-\\nabla h(w) = \\xi_i` then has second moment at most :math:`M` at
    every :math:`w`, the lecture's hypothesis. The PEP maximises the exact expectation
    over the uniform index, :math:`\\frac1n\\sum_i\\|w_0-\\alpha(\\nabla h(w_0)+\\xi_i)-w^*\\|^2`,
    over all of these. One step evaluates the noise at :math:`w_0` only, so letting the noise
    depend on :math:`w` (any :math:`f_i` with the bound at every point) gives the same supremum.

    Why it equals the closed form. The objective is
    :math:`\\|w_0-\\alpha\\nabla h(w_0)-w^*\\|^2 + \\alpha^2\\frac1n\\sum_i\\|\\xi_i\\|^2`, since
    the cross term is :math:`-2\\alpha\\langle\\cdot, \\frac1n\\sum_i\\xi_i\\rangle = 0`; the two
    parts are maximised independently, by the GD worst case
    :math:`\\max((1-\\alpha\\mu)^2,(1-\\alpha L)^2)R^2` (:func:`gd_contraction_worst_case`) and by
    :math:`\\alpha^2M`. The lecture writes :math:`(1-\\alpha\\mu)^2` for the first factor, which is
    the maximum exactly when :math:`\\alpha \\le 2/(L+\\mu)`; above that step the lecture's
    expression is below the true worst case.

    Args:
        mu, L: ``0 < mu <= L``. alpha: step ``> 0``. M: noise bound ``>= 0``.
        R2: :math:`R^2 \\ge 0`. n: number of samples ``>= 2`` (the value does not depend on it).

    Returns:
        ``(pepit_value, theoretical_value)``.
    """
    mu, L = mu_L(mu, L)
    alpha = positive_float("alpha", alpha)
    M, R2 = nonneg("M", M), nonneg("R2", R2)
    n = int_at_least("n", n, 2)
    PEP, SmoothStronglyConvexFunction, Point = _pep()
    # Normalise so that the Gram entries and the objective are of order one (interior-point
    # accuracy is relative to the problem's scale): lengths by ell, ell^2 = R^2 + alpha^2 M, so
    # g(y) = f(ell y) / (L ell^2) is in F_{mu/L, 1} and the step is alpha L; the noise as
    # xi_i / (L ell) = s zeta_i with s = sqrt(M) / (L ell) and (1/n) sum ||zeta_i||^2 <= 1. Both
    # parts of the worst case are then at most 1 and the value is ell^2 times the SDP's.
    ell_sq = R2 + alpha * alpha * M
    if ell_sq == 0:
        return 0.0, 0.0
    problem = PEP()
    h = problem.declare_function(SmoothStronglyConvexFunction, mu=mu / L, L=1.0)
    ws = h.stationary_point()
    if R2 > 0:
        w0 = problem.set_initial_point()
        problem.set_initial_condition((w0 - ws) ** 2 <= R2 / ell_sq)
    else:  # w0 = w*: a separate point pinned by "<= 0" would leave the SDP without an interior
        w0 = ws
    g0 = h.gradient(w0)
    step = alpha * L
    if M > 0:
        s = (M / ell_sq) ** 0.5 / L
        zeta = [Point() for _ in range(n - 1)]
        last = -zeta[0]
        for z in zeta[1:]:
            last = last - z
        zeta.append(last)
        second_moment = zeta[0] ** 2
        for z in zeta[1:]:
            second_moment = second_moment + z**2
        problem.add_constraint(second_moment * (1 / n) <= 1)
        expected = (w0 - step * (g0 + s * zeta[0]) - ws) ** 2
        for z in zeta[1:]:
            expected = expected + (w0 - step * (g0 + s * z) - ws) ** 2
        problem.set_performance_metric(expected * (1 / n))
    else:  # no noise: the step is gradient descent
        problem.set_performance_metric((w0 - step * g0 - ws) ** 2)
    value = ell_sq * _solve(problem)
    theory = max((1 - alpha * mu) ** 2, (1 - alpha * L) ** 2) * R2 + alpha * alpha * M
    return value, theory
