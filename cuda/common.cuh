// Shared device helpers for the attention kernels. NVRTC has no default headers and cudarc's
// program API takes no header list, so the Rust side prepends this file to every `.cu` source
// before compiling it (see `src/cuda/source.rs`).
//
// Thread layout used by every tiled kernel: 128 threads = a 16 x 8 grid, `ty = tid / 8` owns
// rows, `tx = tid % 8` owns columns. The 8 threads of one row group sit in consecutive lanes of
// one warp, so row reductions are three `__shfl_xor_sync` steps.

#define NTHREADS 128
#define TY 16
#define TX 8
#define NEG_INF __int_as_float(0xff800000)
#define LOG2E 1.4426950408889634f
#define LN2 0.6931471805599453f
#define FULL_MASK 0xffffffffu

// Row `r` of a thread's register tile. A stored row-major [row][k] (A_T = false) gives
// interleaved rows `ty + 16 r` (conflict-free float4 loads along k when the row stride is
// 4 mod 32 words); A stored k-major [k][row] (A_T = true) gives contiguous rows `ty * RM + r`.
// TYV = threads per block / 8 row groups (16 for 128 threads, 32 for 256).
template <bool A_T, int RM, int TYV = TY>
__device__ __forceinline__ int tile_row(int ty, int r) {
    return A_T ? ty * RM + r : ty + TYV * r;
}

// Column `j` of a thread's register tile. B stored k-major [k][col] (B_T = false) gives columns
// `32 (j / 4) + 4 tx + j % 4` (8 threads read 128 contiguous bytes); B stored [col][k]
// (B_T = true) gives interleaved columns `tx + 8 j` (conflict-free float4 loads along k).
template <bool B_T>
__device__ __forceinline__ int tile_col(int tx, int j) {
    return B_T ? tx + TX * j : 32 * (j / 4) + 4 * tx + (j % 4);
}

// Register-tiled block GEMM on shared memory: c[r][j] += sum_k A(row r, k) * B(k, col j) over
// k in [0, kdim), kdim a multiple of 4, strides multiples of 4 (16-byte aligned float4 loads).
template <int RM, int NJ, bool A_T, bool B_T, int TYV = TY>
__device__ __forceinline__ void tile_mma(float (&c)[RM][NJ], const float* __restrict__ a, int lda,
                                         const float* __restrict__ b, int ldb, int kdim, int ty,
                                         int tx) {
    static_assert(B_T || NJ % 4 == 0, "k-major B needs a multiple of 4 columns per thread");
#pragma unroll 1
    for (int k0 = 0; k0 < kdim; k0 += 4) {
        float af[RM][4];
        float bf[NJ][4];
        if constexpr (!A_T) {
#pragma unroll
            for (int r = 0; r < RM; ++r) {
                const float4 x = *reinterpret_cast<const float4*>(&a[(ty + TYV * r) * lda + k0]);
                af[r][0] = x.x; af[r][1] = x.y; af[r][2] = x.z; af[r][3] = x.w;
            }
        } else {
#pragma unroll
            for (int kk = 0; kk < 4; ++kk) {
                if constexpr (RM % 4 == 0) {
#pragma unroll
                    for (int r4 = 0; r4 < RM / 4; ++r4) {
                        const float4 x = *reinterpret_cast<const float4*>(
                            &a[(k0 + kk) * lda + ty * RM + 4 * r4]);
                        af[4 * r4][kk] = x.x; af[4 * r4 + 1][kk] = x.y;
                        af[4 * r4 + 2][kk] = x.z; af[4 * r4 + 3][kk] = x.w;
                    }
                } else {
#pragma unroll
                    for (int r = 0; r < RM; ++r) af[r][kk] = a[(k0 + kk) * lda + ty * RM + r];
                }
            }
        }
        if constexpr (!B_T) {
#pragma unroll
            for (int kk = 0; kk < 4; ++kk) {
#pragma unroll
                for (int j4 = 0; j4 < NJ / 4; ++j4) {
                    const float4 x =
                        *reinterpret_cast<const float4*>(&b[(k0 + kk) * ldb + 32 * j4 + 4 * tx]);
                    bf[4 * j4][kk] = x.x; bf[4 * j4 + 1][kk] = x.y;
                    bf[4 * j4 + 2][kk] = x.z; bf[4 * j4 + 3][kk] = x.w;
                }
            }
        } else {
#pragma unroll
            for (int j = 0; j < NJ; ++j) {
                const float4 x = *reinterpret_cast<const float4*>(&b[(tx + TX * j) * ldb + k0]);
                bf[j][0] = x.x; bf[j][1] = x.y; bf[j][2] = x.z; bf[j][3] = x.w;
            }
        }
#pragma unroll
        for (int kk = 0; kk < 4; ++kk)
#pragma unroll
            for (int r = 0; r < RM; ++r)
#pragma unroll
                for (int j = 0; j < NJ; ++j) c[r][j] = fmaf(af[r][kk], bf[j][kk], c[r][j]);
    }
}

