"""How a check's outcome is put into words (sgd_suite.verdicts)."""

from __future__ import annotations

import pytest

from sgd_suite.verdicts import MIN_TRAJECTORIES, bound_words, exact_words, verdict


@pytest.mark.parametrize(("passed", "n", "expected"), [
    (True, MIN_TRAJECTORIES, "pass"),
    (False, MIN_TRAJECTORIES, "fail"),
    (True, MIN_TRAJECTORIES - 1, "inconclusive"),
    (False, MIN_TRAJECTORIES - 1, "inconclusive"),
    (False, 2, "inconclusive"),
])
def test_verdict_without_its_own(passed, n, expected):
    assert verdict({"passed": passed}, n) == expected


@pytest.mark.parametrize("own", ["pass", "fail", "inconclusive"])
def test_a_check_with_its_own_verdict_is_read_as_it_is(own):
    # even where the sample size alone would say otherwise
    assert verdict({"passed": own != "fail", "verdict": own}, 2) == own
    assert verdict({"passed": True, "verdict": own}, 10**6) == own


def test_an_unknown_verdict_is_an_error():
    with pytest.raises(ValueError, match="verdict must be one of"):
        verdict({"passed": True, "verdict": "maybe"}, 10**6)


def test_words():
    assert bound_words("pass", {}, 5000) == "passed"
    assert bound_words("fail", {}, 5000) == "REJECTED"
    assert exact_words("pass", {}, 5000) == "agrees"
    assert exact_words("fail", {}, 5000) == "DISAGREES"
    few = bound_words("inconclusive", {}, 2)
    assert few.startswith("inconclusive (N = 2 trajectories are too few")
    assert f"N >= {MIN_TRAJECTORIES}" in few
    assert exact_words("inconclusive", {}, 2) == few
    with_mde = exact_words("inconclusive", {"mde": 0.0123456}, 300)
    assert with_mde == "inconclusive (N = 300: an effect smaller than 0.0123 cannot be detected)"
