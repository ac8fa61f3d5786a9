"""Fixtures for the verify tests."""

from __future__ import annotations

import os

import pytest

from verify import _counterexamples, _z3


@pytest.fixture(autouse=True)
def _fresh_prover_caches_under_mutation_testing():
    """Under mutmut, every test must run the (mutated) provers afresh.

    mutmut runs the clean suite in its main process and forks the mutant runs from it, so the
    provers' query caches would hand each mutant the unmutated answers. Outside mutmut the caches
    stay warm across tests, as in a verification run.
    """
    if os.environ.get("MUTANT_UNDER_TEST"):
        _z3.solve.cache_clear()
        _counterexamples.require_consistent.cache_clear()
    yield
