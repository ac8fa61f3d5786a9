"""Compare a fused engine's chunk with the array engine's, with tolerances derived from rounding.

Premise: both engines compute every trajectory with the same sequence of IEEE roundings (the
same tables, operation order and, for logistic regression, the same ``tanh``: the tests give
the reference engine the kernel's own ``tanh``), so the squared norms :math:`s_j` and the
coordinates are bit-identical and only the block reductions differ in their order of
summation. Hence, per statistics block of :math:`N` trajectories, with
:math:`\\gamma_k = ku/(1-ku)`, :math:`u = 2^{-53}` and :math:`s_{max}` the block's maximum
(Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., sec. 4.2: any order of
summation of :math:`N` terms errs by at most :math:`\\gamma_{N-1}\\sum|x_j|`):

- ``max``: exactly equal (the maximum does not depend on the order);
- ``mean``: :math:`|\\Delta| \\le 2\\gamma_{N+1}\\,\\bar s` (two sums of the same nonnegative
  terms, one division each);
- ``mean_e``: :math:`|\\Delta| \\le 2\\gamma_{N+d+2}\\sqrt{d\\,s_{max}}` (signed sums with
  :math:`|e_{jk}| \\le \\sqrt{s_{max}}`, then for quadratics the same rotation by the orthogonal
  :math:`Q`, whose rows have :math:`\\sum_k|Q_{ik}| \\le \\sqrt d`);
- ``m2``: the two-pass sum about a rounded mean and the kernel's pairwise combination of warp
  and block partials (Chan, Golub & LeVeque 1983) each err by at most
  :math:`\\gamma_{2N} M_2 + 8\\gamma_{2N} s_{max}\\sqrt{N M_2} + 16 N (\\gamma_{2N} s_{max})^2`
  (the middle term is the first-order effect of the rounded means in
  :math:`n_w(\\bar s_w - \\bar s)^2`, bounded by Cauchy-Schwarz), so their difference by twice that.
"""

from __future__ import annotations

import numpy as np

U = 2.0**-53


def gamma(k):
    k = np.asarray(k, dtype=np.float64)
    return k * U / (1 - k * U)


def tolerances(count: np.ndarray, mean: np.ndarray, m2: np.ndarray, top: np.ndarray, d: int):
    """Allowed ``|fused - reference|`` for mean, m2 and mean_e, per (step, block)."""
    n = count[None, :].astype(np.float64)
    g2n = gamma(2 * n)
    mean_tol = 2 * gamma(n + 1) * np.abs(mean)
    m2_tol = 2 * (g2n * m2 + 8 * g2n * top * np.sqrt(n * m2) + 16 * n * (g2n * top) ** 2)
    vec_tol = 2 * gamma(n + d + 2) * np.sqrt(d * top)
    return mean_tol, m2_tol, vec_tol


def assert_same_chunk(fast, ref) -> None:
    """``fast`` (a fused engine's ChunkResult) equals ``ref`` up to the derived tolerances."""
    np.testing.assert_array_equal(fast.count, ref.count)
    assert fast.diverged_at == ref.diverged_at
    np.testing.assert_array_equal(fast.max, ref.max, err_msg="max (trajectories differ)")
    d = ref.mean_e.shape[2]
    ok = np.isfinite(ref.mean)
    mean_tol, m2_tol, vec_tol = tolerances(ref.count, np.where(ok, ref.mean, 0),
                                           np.where(ok, ref.m2, 0), np.where(ok, ref.max, 0), d)
    np.testing.assert_array_equal(np.isfinite(fast.mean), ok)
    assert np.all(np.abs(fast.mean - ref.mean)[ok] <= mean_tol[ok]), "mean"
    assert np.all(np.abs(fast.m2 - ref.m2)[ok] <= m2_tol[ok]), "m2"
    vec_ok = np.abs(fast.mean_e - ref.mean_e) <= vec_tol[:, :, None]
    assert np.all(vec_ok[ok]), "mean_e"
