// FlashAttention-2 forward, f32 in / f32 accumulate (compiled with common.cuh prepended).
//
// Layout: q, out [B, H, N, d]; k, v [B, H, M, d]; lse [B, H, N]; all row-major, contiguous.
// One block = 128 threads = one tile of BR = 64 query rows of one (batch, head); it streams the
// key/value tiles of BC = 64 rows through shared memory with the online softmax (running max
// m, running sum l, unnormalised accumulator o, all f32), in the log2 domain (scores are
// pre-multiplied by scale * log2 e so exp2f does the exponentials). At the end out = o / l and
// lse = ln 2 * (m + log2 l): the natural log of the softmax denominator of the scaled scores.
//
// Masking: query row i of batch entry b sees keys [0, visible_keys(i)) (right padding
// valid_len[b], bottom-right causal j <= i + M - N). Key tiles past the last visible key of the
// block are never loaded; the crossing tile is masked elementwise. A row that sees no key gets
// out = 0 and lse = -inf (its running max stays -inf; exponentials use 0 as the shift then).
//
// Head dimensions are padded to D in {32, 64, 128, 256} (zeros in shared memory); one entry
// point per D. Dynamic shared memory: (2 * 64 * (D + 4) + 64 * 68) floats.

template <int D, int NT>
__device__ __forceinline__ void flash_fwd_f32_impl(const float* __restrict__ q,
                                                   const float* __restrict__ k,
                                                   const float* __restrict__ v,
                                                   float* __restrict__ out,
                                                   float* __restrict__ lse,
                                                   const int* __restrict__ valid_len, int heads,
                                                   int n, int m, int d, float scale_log2,
                                                   int causal) {
    constexpr int BR = 64, BC = 64;
    constexpr int TYV = NT / TX;  // row groups
    constexpr int RM = BR / TYV;  // rows per thread
    constexpr int NJS = BC / TX;  // score columns per thread
    constexpr int NJO = D / TX;   // output columns per thread
    constexpr int LD = D + 4, LDP = BC + 4;
    extern __shared__ float4 smem4[];
    float* qs = reinterpret_cast<float*>(smem4);
    float* kvs = qs + BR * LD;  // K tile, then V tile
    float* ps = kvs + BC * LD;  // probabilities [BR][BC]

    const int tid = threadIdx.x, ty = tid / TX, tx = tid % TX;
    const int bh = blockIdx.y;
    const int valid = valid_len[bh / heads];
    // Causal: heaviest query tiles first, so the tail of the grid is short.
    const int qb = causal ? (int)gridDim.x - 1 - (int)blockIdx.x : (int)blockIdx.x;
    const int q0 = qb * BR;
    const int rows = min(BR, n - q0);
    const float* kg = k + (size_t)bh * m * d;
    const float* vg = v + (size_t)bh * m * d;

    load_tile<BR, D, NT>(qs, LD, q + ((size_t)bh * n + q0) * d, rows, d, tid);

    int vis[RM];
#pragma unroll
    for (int r = 0; r < RM; ++r) {
        const int i = q0 + tile_row<false, RM, TYV>(ty, r);
        vis[r] = i < n ? visible_keys(i, n, m, valid, causal) : 0;
    }
    const int kv_end = visible_keys(q0 + rows - 1, n, m, valid, causal);

    float mrow[RM], lrow[RM];
    float o[RM][NJO];
#pragma unroll
    for (int r = 0; r < RM; ++r) {
        mrow[r] = NEG_INF;
        lrow[r] = 0.0f;
    }
    tile_zero(o);

    for (int k0 = 0; k0 < kv_end; k0 += BC) {
        __syncthreads();  // previous P V product is done with kvs and ps
        load_tile<BC, D, NT>(kvs, LD, kg + (size_t)k0 * d, min(BC, m - k0), d, tid);
        __syncthreads();

        float s[RM][NJS];
        tile_zero(s);
        tile_mma<RM, NJS, false, true, TYV>(s, qs, LD, kvs, LD, D, ty, tx);

#pragma unroll
        for (int r = 0; r < RM; ++r) {
            float mx = NEG_INF;
#pragma unroll
            for (int j = 0; j < NJS; ++j) {
                const int key = k0 + tile_col<true>(tx, j);
                s[r][j] = key < vis[r] ? s[r][j] * scale_log2 : NEG_INF;
                mx = fmaxf(mx, s[r][j]);
            }
            mx = group_max(mx);
            const float m_new = fmaxf(mrow[r], mx);
            const float shift = m_new == NEG_INF ? 0.0f : m_new;
            const float alpha = exp2f(mrow[r] - shift);
            mrow[r] = m_new;
            float sum = 0.0f;
#pragma unroll
            for (int j = 0; j < NJS; ++j) {
                const float p = exp2f(s[r][j] - shift);
                sum += p;
                ps[tile_row<false, RM, TYV>(ty, r) * LDP + tile_col<true>(tx, j)] = p;
            }
            // Each lane keeps a partial row sum; the 8 lanes share one max, so the partial
            // sums rescale consistently and are reduced once at the end.
            lrow[r] = lrow[r] * alpha + sum;
#pragma unroll
            for (int j = 0; j < NJO; ++j) o[r][j] *= alpha;
        }
        __syncthreads();  // every thread is done with K and has written its P
        load_tile<BC, D, NT>(kvs, LD, vg + (size_t)k0 * d, min(BC, m - k0), d, tid);
        __syncthreads();
        tile_mma<RM, NJO, false, false, TYV>(o, ps, LDP, kvs, LD, BC, ty, tx);
    }

#pragma unroll
    for (int r = 0; r < RM; ++r) {
        const float l = group_sum(lrow[r]);
        const int i = q0 + tile_row<false, RM, TYV>(ty, r);
        if (i >= n) continue;
        const float inv = l > 0.0f ? 1.0f / l : 0.0f;
        float* orow = out + ((size_t)bh * n + i) * d;
#pragma unroll
        for (int j = 0; j < NJO; ++j) {
            const int c = tile_col<false>(tx, j);
            if (c < d) orow[c] = o[r][j] * inv;
        }
        if (tx == 0) lse[(size_t)bh * n + i] = l > 0.0f ? (mrow[r] + log2f(l)) * LN2 : NEG_INF;
    }
}

// (D, threads per block, blocks per SM the register budget is cut for; shared memory allows
// 4 / 4 / 2 / 1 blocks). 256-thread instances (2 rows per thread) were measured slower on an
// H100 (d = 128: 25.2 against 32.3 TFLOP/s): the smaller register tile needs more shared-memory
// loads per FMA. See proofs-notes/cuda.md.
#define FLASH_FWD_F32(D, NT, MINB)                                                             \
    extern "C" __global__ void __launch_bounds__(NT, MINB) flash_fwd_f32_d##D(                 \
        const float* q, const float* k, const float* v, float* out, float* lse,                \
        const int* valid_len, int heads, int n, int m, int d, float scale_log2, int causal) {  \
        flash_fwd_f32_impl<D, NT>(q, k, v, out, lse, valid_len, heads, n, m, d, scale_log2,    \
                              causal);                                                         \
    }

FLASH_FWD_F32(32, 128, 4)
FLASH_FWD_F32(64, 128, 4)
FLASH_FWD_F32(128, 128, 2)
FLASH_FWD_F32(256, 128, 1)
