"""Launch plans from the device's limits, checked against CUDA's launch rules without a GPU.

The rules are restated independently in ``launch_rules.py``; the devices are those of
:data:`sim.engines.launch.KNOWN_DEVICES` (sources in that module).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from cupy_standin import properties
from hypothesis import given
from hypothesis import strategies as st
from launch_rules import launch_is_valid, plan_is_valid

from sim.engines.launch import (DEFAULT_SHARED_PER_BLOCK, KNOWN_DEVICES, MAX_DIM, DeviceLimits,
                                block_threads, plan_launch, register_cap, static_shared_bytes)
from sim.stats import BLOCK

DEVICES = ("sm_75", "sm_80", "sm_86", "sm_89", "sm_90")
# (kind, d, first n, last n): static + table > 48 KiB >= table under the old layout
# (1024 threads, static 1792 + 512 d bytes), where the old host code did not opt in.
WINDOWS = [("quadratic", 10, 529, 614), ("logistic", 10, 529, 614),
           ("quadratic", 40, 85, 153), ("logistic", 40, 85, 153),
           ("quadratic", 64, 29, 96), ("logistic", 64, 29, 96)]


def test_validator_rejects_the_old_host_policy_in_every_window():
    """The old launch (1024 threads, opt-in only for tables above 48 KiB) is invalid for every
    n of the windows, on every device; the plans are valid."""
    for kind, d, first, last in WINDOWS:
        for n in range(first, last + 1):
            table, static = 8 * d * n, 1792 + 512 * d
            assert static == static_shared_bytes(1024, d)
            old_opt_in = table if table > DEFAULT_SHARED_PER_BLOCK else None
            for name in DEVICES:
                device = KNOWN_DEVICES[name]
                assert not launch_is_valid(device, threads=1024, static=static, dynamic=table,
                                           opt_in=old_opt_in, registers=64), (kind, d, n, name)
                plan = plan_launch(device, kind=kind, d=d, n=n)
                assert plan_is_valid(device, plan), (kind, d, n, name, plan)
                assert plan.table_in_shared and plan.dynamic_shared == table


@pytest.mark.parametrize("name", DEVICES)
def test_a_96_kib_table_at_d64_sits_where_the_device_allows(name):
    """8640 bytes of partials + 96 KiB of table: more than the 99 KB opt-in of sm_86/sm_89
    and the 64 KB of sm_75 (global memory), within the 163 KB of sm_80 and 227 KB of sm_90."""
    device = KNOWN_DEVICES[name]
    for kind in ("quadratic", "logistic"):
        plan = plan_launch(device, kind=kind, d=64, n=192)
        assert plan.static_shared == 8640 and plan.threads == 256
        assert plan_is_valid(device, plan)
        if name in ("sm_80", "sm_90"):
            assert (plan.table_in_shared, plan.dynamic_shared, plan.opt_in) == (True, 98304, 98304)
        else:
            assert (plan.table_in_shared, plan.dynamic_shared, plan.opt_in) == (False, 0, None)


def test_no_opt_in_below_the_default_limit():
    plan = plan_launch(KNOWN_DEVICES["sm_90"], kind="quadratic", d=10, n=100)
    assert plan.table_in_shared and plan.opt_in is None and plan.dynamic_shared == 8000
    edge = (DEFAULT_SHARED_PER_BLOCK - plan.static_shared) // 80  # largest n without opt-in
    assert plan_launch(KNOWN_DEVICES["sm_90"], kind="quadratic", d=10, n=edge).opt_in is None
    assert plan_launch(KNOWN_DEVICES["sm_90"], kind="quadratic", d=10,
                       n=edge + 1).opt_in == 80 * (edge + 1)


def test_the_table_leaves_shared_memory_when_it_would_cost_resident_blocks():
    """With 32 registers per thread two 1024-thread blocks fit an sm_90 SM; a 120 kB table
    would leave room for one only, so it is read from global memory; at 64 registers one
    block fits anyway and the table goes to shared memory."""
    device = KNOWN_DEVICES["sm_90"]
    n = 120_000 // (8 * 2)
    light = plan_launch(device, kind="quadratic", d=2, n=n, registers=32)
    heavy = plan_launch(device, kind="quadratic", d=2, n=n, registers=64)
    assert (light.table_in_shared, light.resident_blocks) == (False, 2)
    assert (heavy.table_in_shared, heavy.resident_blocks) == (True, 1)
    small = plan_launch(device, kind="quadratic", d=2, n=100, registers=32)
    assert (small.table_in_shared, small.resident_blocks) == (True, 2)


@given(name=st.sampled_from(DEVICES), kind=st.sampled_from(["quadratic", "logistic"]),
       d=st.integers(1, MAX_DIM), n=st.integers(1, 40_000), registers=st.integers(16, 255))
def test_every_plan_is_valid_and_uses_shared_memory_when_it_is_free(name, kind, d, n,
                                                                    registers):
    device = KNOWN_DEVICES[name]
    threads = block_threads(kind, d)
    registers = min(registers, register_cap(threads, device.regs_per_block))
    plan = plan_launch(device, kind=kind, d=d, n=n, registers=registers)
    assert (plan.kind, plan.d, plan.n, plan.threads) == (kind, d, n, threads)
    assert plan_is_valid(device, plan)
    assert plan.parts * plan.threads == BLOCK and plan.grid(BLOCK + 1) == 2 * plan.parts
    table = 8 * d * n
    used = -(-registers // 8) * 8
    limit = min(device.max_threads_per_sm // threads, device.regs_per_sm // (used * threads))
    fits = (plan.static_shared + table <= device.shared_per_block_optin
            and limit * (plan.static_shared + table + device.reserved_shared_per_block)
            <= device.shared_per_sm)
    assert plan.table_in_shared == fits
    assert plan.resident_blocks >= 1


def test_block_threads_follow_the_register_caps():
    assert [block_threads("quadratic", d) for d in (1, 5, 6, 16, 17, 64)] == [
        1024, 1024, 512, 512, 256, 256]
    assert [block_threads("logistic", d) for d in (1, 4, 5, 12, 13, 64)] == [
        1024, 1024, 512, 512, 256, 256]
    assert [register_cap(t, 65536) for t in (1024, 512, 256, 128)] == [64, 128, 255, 255]
    assert type(register_cap(1024, 65536)) is int
    assert static_shared_bytes(256, 64) == 8 * (56 + 16 * 64)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"kind": "linear"}, "kind"), ({"d": 0}, "d must"), ({"d": MAX_DIM + 1}, "d must"),
     ({"n": 0}, "n must"), ({"dtype": np.float32}, "float64"),
     ({"registers": 72}, "registers"), ({"static_shared": 49153}, "static shared")],
)
def test_bad_shapes_and_kernels_are_rejected(kwargs, match):
    args = {"kind": "quadratic", "d": 3, "n": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        plan_launch(KNOWN_DEVICES["sm_90"], **args)


@pytest.mark.parametrize(("change", "match"), [({"warp_size": 64}, "warp size"),
                                               ({"max_threads_per_block": 512}, "threads")])
def test_devices_the_kernels_cannot_use_are_rejected(change, match):
    device = dataclasses.replace(KNOWN_DEVICES["sm_90"], **change)
    with pytest.raises(ValueError, match=match):
        plan_launch(device, kind="quadratic", d=3, n=10)


@pytest.mark.parametrize("name", DEVICES)
def test_limits_round_trip_through_device_properties(name):
    device = KNOWN_DEVICES[name]
    assert DeviceLimits.from_properties(properties(device)) == device
    props = {**properties(device), "name": "plain str"}
    del props["sharedMemPerBlockOptin"], props["reservedSharedMemPerBlock"]
    older = DeviceLimits.from_properties(props)
    assert older.name == "plain str"
    assert older.shared_per_block_optin == older.shared_per_block
    assert older.reserved_shared_per_block == 0


def test_resident_blocks_count_whole_register_granules_and_thread_slots():
    """Registers are allocated in granules of 8 per thread and blocks are counted whole:
    51 registers take 56, so four 256-thread blocks fit 65536 registers (not 4.57);
    1536 threads per SM hold one 1024-thread block (not 1.5)."""
    sm90, sm86 = KNOWN_DEVICES["sm_90"], KNOWN_DEVICES["sm_86"]
    plan = plan_launch(sm90, kind="quadratic", d=20, n=10, registers=51)
    assert plan.threads == 256 and plan.resident_blocks == 4
    assert type(plan.resident_blocks) is int
    assert plan_launch(sm86, kind="quadratic", d=1, n=10, registers=32).resident_blocks == 1
    assert type(static_shared_bytes(256, 3)) is int


def test_the_reserved_shared_memory_counts_against_the_table():
    """Two 1024-thread blocks of 32 registers on sm_90: each block needs its partials, its
    table and the 1 KiB reserved by the system; 16 more bytes of table than fit go global."""
    device = KNOWN_DEVICES["sm_90"]
    n = (device.shared_per_sm // 2 - static_shared_bytes(1024, 2)
         - device.reserved_shared_per_block) // 16
    fits = plan_launch(device, kind="quadratic", d=2, n=n, registers=32)
    over = plan_launch(device, kind="quadratic", d=2, n=n + 1, registers=32)
    assert (fits.table_in_shared, fits.resident_blocks) == (True, 2)
    assert (over.table_in_shared, over.resident_blocks) == (False, 2)


def test_a_table_above_the_opt_in_maximum_stays_in_global_memory():
    """On a device whose opt-in maximum is below its SM's shared memory, the per-block
    maximum decides."""
    device = dataclasses.replace(KNOWN_DEVICES["sm_90"], shared_per_block_optin=64 * 1024)
    plan = plan_launch(device, kind="quadratic", d=64, n=120)
    assert not plan.table_in_shared and plan.dynamic_shared == 0 and plan.opt_in is None
    assert plan_launch(device, kind="quadratic", d=64, n=60).table_in_shared


def test_the_register_cap_follows_the_device_register_file():
    small = dataclasses.replace(KNOWN_DEVICES["sm_90"], regs_per_block=32768)
    assert plan_launch(small, kind="quadratic", d=3, n=10).register_cap == 32
    assert plan_launch(KNOWN_DEVICES["sm_90"], kind="quadratic", d=3, n=10).register_cap == 64


def test_edges_of_the_accepted_sizes():
    device = KNOWN_DEVICES["sm_90"]
    assert not plan_launch(device, kind="quadratic", d=1, n=2**31 - 1).table_in_shared
    with pytest.raises(ValueError, match=r"n must be in \[1, 2\*\*31 - 1\], got 2147483648"):
        plan_launch(device, kind="quadratic", d=1, n=2**31)
    assert plan_launch(device, kind="quadratic", d=3, n=10,
                       static_shared=DEFAULT_SHARED_PER_BLOCK).static_shared == 49152
    with pytest.raises(ValueError, match="got float32"):
        plan_launch(device, kind="quadratic", d=3, n=10, dtype=np.float32)


def test_a_device_without_a_name_is_called_a_cuda_device():
    props = properties(KNOWN_DEVICES["sm_80"])
    del props["name"]
    assert DeviceLimits.from_properties(props).name == "CUDA device"


def test_opt_in_starts_one_byte_above_the_default_limit_and_ends_at_the_maximum():
    """d = 2 at 1024 threads: 2816 bytes of partials. 46336 bytes of table reach 48 KiB exactly
    (no opt-in); on sm_75 62720 bytes reach its 64 KiB opt-in maximum exactly (shared)."""
    sm90, sm75 = KNOWN_DEVICES["sm_90"], KNOWN_DEVICES["sm_75"]
    assert plan_launch(sm90, kind="quadratic", d=2, n=2896).opt_in is None
    assert plan_launch(sm90, kind="quadratic", d=2, n=2897).opt_in == 46352
    full = plan_launch(sm75, kind="quadratic", d=2, n=3920)
    assert (full.table_in_shared, full.opt_in) == (True, 62720)
    assert not plan_launch(sm75, kind="quadratic", d=2, n=3921).table_in_shared


def test_resident_blocks_are_bounded_by_the_shared_memory_each_block_needs():
    """A made-up SM with 4 KiB of shared memory holds one block of 2816 bytes of partials plus
    the 1 KiB reservation, though registers and threads would allow two."""
    device = dataclasses.replace(KNOWN_DEVICES["sm_90"], shared_per_sm=4096,
                                 shared_per_block_optin=4096)
    plan = plan_launch(device, kind="quadratic", d=2, n=100, registers=32)
    assert not plan.table_in_shared and plan.resident_blocks == 1
    assert type(plan.resident_blocks) is int
