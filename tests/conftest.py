"""Shared test configuration: hypothesis profiles, the GPU marker, the array-backend fixture."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# By default the examples are derandomized, so a green run is reproducible (in CI and for anyone
# running the README's test command); HYPOTHESIS_PROFILE=dev runs fewer, random examples.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=25,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=500,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _cuda_usable() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - any failure means "no usable device"
        return False


CUDA_USABLE = _cuda_usable()


def pytest_collection_modifyitems(config, items):
    if CUDA_USABLE:
        return
    skip_gpu = pytest.mark.skip(reason="no usable CUDA device / CuPy")
    for item in items:
        # the marker, not item.keywords: keywords also hold the names of the folders above
        # the test (a checkout in a folder named "gpu" would skip every test)
        if item.get_closest_marker("gpu") is not None:
            item.add_marker(skip_gpu)


@pytest.fixture(
    params=[
        pytest.param("numpy", id="numpy"),
        pytest.param("cupy", id="cupy", marks=pytest.mark.gpu),
    ]
)
def backend(request) -> str:
    """Name of an array backend; the CuPy case is skipped without a device."""
    return request.param
