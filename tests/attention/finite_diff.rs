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
    backward, forward, reference, AttentionKernel, CpuTiled, Grads, Options, Reference, Shape, View,
};

const STEP: f64 = 1e-5;
const TOL: f64 = 1e-7;

/// Dense views of `(q, k, v)` in the case's geometry.
fn views<'a>(case: &Case, x: [&'a [f64]; 3]) -> [View<'a, f64>; 3] {
    let s = case.shape;
    [
        View::bhsd("q", x[0], s.batch, s.heads, s.q_len, s.head_dim).unwrap(),
        View::bhsd("k", x[1], s.batch, case.kv_heads, s.kv_len, s.head_dim).unwrap(),
        View::bhsd("v", x[2], s.batch, case.kv_heads, s.kv_len, case.v_dim).unwrap(),
    ]
}

fn loss(
    kernel: &dyn AttentionKernel<f64>,
    x: [&[f64]; 3],
    w: &[f64],
    case: &Case,
    opts: &Options,
) -> f64 {
    let [q, k, v] = views(case, x);
    let f = kernel.forward(q, k, v, opts).unwrap();
    f.out.iter().zip(w).map(|(o, w)| o * w).sum()
}

/// Central differences of the loss through `kernel`'s forward, for every coordinate of q, k, v
/// and of the sink logits (when the case has sinks).
fn numerical_grads(kernel: &dyn AttentionKernel<f64>, case: &Case) -> Grads<f64> {
    let x = case.inputs();
    let diff = |which: usize| -> Vec<f64> {
        let mut bufs = [x.q.clone(), x.k.clone(), x.v.clone()];
        (0..bufs[which].len())
            .map(|i| {
                let orig = bufs[which][i];
                bufs[which][i] = orig + STEP;
                let up = loss(
                    kernel,
                    [&bufs[0], &bufs[1], &bufs[2]],
                    &x.d_out,
                    case,
                    &case.opts,
                );
                bufs[which][i] = orig - STEP;
                let down = loss(
                    kernel,
                    [&bufs[0], &bufs[1], &bufs[2]],
                    &x.d_out,
                    case,
                    &case.opts,
                );
                bufs[which][i] = orig;
                (up - down) / (2.0 * STEP)
            })
            .collect()
    };
    let d_sink = match case.opts.get_sinks() {
        None => Vec::new(),
        Some(sinks) => (0..sinks.len())
            .map(|h| {
                let at = |delta: f64| {
                    let mut s = sinks.to_vec();
                    s[h] += delta;
                    let opts = case.opts.clone().sinks(s);
                    loss(kernel, [&x.q, &x.k, &x.v], &x.d_out, case, &opts)
                };
                (at(STEP) - at(-STEP)) / (2.0 * STEP)
            })
            .collect(),
    };
    Grads {
        dq: diff(0),
        dk: diff(1),
        dv: diff(2),
        d_sink,
    }
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let n = |x: &mut dyn Iterator<Item = f64>| x.map(|v| v * v).sum::<f64>().sqrt();
    n(&mut a.iter().zip(b).map(|(x, y)| x - y)) / n(&mut b.iter().copied()).max(f64::MIN_POSITIVE)
}

/// Largest relative error of `kernel`'s analytic gradients (incl. `d_sink`) against finite
/// differences of the reference forward.
fn max_fd_error(kernel: &dyn AttentionKernel<f64>, case: &Case) -> f64 {
    let x = case.inputs();
    let [q, k, v] = views(case, [&x.q, &x.k, &x.v]);
    let f = kernel.forward(q, k, v, &case.opts).unwrap();
    let s = case.shape;
    let d_out = View::bhsd("d_out", &x.d_out, s.batch, s.heads, s.q_len, case.v_dim).unwrap();
    let g = kernel.backward(q, k, v, &f, d_out, &case.opts).unwrap();
    let num = numerical_grads(&Reference, case);
    let mut e = [
        rel(&g.dq, &num.dq),
        rel(&g.dk, &num.dk),
        rel(&g.dv, &num.dv),
    ]
    .into_iter()
    .fold(0.0, f64::max);
    if !num.d_sink.is_empty() {
        e = e.max(rel(&g.d_sink, &num.d_sink));
    }
    e
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

fn packed(heads: usize, d: usize, lens: &[(usize, usize)], seed: u64) -> Case {
    let (mut cq, mut ck) = (vec![0], vec![0]);
    for &(n, m) in lens {
        cq.push(cq[cq.len() - 1] + n);
        ck.push(ck[ck.len() - 1] + m);
    }
    let sh = Shape {
        batch: 1,
        heads,
        q_len: cq[cq.len() - 1],
        kv_len: ck[ck.len() - 1],
        head_dim: d,
    };
    Case::new(sh, seed).with(|o| o.varlen(cq, ck))
}

/// One case per feature of issue 10: GQA (group 2) and MQA, a sliding window, soft-cap near
/// saturation, ALiBi, sinks (with rows that see no key), varlen with empty and length-1
/// sequences, `d_v ≠ d`, and all of them at once.
fn feature_fd_cases() -> Vec<Case> {
    let h4 = Shape {
        batch: 1,
        heads: 4,
        q_len: 5,
        kv_len: 6,
        head_dim: 3,
    };
    vec![
        Case::new(h4, 31).kv_heads(2).causal(true),
        Case::new(h4, 32).kv_heads(1),
        Case::new(shape(1, 7, 9, 3), 33).with(|o| o.window(2, 1)),
        Case::new(shape(1, 5, 6, 3), 34)
            .data(attnmech::attention::conformance::Data::Gaussian { amplitude: 2.0 })
            .with(|o| o.softcap(0.7)),
        Case::new(shape(1, 5, 7, 3), 35).with(|o| o.alibi(vec![0.5, 0.125]).causal(true)),
        Case::new(shape(1, 7, 4, 3), 36).with(|o| o.sinks(vec![0.3, -1.2]).causal(true)),
        packed(2, 3, &[(0, 2), (1, 1), (3, 4), (4, 3)], 37).causal(true),
        Case::new(shape(1, 4, 5, 4), 38).v_dim(2),
        Case::new(h4, 39).kv_heads(2).v_dim(2).with(|o| {
            o.window(3, 0)
                .softcap(1.5)
                .alibi(vec![0.1, 0.2, 0.3, 0.4])
                .sinks(vec![0.0, 0.5, -0.5, 1.0])
        }),
    ]
}

/// The f64 reference and CPU backward of every feature (incl. `d_sink`) match finite
/// differences of the reference forward (≤ 1e-7).
#[test]
fn feature_gradients_match_finite_differences() {
    for case in feature_fd_cases() {
        for (name, kernel) in [
            ("reference", &Reference as &dyn AttentionKernel<f64>),
            ("cpu", &CpuTiled),
        ] {
            let e = max_fd_error(kernel, &case);
            assert!(e <= TOL, "{name}: FD error {e:.3e} > {TOL:e} [case {case}]");
        }
    }
}

/// NEGATIVE: the finite-difference check rejects a soft-cap backward without the tanh factor.
#[test]
fn finite_differences_reject_softcap_without_tanh_derivative() {
    let case = &feature_fd_cases()[3];
    let e = max_fd_error(&Naive(Bug::SoftcapNoTanhGrad), case);
    assert!(
        e > 1e-2,
        "a wrong soft-cap backward passed the FD check: {e:.3e}"
    );
    assert!(max_fd_error(&Naive(Bug::None), case) <= TOL);
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
