// FlashAttention-2 forward, bf16 in / bf16 out, f32 accumulation on the tensor cores
// (mma.sync.m16n8k16 bf16 -> f32, sm_80+; compiled with common.cuh prepended).
//
// Layout and conventions as flash_fwd.cu (q, out [B, H, N, d]; k, v [B, H, M, d]; lse [B, H, N]
// in f32, natural log; bottom-right causal; valid_len right padding; rows that see no key get
// out = 0 and lse = -inf). bf16 is stored as raw 16-bit words (NVRTC has no cuda_bf16.h).
//
// One block = 4 warps = 64 query rows; warp w owns rows 16 w .. 16 w + 15 and keeps its Q
// fragments in registers for the whole kernel (FA2: split Q across warps, no cross-warp
// reduction). Per key tile of 64 rows: S = Q K^T on the tensor cores (f32 accumulators), the
// online softmax on the accumulator registers (rows g and g + 8 of the fragment, reduced over
// the 4 lanes of a quad), then P is re-packed to bf16 A fragments straight from registers and
// O += P V on the tensor cores. K and V tiles are double-buffered in shared memory and filled
// with cp.async (16-byte chunks, zero-fill past the edges) while the previous tile is being
// used; B fragments come from ldmatrix (.trans for V, which is stored row-major).
// Head dims padded to D in {64, 128}.

typedef unsigned short bf16_t;
typedef unsigned int u32;

__device__ __forceinline__ float bf16_to_f32(bf16_t x) {
    return __uint_as_float(((u32)x) << 16);
}

__device__ __forceinline__ bf16_t f32_to_bf16(float x) {  // round to nearest even
    const u32 b = __float_as_uint(x);
    return (bf16_t)((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}

// Packs (lo, hi) into one register: lo in bits 0..15 (the lower column of an mma fragment).
__device__ __forceinline__ u32 pack_bf16x2(float lo, float hi) {
    u32 r;
    asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
    return r;
}

__device__ __forceinline__ void mma_bf16_16816(float (&c)[4], const u32 (&a)[4], u32 b0, u32 b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
        "{%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ u32 lds32(const bf16_t* p) {
    return *reinterpret_cast<const u32*>(p);
}

// rows x d (row stride d) of global bf16 into a shared [R][ld] tile, zero-padded to D columns;
// transpose = true stores it as [D][ld] (column c of the source becomes row c).
template <int R, int D, bool TRANSPOSE>
__device__ __forceinline__ void load_tile_bf16(bf16_t* __restrict__ dst, int ld,
                                               const bf16_t* __restrict__ src, int rows, int d,
                                               int tid) {
    if ((d & 7) == 0) {
        constexpr int C8 = D / 8;
        for (int idx = tid; idx < R * C8; idx += NTHREADS) {
            const int r = idx / C8;
            const int c = (idx % C8) * 8;
            uint4 x = make_uint4(0u, 0u, 0u, 0u);
            if (r < rows && c < d) x = *reinterpret_cast<const uint4*>(&src[(size_t)r * d + c]);
            if constexpr (!TRANSPOSE) {
                *reinterpret_cast<uint4*>(&dst[r * ld + c]) = x;
            } else {
                const u32 w[4] = {x.x, x.y, x.z, x.w};
#pragma unroll
                for (int i = 0; i < 4; ++i) {
                    dst[(c + 2 * i) * ld + r] = (bf16_t)(w[i] & 0xffffu);
                    dst[(c + 2 * i + 1) * ld + r] = (bf16_t)(w[i] >> 16);
                }
            }
        }
    } else {
        for (int idx = tid; idx < R * D; idx += NTHREADS) {
            const int r = idx / D;
            const int c = idx % D;
            const bf16_t x = (r < rows && c < d) ? src[(size_t)r * d + c] : (bf16_t)0;
            if constexpr (!TRANSPOSE) dst[r * ld + c] = x;
            else dst[c * ld + r] = x;
        }
    }
}

__device__ __forceinline__ u32 smem_addr(const void* p) {
    u32 r;
    asm("{ .reg .u64 a; cvta.to.shared.u64 a, %1; cvt.u32.u64 %0, a; }" : "=r"(r) : "l"(p));
    return r;
}

// Four 8x8 b16 matrices; lane l supplies the row address of matrix l / 8.
__device__ __forceinline__ void ldmatrix_x4(u32 (&r)[4], const bf16_t* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smem_addr(p)));
}

