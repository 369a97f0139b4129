// One-layer next-token model (Li et al., AISTATS 2024; spec next_token_scc.md §1), batched
// forward + gradient, f32 (compiled with common.cuh prepended).
//
// Sample i: token ids tau_i (length T), label y_i (must occur in tau_i). With embeddings E
// [K, d] row-major, x_t = E[tau_t], query xbar = x_{T-1}, W [d, d] row-major:
//   sigma_t = x_t^T W xbar,  a = softmax(sigma),  pi(y) = sum_{t: tau_t = y} a_t,
//   loss_i = -log pi(y_i),   dL/dW = (1/n) sum_i z_i xbar_i^T,  z_i = sum_t g_it x_it,
//   g_t = a_t for t outside the label positions O^c, g_t = -(sum_{t in O} a_t) / m at the m
//   label positions (the same as a_t - 1/m in exact arithmetic, without the cancellation).
// The loss uses log1p((1/m) sum_{t in O} exp(sigma_t - sigma_y)) when the label has the
// largest score (accurate for tiny losses) and lse - sigma_y - log m otherwise.
//
// ntp_forward: one block per sample; writes loss[i], z[i, :], xbar[i, :].
// ntp_grad:    grad[r, c] = inv_n * sum_i z[i, r] xbar[i, c], one thread per entry, fixed order.
// Dynamic shared memory of ntp_forward: (2 d + T) floats.

extern "C" __global__ void __launch_bounds__(NTHREADS)
    ntp_forward(const float* __restrict__ emb, const float* __restrict__ w,
                const int* __restrict__ tokens, const int* __restrict__ labels, int t_len, int d,
                float* __restrict__ loss, float* __restrict__ z, float* __restrict__ xbar_out) {
    extern __shared__ float4 smem4[];
    float* xb = reinterpret_cast<float*>(smem4);
    float* u = xb + d;
    float* sig = u + d;
    __shared__ float red[NTHREADS / 32];
    const int i = blockIdx.x, tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
    const int* tau = tokens + (size_t)i * t_len;
    const int y = labels[i];
    const float* xlast = emb + (size_t)tau[t_len - 1] * d;
    for (int c = tid; c < d; c += NTHREADS) {
        xb[c] = xlast[c];
        xbar_out[(size_t)i * d + c] = xlast[c];
    }
    __syncthreads();
    for (int r = tid; r < d; r += NTHREADS) {  // u = W xbar
        const float* wr = w + (size_t)r * d;
        float acc = 0.0f;
        for (int c = 0; c < d; ++c) acc = fmaf(wr[c], xb[c], acc);
        u[r] = acc;
    }
    __syncthreads();
    for (int t = warp; t < t_len; t += NTHREADS / 32) {  // sigma_t = x_t . u
        const float* xt = emb + (size_t)tau[t] * d;
        float acc = 0.0f;
        for (int r = lane; r < d; r += 32) acc = fmaf(xt[r], u[r], acc);
#pragma unroll
        for (int off = 16; off > 0; off /= 2) acc += __shfl_xor_sync(FULL_MASK, acc, off);
        if (lane == 0) sig[t] = acc;
    }
    __syncthreads();
    // Label positions share one score (same embedding row, same arithmetic): take the first.
    float mx = NEG_INF, cnt = 0.0f, first = (float)t_len;
    for (int t = tid; t < t_len; t += NTHREADS) {
        mx = fmaxf(mx, sig[t]);
        if (tau[t] == y) {
            cnt += 1.0f;
            first = fminf(first, (float)t);
        }
    }
    mx = block_max(mx, red);
    const float m = block_sum(cnt, red);
    first = -block_max(-first, red);
    const float sy = sig[(int)first];
    float se = 0.0f, so = 0.0f;
    for (int t = tid; t < t_len; t += NTHREADS) {
        se += exp2f((sig[t] - mx) * LOG2E);
        if (tau[t] != y) so += exp2f((sig[t] - sy) * LOG2E);
    }
    const float sum_all = block_sum(se, red);
    const float lse = mx + logf(sum_all);
    float l;
    if (mx <= sy) {
        l = log1pf(block_sum(so, red) / m);
    } else {
        l = lse - sy - logf(m);
    }
    // Mass outside the label positions, then the coefficients g_t (kept in sig).
    float ao = 0.0f;
    for (int t = tid; t < t_len; t += NTHREADS)
        if (tau[t] != y) ao += exp2f((sig[t] - lse) * LOG2E);
    ao = block_sum(ao, red);  // (its internal barrier also orders the sig reads above)
    for (int t = tid; t < t_len; t += NTHREADS)
        sig[t] = tau[t] != y ? exp2f((sig[t] - lse) * LOG2E) : -ao / m;
    __syncthreads();
    for (int r = tid; r < d; r += NTHREADS) {
        float acc = 0.0f;
        for (int t = 0; t < t_len; ++t) acc = fmaf(sig[t], emb[(size_t)tau[t] * d + r], acc);
        z[(size_t)i * d + r] = acc;
    }
    if (tid == 0) loss[i] = l;
}

extern "C" __global__ void __launch_bounds__(NTHREADS)
    ntp_grad(const float* __restrict__ z, const float* __restrict__ xbar, int n, int d,
             float inv_n, float* __restrict__ grad) {
    const long long idx = (long long)blockIdx.x * NTHREADS + threadIdx.x;
    if (idx >= (long long)d * d) return;
    const int r = (int)(idx / d), c = (int)(idx % d);
    float acc = 0.0f;
    for (int i = 0; i < n; ++i) acc = fmaf(z[(size_t)i * d + r], xbar[(size_t)i * d + c], acc);
    grad[idx] = acc * inv_n;
}
