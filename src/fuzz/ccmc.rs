//! The `ccmc` fuzz body: the CCMC maximum-likelihood estimator (with and without ridge) on
//! decoded choice data, the negative log-likelihood, the gauge-free error, the kernel's
//! next-token law and its constructors, on hostile vocabularies, prompts, counts and options.

use crate::ccmc::data::ChoiceData;
use crate::ccmc::kernel::{next_token_probs, token_counts};
use crate::ccmc::mle::{fit, gauge_free_sq_error, nll, MleOptions};
use crate::ccmc::Wbar;
use crate::fuzz::bytes::{assert_finite, Bytes};

/// Decodes one call and checks it: no panic; `Ok` results finite; the fitted `W̄` has a
/// negative log-likelihood no larger than `W̄ = 0` (plain MLE; `+1e-9` slack) and `fit.nll` equals
/// [`nll`] at the fit; the gauge-free error of a fit against itself is zero; the next-token law
/// sums to one.
pub fn ccmc(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    match mode % 3 {
        0 => {
            let vocab = b.size(1, 5, hostile);
            let small = vocab.min(6);
            let mut d = ChoiceData::new(vocab);
            for _ in 0..b.below(12) {
                if b.flag() {
                    let len = b.range(1, 5);
                    let prompt = b.ids(len, small, hostile);
                    // Usually a token of the prompt (realisable), sometimes any id.
                    let next = if b.one_in(8) {
                        b.below(small + 1)
                    } else {
                        prompt[b.below(prompt.len())]
                    };
                    let _ = d.push(&prompt, next);
                } else {
                    let counts: Vec<f64> = (0..small)
                        .map(|_| if b.flag() { 0.0 } else { b.positive(hostile) })
                        .collect();
                    let _ = d.push_variant(b.below(small + 1), &counts, b.below(small));
                }
            }
            let opts = MleOptions {
                ridge: if b.flag() {
                    0.0
                } else {
                    b.positive(hostile) / 64.0
                },
                grad_tol: 1e-9,
                max_iter: b.range(1, 60),
            };
            let call = (vocab, &d, opts);
            let Ok(f) = fit(&d, &opts) else { return };
            assert_finite("fit.wbar", f.wbar.as_slice(), &call);
            assert_finite("fit.nll", &[f.nll], &call);
            if let Ok(at_fit) = nll(&f.wbar, &d) {
                assert!(
                    (at_fit - f.nll).abs() <= 1e-9 * (1.0 + at_fit.abs()),
                    "fit.nll {} vs nll {at_fit}\n{call:?}",
                    f.nll
                );
                if opts.ridge == 0.0 {
                    let zero = Wbar::zeros(vocab).expect("vocab accepted by fit");
                    let base = nll(&zero, &d).expect("same data");
                    assert!(
                        at_fit <= base + 1e-9,
                        "MLE nll {at_fit} above nll(0) = {base}\n{call:?}"
                    );
                }
            }
            let e = gauge_free_sq_error(&f.wbar, &f.wbar, &f.support).expect("self comparison");
            assert_eq!(e, 0.0, "gauge-free error of a fit against itself\n{call:?}");
        }
        1 => {
            let vocab = b.size(1, 5, hostile);
            let small = vocab.min(6);
            let extra = usize::from(hostile && b.one_in(8));
            let w = b.values(small * small + extra, hostile);
            let Ok(wbar) = Wbar::new(vocab, w.clone()) else {
                return;
            };
            assert_finite("Wbar::new", wbar.as_slice(), &(vocab, &w));
            let len = b.below(6);
            let prompt = b.ids(len, small, hostile);
            if let Ok(p) = next_token_probs(&wbar, &prompt) {
                assert_finite("next_token_probs", &p, &(vocab, &w, &prompt));
                let s: f64 = p.iter().sum();
                assert!(
                    (s - 1.0).abs() <= 1e-12 * (small as f64 + 1.0),
                    "law sums to {s}\n{:?}",
                    (vocab, &w, &prompt)
                );
            }
            let support: Vec<Vec<usize>> = (0..small)
                .map(|_| {
                    let len = b.below(3);
                    b.ids(len, small, hostile)
                })
                .collect();
            if let Ok(e) = gauge_free_sq_error(&wbar, &wbar, &support) {
                assert_eq!(e, 0.0, "{:?}", (vocab, &w, &support));
            }
        }
        _ => {
            let vocab = b.size(1, 5, hostile);
            let len = b.below(6);
            let prompt = b.ids(len, 6, hostile);
            if let Ok(c) = token_counts(&prompt, vocab) {
                assert_eq!(
                    c.iter().sum::<f64>(),
                    prompt.len() as f64,
                    "{vocab} {prompt:?}"
                );
            }
        }
    }
}
