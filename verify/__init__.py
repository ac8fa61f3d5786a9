"""Symbolic verification of every mathematical step of the SGD lecture.

Importing the package registers the claims topic by topic, in lecture order: those read from the
lecture data (``verify/lectures/cs6787_lecture1/claims/<topic>.toml``, judged from the slide's
text by :func:`judge`), then those of a topic module not yet converted to data. Use
:func:`all_claims`, :func:`get`, :func:`run` and :func:`judge`; ``sgd-suite verify`` runs them all.

:func:`beyond_claims` gives the second data set, ``verify/lectures/beyond_lecture1/``: the
formulas the simulator's theory and checks rely on beyond the lecture (the almost-sure bound, the
1/t law, the stationary variance, heavy-ball stability), judged by the same grammar and rule and
kept out of the lecture's registry.
"""

from __future__ import annotations

import importlib
import importlib.util

from verify import lecture as _lecture
from verify.claims import Claim, Outcome, all_claims, get, register, run
from verify.judge import judge

__all__ = ["BEYOND", "Claim", "Outcome", "all_claims", "beyond_claims", "get", "judge", "run"]

BEYOND = "beyond_lecture1"


def beyond_claims() -> list:
    """The claims of the second data set (formulas beyond the lecture), topic by topic."""
    return list(_lecture.claims(BEYOND))

# Topics in lecture order: a data file, a module not yet converted, or both (data first).
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
    "sgd_update",
    "sgd_mean",
    "sgd_decomposition",
    "sgd_second_moment",
    "noise_ball",
)

_DATA = set(_lecture.topics())
for _name in _TOPICS:
    if _name in _DATA:
        for _data_claim in _lecture.load_topic(_name):
            register(_data_claim)
    if importlib.util.find_spec(f"verify.{_name}") is not None:
        importlib.import_module(f"verify.{_name}")
del _name, _DATA