__device__ __forceinline__ void ldmatrix_x4_trans(u32 (&r)[4], const bf16_t* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smem_addr(p)));
}

// 16-byte global -> shared copy that bypasses registers; src_bytes = 0 writes zeros.
__device__ __forceinline__ void cp_async16(bf16_t* dst, const bf16_t* src, int src_bytes) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_addr(dst)),
                 "l"(src), "r"(src_bytes));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n"); }

template <int N>
__device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

// Starts copying rows x d of global bf16 (row stride d) into a shared [R][ld] tile padded with
// zeros to D columns: cp.async when d % 8 == 0, otherwise plain loads (complete on return).
template <int R, int D>
__device__ __forceinline__ void load_tile_bf16_async(bf16_t* __restrict__ dst, int ld,
                                                     const bf16_t* __restrict__ src, int rows,
                                                     int d, int tid) {
    if ((d & 7) == 0) {
        constexpr int C8 = D / 8;
        for (int idx = tid; idx < R * C8; idx += NTHREADS) {
            const int r = idx / C8;
            const int c = (idx % C8) * 8;
            const bool in = r < rows && c < d;
            // Out-of-range chunks read nothing (src_bytes = 0); point them at the tile start.
            cp_async16(&dst[r * ld + c], in ? &src[(size_t)r * d + c] : src, in ? 16 : 0);
        }
    } else {
        load_tile_bf16<R, D, false>(dst, ld, src, rows, d, tid);
    }
}

__device__ __forceinline__ float quad_max(float x) {
    x = fmaxf(x, __shfl_xor_sync(FULL_MASK, x, 1));
    return fmaxf(x, __shfl_xor_sync(FULL_MASK, x, 2));
}

__device__ __forceinline__ float quad_sum(float x) {
    x += __shfl_xor_sync(FULL_MASK, x, 1);
    return x + __shfl_xor_sync(FULL_MASK, x, 2);
}

