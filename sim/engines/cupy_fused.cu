// Fused SGD kernels for sim.engines.cupy_fused (compiled with NVRTC through CuPy; no includes).
//
// One thread owns one trajectory and keeps its D-dimensional state in registers across all
// the steps of a launch. A CUDA block has THREADS threads (a power of two, 64..1024, chosen per
// D by sim.engines.launch so that the state fits the registers __launch_bounds__ allows); a
// statistics block of sim.stats.BLOCK = 1024 trajectories is BLOCK / THREADS consecutive CUDA
// blocks, whose partial sums the host merges (sim.engines.cupy_fused.merge_parts). Sample
// indices are generated in registers with the counter-based formula of sim/rng.py:
//     k_j = mix64(s + (j + 1) * GAMMA),  u = mix64(k_j + c_m),  i = floor(u * n / 2^64)
// (exact, with 32-bit limbs), so they depend on (seed, trajectory, draw) only, never on the
// launch geometry or on how steps are split into launches.
//
// The trajectory update uses __dmul_rn / __dadd_rn, which the compiler never contracts into
// FMA: every trajectory is the same sequence of IEEE roundings as in the NumPy engine.
//
// Statistics of step t, per CUDA block of n_p active threads, with s_j = |e_j|^2:
//   S     = sum_j s_j,
//   M2    = sum_j (s_j - S / n_p)^2 = sum_w [ sum_{j in w} (s_j - m_w)^2 + n_w (m_w - S / n_p)^2 ]
// (exact identity, w running over the warps with means m_w and counts n_w: two-pass within
// each warp, combined as in Chan, Golub & LeVeque 1983), the maximum of s_j, and the sum of
// each coordinate of e (quadratic: of z = Q^T e; the host rotates it back). Warp sums of the D
// coordinates use a transposing butterfly (K values over 32 lanes in K - 1 + 5 - log2 K
// shuffles instead of 5 K). Per-warp partials go through shared memory double-buffered by step
// parity, so one __syncthreads per step suffices. Row t - t0 of the output buffers holds step
// t (step t0 itself only when t0 == 0), column blockIdx.x the CUDA block.

typedef unsigned long long u64;

#define FULL_MASK 0xffffffffu
#define OVERFLOW_GUARD 1e150

__host__ __device__ constexpr int ilog2(int x) { return x <= 1 ? 0 : 1 + ilog2(x / 2); }
__host__ __device__ constexpr int pow2ceil(int x) { return x <= 1 ? 1 : 2 * pow2ceil((x + 1) / 2); }