template <int RM, int NJ>
__device__ __forceinline__ void tile_zero(float (&c)[RM][NJ]) {
#pragma unroll
    for (int r = 0; r < RM; ++r)
#pragma unroll
        for (int j = 0; j < NJ; ++j) c[r][j] = 0.0f;
}

// Copies rows [0, rows) x cols [0, d) of a row-major global matrix (row stride d) into a
// shared tile of R x D floats with row stride ld, writing zeros outside (rows >= rows,
// cols >= d), so padded lanes contribute nothing to the GEMMs.
template <int R, int D, int NT = NTHREADS>
__device__ __forceinline__ void load_tile(float* __restrict__ dst, int ld,
                                          const float* __restrict__ src, int rows, int d,
                                          int tid) {
    if ((d & 3) == 0) {
        constexpr int C4 = D / 4;
        for (int idx = tid; idx < R * C4; idx += NT) {
            const int r = idx / C4;
            const int c = (idx % C4) * 4;
            float4 x = make_float4(0.f, 0.f, 0.f, 0.f);
            if (r < rows && c < d) x = *reinterpret_cast<const float4*>(&src[(size_t)r * d + c]);
            *reinterpret_cast<float4*>(&dst[r * ld + c]) = x;
        }
    } else {
        for (int idx = tid; idx < R * D; idx += NT) {
            const int r = idx / D;
            const int c = idx % D;
            dst[r * ld + c] = (r < rows && c < d) ? src[(size_t)r * d + c] : 0.0f;
        }
    }
}

// Number of keys query row i of a batch entry sees (it sees exactly keys [0, visible)):
// right padding keeps `valid` keys; causal is bottom-right aligned, j <= i + M - N.
__device__ __forceinline__ int visible_keys(int i, int n, int m, int valid, int causal) {
    if (!causal) return valid;
    const long long t = (long long)i + m + 1 - n;
    return t <= 0 ? 0 : (t < valid ? (int)t : valid);
}

// Max / sum over the 8 lanes of one row group.
__device__ __forceinline__ float group_max(float x) {
    x = fmaxf(x, __shfl_xor_sync(FULL_MASK, x, 1));
    x = fmaxf(x, __shfl_xor_sync(FULL_MASK, x, 2));
    x = fmaxf(x, __shfl_xor_sync(FULL_MASK, x, 4));
    return x;
}

__device__ __forceinline__ float group_sum(float x) {
    x += __shfl_xor_sync(FULL_MASK, x, 1);
    x += __shfl_xor_sync(FULL_MASK, x, 2);
    x += __shfl_xor_sync(FULL_MASK, x, 4);
    return x;
}

// Block-wide reductions for NTHREADS threads; `red` is NTHREADS / 32 floats of shared memory.
// Every thread gets the result. Fixed order, so the same inputs give the same bits.
__device__ __forceinline__ float block_sum(float x, float* red) {
#pragma unroll
    for (int off = 16; off > 0; off /= 2) x += __shfl_xor_sync(FULL_MASK, x, off);
    __syncthreads();
    if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = x;
    __syncthreads();
    float s = 0.0f;
#pragma unroll
    for (int w = 0; w < NTHREADS / 32; ++w) s += red[w];
    return s;
}

__device__ __forceinline__ float block_max(float x, float* red) {
#pragma unroll
    for (int off = 16; off > 0; off /= 2) x = fmaxf(x, __shfl_xor_sync(FULL_MASK, x, off));
    __syncthreads();
    if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = x;
    __syncthreads();
    float s = NEG_INF;
#pragma unroll
    for (int w = 0; w < NTHREADS / 32; ++w) s = fmaxf(s, red[w]);
    return s;
}
