"""Monte Carlo layer: problems with exact constants, the SGD simulator, theory and checks.

Any object satisfying :class:`sim.Problem` (``dim``, ``n``, ``w_star``, ``sample_gradients``)
can be simulated. Data flows one way: parameters -> problem (exact mu, L, M, w*) ->
:func:`simulate` -> streaming statistics (:mod:`sim.stats`) -> statistical check
(:mod:`sim.check`) against :mod:`sim.theory` or an exact recursion (:mod:`sim.affine`).
"""

from sim.least_squares import LeastSquaresProblem
from sim.logistic import LogisticRegressionProblem, LogisticSpec
from sim.protocol import Problem
from sim.quadratic import QuadraticProblem, QuadraticSpec
from sim.result import SimulationResult, Trace
from sim.simulate import simulate

__all__ = [
    "LeastSquaresProblem",
    "LogisticRegressionProblem",
    "LogisticSpec",
    "Problem",
    "QuadraticProblem",
    "QuadraticSpec",
    "SimulationResult",
    "Trace",
    "simulate",
]
