"""Fused CPU engine: blocks of trajectories advanced through all steps in cache, in parallel.

The array engine streams the state of a whole chunk through memory at every step. Here the
unit of work is one reduction block (:data:`sim.stats.BLOCK` consecutive trajectories): its
state, a ``(d, size)`` local array (80 KiB at d = 10, resident in L2), is advanced through all
``T`` steps and the block's statistics of each step are reduced at once, exactly as
:func:`sim.stats.block_reduce` does (two-pass mean and :math:`M_2`, maximum, mean error);
blocks run in parallel on a thread pool (the compiled block kernel releases the GIL; unlike
``numba.prange`` this compiles in seconds and is safe to call from several threads at once,
e.g. a threaded Dask worker). Trajectories are the inner, unit-stride loop, so the update
vectorises.

Sample indices come from the counter-based formula of :mod:`sim.rng`
(:math:`u = \\operatorname{mix}(k_j + c_m)`, index :math:`\\lfloor u n / 2^{64}\\rfloor` with
32-bit limbs); the draw keys :math:`c_m` are computed on the host by :func:`sim.rng.draw_keys`,
so the indices are exactly those of the NumPy path. The updates use the same precomputed tables
and the same order of IEEE operations as :mod:`sim.engines.array` (no fast-math, so no
contraction into FMA): every trajectory is the same sequence of roundings, and the two engines
differ only in the summation order of the block reductions.

Quadratic problems run in the Hessian eigenbasis (:class:`sim.quadratic.QuadraticSpec`),

.. math::

    z_{t+1} = (1 - \\alpha\\lambda) \\odot z_t + \\textstyle\\sum_b T_{:, i_b}, \\qquad
    T = \\tfrac{\\alpha}{B}\\,\\mathrm{diag}(\\lambda)\\, C^\\top,

and the block mean of :math:`z` is rotated back, :math:`\\bar e = Q \\bar z`
(:math:`\\|e\\| = \\|z\\|`). Logistic regression advances :math:`e = w - w^*` with the
gradient of :math:`\\log(1 + e^{-y a^\\top w}) + \\tfrac{\\lambda}{2}\\|w\\|^2` and
:math:`\\sigma(-m) = \\tfrac12 - \\tfrac12\\tanh(m/2)`, which cannot overflow.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sim import rng
from sim.engines import OVERFLOW_GUARD, ChunkResult
from sim.engines._chunk import check_chunk, spec_kind
from sim.stats import BLOCK

try:
    import numba
except ImportError:  # the engine is optional
    numba = None


def available() -> bool:
    """True when numba is importable."""
    return numba is not None


def run_chunk(spec, *, alpha: float, steps: int, seed: int, start: int, count: int,
              batch: int, e0) -> ChunkResult:
    """Simulate trajectories ``start, ..., start + count - 1`` and reduce them per block.

    Args:
        spec: ``QuadraticSpec`` or ``LogisticSpec`` (from ``problem.spec()``).
        alpha: step size, finite and > 0.
        steps: number of SGD steps ``T >= 0``.
        seed: seed of :mod:`sim.rng`.
        start: first global trajectory number, a multiple of :data:`sim.stats.BLOCK`.
        count: number of trajectories, >= 1.
        batch: minibatch size ``B >= 1``.
        e0: ``w_0 - w^*`` in the original coordinates, shape ``(d,)``.

    Returns:
        :class:`ChunkResult` with per-block ``count (nb,)``, ``mean, m2, max (T+1, nb)``,
        ``mean_e (T+1, nb, d)`` and ``diverged_at`` (first step at which any trajectory was
        non-finite or exceeded :data:`OVERFLOW_GUARD`, else ``None``).
    """
    if numba is None:
        raise RuntimeError("the numba engine needs numba; install the 'fast' extra")
    kind = spec_kind(spec)
    e0 = check_chunk(spec, alpha=alpha, steps=steps, start=start, count=count,
                     batch=batch, e0=e0)
    keys = rng.trajectory_keys(np, seed, start, count)
    draws = rng.draw_keys(np, seed, 0, steps * batch)
    n = (spec.centered if kind == "quadratic" else spec.features).shape[0]
    nb = -(-count // BLOCK)
    d = e0.shape[0]
    mean = np.empty((steps + 1, nb))
    m2 = np.empty((steps + 1, nb))
    mx = np.empty((steps + 1, nb))
    mean_v = np.empty((steps + 1, nb, d))
    if kind == "quadratic":
        lam = np.asarray(spec.eigvals, dtype=np.float64)
        q = np.asarray(spec.eigvecs, dtype=np.float64)
        # Same tables and operation order as the array engine, so that every trajectory is
        # the same sequence of IEEE operations there and here.
        table = np.ascontiguousarray(((alpha * lam / batch) * spec.centered).T)
        kernel = _quadratic_block
        args = (np.uint64(n), batch, steps, 1.0 - alpha * lam, table, q.T @ e0)
    else:
        w_star = np.asarray(spec.w_star, dtype=np.float64)
        ya = np.asarray(spec.labels, dtype=np.float64)[:, None] * spec.features
        kernel = _logistic_block
        args = (np.uint64(n), batch, steps, 1.0 - alpha * spec.l2, -alpha * spec.l2 * w_star,
                alpha / batch, np.ascontiguousarray(ya.T), w_star, e0)

    def run_block(b: int) -> int:
        return kernel(keys[b * BLOCK:(b + 1) * BLOCK], draws, *args,
                      mean[:, b], m2[:, b], mx[:, b], mean_v[:, b])

    # Blocks are independent and write disjoint columns; the kernels release the GIL.
    workers = min(nb, numba.config.NUMBA_NUM_THREADS)
    if workers == 1:
        bad = [run_block(b) for b in range(nb)]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            bad = list(pool.map(run_block, range(nb)))
    if kind == "quadratic":
        # mean_e = Q mean_z as an explicit sum over k (not BLAS, whose blocking may depend on
        # the number of blocks), so a block's numbers do not depend on its chunk.
        mean_z, mean_v = mean_v, np.zeros_like(mean_v)
        for k in range(d):
            mean_v += mean_z[:, :, k, None] * q[None, None, :, k]
    sizes = np.minimum(BLOCK, count - BLOCK * np.arange(nb)).astype(np.int64)
    first_bad = min(bad)
    if first_bad > steps:
        return ChunkResult(sizes, mean, m2, mean_v, mx, None)
    for arr in (mean, m2, mean_v, mx):
        arr[first_bad:] = np.nan
    return ChunkResult(sizes, mean, m2, mean_v, mx, first_bad)


if numba is not None:
    # the constants of sim.rng itself, so that the two cannot drift apart
    _MUL1 = np.uint64(rng._MUL1)
    _MUL2 = np.uint64(rng._MUL2)
    _MASK32 = np.uint64(0xFFFFFFFF)
    _S27, _S30, _S31, _S32 = np.uint64(27), np.uint64(30), np.uint64(31), np.uint64(32)

    @numba.njit(cache=True, inline="always")
    def _index(key, draw, n):
        """sim.rng.index_from_u64(mix64(key + draw), n), on scalars."""
        z = key + draw
        z = (z ^ (z >> _S30)) * _MUL1
        z = (z ^ (z >> _S27)) * _MUL2
        z = z ^ (z >> _S31)
        return np.int64((((z >> _S32) * n) + (((z & _MASK32) * n) >> _S32)) >> _S32)

    @numba.njit(cache=True, nogil=True, inline="always")
    def _sum(x):
        """Sum with eight interleaved partial sums: fixed order, no sequential latency chain."""
        size = x.shape[0]
        s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
        m = size - size % 8
        for j in range(0, m, 8):
            s0 += x[j]
            s1 += x[j + 1]
            s2 += x[j + 2]
            s3 += x[j + 3]
            s4 += x[j + 4]
            s5 += x[j + 5]
            s6 += x[j + 6]
            s7 += x[j + 7]
        tail = 0.0
        for j in range(m, size):
            tail += x[j]
        return (((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))) + tail

    @numba.njit(cache=True, nogil=True, inline="always")
    def _max(x):
        """Largest entry of finite x, with eight independent running maxima (no long chain)."""
        size = x.shape[0]
        m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = x[0]
        m = size - size % 8
        for j in range(0, m, 8):
            m0 = x[j] if x[j] > m0 else m0
            m1 = x[j + 1] if x[j + 1] > m1 else m1
            m2 = x[j + 2] if x[j + 2] > m2 else m2
            m3 = x[j + 3] if x[j + 3] > m3 else m3
            m4 = x[j + 4] if x[j + 4] > m4 else m4
            m5 = x[j + 5] if x[j + 5] > m5 else m5
            m6 = x[j + 6] if x[j + 6] > m6 else m6
            m7 = x[j + 7] if x[j + 7] > m7 else m7
        for j in range(m, size):
            m0 = x[j] if x[j] > m0 else m0
        return max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))

    @numba.njit(cache=True, nogil=True, inline="always")
    def _square_norms(vec, sq):
        """sq[j] = sum_a vec[a, j]^2, summed over a in order (as the array engine does)."""
        sq[:] = 0.0
        for a in range(vec.shape[0]):
            va = vec[a]
            for j in range(sq.shape[0]):
                sq[j] += va[j] * va[j]

    @numba.njit(cache=True, nogil=True, inline="always")
    def _reduce_step(vec, sq, dev, t, mean, m2, mx, mean_v):
        """block_reduce of one step for one block: two-pass mean and M2, max, mean of vec.

        vec is (d, size); sq (size,) holds its squared column norms; dev is scratch. Returns
        True when the block holds a non-finite value (then the mean is NaN or infinite) or
        one above OVERFLOW_GUARD; the statistics of such a step are discarded by the caller.
        """
        size = sq.shape[0]
        mu = _sum(sq) / size
        for j in range(size):
            dev[j] = (sq[j] - mu) * (sq[j] - mu)
        top = _max(sq)
        mean[t] = mu
        m2[t] = _sum(dev)
        mx[t] = top
        for a in range(vec.shape[0]):
            mean_v[t, a] = _sum(vec[a]) / size
        return not (top <= OVERFLOW_GUARD and mu <= OVERFLOW_GUARD)

    @numba.njit(cache=True, nogil=True, inline="always")
    def _draw(block_keys, c, n, idx):
        for j in range(idx.shape[0]):
            idx[j] = _index(block_keys[j], c, n)

    @numba.njit(cache=True, nogil=True, fastmath=False)
    def _quadratic_block(block_keys, draws, n, batch, steps, decay, table, z0, mean, m2, mx,
                         mean_v):
        """z <- decay * z + sum_b table[:, i_b], table = (alpha lam / B) * centered^T."""
        # The state is (d, size), step-major, so that every inner loop runs over
        # trajectories with unit stride and vectorises.
        d = z0.shape[0]
        size = block_keys.shape[0]
        z = np.empty((d, size))
        acc = np.empty((d, size))
        for a in range(d):
            z[a, :] = z0[a]
        sq = np.empty(size)
        dev = np.empty(size)
        idx = np.empty(size, dtype=np.int64)
        first_bad = steps + 1
        _square_norms(z, sq)
        for t in range(steps + 1):
            if _reduce_step(z, sq, dev, t, mean, m2, mx, mean_v) and t < first_bad:
                first_bad = t
            if t == steps:
                break
            sq[:] = 0.0
            if batch == 1:
                # one fused pass (update and squared norm); the same roundings as below
                _draw(block_keys, draws[t], n, idx)
                for a in range(d):
                    za = z[a]
                    col = table[a]
                    da = decay[a]
                    for j in range(size):
                        za[j] = za[j] * da + col[idx[j]]
                        sq[j] += za[j] * za[j]
                continue
            acc[:, :] = 0.0
            for s in range(batch):
                _draw(block_keys, draws[t * batch + s], n, idx)
                for a in range(d):
                    acc_a = acc[a]
                    col = table[a]
                    for j in range(size):
                        acc_a[j] += col[idx[j]]
            for a in range(d):
                za = z[a]
                acc_a = acc[a]
                da = decay[a]
                for j in range(size):
                    za[j] = za[j] * da + acc_a[j]
                    sq[j] += za[j] * za[j]
        return first_bad

    @numba.njit(cache=True, nogil=True, fastmath=False)
    def _logistic_block(block_keys, draws, n, batch, steps, decay, shift, gain, ya_t, w_star,
                        e0, mean, m2, mx, mean_v):
        """e <- (decay e + shift) + gain sum_b sigma(-m_b) y a, m_b = y a.(e + w*).

        decay = 1 - alpha l2, shift = -alpha l2 w*, gain = alpha / B, ya_t = (y a)^T, and
        sigma(-m) = 1/2 - tanh(m/2)/2 cannot overflow.
        """
        d = e0.shape[0]
        size = block_keys.shape[0]
        e = np.empty((d, size))
        w = np.empty((d, size))
        acc = np.empty((d, size))
        for a in range(d):
            e[a, :] = e0[a]
        sq = np.empty(size)
        dev = np.empty(size)
        weight = np.empty(size)
        idx = np.empty(size, dtype=np.int64)
        first_bad = steps + 1
        _square_norms(e, sq)
        for t in range(steps + 1):
            if _reduce_step(e, sq, dev, t, mean, m2, mx, mean_v) and t < first_bad:
                first_bad = t
            if t == steps:
                break
            for a in range(d):
                wa = w[a]
                ea = e[a]
                ws = w_star[a]
                for j in range(size):
                    wa[j] = ea[j] + ws
            acc[:, :] = 0.0
            for s in range(batch):
                _draw(block_keys, draws[t * batch + s], n, idx)
                weight[:] = 0.0
                for a in range(d):
                    wa = w[a]
                    col = ya_t[a]
                    for j in range(size):
                        weight[j] += col[idx[j]] * wa[j]
                for j in range(size):
                    weight[j] = np.tanh(0.5 * weight[j]) * -0.5 + 0.5
                for a in range(d):
                    acc_a = acc[a]
                    col = ya_t[a]
                    for j in range(size):
                        acc_a[j] += col[idx[j]] * weight[j]
            sq[:] = 0.0
            for a in range(d):
                ea = e[a]
                acc_a = acc[a]
                sa = shift[a]
                for j in range(size):
                    ea[j] = (ea[j] * decay + sa) + acc_a[j] * gain
                    sq[j] += ea[j] * ea[j]
        return first_bad
