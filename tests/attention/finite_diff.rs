//! AK3, second half: the f64 gradients agree with central finite differences of the f64 forward.
//!
//! Claim: for the loss `L(q, k, v) = Σ out ∘ w` (`w` = the upstream gradient `d_out`), the
//! backward pass returns `∂L/∂q, ∂L/∂k, ∂L/∂v`.
//! Measured: relative Frobenius error between the backward result and the central difference
//! `(L(x + h·e) − L(x − h·e)) / 2h` taken for every coordinate, ≤ 1e-7.
//! Step: `h = 1e-5`. The truncation error is `h²/6·|L'''| ≈ 2e-11·|L'''|` and the rounding error
//! `≈ ε·|L|/h ≈ 1e-11·|L|` (ε = 1.1e-16); with O(1) derivatives on these O(1) inputs both sit
//! near 1e-10, three orders below the bound, and `h` is close to the optimum `ε^{1/3} ≈ 5e-6`.

use super::wrong::{Bug, Naive};
use attnmech::attention::conformance::Case;
use attnmech::attention::{
    backward, forward, reference, AttentionKernel, CpuTiled, Grads, Reference, Shape,
};

const STEP: f64 = 1e-5;
const TOL: f64 = 1e-7;

fn loss(
    kernel: &dyn AttentionKernel,
    q: &[f64],
    k: &[f64],
    v: &[f64],
    w: &[f64],
    case: &Case,
) -> f64 {
    let f = kernel.forward_f64(q, k, v, case.shape, &case.opts).unwrap();
    f.out.iter().zip(w).map(|(o, w)| o * w).sum()
}

/// Central differences of the loss through `kernel`'s forward, for every coordinate of q, k, v.
fn numerical_grads(kernel: &dyn AttentionKernel, case: &Case) -> Grads<f64> {
    let x = case.inputs();
    let diff = |which: usize| -> Vec<f64> {
        let mut bufs = [x.q.clone(), x.k.clone(), x.v.clone()];
        (0..bufs[which].len())
            .map(|i| {
                let orig = bufs[which][i];
                bufs[which][i] = orig + STEP;
                let up = loss(kernel, &bufs[0], &bufs[1], &bufs[2], &x.d_out, case);
                bufs[which][i] = orig - STEP;
                let down = loss(kernel, &bufs[0], &bufs[1], &bufs[2], &x.d_out, case);
                bufs[which][i] = orig;
                (up - down) / (2.0 * STEP)
            })
            .collect()
    };
    Grads {
        dq: diff(0),
        dk: diff(1),
        dv: diff(2),
    }
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let n = |x: &mut dyn Iterator<Item = f64>| x.map(|v| v * v).sum::<f64>().sqrt();
    n(&mut a.iter().zip(b).map(|(x, y)| x - y)) / n(&mut b.iter().copied()).max(f64::MIN_POSITIVE)
}

/// Largest relative error of `kernel`'s analytic gradients against finite differences of the
/// reference forward.
fn max_fd_error(kernel: &dyn AttentionKernel, case: &Case) -> f64 {
    let x = case.inputs();
    let f = kernel
        .forward_f64(&x.q, &x.k, &x.v, case.shape, &case.opts)
        .unwrap();
    let g = kernel
        .backward_f64(&x.q, &x.k, &x.v, &f, &x.d_out, case.shape, &case.opts)
        .unwrap();
    let num = numerical_grads(&Reference, case);
    [
        rel(&g.dq, &num.dq),
        rel(&g.dk, &num.dk),
        rel(&g.dv, &num.dv),
    ]
    .into_iter()
    .fold(0.0, f64::max)
}

fn shape(batch: usize, q_len: usize, kv_len: usize, head_dim: usize) -> Shape {
    Shape {
        batch,
        heads: 2,
        q_len,
        kv_len,
        head_dim,
    }
}

