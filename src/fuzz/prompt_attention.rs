//! The `prompt_attention` fuzz body: the four models' predictions and gradients (against central
//! differences), prompt pooling, the closed-form two-step update and the theory formulas, on
//! hostile data sets (inconsistent `tokens`/`dim`/buffer lengths, non-finite inputs, labels off
//! `±1`), parameters and step sizes.

use crate::fuzz::bytes::{assert_finite, Bytes};
use crate::prompt_attention::data::Dataset;
use crate::prompt_attention::models::{predict, prompt_pool, Model, Params};
use crate::prompt_attention::theory::{asymptotic_error, conditional_error};
use crate::prompt_attention::train::{loss_and_grad, two_steps_closed_form, Loss};

/// Decodes one call and checks it: no panic; `Ok` results finite; on moderate inputs the gradient
/// of each model agrees with central differences (`h = 1e-5`, `1e-5` relative); test errors lie in
/// `[0, 1]`.
pub fn prompt_attention(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    let (n, tokens, dim) = (b.range(1, 3), b.range(1, 3), b.range(1, 3));
    let (mut tokens_field, mut dim_field) = (tokens, dim);
    let mut x: Vec<f64> = (0..n * tokens * dim).map(|_| b.grid() / 4.0).collect();
    let mut y: Vec<f64> = (0..n).map(|_| if b.flag() { 1.0 } else { -1.0 }).collect();
    if hostile {
        match b.below(6) {
            0 => tokens_field = b.size(0, 4, true),
            1 => dim_field = b.size(0, 4, true),
            2 => {
                x.pop();
            }
            3 => {
                let i = b.below(x.len());
                x[i] = b.extreme();
            }
            4 => y[0] = b.scalar(true),
            _ => y.clear(),
        }
    }
    // The validating constructor: inconsistent fields are an error here, never a panic later.
    let ds = match Dataset::new(tokens_field, dim_field, x, y) {
        Ok(ds) => ds,
        Err(e) => {
            assert!(hostile, "Dataset::new rejected a well-posed data set: {e}");
            return;
        }
    };
    let model = Model::ALL[b.below(4)];
    let mut params = Params {
        q: (0..dim).map(|_| b.grid() / 4.0).collect(),
        v: (0..dim).map(|_| b.grid() / 4.0).collect(),
        w: (0..dim * dim).map(|_| b.grid() / 4.0).collect(),
    };
    if hostile && b.one_in(4) {
        params.q[0] = b.extreme();
    }
    let call = (model, &ds, &params);
    match mode % 3 {
        0 => {
            let loss = if b.flag() {
                Loss::Logistic
            } else {
                Loss::Squared
            };
            let Ok((value, g)) = loss_and_grad(model, &params, &ds, loss) else {
                return;
            };
            assert_finite("loss", &[value], &call);
            let g = g.flat();
            assert_finite("gradient", &g, &call);
            if hostile {
                return;
            }
            let x0 = params.flat();
            let h = 1e-5;
            for (i, &gi) in g.iter().enumerate() {
                let at = |delta: f64| {
                    let mut x = x0.clone();
                    x[i] += delta;
                    loss_and_grad(model, &Params::from_flat(dim, &x), &ds, loss)
                        .expect("valid")
                        .0
                };
                let fd = (at(h) - at(-h)) / (2.0 * h);
                assert!(
                    (fd - gi).abs() <= 1e-5 * (1.0 + fd.abs()),
                    "∂/∂θ[{i}] = {gi} vs central difference {fd}\n{call:?}"
                );
            }
        }
        1 => {
            if let Ok(f) = predict(model, &params, &ds) {
                assert_finite("predict", &f, &call);
            }
            if let Ok(p) = prompt_pool(&params.q, &ds) {
                assert_finite("prompt_pool", &p, &call);
            }
            let eta = b.positive(hostile);
            if let Ok((v1, q2)) = two_steps_closed_form(&ds, eta) {
                assert_finite("two_steps v1", &v1, &(call, eta));
                assert_finite("two_steps q2", &q2, &(call, eta));
            }
        }
        _ => {
            let v_hat: Vec<f64> = (0..b.range(2, 4)).map(|_| b.scalar(hostile)).collect();
            let (alpha, s) = (b.unit(), b.positive(hostile));
            if let Ok(e) = conditional_error(&v_hat, alpha, s) {
                assert!(
                    (0.0..=1.0).contains(&e),
                    "conditional_error {e}\n{v_hat:?} {alpha} {s}"
                );
            }
            let (dim, n) = (b.range(1, 8), b.range(1, 8));
            let e = asymptotic_error(alpha, s, dim, n);
            assert!(
                e.is_nan() || (0.0..=1.0).contains(&e),
                "asymptotic_error {e}\n{alpha} {s} {dim} {n}"
            );
        }
    }
}
