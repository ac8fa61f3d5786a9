"""Symbolic verification of every mathematical step of the SGD lecture.

Importing the package imports the topic modules in lecture order, which registers their claims.
Use :func:`all_claims`, :func:`get` and :func:`run`; ``sgd-suite verify`` runs them all.
"""

from __future__ import annotations

import importlib

from verify.claims import Claim, Outcome, all_claims, get, run

__all__ = ["Claim", "Outcome", "all_claims", "get", "run"]

# Topic modules in lecture order; importing one registers its claims.
_TOPICS = (
    "convexity",
    "example_quadratic",
    "example_abs",
    "example_exponential",
    "properties",
    "conditions",
    "derivatives",
    "strong_convexity",
    "gradient_descent",
    "gd_contraction",
    "gd_rate",
    "large_scale",
    "sgd_expectation",
    "sgd_decomposition",
    "sgd_second_moment",
    "noise_ball",
)

for _name in _TOPICS:
    importlib.import_module(f"verify.{_name}")
del _name