template <int D>
__device__ __forceinline__ void flash_fwd_bf16_impl(const bf16_t* __restrict__ q,
                                                    const bf16_t* __restrict__ k,
                                                    const bf16_t* __restrict__ v,
                                                    bf16_t* __restrict__ out,
                                                    float* __restrict__ lse,
                                                    const int* __restrict__ valid_len,
                                                    int heads, int n, int m, int d,
                                                    float scale_log2, int causal) {
    constexpr int BR = 64, BC = 64;
    constexpr int LDK = D + 8;   // halfwords; (D + 8) / 2 words = 4 mod 32: conflict-free
    constexpr int KS = D / 16;   // k-steps of S = Q K^T
    constexpr int NO = D / 8;    // n-tiles of O
    constexpr int TILE = BC * LDK;
    extern __shared__ float4 smem4[];
    bf16_t* qs = reinterpret_cast<bf16_t*>(smem4);
    bf16_t* kbuf = qs + BR * LDK;   // two K tiles [BC][LDK]
    bf16_t* vbuf = kbuf + 2 * TILE; // two V tiles [BC][LDK] (row-major; read with .trans)

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int g = lane >> 2, t = lane & 3;
    const int bh = blockIdx.y;
    const int valid = valid_len[bh / heads];
    const int qb = causal ? (int)gridDim.x - 1 - (int)blockIdx.x : (int)blockIdx.x;
    const int q0 = qb * BR;
    const int rows = min(BR, n - q0);
    const bf16_t* kg = k + (size_t)bh * m * d;
    const bf16_t* vg = v + (size_t)bh * m * d;
    const int kv_end = visible_keys(q0 + rows - 1, n, m, valid, causal);

    load_tile_bf16_async<BR, D>(qs, LDK, q + ((size_t)bh * n + q0) * d, rows, d, tid);
    if (kv_end > 0) {
        load_tile_bf16_async<BC, D>(kbuf, LDK, kg, min(BC, m), d, tid);
        load_tile_bf16_async<BC, D>(vbuf, LDK, vg, min(BC, m), d, tid);
    }
    cp_async_commit();
    cp_async_wait<0>();
    __syncthreads();
    u32 qf[KS][4];
    const int r0 = 16 * warp + g;
#pragma unroll
    for (int s = 0; s < KS; ++s) {
        const int c = 16 * s + 2 * t;
        qf[s][0] = lds32(&qs[r0 * LDK + c]);
        qf[s][1] = lds32(&qs[(r0 + 8) * LDK + c]);
        qf[s][2] = lds32(&qs[r0 * LDK + c + 8]);
        qf[s][3] = lds32(&qs[(r0 + 8) * LDK + c + 8]);
    }
    const int i0 = q0 + r0, i1 = i0 + 8;
    const int vis0 = i0 < n ? visible_keys(i0, n, m, valid, causal) : 0;
    const int vis1 = i1 < n ? visible_keys(i1, n, m, valid, causal) : 0;
    // ldmatrix row addresses of this lane inside a tile (see the fragment layouts of m16n8k16).
    const int k_row = (lane & 7) + 8 * (lane >> 4), k_col = 8 * ((lane >> 3) & 1);
    const int v_row = lane & 15, v_col = 8 * (lane >> 4);

    float m0 = NEG_INF, m1 = NEG_INF, l0 = 0.f, l1 = 0.f;
    float o[NO][4];
#pragma unroll
    for (int j = 0; j < NO; ++j) o[j][0] = o[j][1] = o[j][2] = o[j][3] = 0.f;

    int buf = 0;
    for (int k0 = 0; k0 < kv_end; k0 += BC, buf ^= 1) {
        // Prefetch the next tile into the other buffer while this one is used.
        if (k0 + BC < kv_end) {
            const int kn = k0 + BC;
            load_tile_bf16_async<BC, D>(kbuf + (buf ^ 1) * TILE, LDK, kg + (size_t)kn * d,
                                        min(BC, m - kn), d, tid);
            load_tile_bf16_async<BC, D>(vbuf + (buf ^ 1) * TILE, LDK, vg + (size_t)kn * d,
                                        min(BC, m - kn), d, tid);
        }
        cp_async_commit();
        cp_async_wait<1>();  // everything but the group just committed has landed
        __syncthreads();
        const bf16_t* ks = kbuf + buf * TILE;
        const bf16_t* vs = vbuf + buf * TILE;

        float s[BC / 8][4];
#pragma unroll
        for (int j = 0; j < BC / 8; ++j) s[j][0] = s[j][1] = s[j][2] = s[j][3] = 0.f;
#pragma unroll
        for (int kk = 0; kk < KS; ++kk)
#pragma unroll
            for (int j = 0; j < BC / 8; j += 2) {
                u32 b[4];  // b0, b1 of n-tile j, then of n-tile j + 1
                ldmatrix_x4(b, &ks[(8 * j + k_row) * LDK + 16 * kk + k_col]);
                mma_bf16_16816(s[j], qf[kk], b[0], b[1]);
                mma_bf16_16816(s[j + 1], qf[kk], b[2], b[3]);
            }

        float mx0 = NEG_INF, mx1 = NEG_INF;
#pragma unroll
        for (int j = 0; j < BC / 8; ++j) {
            const int key = k0 + 8 * j + 2 * t;
            s[j][0] = key < vis0 ? s[j][0] * scale_log2 : NEG_INF;
            s[j][1] = key + 1 < vis0 ? s[j][1] * scale_log2 : NEG_INF;
            s[j][2] = key < vis1 ? s[j][2] * scale_log2 : NEG_INF;
            s[j][3] = key + 1 < vis1 ? s[j][3] * scale_log2 : NEG_INF;
            mx0 = fmaxf(mx0, fmaxf(s[j][0], s[j][1]));
            mx1 = fmaxf(mx1, fmaxf(s[j][2], s[j][3]));
        }
        const float mn0 = fmaxf(m0, quad_max(mx0)), mn1 = fmaxf(m1, quad_max(mx1));
        const float sh0 = mn0 == NEG_INF ? 0.f : mn0, sh1 = mn1 == NEG_INF ? 0.f : mn1;
        const float a0 = exp2f(m0 - sh0), a1 = exp2f(m1 - sh1);
        m0 = mn0;
        m1 = mn1;
        float sum0 = 0.f, sum1 = 0.f;
#pragma unroll
        for (int j = 0; j < BC / 8; ++j) {
            s[j][0] = exp2f(s[j][0] - sh0);
            s[j][1] = exp2f(s[j][1] - sh0);
            s[j][2] = exp2f(s[j][2] - sh1);
            s[j][3] = exp2f(s[j][3] - sh1);
            sum0 += s[j][0] + s[j][1];
            sum1 += s[j][2] + s[j][3];
        }
        l0 = l0 * a0 + sum0;
        l1 = l1 * a1 + sum1;
#pragma unroll
        for (int j = 0; j < NO; ++j) {
            o[j][0] *= a0; o[j][1] *= a0;
            o[j][2] *= a1; o[j][3] *= a1;
        }
        // O += P V: the S accumulators of n-tiles (2 kk, 2 kk + 1) are the A fragment of
        // k-step kk (16 keys).
#pragma unroll
        for (int kk = 0; kk < BC / 16; ++kk) {
            const u32 pa[4] = {pack_bf16x2(s[2 * kk][0], s[2 * kk][1]),
                               pack_bf16x2(s[2 * kk][2], s[2 * kk][3]),
                               pack_bf16x2(s[2 * kk + 1][0], s[2 * kk + 1][1]),
                               pack_bf16x2(s[2 * kk + 1][2], s[2 * kk + 1][3])};
#pragma unroll
            for (int j = 0; j < NO; j += 2) {
                u32 b[4];
                ldmatrix_x4_trans(b, &vs[(16 * kk + v_row) * LDK + 8 * j + v_col]);
                mma_bf16_16816(o[j], pa, b[0], b[1]);
                mma_bf16_16816(o[j + 1], pa, b[2], b[3]);
            }
        }
        __syncthreads();  // all warps are done with this buffer before it is refilled
    }

    l0 = quad_sum(l0);
    l1 = quad_sum(l1);
    const float inv0 = l0 > 0.f ? 1.f / l0 : 0.f, inv1 = l1 > 0.f ? 1.f / l1 : 0.f;
#pragma unroll
    for (int j = 0; j < NO; ++j) {
        const int c = 8 * j + 2 * t;
        if (i0 < n) {
            bf16_t* orow = out + ((size_t)bh * n + i0) * d;
            if (c < d) orow[c] = f32_to_bf16(o[j][0] * inv0);
            if (c + 1 < d) orow[c + 1] = f32_to_bf16(o[j][1] * inv0);
        }
        if (i1 < n) {
            bf16_t* orow = out + ((size_t)bh * n + i1) * d;
            if (c < d) orow[c] = f32_to_bf16(o[j][2] * inv1);
            if (c + 1 < d) orow[c + 1] = f32_to_bf16(o[j][3] * inv1);
        }
    }
    if (t == 0) {
        if (i0 < n) lse[(size_t)bh * n + i0] = l0 > 0.f ? (m0 + log2f(l0)) * LN2 : NEG_INF;
        if (i1 < n) lse[(size_t)bh * n + i1] = l1 > 0.f ? (m1 + log2f(l1)) * LN2 : NEG_INF;
    }
}

#define FLASH_FWD_BF16(D)                                                                      \
    extern "C" __global__ void __launch_bounds__(NTHREADS) flash_fwd_bf16_d##D(                \
        const bf16_t* q, const bf16_t* k, const bf16_t* v, bf16_t* out, float* lse,            \
        const int* valid_len, int heads, int n, int m, int d, float scale_log2, int causal) {  \
        flash_fwd_bf16_impl<D>(q, k, v, out, lse, valid_len, heads, n, m, d, scale_log2,       \
                               causal);                                                        \
    }

FLASH_FWD_BF16(64)
FLASH_FWD_BF16(128)
