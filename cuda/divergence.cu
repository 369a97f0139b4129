// Divergences between teacher log-probabilities and student logits over a large vocabulary,
// with their gradients w.r.t. the logits (DistillSpec; spec distillation_cascades_memory.md
// §1 K1.1-K1.2), f32 (compiled with common.cuh prepended).
//
// Row r: teacher log-probs lp [V] (may hold -inf), student logits z [V]; lq = z - lse(z),
// q = exp(lq), p = exp(lp). kind: 0 FKL, 1 RKL, 2 JSD[beta], 3 TVD.
//   FKL  D = sum p (lp - lq)                          g = q - p
//   RKL  f = lq - lp~, D = sum q f                    g = q (f - D)    (lp~ = max(lp, -1e4))
//   JSD  lm = logaddexp(ln b + lp, ln(1-b) + lq)
//        D = b sum p (lp - lm) + (1-b) sum q (lq - lm),  g = (1-b) q (g' - sum q g'), g' = lq - lm
//        (beta = 0 is FKL and beta = 1 is RKL by convention; the host maps them)
//   TVD  D = 1/2 sum |p - q|,  s = sign(q - p),       g = 1/2 q (s - sum q s)
// Terms with p = 0 contribute 0 to the p-sums (xlogy(0, .) = 0).
// One block per row, three passes over the row: max/sum of z, the sums, the gradient.

#define RKL_LP_FLOOR -1.0e4f

__device__ __forceinline__ float logaddexp(float a, float b) {
    const float m = fmaxf(a, b);
    if (m == NEG_INF) return NEG_INF;
    return m + log1pf(expf(-fabsf(a - b)));
}

extern "C" __global__ void __launch_bounds__(NTHREADS)
    divergence_fwd_bwd(const float* __restrict__ lp_all, const float* __restrict__ z_all,
                       int vocab, int kind, float beta, float* __restrict__ div,
                       float* __restrict__ grad_all) {
    __shared__ float red[NTHREADS / 32];
    const int row = blockIdx.x, tid = threadIdx.x;
    const float* lp = lp_all + (size_t)row * vocab;
    const float* z = z_all + (size_t)row * vocab;
    float* grad = grad_all + (size_t)row * vocab;

    float mx = NEG_INF;
    for (int v = tid; v < vocab; v += NTHREADS) mx = fmaxf(mx, z[v]);
    mx = block_max(mx, red);
    float se = 0.0f;
    for (int v = tid; v < vocab; v += NTHREADS) se += expf(z[v] - mx);
    const float lse = mx + logf(block_sum(se, red));

    const float lnb = logf(beta), ln1b = log1pf(-beta);
    float dsum = 0.0f, aux = 0.0f;  // divergence, and sum_v q_v * (per-kind factor)
    for (int v = tid; v < vocab; v += NTHREADS) {
        const float lq = z[v] - lse, q = expf(lq), l = lp[v], p = expf(l);
        if (kind == 0) {
            if (p > 0.0f) dsum += p * (l - lq);
        } else if (kind == 1) {
            const float f = lq - fmaxf(l, RKL_LP_FLOOR);
            dsum += q * f;
        } else if (kind == 2) {
            const float lm = logaddexp(lnb + l, ln1b + lq);
            if (p > 0.0f) dsum += beta * p * (l - lm);
            dsum += (1.0f - beta) * q * (lq - lm);
            aux += q * (lq - lm);
        } else {
            dsum += 0.5f * fabsf(p - q);
            const float s = q > p ? 1.0f : (q < p ? -1.0f : 0.0f);
            aux += q * s;
        }
    }
    dsum = block_sum(dsum, red);
    aux = block_sum(aux, red);
    if (kind == 1) aux = dsum;  // RKL: sum q f = D
    for (int v = tid; v < vocab; v += NTHREADS) {
        const float lq = z[v] - lse, q = expf(lq), l = lp[v];
        float g;
        if (kind == 0) {
            g = q - expf(l);
        } else if (kind == 1) {
            g = q * (lq - fmaxf(l, RKL_LP_FLOOR) - aux);
        } else if (kind == 2) {
            const float lm = logaddexp(lnb + l, ln1b + lq);
            g = (1.0f - beta) * q * ((lq - lm) - aux);
        } else {
            const float p = expf(l);
            const float s = q > p ? 1.0f : (q < p ? -1.0f : 0.0f);
            g = 0.5f * q * (s - aux);
        }
        grad[v] = g;
    }
    if (tid == 0) div[row] = dsum;
}
