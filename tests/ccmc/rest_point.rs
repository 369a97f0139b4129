//! A7.3 / spec C: the mean-field rest-point solver `ccmc::winner::rest_point`.
//!
//! The oracle is independent of the solver: the test builds `Q_π(j → k) ∝ π_k exp(W̄[k, j])` from
//! W̄ itself, takes its stationary law by power iteration, and checks `π = stationary(Q_π)`.

use attnmech::ccmc::kernel::Wbar;
use attnmech::ccmc::winner::{loser_exponents, rest_point, single_winner_stable};
use attnmech::rng::seeded;
use attnmech::Error;
use rand::Rng;

/// `max_k |stationary(Q_π)_k − π_k|`, `Q_π` built from W̄ over the support of `π`.
fn stationarity_gap(wbar: &Wbar, pi: &[f64]) -> f64 {
    let kk = pi.len();
    let support: Vec<usize> = (0..kk).filter(|&k| pi[k] > 0.0).collect();
    let q: Vec<Vec<f64>> = (0..kk)
        .map(|j| {
            let row: Vec<f64> = (0..kk)
                .map(|k| pi[k] * wbar.get(k, j).unwrap().exp())
                .collect();
            let z: f64 = row.iter().sum();
            row.iter().map(|v| v / z).collect()
        })
        .collect();
    // Lazy power iteration (½(I + Q)) from uniform on the support: aperiodic, same fixed point.
    let mut mu = vec![0.0; kk];
    support
        .iter()
        .for_each(|&k| mu[k] = 1.0 / support.len() as f64);
    for _ in 0..20_000 {
        let mut next: Vec<f64> = mu.iter().map(|v| 0.5 * v).collect();
        for &j in &support {
            for k in 0..kk {
                next[k] += 0.5 * mu[j] * q[j][k];
            }
        }
        mu = next;
    }
    mu.iter()
        .zip(pi)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
}

/// Asymmetric 3-cycle: every token prefers (as query) the next one, with unequal strengths, plus a
/// seeded U[0, 0.3) perturbation; token 3 and 4 are outsiders.
fn cycle_instance() -> Wbar {
    let mut rng = seeded(13, 90);
    let noise: Vec<f64> = (0..25).map(|_| 0.3 * rng.random::<f64>()).collect();
    let strength = [2.0, 1.2, 2.6];
    Wbar::from_fn(5, |k, j| {
        let base = if j < 3 && k == (j + 1) % 3 {
            strength[j]
        } else {
            0.0
        };
        base + noise[k * 5 + j]
    })
    .unwrap()
}

/// Spec A7.5 worked case: K = 4, W̄ = 0 except W̄[1,0] = W̄[0,1] = 2. Rest point on {0, 1} is
/// (½, ½, 0, 0) (to 1e-13), the losers' fitness is 2/(1+e²) = 0.2384 (to 1e-13) and the point
/// resists invasion. Tolerance 1e-13: closed forms of O(1) numbers, Newton stops at 1e-13.
#[test]
fn rest_point_two_cycle_worked_case() {
    let two = Wbar::from_fn(4, |k, j| if k + j == 1 { 2.0 } else { 0.0 }).unwrap();
    let rp = rest_point(&two, &[1, 0]).unwrap();
    let want = [0.5, 0.5, 0.0, 0.0];
    assert!(rp.pi.iter().zip(want).all(|(a, b)| (a - b).abs() <= 1e-13));
    let f_loser = 2.0 / (1.0 + 2f64.exp());
    assert!((rp.fitness[2] - f_loser).abs() <= 1e-13 && (rp.fitness[3] - f_loser).abs() <= 1e-13);
    assert!((rp.fitness[0] - 1.0).abs() <= 1e-13 && (rp.fitness[1] - 1.0).abs() <= 1e-13);
    assert!(rp.invasion_stable);
    assert!(stationarity_gap(&two, &rp.pi) <= 1e-12);
}

/// Spec A7.4: on a single-token support `{k}` the rest point is `e_k`, the fitness equals the
/// loser exponents `exp(W̄[i,k] − W̄[k,k])` (1e-15) and invasion stability equals the single-winner
/// criterion with every token present — on a WTA-recipe W̄ (diag 1, off U[−½, ½]) where all are
/// stable and on an asymmetric one where column 2 is not self-dominant.
#[test]
fn rest_point_single_token_matches_single_winner_criterion() {
    let mut rng = seeded(13, 91);
    let off: Vec<f64> = (0..25).map(|_| rng.random::<f64>() - 0.5).collect();
    let wta = Wbar::from_fn(5, |k, j| if k == j { 1.0 } else { off[k * 5 + j] }).unwrap();
    let mut broken = wta.clone();
    broken.set(4, 2, 1.5).unwrap(); // token 4 beats the self-transition of query 2
    let all: Vec<usize> = (0..5).collect();
    for w in [&wta, &broken] {
        for k in 0..5 {
            let rp = rest_point(w, &[k]).unwrap();
            assert_eq!(rp.pi[k], 1.0);
            let r = loser_exponents(w, k).unwrap();
            assert!(rp
                .fitness
                .iter()
                .zip(&r)
                .all(|(a, b)| (a - b).abs() <= 1e-15));
            assert_eq!(
                rp.invasion_stable,
                single_winner_stable(w, k, &all).unwrap()
            );
        }
    }
    assert!(!rest_point(&broken, &[2]).unwrap().invasion_stable);
}

