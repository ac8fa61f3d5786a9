"""SymPy's generator is fixed inside a judgement and left as it was outside."""

from __future__ import annotations

import sympy
from sympy.core import random as sympy_random

import verify
from verify import _seeded, provers


def _draws(k: int = 5) -> list[float]:
    return [sympy_random.rng.random() for _ in range(k)]


def test_inside_the_block_the_draws_do_not_depend_on_the_state_before():
    sympy_random.seed(1)
    with _seeded.fixed():
        first = _draws()
    sympy_random.seed(2)
    _draws(7)
    with _seeded.fixed():
        second = _draws()
    assert first == second
    with _seeded.fixed(_seeded.SEED + 1):
        assert _draws() != first


def test_outside_the_block_the_sequence_goes_on_as_if_it_had_not_run():
    sympy_random.seed(3)
    expected = _draws()
    sympy_random.seed(3)
    with _seeded.fixed():
        _draws(11)
    assert _draws() == expected


def test_a_judgement_leaves_sympys_generator_as_it_was():
    claim = next(c for c in verify.all_claims() if c.id == "quadratic.line2")
    sympy_random.seed(4)
    expected = _draws()
    sympy_random.seed(4)
    verify.judge(claim)
    assert _draws() == expected


def test_a_refuted_identity_shows_its_difference_factored_when_small():
    x, y = sympy.symbols("x y", real=True)
    check = provers.identity((x + y) ** 2, x**2 + y**2)
    assert not check.holds
    assert check.detail == f"lhs - rhs = {sympy.factor(2 * x * y)}"


def test_a_large_difference_is_shown_unfactored_and_still_equal(monkeypatch):
    xs = sympy.symbols("x1:10", real=True)
    lhs, rhs = sum(xs) ** 2, sum(v**2 for v in xs)

    def no_factor(*_, **__):
        raise AssertionError("factored a difference in 9 variables")

    monkeypatch.setattr(provers.sympy, "factor", no_factor)
    check = provers.identity(lhs, rhs)
    assert not check.holds
    shown = sympy.sympify(check.detail.removeprefix("lhs - rhs = "), locals={str(v): v for v in xs})
    assert sympy.expand(shown - (lhs - rhs)) == 0
