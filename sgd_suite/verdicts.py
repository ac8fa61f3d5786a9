"""A statistical check's outcome in words, for the command line: pass, fail or inconclusive.

A check record (``bound_check`` or ``exact_check`` of :func:`sgd_suite.runs.run`) that carries
its own ``verdict`` (``"pass"``, ``"fail"`` or ``"inconclusive"``) and ``mde`` (the smallest
effect it detects with the stated power) is read as it is. A record without one is judged
here: its threshold rests on the normal approximation of a mean of N values with an estimated
standard error (:mod:`sim.check`), which says nothing at all for a handful of trajectories
(with N = 2 the studentised mean has a Cauchy tail). Below :data:`MIN_TRAJECTORIES` the
outcome is therefore "inconclusive": too little data is never reported as a failure.
"""

from __future__ import annotations

from collections.abc import Mapping

MIN_TRAJECTORIES = 1000
"""Fewest trajectories for which a check without its own verdict is taken as decisive. At
N = 1000 the Student-t tail at the threshold for delta = 1e-9 is within a small factor of the
normal one; the skewness of the squared distance is the remaining error, of order
1/sqrt(N)."""

VERDICTS = ("pass", "fail", "inconclusive")


def verdict(check: Mapping, trajectories: int) -> str:
    """``"pass"``, ``"fail"`` or ``"inconclusive"`` for a check record of a run of
    ``trajectories`` trajectories."""
    own = check.get("verdict")
    if own is not None:
        if own not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {own!r}")
        return own
    if trajectories < MIN_TRAJECTORIES:
        return "inconclusive"
    return "pass" if check["passed"] else "fail"


def _inconclusive(check: Mapping, trajectories: int) -> str:
    mde = check.get("mde")
    if mde is not None:
        return (f"inconclusive (N = {trajectories}: an effect smaller than {mde:.3g} cannot be "
                "detected)")
    return (f"inconclusive (N = {trajectories} trajectories are too few for the check's normal "
            f"approximation; use N >= {MIN_TRAJECTORIES})")


def bound_words(v: str, check: Mapping, trajectories: int) -> str:
    """The bound check's outcome: ``passed``, ``REJECTED`` or ``inconclusive (...)``."""
    if v == "inconclusive":
        return _inconclusive(check, trajectories)
    return "passed" if v == "pass" else "REJECTED"


def exact_words(v: str, check: Mapping, trajectories: int) -> str:
    """The exact-value check's outcome: ``agrees``, ``DISAGREES`` or ``inconclusive (...)``."""
    if v == "inconclusive":
        return _inconclusive(check, trajectories)
    return "agrees" if v == "pass" else "DISAGREES"