/// Claim (spec C, A7.3): `rest_point` returns `π = stationary(Q_π)` with `F_i = 1` on the support.
/// Asymmetric 3-cycle instance (K = 5): every support of size 2 and 3. Oracle: power iteration on
/// `Q_π` built in this test (gap ≤ 1e-12; lazy power iteration converges geometrically to ~1e-16
/// in 20 000 steps here). Existence: on a pair {a, b}, `g(t) = F_a − F_b` along the edge goes
/// from `F_a(e_b) − 1` to `1 − F_b(e_a)`, so an interior rest point exists whenever
/// `(F_a(e_b) − 1)(F_b(e_a) − 1) > 0` (mutual invasion, or mutual resistance); there the solver
/// must succeed. Any `Ok` it returns, on any support, must pass the oracle; where it returns `Err`
/// it must be `NotConverged`. The rock–paper–scissors support {0, 1, 2} must succeed too.
#[test]
fn rest_point_is_stationary_on_asymmetric_instances() {
    let w = cycle_instance();
    let mut supports: Vec<Vec<usize>> = Vec::new();
    for a in 0..5 {
        for b in a + 1..5 {
            supports.push(vec![a, b]);
            for c in b + 1..5 {
                supports.push(vec![a, b, c]);
            }
        }
    }
    let (mut solved, mut required) = (0, 0);
    for support in &supports {
        let must_exist = match support[..] {
            [a, b] => {
                let fa = loser_exponents(&w, b).unwrap()[a]; // F_a(e_b)
                let fb = loser_exponents(&w, a).unwrap()[b]; // F_b(e_a)
                (fa - 1.0) * (fb - 1.0) > 0.0
            }
            _ => support[..] == [0, 1, 2],
        };
        required += must_exist as usize;
        match rest_point(&w, support) {
            Ok(rp) => {
                assert!(support.iter().all(|&s| rp.pi[s] > 0.0));
                assert!((rp.pi.iter().sum::<f64>() - 1.0).abs() <= 1e-14);
                assert!(support
                    .iter()
                    .all(|&s| (rp.fitness[s] - 1.0).abs() <= 1e-12));
                let gap = stationarity_gap(&w, &rp.pi);
                assert!(gap <= 1e-12, "support {support:?}: gap {gap:e}");
                solved += 1;
            }
            Err(Error::NotConverged { .. }) => {
                assert!(
                    !must_exist,
                    "support {support:?}: a rest point exists but was not found"
                )
            }
            Err(e) => panic!("support {support:?}: {e}"),
        }
    }
    eprintln!(
        "rest points: {solved} of {} supports solved ({required} guaranteed to exist)",
        supports.len()
    );
    assert!(required >= 3);
    // two self-dominant tokens: the interior rest point exists (unstable inside S) and is found
    let sd = Wbar::from_fn(3, |k, j| {
        if k == j {
            1.0
        } else {
            0.1 * (k + 2 * j) as f64
        }
    })
    .unwrap();
    let rp = rest_point(&sd, &[0, 1]).unwrap();
    assert!(rp.pi[0] > 0.0 && rp.pi[1] > 0.0 && stationarity_gap(&sd, &rp.pi) <= 1e-12);
}

/// Negative control: a solver that reads W̄ transposed (`a(j→i) = exp(W̄[j, i])`) returns, on the
/// asymmetric instance, a point that the stationarity oracle rejects (gap > 1e-6), so the check
/// sees the orientation of W̄.
#[test]
fn rest_point_check_rejects_transposed_wbar() {
    let w = cycle_instance();
    let wt = Wbar::from_fn(5, |k, j| w.get(j, k).unwrap()).unwrap();
    let wrong = rest_point(&wt, &[0, 1, 2]).unwrap();
    let gap = stationarity_gap(&w, &wrong.pi);
    eprintln!("transposed W̄: stationarity gap {gap:.3e}");
    assert!(gap > 1e-6);
}

/// Bad input is a typed error: empty support, out-of-range id, a repeated id.
#[test]
fn rest_point_bad_input_is_err() {
    let w = Wbar::zeros(3).unwrap();
    assert!(matches!(rest_point(&w, &[]), Err(Error::Empty { .. })));
    assert!(matches!(
        rest_point(&w, &[0, 3]),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        rest_point(&w, &[1, 1]),
        Err(Error::InvalidArgument { .. })
    ));
}

/// No interior rest point: K = 2, key 0 scores 3 for both queries (W̄[0, ·] = 3, W̄[1, ·] = 0).
/// Then `Z_j = π_0 e³ + π_1` is the same for both queries, `F_0 = e³/Z > 1 > F_1 = 1/Z` for
/// every interior π, so no rest point with support {0, 1} exists: the solver must say so with a
/// typed error instead of returning a boundary point.
#[test]
fn rest_point_without_interior_solution_is_not_converged() {
    let w = Wbar::from_fn(2, |k, _| if k == 0 { 3.0 } else { 0.0 }).unwrap();
    match rest_point(&w, &[0, 1]) {
        Err(Error::NotConverged { .. }) => {}
        other => panic!("expected NotConverged, got {other:?}"),
    }
}
