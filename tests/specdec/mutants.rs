//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`): each test names
//! the surviving mutant it kills and the property it asserts.

use attnmech::specdec::stats::{optimal_gamma, speedup};

/// `optimal_gamma` documents "smallest γ on ties". With α = 1 and c = 1 every block size has
/// `S(γ) = (γ + 1)/(γ + 1) = 1`, a tie over all γ, so γ* = 1; with α = 1 and c < 1, `S` rises
/// and γ* = max_gamma; with c > 1 it falls and γ* = 1. Kills `stats.rs: replace < with <= in
/// optimal_gamma` (the α = 1 closed form returning max_gamma on the tie).
#[test]
fn optimal_gamma_takes_the_smallest_gamma_on_ties() {
    for g in 1..=5 {
        assert!((speedup(1.0, g, 1.0).unwrap() - 1.0).abs() <= 1e-15);
    }
    assert_eq!(optimal_gamma(1.0, 1.0, 8).unwrap(), 1);
    assert_eq!(optimal_gamma(1.0, 0.5, 8).unwrap(), 8);
    assert_eq!(optimal_gamma(1.0, 2.0, 8).unwrap(), 1);
}

/// `MarkovLm::state` maps the last `order` tokens (with `V` as the before-start pad) to a base-
/// (V + 1) index: injective on those windows and inside `0..states(V, order)`. Checked over every
/// context of length ≤ 3 at V = 3, order 2. Kills `toy.rs: replace + with * in MarkovLm::state`
/// (colliding states), which no trend check (DS13–DS15) sees because they hold for any model.
#[test]
fn markov_state_index_is_injective_on_windows() {
    use attnmech::specdec::toy::MarkovLm;
    use std::collections::HashMap;
    let (v, order) = (3usize, 2usize);
    let lm = MarkovLm::random(v, order, 1.0, &mut attnmech::rng::seeded(1, 0));
    let mut seen: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut contexts: Vec<Vec<usize>> = vec![vec![]];
    for len in 1..=3 {
        let mut next = Vec::new();
        for c in contexts.iter().filter(|c| c.len() == len - 1) {
            for t in 0..v {
                let mut c2 = c.clone();
                c2.push(t);
                next.push(c2);
            }
        }
        contexts.extend(next);
    }
    for ctx in &contexts {
        let s = lm.state(ctx);
        assert!(s < MarkovLm::states(v, order), "{ctx:?} → {s}");
        // the window the state should encode: the last `order` tokens, padded with V in front
        let pad = order.saturating_sub(ctx.len());
        let window: Vec<usize> = std::iter::repeat_n(v, pad)
            .chain(ctx[ctx.len().saturating_sub(order)..].iter().copied())
            .collect();
        if let Some(w) = seen.insert(s, window.clone()) {
            assert_eq!(w, window, "state {s} shared by two windows");
        }
    }
    assert_eq!(seen.len(), 1 + v + v * v); // the reachable windows: [V,V], [V,t], [t,t′]
}

/// The toy target of the spec, `softmax_v(1.5 sin(1.3(v+1) + 0.7 h))` with
/// `h = Σ_t (t+1)(s_t+1)`, evaluated from the formula at three contexts. Kills `toy.rs: replace
/// + with - in sin_target` (`1.3(v+1) − 0.7h`, another target for which DS13–DS15 also hold).
#[test]
fn sin_target_is_the_spec_formula() {
    use attnmech::specdec::toy::sin_target;
    for ctx in [vec![], vec![2], vec![0, 1, 2]] {
        let h: f64 = ctx
            .iter()
            .enumerate()
            .map(|(t, &s)| ((t + 1) * (s + 1)) as f64)
            .sum();
        let z: Vec<f64> = (0..3)
            .map(|v| (1.5 * (1.3 * (v + 1) as f64 + 0.7 * h).sin()).exp())
            .collect();
        let total: f64 = z.iter().sum();
        let got = sin_target(&ctx);
        for (g, e) in got.iter().zip(&z) {
            assert!((g - e / total).abs() <= 1e-15, "{ctx:?}: {got:?}");
        }
    }
}
