//! Every layer's backward and the whole model's parameter gradient against central finite
//! differences in f64, on small random configs (encoder and decoder, padded batches).

use attnmech::models::train::next_token_loss;
use attnmech::models::{attention, gelu, layer_norm, linear, pooling, Batch, Config, Transformer};
use attnmech::rng::seeded;
use rand::Rng;

/// Central-difference step and the accepted error `|fd − analytic| ≤ TOL·(1 + |analytic|)`:
/// the truncation error is O(h²·f''') ≈ 1e-10 and rounding O(ε/h) ≈ 1e-11 at these sizes.
const H: f64 = 1e-5;
const TOL: f64 = 1e-6;

fn random(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = seeded(seed, 7);
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// Checks `grad` against central differences of `f` at every coordinate in `coords`.
fn check(what: &str, x: &[f64], grad: &[f64], coords: &[usize], f: impl Fn(&[f64]) -> f64) {
    assert_eq!(x.len(), grad.len(), "{what}: gradient length");
    let mut xp = x.to_vec();
    let mut worst = 0.0f64;
    for &i in coords {
        xp[i] = x[i] + H;
        let up = f(&xp);
        xp[i] = x[i] - H;
        let down = f(&xp);
        xp[i] = x[i];
        let fd = (up - down) / (2.0 * H);
        let err = (fd - grad[i]).abs();
        worst = worst.max(err / (1.0 + grad[i].abs()));
        assert!(
            err <= TOL * (1.0 + grad[i].abs()),
            "{what}[{i}]: analytic {} vs finite difference {fd} (error {err:e})",
            grad[i]
        );
    }
    println!(
        "finite differences: {what}: worst error/(1+|g|) {worst:.1e} over {} coordinates",
        coords.len()
    );
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn all(n: usize) -> Vec<usize> {
    (0..n).collect()
}

fn ragged_batch(vocab: usize) -> Batch {
    let mut rng = seeded(3, 1);
    let seqs: Vec<Vec<usize>> = [5usize, 2, 7]
        .iter()
        .map(|&l| (0..l).map(|_| rng.random_range(0..vocab)).collect())
        .collect();
    let mut b = Batch::from_sequences(&seqs);
    b.type_ids = (0..b.tokens()).map(|i| i % 2).collect();
    b
}

#[test]
fn linear_backward_matches_finite_differences() {
    let (n, din, dout) = (5, 4, 3);
    let (x, w, b, r) = (
        random(n * din, 1),
        random(dout * din, 2),
        random(dout, 3),
        random(n * dout, 4),
    );
    let (mut dw, mut db) = (vec![0.0; dout * din], vec![0.0; dout]);
    let dx = linear::backward(&x, &w, &r, n, din, &mut dw, &mut db);
    check("linear dx", &x, &dx, &all(n * din), |x| {
        dot(&linear::forward(x, &w, &b, n, din), &r)
    });
    check("linear dw", &w, &dw, &all(dout * din), |w| {
        dot(&linear::forward(&x, w, &b, n, din), &r)
    });
    check("linear db", &b, &db, &all(dout), |b| {
        dot(&linear::forward(&x, &w, b, n, din), &r)
    });
}

#[test]
fn layer_norm_backward_matches_finite_differences() {
    let (n, d) = (4, 6);
    let (x, g, b, r) = (
        random(n * d, 5),
        random(d, 6),
        random(d, 7),
        random(n * d, 8),
    );
    let (_, tape) = layer_norm::forward(&x, &g, &b, 1e-12);
    let (mut dg, mut db) = (vec![0.0; d], vec![0.0; d]);
    let dx = layer_norm::backward(&tape, &g, &r, &mut dg, &mut db);
    let f = |x: &[f64], g: &[f64], b: &[f64]| dot(&layer_norm::forward(x, g, b, 1e-12).0, &r);
    check("layer_norm dx", &x, &dx, &all(n * d), |x| f(x, &g, &b));
    check("layer_norm dgamma", &g, &dg, &all(d), |g| f(&x, g, &b));
    check("layer_norm dbeta", &b, &db, &all(d), |b| f(&x, &g, b));
}

#[test]
fn gelu_backward_matches_finite_differences_and_known_values() {
    let u: Vec<f64> = random(40, 9).iter().map(|v| 4.0 * v).collect();
    let r = random(40, 10);
    let du = gelu::backward(&u, &r);
    check("gelu du", &u, &du, &all(40), |u| dot(&gelu::forward(u), &r));
    // gelu(1) = Φ(1) = 0.841344746068543 (erf(1/√2) = 0.682689492137086).
    let g = gelu::forward(&[1.0f64, -1.0]);
    assert!((g[0] - 0.841_344_746_068_543).abs() < 1e-15);
    assert!((g[1] + 0.158_655_253_931_457).abs() < 1e-15);
}

#[test]
fn attention_layer_backward_matches_finite_differences() {
    let batch = ragged_batch(5);
    let (heads, d) = (2, 6);
    let n = batch.tokens();
    let (q, k, v, r) = (
        random(n * d, 11),
        random(n * d, 12),
        random(n * d, 13),
        random(n * d, 14),
    );
    for causal in [false, true] {
        let (_, tape) = attention::forward(&q, &k, &v, &batch, heads, causal).unwrap();
        let (dq, dk, dv) = attention::backward(&tape, &r, &batch, heads, causal).unwrap();
        let f = |q: &[f64], k: &[f64], v: &[f64]| {
            dot(
                &attention::forward(q, k, v, &batch, heads, causal)
                    .unwrap()
                    .0,
                &r,
            )
        };
        check("attention dq", &q, &dq, &all(n * d), |q| f(q, &k, &v));
        check("attention dk", &k, &dk, &all(n * d), |k| f(&q, k, &v));
        check("attention dv", &v, &dv, &all(n * d), |v| f(&q, &k, v));
    }
}

#[test]
fn pooling_backward_matches_finite_differences() {
    let batch = ragged_batch(5);
    let d = 4;
    let h = random(batch.tokens() * d, 15);
    let r = random(batch.sequences() * d, 16);
    let dm = pooling::mean_backward(&r, &batch, d);
    check("mean pooling", &h, &dm, &all(h.len()), |h| {
        dot(&pooling::mean_forward(h, &batch, d), &r)
    });
    let x = random(batch.sequences() * d, 17);
    let dx = pooling::l2_normalize_backward(&x, &r, d);
    check("l2 normalise", &x, &dx, &all(x.len()), |x| {
        dot(&pooling::l2_normalize_forward(x, d), &r)
    });
}

fn tiny_config(causal: bool) -> Config {
    Config {
        vocab_size: 11,
        hidden: 8,
        layers: 2,
        heads: 2,
        intermediate: 12,
        max_positions: 8,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        causal,
    }
}

/// Sampled coordinates of every tensor (always the first and last, plus random ones).
fn sample(len: usize, seed: u64) -> Vec<usize> {
    let mut rng = seeded(seed, 2);
    let mut c = vec![0, len - 1];
    c.extend((0..4).map(|_| rng.random_range(0..len)));
    c
}

/// The whole model's parameter gradient, for `loss = Σ r ∘ hidden` (encoder and decoder) and for
/// the tied next-token loss (decoder), tensor by tensor on sampled coordinates.
#[test]
fn model_parameter_gradients_match_finite_differences() {
    for causal in [false, true] {
        let mut model = Transformer::<f64>::init(tiny_config(causal), 21).unwrap();
        // Larger-than-init weights so every layer's nonlinearity is exercised.
        for t in model.params.tensors_mut() {
            t.iter_mut().for_each(|x| *x *= 10.0);
        }
        let batch = ragged_batch(11);
        let r = random(batch.tokens() * 8, 22);
        let (_, tape) = model.forward_train(&batch).unwrap();
        let grads = model.backward(&tape, &r).unwrap();
        let specs = attnmech::models::params::tensor_specs(&model.config);
        for (ti, spec) in specs.iter().enumerate() {
            let x = model.params.tensors()[ti].clone();
            let g = grads.tensors()[ti].clone();
            check(&spec.name, &x, &g, &sample(x.len(), ti as u64), |x| {
                let mut m = model.clone();
                *m.params.tensors_mut()[ti] = x.to_vec();
                dot(&m.forward(&batch).unwrap(), &r)
            });
        }
    }
}

#[test]
fn next_token_loss_gradient_matches_finite_differences() {
    let batch = ragged_batch(11);
    let d = 4;
    let h = random(batch.tokens() * d, 23);
    let w = random(11 * d, 24);
    let lg = next_token_loss(&h, &batch, &w, d).unwrap();
    check(
        "next-token d_hidden",
        &h,
        &lg.d_hidden,
        &all(h.len()),
        |h| next_token_loss(h, &batch, &w, d).unwrap().value,
    );
    let dw = lg.d_word.unwrap();
    check("next-token d_word", &w, &dw, &all(w.len()), |w| {
        next_token_loss(&h, &batch, w, d).unwrap().value
    });
}
