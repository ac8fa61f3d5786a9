"""Monte Carlo layer: problems with exact constants, the SGD simulator, theory and checks.

Data flows one way: parameters -> problem (exact mu, L, M, w*) -> :func:`simulate` -> streaming
statistics (:mod:`sim.stats`) -> statistical check (:mod:`sim.check`) against :mod:`sim.theory`.
"""

from sim.logistic import LogisticRegressionProblem, LogisticSpec
from sim.quadratic import QuadraticProblem, QuadraticSpec
from sim.result import SimulationResult
from sim.simulate import simulate

__all__ = [
    "LogisticRegressionProblem",
    "LogisticSpec",
    "QuadraticProblem",
    "QuadraticSpec",
    "SimulationResult",
    "simulate",
]
