"""Fixtures for the verify tests, and the tamper suite's session summary (its detection rate)."""

from __future__ import annotations

import os

import pytest

from verify import _counterexamples, _z3, parse


@pytest.fixture(autouse=True)
def _fresh_prover_caches_under_mutation_testing():
    """Under mutmut, every test must run the (mutated) provers afresh.

    mutmut runs the clean suite in its main process and forks the mutant runs from it, so the
    provers' query caches (and the parser's cache of trees) would hand each mutant the unmutated
    answers. Outside mutmut the caches stay warm across tests, as in a verification run.
    """
    if os.environ.get("MUTANT_UNDER_TEST"):
        for cached in (_z3.solve, _z3.first_proved, _z3._cleared, _z3._declared):
            cached.cache_clear()
        _counterexamples.require_consistent.cache_clear()
        parse.parse.cache_clear()
    yield


def pytest_terminal_summary(terminalreporter):
    statuses = [value for outcome in ("passed", "failed")
                for report in terminalreporter.stats.get(outcome, ())
                for key, value in getattr(report, "user_properties", ())
                if key.startswith("tamper ")]
    if not statuses:
        return
    detected = statuses.count("detected")
    terminalreporter.write_line(
        f"tamper suite: {detected} of {len(statuses)} perturbed statements turned the verdict "
        f"({detected / len(statuses):.0%}); {statuses.count('kept')} kept it for a stated "
        f"reason; {statuses.count('undetected')} undetected")