__device__ __forceinline__ u64 mix64(u64 z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

__device__ __forceinline__ int sample_index(u64 key, u64 draw, u64 n) {
    const u64 u = mix64(key + draw);
    return (int)((((u >> 32) * n) + (((u & 0xFFFFFFFFULL) * n) >> 32)) >> 32);
}

// Sum (maximum) over each aligned group of W lanes (W a power of two <= 32), in every lane.
template <int W>
__device__ __forceinline__ double group_sum(double x) {
#pragma unroll
    for (int o = W / 2; o >= 1; o /= 2) x += __shfl_xor_sync(FULL_MASK, x, o);
    return x;
}

template <int W>
__device__ __forceinline__ double group_max(double x) {
#pragma unroll
    for (int o = W / 2; o >= 1; o /= 2) x = fmax(x, __shfl_xor_sync(FULL_MASK, x, o));
    return x;
}

__device__ __forceinline__ double warp_sum(double x) { return group_sum<32>(x); }
__device__ __forceinline__ double warp_max(double x) { return group_max<32>(x); }

// Warp sums of K values per lane (K a power of two <= 32). Returns the sum of value number
// lane >> (5 - log2 K): at each halving step a lane keeps the half selected by one bit of its
// lane number and receives its partner's partial sums of that half.
template <int K>
__device__ __forceinline__ double warp_transpose_sum(double (&v)[K], int lane) {
#pragma unroll
    for (int h = K / 2, o = 16; h >= 1; h /= 2, o /= 2) {
        const bool upper = (lane & o) != 0;
#pragma unroll
        for (int j = 0; j < h; ++j) {
            const double send = upper ? v[j] : v[j + h];
            const double keep = upper ? v[j + h] : v[j];
            v[j] = keep + __shfl_xor_sync(FULL_MASK, send, o);
        }
    }
    double s = v[0];
#pragma unroll
    for (int o = 16 / K; o >= 1; o /= 2) s += __shfl_xor_sync(FULL_MASK, s, o);
    return s;
}

// Static shared memory of a CUDA block: WARPS * (56 + 16 D) bytes (sim.engines.launch).
template <int D, int WARPS>
struct Partials {
    double sum[2][WARPS];
    double m2[2][WARPS];
    double max[2][WARPS];
    int count[2][WARPS];
    double vec[2][WARPS][D];
};

// Reduce step t of the CUDA block into row r of the output buffers: every thread calls this
// (it contains the block's barrier). block_count: active threads of this CUDA block (may be 0).
template <int D, int THREADS>
__device__ void record_step(const double (&v)[D], bool active, int t, long long r,
                            int block_count, Partials<D, THREADS / 32>& p,
                            double* __restrict__ out_sum, double* __restrict__ out_m2,
                            double* __restrict__ out_max, double* __restrict__ out_vec,
                            int* __restrict__ diverged) {
    constexpr int WARPS = THREADS / 32;
    constexpr int K = pow2ceil(D) < 8 ? pow2ceil(D) : 8;
    constexpr int G = (D + K - 1) / K;
    constexpr int SHIFT = 5 - ilog2(K);
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int buf = t & 1;

    double sq = 0.0;
#pragma unroll
    for (int a = 0; a < D; ++a) sq = __dadd_rn(sq, __dmul_rn(v[a], v[a]));

    // a non-finite or overflowing trajectory: the comparison is false for NaN
    if (__any_sync(FULL_MASK, active && !(sq <= OVERFLOW_GUARD)) && lane == 0) {
        atomicMin(diverged, t);
    }
    const int n_w = __popc(__ballot_sync(FULL_MASK, active));
    const double s_w = warp_sum(active ? sq : 0.0);
    const double m_w = n_w > 0 ? s_w / n_w : 0.0;
    const double dev = active ? sq - m_w : 0.0;
    const double m2_w = warp_sum(dev * dev);
    const double max_w = warp_max(active ? sq : -1.0);
#pragma unroll
    for (int g = 0; g < G; ++g) {
        double part[K];
#pragma unroll
        for (int k = 0; k < K; ++k) part[k] = (g * K + k < D && active) ? v[g * K + k] : 0.0;
        const double s = warp_transpose_sum<K>(part, lane);
        const int k = g * K + (lane >> SHIFT);
        if ((lane & ((1 << SHIFT) - 1)) == 0 && k < D) p.vec[buf][warp][k] = s;
    }
    if (lane == 0) {
        p.sum[buf][warp] = s_w;
        p.m2[buf][warp] = m2_w;
        p.max[buf][warp] = max_w;
        p.count[buf][warp] = n_w;
    }
    __syncthreads();

    // Lane l of a reducing warp reads warp l % WARPS: lanes >= WARPS hold copies, reduced in
    // their own groups of WARPS lanes and never written out.
    const int w = lane % WARPS;
    if (warp == 0) {
        const double s_l = p.sum[buf][w];
        const int n_l = p.count[buf][w];
        const double total = group_sum<WARPS>(s_l);
        const double mean = block_count > 0 ? total / block_count : 0.0;
        const double dm = n_l > 0 ? s_l / n_l - mean : 0.0;
        const double m2 = group_sum<WARPS>(p.m2[buf][w] + n_l * dm * dm);
        const double top = group_max<WARPS>(p.max[buf][w]);
        if (lane == 0) {
            out_sum[r] = total;
            out_m2[r] = m2;
            out_max[r] = top;
        }
    } else {
        // warps 1 .. WARPS - 1 share the D coordinates
        for (int k = warp - 1; k < D; k += WARPS - 1) {
            const double s = group_sum<WARPS>(p.vec[buf][w][k]);
            if (lane == 0) out_vec[r * D + k] = s;
        }
    }
}

// Copy a (D, n) table to shared memory when it fits (use_shared), else read it from global.
template <int D, int THREADS>
__device__ __forceinline__ const double* stage_table(const double* __restrict__ table, int n,
                                                     int use_shared, double* smem) {
    if (!use_shared) return table;
    for (int i = threadIdx.x; i < D * n; i += THREADS) smem[i] = table[i];
    __syncthreads();
    return smem;
}

// Quadratic problem in the eigenbasis: z <- z * decay + sum_b table[:, i_b],
// table = (alpha lambda / B) * centered^T, shape (D, n). Advances steps t0 .. t1 - 1 of the
// trajectories start .. start + count - 1 whose states live in state (D, count); records the
// statistics of steps t0 + 1 .. t1, and of step 0 when t0 == 0.
template <int D, int THREADS>
__global__ void __launch_bounds__(THREADS, 1)
sgd_quadratic(const double* __restrict__ table, const double* __restrict__ decay,
              const u64* __restrict__ draws, double* __restrict__ state, int n, int batch,
              u64 stream_key, long long start, int count, int t0, int t1, int use_shared,
              double* __restrict__ out_sum, double* __restrict__ out_m2,
              double* __restrict__ out_max, double* __restrict__ out_vec,
              int* __restrict__ diverged) {
    static_assert(THREADS >= 64 && THREADS <= 1024 && (THREADS & (THREADS - 1)) == 0,
                  "THREADS: a power of two in [64, 1024]");
    extern __shared__ double smem[];
    __shared__ Partials<D, THREADS / 32> partials;
    const int local = blockIdx.x * THREADS + threadIdx.x;
    const bool active = local < count;
    const int block_count = max(0, min(THREADS, count - (int)blockIdx.x * THREADS));
    const double* tab = stage_table<D, THREADS>(table, n, use_shared, smem);
    const u64 key = mix64(stream_key + (u64)(start + local + 1) * 0x9E3779B97F4A7C15ULL);
    const u64 nn = (u64)n;

    // decay (like w_star and shift below) is read where used: the same address for every
    // thread is a broadcast from L1, and registers are the scarce resource at 1024 threads.
    double z[D];
#pragma unroll
    for (int a = 0; a < D; ++a) z[a] = active ? state[(long long)a * count + local] : 0.0;
    if (t0 == 0) {
        record_step<D, THREADS>(z, active, 0, blockIdx.x, block_count, partials, out_sum,
                                out_m2, out_max, out_vec, diverged);
    }
    for (int t = t0; t < t1; ++t) {
        double acc[D];
        for (int b = 0; b < batch; ++b) {
            const int i = sample_index(key, draws[(long long)t * batch + b], nn);
#pragma unroll
            for (int a = 0; a < D; ++a) {
                const double x = tab[(long long)a * n + i];
                acc[a] = b == 0 ? x : __dadd_rn(acc[a], x);
            }
        }
#pragma unroll
        for (int a = 0; a < D; ++a) z[a] = __dadd_rn(__dmul_rn(z[a], decay[a]), acc[a]);
        const long long row = (long long)(t + 1 - t0) * gridDim.x + blockIdx.x;
        record_step<D, THREADS>(z, active, t + 1, row, block_count, partials, out_sum, out_m2,
                                out_max, out_vec, diverged);
    }
    if (active) {
#pragma unroll
        for (int a = 0; a < D; ++a) state[(long long)a * count + local] = z[a];
    }
}

// Logistic regression on the error e = w - w*:
//   e <- (e * decay + shift) + gain * sum_b sigma(-m_b) (y a)_{i_b},  m_b = (y a)_{i_b} . w,
// decay = 1 - alpha l2, shift = -alpha l2 w*, gain = alpha / B, ya = (y a)^T of shape (D, n),
// sigma(-m) = 1/2 - tanh(m/2)/2 (no overflow). Same launch contract as sgd_quadratic.
template <int D, int THREADS>
__global__ void __launch_bounds__(THREADS, 1)
sgd_logistic(const double* __restrict__ ya, const double* __restrict__ w_star,
             const double* __restrict__ shift, double decay, double gain,
             const u64* __restrict__ draws, double* __restrict__ state, int n, int batch,
             u64 stream_key, long long start, int count, int t0, int t1, int use_shared,
             double* __restrict__ out_sum, double* __restrict__ out_m2,
             double* __restrict__ out_max, double* __restrict__ out_vec,
             int* __restrict__ diverged) {
    static_assert(THREADS >= 64 && THREADS <= 1024 && (THREADS & (THREADS - 1)) == 0,
                  "THREADS: a power of two in [64, 1024]");
    extern __shared__ double smem[];
    __shared__ Partials<D, THREADS / 32> partials;
    const int local = blockIdx.x * THREADS + threadIdx.x;
    const bool active = local < count;
    const int block_count = max(0, min(THREADS, count - (int)blockIdx.x * THREADS));
    const double* tab = stage_table<D, THREADS>(ya, n, use_shared, smem);
    const u64 key = mix64(stream_key + (u64)(start + local + 1) * 0x9E3779B97F4A7C15ULL);
    const u64 nn = (u64)n;

    double e[D];
#pragma unroll
    for (int a = 0; a < D; ++a) e[a] = active ? state[(long long)a * count + local] : 0.0;
    if (t0 == 0) {
        record_step<D, THREADS>(e, active, 0, blockIdx.x, block_count, partials, out_sum,
                                out_m2, out_max, out_vec, diverged);
    }
    for (int t = t0; t < t1; ++t) {
        double acc[D];
#pragma unroll
        for (int a = 0; a < D; ++a) acc[a] = 0.0;
        for (int b = 0; b < batch; ++b) {
            const int i = sample_index(key, draws[(long long)t * batch + b], nn);
            double margin = 0.0;
            // w = e + w* is recomputed (the same rounding) rather than held in D registers
#pragma unroll
            for (int a = 0; a < D; ++a) {
                const double w = __dadd_rn(e[a], w_star[a]);
                margin = __dadd_rn(margin, __dmul_rn(tab[(long long)a * n + i], w));
            }
            const double weight = __dadd_rn(__dmul_rn(tanh(__dmul_rn(0.5, margin)), -0.5), 0.5);
#pragma unroll
            for (int a = 0; a < D; ++a) {
                acc[a] = __dadd_rn(acc[a], __dmul_rn(tab[(long long)a * n + i], weight));
            }
        }
#pragma unroll
        for (int a = 0; a < D; ++a) {
            e[a] = __dadd_rn(__dadd_rn(__dmul_rn(e[a], decay), shift[a]),
                             __dmul_rn(acc[a], gain));
        }
        const long long row = (long long)(t + 1 - t0) * gridDim.x + blockIdx.x;
        record_step<D, THREADS>(e, active, t + 1, row, block_count, partials, out_sum, out_m2,
                                out_max, out_vec, diverged);
    }
    if (active) {
#pragma unroll
        for (int a = 0; a < D; ++a) state[(long long)a * count + local] = e[a];
    }
}
