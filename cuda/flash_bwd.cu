// FlashAttention-2 backward with recomputation, f32 (compiled with common.cuh prepended).
//
// Layout as in flash_fwd.cu; lse and delta are [B, H, N]. Two launches:
// 1. flash_bwd_delta_f32: delta_i = sum_c dO_ic O_ic (= sum_j P_ij dP_ij), one warp per row.
// 2. flash_bwd_f32_d*: one block per (key tile of BC rows, batch x head). The K and V tiles stay
//    in shared memory while the block walks the query tiles (BR rows) that can see them:
//      S^T  = K Q^T,  P^T = exp(scale S^T - lse)      (recomputed, masked to 0)
//      dP^T = V dO^T, dS^T = P^T o (dP^T - delta)
//      dV  += P^T dO,  dK += dS^T Q                    (registers, written once at the end)
//      dQ  += scale dS K                               (atomicAdd into a zeroed f32 buffer)
//    and dK is scaled once at the end. Masked entries (key >= visible_keys(query)) have P = 0,
//    so a row that sees no key (lse = -inf) contributes nothing and its gradients stay 0.
//
// Head dimensions padded to D in {32, 64, 128, 256}. Dynamic shared memory:
// (2 BC + 2 BR) (D + 4) + BC (BR + 4) floats + 3 BR words.

extern "C" __global__ void __launch_bounds__(NTHREADS)
    flash_bwd_delta_f32(const float* __restrict__ out, const float* __restrict__ dout,
                        float* __restrict__ delta, long long rows, int d) {
    const long long row = (long long)blockIdx.x * (NTHREADS / 32) + threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    if (row >= rows) return;
    const float* o = out + row * d;
    const float* g = dout + row * d;
    float acc = 0.0f;
    for (int c = lane; c < d; c += 32) acc = fmaf(o[c], g[c], acc);
#pragma unroll
    for (int off = 16; off > 0; off /= 2) acc += __shfl_xor_sync(FULL_MASK, acc, off);
    if (lane == 0) delta[row] = acc;
}

