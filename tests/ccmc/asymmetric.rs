//! Issue 13: E1 and the winner-takes-all worked cases on an ASYMMETRIC W̄, so that reading W̄
//! transposed (key ↔ query) is caught. E1's W̄ = I and A7.5's 2-cycle are symmetric and cannot see
//! that bug. Each check is run on the shipped code and on a transposed-W̄ negative control.

use attnmech::ccmc::kernel::{next_token_probs, Wbar};
use attnmech::ccmc::winner::{fitness, loser_exponents, single_winner_stable};

/// E1a: K = 3, W̄ (row = key k, column = query j) = [[0, 1, 2], [½, 0, −1], [0, 3, 1]].
fn e1a() -> Wbar {
    let rows = [[0.0, 1.0, 2.0], [0.5, 0.0, -1.0], [0.0, 3.0, 1.0]];
    Wbar::from_fn(3, |k, j| rows[k][j]).unwrap()
}

fn transposed(w: &Wbar) -> Wbar {
    Wbar::from_fn(w.vocab(), |k, j| w.get(j, k).unwrap()).unwrap()
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Hand values for E1a, prompt [0, 1, 1, 2] (query 2, counts m = (1, 2, 1)): the query column is
/// W̄[·, 2] = (2, −1, 1), so P ∝ (e², 2e⁻¹, e). (Transposed, row 2 = (0, 3, 1) would give
/// P ∝ (1, 2e³, e).)
fn e1a_closed_form() -> [f64; 3] {
    let w = [2f64.exp(), 2.0 * (-1f64).exp(), 1f64.exp()];
    let z: f64 = w.iter().sum();
    [w[0] / z, w[1] / z, w[2] / z]
}

/// E1a [M, exact]: `next_token_probs` equals the closed form `m_k e^{W̄[k,j]} / Σ m_l e^{W̄[l,j]}`
/// with j = the last token, on an asymmetric W̄. Tolerance 1e-15 (as E1: closed form vs
/// log-domain softmax of O(1) numbers).
#[test]
fn e1a_asymmetric_closed_form() {
    let p = next_token_probs(&e1a(), &[0, 1, 1, 2]).unwrap();
    assert!(max_abs_diff(&p, &e1a_closed_form()) <= 1e-15, "{p:?}");
}

/// Negative control: the transposed W̄ misses the E1a closed form by far more than 1e-15.
#[test]
fn e1a_rejects_transposed_wbar() {
    let p = next_token_probs(&transposed(&e1a()), &[0, 1, 1, 2]).unwrap();
    assert!(max_abs_diff(&p, &e1a_closed_form()) > 0.1);
}

/// Hand values on E1a for the A7 tools (a(j→i) = e^{W̄[i, j]}):
/// - loser exponents at winner k = 1: `exp(W̄[i,1] − W̄[1,1]) = (e¹, 1, e³)`;
/// - no single winner is stable: W̄[0,1] = 1 > W̄[1,1] = 0, W̄[1,0] = ½ > W̄[0,0] = 0 and
///   W̄[0,2] = 2 > W̄[2,2] = 1 (each column has an off-diagonal entry above its diagonal);
/// - fitness at π = (½, ½, 0): F_i = ½ e^{W̄[i,0]}/Z₀ + ½ e^{W̄[i,1]}/Z₁, Z₀ = ½(1 + e^{½}),
///   Z₁ = ½(e + 1).
fn e1a_tool_values() -> ([f64; 3], [f64; 3]) {
    let e = f64::exp;
    let r = [e(1.0), 1.0, e(3.0)];
    let (z0, z1) = (0.5 * (1.0 + e(0.5)), 0.5 * (e(1.0) + 1.0));
    let col0 = [0.0, 0.5, 0.0];
    let col1 = [1.0, 0.0, 3.0];
    let f = [0, 1, 2].map(|i| 0.5 * e(col0[i]) / z0 + 0.5 * e(col1[i]) / z1);
    (r, f)
}

/// A7 tools on E1a [M, exact to 1e-14]: loser exponents, single-winner criterion and fitness equal
/// the hand values above.
#[test]
fn a7_tools_on_asymmetric_wbar() {
    let w = e1a();
    let (r, f) = e1a_tool_values();
    assert!(max_abs_diff(&loser_exponents(&w, 1).unwrap(), &r) <= 1e-14);
    for k in 0..3 {
        assert!(!single_winner_stable(&w, k, &[0, 1, 2]).unwrap());
    }
    assert!(max_abs_diff(&fitness(&w, &[0.5, 0.5, 0.0]).unwrap(), &f) <= 1e-14);
    // F_i = 1 on the support would need a rest point; here only the identity Σ π_i F_i = 1 holds
    assert!((0.5 * f[0] + 0.5 * f[1] - 1.0).abs() <= 1e-14);
}

/// Negative control: with W̄ transposed, loser exponents and fitness miss the hand values.
#[test]
fn a7_tools_reject_transposed_wbar() {
    let wt = transposed(&e1a());
    let (r, f) = e1a_tool_values();
    assert!(max_abs_diff(&loser_exponents(&wt, 1).unwrap(), &r) > 0.1);
    assert!(max_abs_diff(&fitness(&wt, &[0.5, 0.5, 0.0]).unwrap(), &f) > 0.1);
}