/// General, causal N < M, causal N > M (rows with no key), and padded-plus-causal shapes.
fn fd_cases() -> Vec<Case> {
    vec![
        Case::new(shape(2, 5, 7, 3), 11),
        Case::new(shape(1, 3, 8, 4), 12).causal(true),
        Case::new(shape(1, 7, 4, 3), 13).causal(true),
        Case::new(shape(3, 6, 6, 2), 14)
            .causal(true)
            .valid(vec![6, 0, 3]),
        Case::new(shape(1, 4, 9, 5), 15).scale(0.7).valid(vec![5]),
    ]
}

/// The f64 reference backward matches finite differences on every shape family (≤ 1e-7).
#[test]
fn reference_gradients_match_finite_differences() {
    for case in fd_cases() {
        let e = max_fd_error(&Reference, &case);
        assert!(
            e <= TOL,
            "reference: FD error {e:.3e} > {TOL:e} [case {case}]"
        );
    }
}

/// The f64 CPU kernel's backward matches the same finite differences (≤ 1e-7).
#[test]
fn cpu_gradients_match_finite_differences() {
    for case in fd_cases() {
        let e = max_fd_error(&CpuTiled, &case);
        assert!(e <= TOL, "cpu: FD error {e:.3e} > {TOL:e} [case {case}]");
    }
}

/// NEGATIVE: the same finite-difference check rejects a backward without the −D term
/// (error of order 1, far above 1e-7).
#[test]
fn finite_differences_reject_backward_without_d_term() {
    let case = &fd_cases()[0];
    let e = max_fd_error(&Naive(Bug::NoDTerm), case);
    assert!(e > 1e-2, "a wrong backward passed the FD check: {e:.3e}");
    assert!(max_fd_error(&Naive(Bug::None), case) <= TOL);
}

/// The D identity `D_i = rowsum(dO ∘ O) = Σ_j P_ij dP_ij` makes every row of dS sum to zero:
/// `Σ_j dS_ij = Σ_j P_ij dP_ij − D_i Σ_j P_ij = 0`. Hence `Σ_j dK_j = scale·Σ_i (Σ_j dS_ij) q_i = 0`
/// (softmax is invariant to adding one vector to every key, so the loss is flat along that
/// direction). Checked for the reference and the CPU kernel (f64) with causal masking, to a bound
/// of 1e-13 relative to `Σ_j |dK_j|` (rounding of a 13-term sum).
#[test]
fn key_gradients_sum_to_zero() {
    let case = Case::new(shape(1, 9, 13, 4), 21).causal(true);
    let x = case.inputs();
    let f = reference::forward(&x.q, &x.k, &x.v, case.shape, &case.opts).unwrap();
    let g = reference::backward(&x.q, &x.k, &x.v, &f, &x.d_out, case.shape, &case.opts).unwrap();
    let (m, d) = (case.shape.kv_len, case.shape.head_dim);
    for h in 0..case.shape.heads {
        for t in 0..d {
            let s: f64 = (0..m).map(|j| g.dk[(h * m + j) * d + t]).sum();
            let scale: f64 = (0..m).map(|j| g.dk[(h * m + j) * d + t].abs()).sum();
            assert!(s.abs() <= 1e-13 * scale.max(1.0), "Σ_j dK_j[{t}] = {s:e}");
        }
    }
    // The CPU kernel keeps the same identity (f64, same bound).
    let fc = forward(&x.q, &x.k, &x.v, case.shape, &case.opts).unwrap();
    let gc = backward(&x.q, &x.k, &x.v, &fc, &x.d_out, case.shape, &case.opts).unwrap();
    for t in 0..d {
        let s: f64 = (0..m).map(|j| gc.dk[j * d + t]).sum();
        let scale: f64 = (0..m).map(|j| gc.dk[j * d + t].abs()).sum();
        assert!(
            s.abs() <= 1e-13 * scale.max(1.0),
            "cpu Σ_j dK_j[{t}] = {s:e}"
        );
    }
}
