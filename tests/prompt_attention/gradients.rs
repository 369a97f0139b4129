//! B1/B6.1: model gradients against central finite differences; the closed-form prompt gradient.

use attnmech::prompt_attention::data::Dataset;
use attnmech::prompt_attention::models::{
    forward_backward, predict, prompt_q_gradient_closed_form, Model, Params,
};
use attnmech::prompt_attention::train::{loss_and_grad, random_params, Loss};
use attnmech::rng::seeded;
use attnmech::Error;
use rand::Rng;
use rand_distr::StandardNormal;

fn random_data(n: usize, t: usize, d: usize, rng: &mut impl Rng) -> Dataset {
    let x = (0..n * t * d)
        .map(|_| rng.sample::<f64, _>(StandardNormal))
        .collect();
    let y = (0..n)
        .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
        .collect();
    Dataset::new(t, d, x, y).unwrap()
}

/// Claim B6.1 (M): the gradient of the mean logistic (and squared) loss of every model matches
/// central differences (h = 1e-5, O(h²) truncation ≈ 1e-10 relative for these O(1) smooth
/// functions) to rel. err ≤ 1e-6 in f64, for T ∈ {1, 7, 64}, d ∈ {3, 50}; all coordinates of q, v
/// and 30 random coordinates of W. Relative error = |g − fd| / max(1e-3·‖g‖∞, |fd|, 1e-8).
#[test]
fn b6_1_gradients_match_finite_differences() {
    let mut rng = seeded(4, 30);
    let mut worst: f64 = 0.0;
    for &(t, d) in &[
        (1usize, 3usize),
        (7, 3),
        (64, 3),
        (1, 50),
        (7, 50),
        (64, 50),
    ] {
        let data = random_data(3, t, d, &mut rng);
        let scale = 1.0 / (d as f64).sqrt();
        let params = random_params(d, scale, &mut rng);
        for model in Model::ALL {
            for loss in [Loss::Logistic, Loss::Squared] {
                let (_, g) = loss_and_grad(model, &params, &data, loss).unwrap();
                let g = g.flat();
                let theta = params.flat();
                let mut coords: Vec<usize> = (0..2 * d).collect();
                coords.extend((0..30).map(|_| 2 * d + rng.random_range(0..d * d)));
                let gmax = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                for &c in &coords {
                    let h = 1e-5;
                    let eval = |delta: f64| {
                        let mut th = theta.clone();
                        th[c] += delta;
                        loss_and_grad(model, &Params::from_flat(d, &th), &data, loss)
                            .unwrap()
                            .0
                    };
                    let fd = (eval(h) - eval(-h)) / (2.0 * h);
                    let rel = (g[c] - fd).abs() / (1e-3 * gmax).max(fd.abs()).max(1e-8);
                    worst = worst.max(rel);
                    assert!(
                        rel <= 1e-6,
                        "{model:?} {loss:?} T={t} d={d} coord {c}: {} vs {fd}",
                        g[c]
                    );
                }
            }
        }
    }
    eprintln!("B6.1: worst relative gradient error {worst:e}");
}

/// Claim B1 (M): the attention-backward q-gradient of f_PA equals Xᵀ(diag s − s sᵀ)X v, and at
/// q = 0 equals Cov_T(X) v; f_PA(q = 0) = f_mean. Tolerance 1e-12 (sums of ≤ 64·50 O(1) terms).
#[test]
fn b1_prompt_gradient_closed_form() {
    let mut rng = seeded(4, 31);
    for &(t, d) in &[(1usize, 3usize), (7, 3), (64, 50)] {
        let data = random_data(1, t, d, &mut rng);
        let mut params = random_params(d, 0.3, &mut rng);
        for zero in [false, true] {
            if zero {
                params.q.iter_mut().for_each(|v| *v = 0.0);
            }
            let (_, g) =
                forward_backward(Model::PromptSoftmax, &params, &data, Some(&[1.0])).unwrap();
            let closed = prompt_q_gradient_closed_form(data.x(), d, &params.q, &params.v).unwrap();
            let err = g
                .unwrap()
                .q
                .iter()
                .zip(&closed)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-12, "T={t} d={d}: {err:e}");
            if zero {
                // Cov_T(X) v
                let x = data.x();
                let mean: Vec<f64> = (0..d)
                    .map(|a| (0..t).map(|s| x[s * d + a]).sum::<f64>() / t as f64)
                    .collect();
                let mut cov_v = vec![0.0; d];
                for s in 0..t {
                    let p: f64 = (0..d).map(|b| (x[s * d + b] - mean[b]) * params.v[b]).sum();
                    for a in 0..d {
                        cov_v[a] += p * (x[s * d + a] - mean[a]) / t as f64;
                    }
                }
                let e2 = closed
                    .iter()
                    .zip(&cov_v)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                assert!(e2 < 1e-12);
                let fa = predict(Model::PromptSoftmax, &params, &data).unwrap()[0];
                let fm = predict(Model::MeanPool, &params, &data).unwrap()[0];
                assert!((fa - fm).abs() < 1e-12);
            }
        }
    }
}

/// Bad input is an `Err`: wrong parameter sizes, non-finite parameters, empty data.
#[test]
fn bad_input_is_err() {
    let mut rng = seeded(4, 32);
    let data = random_data(2, 4, 3, &mut rng);
    let p = Params::zeros(4);
    assert!(matches!(
        predict(Model::PromptSoftmax, &p, &data),
        Err(Error::ShapeMismatch { .. })
    ));
    let mut p = Params::zeros(3);
    p.v[0] = f64::NAN;
    assert!(matches!(
        predict(Model::MeanPool, &p, &data),
        Err(Error::NonFinite { .. })
    ));
    assert!(Dataset::new(4, 3, vec![], vec![]).is_err());
}