template <int D, int BC, int BR, int NT>
__device__ __forceinline__ void flash_bwd_f32_impl(
    const float* __restrict__ q, const float* __restrict__ k, const float* __restrict__ v,
    const float* __restrict__ dout, const float* __restrict__ lse,
    const float* __restrict__ delta, float* __restrict__ dq, float* __restrict__ dk,
    float* __restrict__ dv, const int* __restrict__ valid_len, int heads, int n, int m, int d,
    float scale, int causal) {
    constexpr int TYV = NT / TX;  // row groups
    constexpr int RM = BC / TYV;  // key rows per thread
    constexpr int NJS = BR / TX;  // query columns per thread in S^T
    constexpr int NJO = D / TX;   // head-dim columns per thread in dK, dV
    constexpr int RMQ = BR / TYV; // query rows per thread in dQ
    constexpr int LD = D + 4, LDP = BR + 4;
    extern __shared__ float4 smem4[];
    float* ks = reinterpret_cast<float*>(smem4);
    float* vs = ks + BC * LD;
    float* qs = vs + BC * LD;
    float* dos = qs + BR * LD;
    float* pts = dos + BR * LD;      // P^T, then dS^T: [BC][BR]
    float* lse2 = pts + BC * LDP;    // lse * log2 e per query row of the tile
    float* dlt = lse2 + BR;          // delta per query row
    int* visq = reinterpret_cast<int*>(dlt + BR);

    const int tid = threadIdx.x, ty = tid / TX, tx = tid % TX;
    const int bh = blockIdx.y;
    const int valid = valid_len[bh / heads];
    const int k0 = blockIdx.x * BC;
    const int krows = min(BC, m - k0);
    const float scale_log2 = scale * LOG2E;

    load_tile<BC, D, NT>(ks, LD, k + ((size_t)bh * m + k0) * d, krows, d, tid);
    load_tile<BC, D, NT>(vs, LD, v + ((size_t)bh * m + k0) * d, krows, d, tid);

    float dk_acc[RM][NJO], dv_acc[RM][NJO];
    tile_zero(dk_acc);
    tile_zero(dv_acc);
    int key[RM];
#pragma unroll
    for (int r = 0; r < RM; ++r) key[r] = k0 + tile_row<false, RM, TYV>(ty, r);

    if (k0 < valid) {
        // First query row that sees key k0 (bottom-right causal: i >= k0 + N - M).
        const int i_first = causal ? max(0, k0 + n - m) : 0;
        for (int i0 = (i_first / BR) * BR; i0 < n; i0 += BR) {
            const int qrows = min(BR, n - i0);
            __syncthreads();  // previous tile is done with qs, dos, pts
            load_tile<BR, D, NT>(qs, LD, q + ((size_t)bh * n + i0) * d, qrows, d, tid);
            load_tile<BR, D, NT>(dos, LD, dout + ((size_t)bh * n + i0) * d, qrows, d, tid);
            for (int t = tid; t < BR; t += NT) {
                const int i = i0 + t;
                lse2[t] = i < n ? lse[(size_t)bh * n + i] * LOG2E : 0.0f;
                dlt[t] = i < n ? delta[(size_t)bh * n + i] : 0.0f;
                visq[t] = i < n ? visible_keys(i, n, m, valid, causal) : 0;
            }
            __syncthreads();

            float pt[RM][NJS], dpt[RM][NJS];
            tile_zero(pt);
            tile_mma<RM, NJS, false, true, TYV>(pt, ks, LD, qs, LD, D, ty, tx);
            tile_zero(dpt);
            tile_mma<RM, NJS, false, true, TYV>(dpt, vs, LD, dos, LD, D, ty, tx);
#pragma unroll
            for (int r = 0; r < RM; ++r)
#pragma unroll
                for (int j = 0; j < NJS; ++j) {
                    const int t = tile_col<true>(tx, j);
                    const float p =
                        key[r] < visq[t] ? exp2f(pt[r][j] * scale_log2 - lse2[t]) : 0.0f;
                    pt[r][j] = p;
                    dpt[r][j] = p * (dpt[r][j] - dlt[t]);
                    pts[tile_row<false, RM, TYV>(ty, r) * LDP + t] = p;
                }
            __syncthreads();
            tile_mma<RM, NJO, false, false, TYV>(dv_acc, pts, LDP, dos, LD, BR, ty, tx);
            __syncthreads();
#pragma unroll
            for (int r = 0; r < RM; ++r)
#pragma unroll
                for (int j = 0; j < NJS; ++j)
                    pts[tile_row<false, RM, TYV>(ty, r) * LDP + tile_col<true>(tx, j)] = dpt[r][j];
            __syncthreads();
            tile_mma<RM, NJO, false, false, TYV>(dk_acc, pts, LDP, qs, LD, BR, ty, tx);
            // dQ rows of this query tile, 32 head-dim columns at a time (keeps registers low).
#pragma unroll 1
            for (int c0 = 0; c0 < D && c0 < d; c0 += 32) {
                float dqa[RMQ][4];
                tile_zero(dqa);
                tile_mma<RMQ, 4, true, false, TYV>(dqa, pts, LDP, ks + c0, LD, BC, ty, tx);
#pragma unroll
                for (int r = 0; r < RMQ; ++r) {
                    const int i = i0 + tile_row<true, RMQ, TYV>(ty, r);
                    if (i >= n) continue;
                    float* dqrow = dq + ((size_t)bh * n + i) * d;
#pragma unroll
                    for (int j = 0; j < 4; ++j) {
                        const int c = c0 + tile_col<false>(tx, j);
                        if (c < d) atomicAdd(&dqrow[c], dqa[r][j] * scale);
                    }
                }
            }
        }
    }

#pragma unroll
    for (int r = 0; r < RM; ++r) {
        if (key[r] >= m) continue;
        float* dkrow = dk + ((size_t)bh * m + key[r]) * d;
        float* dvrow = dv + ((size_t)bh * m + key[r]) * d;
#pragma unroll
        for (int j = 0; j < NJO; ++j) {
            const int c = tile_col<false>(tx, j);
            if (c < d) {
                dkrow[c] = dk_acc[r][j] * scale;
                dvrow[c] = dv_acc[r][j];
            }
        }
    }
}

#define FLASH_BWD_F32(D, BC, BR, NT)                                                           \
    extern "C" __global__ void __launch_bounds__(NT) flash_bwd_f32_d##D(                       \
        const float* q, const float* k, const float* v, const float* dout, const float* lse,   \
        const float* delta, float* dq, float* dk, float* dv, const int* valid_len, int heads,   \
        int n, int m, int d, float scale, int causal) {                                        \
        flash_bwd_f32_impl<D, BC, BR, NT>(q, k, v, dout, lse, delta, dq, dk, dv, valid_len,    \
                                          heads, n, m, d, scale, causal);                      \
    }

// (D, key tile BC, query tile BR, threads): the register tiles of dK and dV hold
// BC * D / threads floats each per thread.
FLASH_BWD_F32(32, 64, 64, 128)
FLASH_BWD_F32(64, 64, 64, 128)
FLASH_BWD_F32(128, 64, 32, 128)
FLASH_BWD_F32(256, 32, 32, 128)
