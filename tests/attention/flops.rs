//! AK7: the FLOP convention of the FlashAttention benchmark (spec §5), used by the bench and the
//! report: forward 4·B·H·N·M·d (two GEMMs of 2·N·M·d), backward 2.5× forward (five GEMMs), both
//! halved when causal, exp/softmax not counted.

use attnmech::attention::Shape;

/// FLOPs of a GEMM `(r × c) = (r × inner)·(inner × c)`: one multiply and one add per term.
fn gemm(r: u64, inner: u64, c: u64) -> u64 {
    2 * r * inner * c
}

/// Forward = the GEMMs S = QKᵀ and O = PV; backward = S recompute, dV = PᵀdO, dP = dO Vᵀ,
/// dQ = dS K, dK = dSᵀ Q; counted here GEMM by GEMM and compared exactly (integers below 2^53).
#[test]
fn flop_counts_follow_the_flash_attention_convention() {
    for (b, h, n, m, d) in [
        (1, 8, 1024, 1024, 64),
        (4, 8, 256, 256, 64),
        (64, 1, 64, 16, 16),
        (2, 3, 5, 129, 80),
    ] {
        let s = Shape {
            batch: b,
            heads: h,
            q_len: n,
            kv_len: m,
            head_dim: d,
        };
        let (b, h, n, m, d) = (b as u64, h as u64, n as u64, m as u64, d as u64);
        let fwd = b * h * (gemm(n, d, m) + gemm(n, m, d));
        let bwd =
            b * h * (gemm(n, d, m) + gemm(m, n, d) + gemm(n, d, m) + gemm(n, m, d) + gemm(m, n, d));
        assert_eq!(s.flops_forward(false), fwd as f64);
        assert_eq!(s.flops_forward(false), (4 * b * h * n * m * d) as f64);
        assert_eq!(s.flops_backward(false), bwd as f64);
        assert_eq!(s.flops_backward(false), 2.5 * s.flops_forward(false));
        assert_eq!(s.flops_forward(true), fwd as f64 / 2.0);
        assert_eq!(s.flops_backward(true), bwd as f64 / 2.0);
    }
}
