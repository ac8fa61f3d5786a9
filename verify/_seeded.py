"""SymPy's random choices fixed for the length of a block, so that a judgement's cost and result
depend on the claim alone, not on what the process computed before it.

SymPy draws from one module-level generator, :data:`sympy.core.random.rng`, for example for the
evaluation points of Wang's multivariate factorisation
(:func:`sympy.polys.factortools.dmp_zz_wang`).
The factors do not depend on the draw but the work does: a 33-variable difference that factors in
about 1.5 s with most draws ran for over ten minutes with one. Inside :func:`fixed`, the generator
(and SymPy's second one, for assumptions) start from a fixed seed; the state from before is put
back on leaving, so code outside sees no change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sympy.core import random as _random

SEED = 20261126


@contextlib.contextmanager
def fixed(seed: int = SEED) -> Iterator[None]:
    """Run the block with SymPy's generators seeded by ``seed``; restore their states after."""
    generators = (_random.rng, _random._assumptions_rng)
    states = [g.getstate() for g in generators]
    for g in generators:
        g.seed(seed)
    try:
        yield
    finally:
        for g, state in zip(generators, states, strict=True):
            g.setstate(state)
