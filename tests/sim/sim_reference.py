"""Plain per-trajectory references for the simulator tests: indices and SGD, one at a time.

Independent transcriptions of the formulas in :mod:`sim.sampling` (scalar SplitMix64 on Python
integers, a Python list for the permutation) and of the update of :func:`sim.simulate`
(heavy-ball momentum, incremental Polyak-Ruppert average), in the original coordinates.
"""

from __future__ import annotations

import numpy as np

from sim.rng import GAMMA, _mix64_int, draw_key, seed_keys


def reference_indices(sampling: str, seed: int, trajectory: int, steps: int, n: int,
                      batch: int) -> np.ndarray:
    """The ``(steps, batch)`` indices of one trajectory, in plain Python integers.

    An independent transcription of the module docstring's formulas (scalar SplitMix64,
    a Python list for the permutation), used to test :class:`IndexStream`.
    """
    s, _ = seed_keys(seed)
    key = _mix64_int(s + (trajectory + 1) * GAMMA)

    def uniform(m: int, r: int) -> int:
        return (_mix64_int(key + draw_key(seed, m)) * r) >> 64

    perm = list(range(n))
    epoch = n // batch if batch <= n else 1
    out = np.empty((steps, batch), dtype=np.int64)
    for t in range(steps):
        picked: list[int] = []
        for b in range(batch):
            m = t * batch + b
            if sampling == "with-replacement":
                picked.append(uniform(m, n))
            elif sampling == "without-replacement":
                top = n - batch + b
                r = uniform(m, top + 1)
                picked.append(top if r in picked else r)
            else:
                p = (t % epoch) * batch + b
                if sampling == "reshuffle" or t < epoch:
                    r = p + uniform(m, n - p)
                    perm[p], perm[r] = perm[r], perm[p]
                picked.append(perm[p])
        out[t] = picked
    return out


def reference_sgd(problem, *, alphas, steps, trajectories, seed, w0, batch, sampling,
                  momentum=0.0, average_from=None, dtype=np.float64):
    """Squared distances ``(steps + 1, N)`` of the iterates and of their running average
    (None without averaging), one trajectory at a time, with the problem's own
    ``sample_gradients`` on NumPy."""
    w_star = np.asarray(problem.w_star, dtype=np.float64)
    sq = np.full((steps + 1, trajectories), np.nan)
    sq_bar = None if average_from is None else np.full((steps + 1, trajectories), np.nan)
    means = np.zeros((steps + 1, problem.dim))
    for j in range(trajectories):
        idx = reference_indices(sampling, seed, j, steps, problem.n, batch)
        w = np.asarray(w0, dtype=dtype).copy()
        prev, bar = w.copy(), w.copy()
        for t in range(steps + 1):
            sq[t, j] = np.sum((w.astype(np.float64) - w_star) ** 2)
            means[t] += w / trajectories
            if average_from is not None and t >= average_from:
                if t == average_from:
                    bar = w.copy()
                else:
                    bar = bar + (w - bar) / (t - average_from + 1)
                sq_bar[t, j] = np.sum((bar.astype(np.float64) - w_star) ** 2)
            if t == steps:
                break
            rows = np.repeat(w[None, :], batch, axis=0)
            g = problem.sample_gradients(rows, idx[t], np).mean(axis=0)
            w, prev = w - alphas[t] * g + momentum * (w - prev), w
    return sq, sq_bar, means
