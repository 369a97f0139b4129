//! The `distill` fuzz body: the fused divergence kernels (forward KL, reverse KL, generalised JSD,
//! TVD; loss and gradient, f32 and f64) against the f64 reference, on hostile teacher
//! log-probabilities, logits, vocabularies, β and temperatures (including ones whose reciprocal
//! overflows).

use crate::distill::{divergence_and_grad, divergence_only, reference, Divergence, LOG_PROB_FLOOR};
use crate::float::Float;
use crate::fuzz::bytes::{assert_finite, moderate, Bytes};

fn call<T: Float>(b: &mut Bytes, hostile: bool) {
    let div = match b.below(5) {
        0 => Divergence::ForwardKl,
        1 => Divergence::ReverseKl,
        2 => Divergence::Tvd,
        3 => Divergence::Jsd { beta: b.unit() },
        _ => Divergence::Jsd {
            beta: b.scalar(hostile),
        },
    };
    let vocab = b.size(1, 9, hostile);
    let small = vocab.clamp(1, 10);
    let positions = b.below(4);
    // Teacher rows: exact log-softmax of grid logits (exact zeros as −∞ one time in 4).
    let sparse = b.flag();
    let mut lp: Vec<f64> = (0..positions)
        .flat_map(|_| b.distribution(small, sparse))
        .map(f64::ln)
        .collect();
    let mut z = b.values(positions * small, false);
    if hostile {
        for x in [&mut lp, &mut z] {
            if !x.is_empty() && b.one_in(2) {
                let i = b.below(x.len());
                x[i] = b.extreme();
            }
        }
        if b.one_in(8) {
            z.pop();
        }
    }
    let temperature = if b.one_in(3) {
        1.0
    } else {
        b.positive(hostile) / 8.0
    };
    let (lpt, zt): (Vec<T>, Vec<T>) = (
        lp.iter().map(|&x| T::of(x)).collect(),
        z.iter().map(|&x| T::of(x)).collect(),
    );
    let mut grad = vec![T::zero(); zt.len()];
    let call = (T::NAME, div, vocab, temperature, &lp, &z);
    let full = divergence_and_grad(div, &lpt, &zt, vocab, temperature, &mut grad);
    let only = divergence_only(div, &lpt, &zt, vocab, temperature);
    assert_eq!(
        full.is_ok(),
        only.is_ok(),
        "divergence_only and divergence_and_grad disagree\n{call:?}"
    );
    let (Ok(loss), Ok(loss_only)) = (full, only) else {
        return;
    };
    let loss: Vec<f64> = loss.iter().map(|x| x.as_f64()).collect();
    let g: Vec<f64> = grad.iter().map(|x| x.as_f64()).collect();
    assert_finite("divergence loss", &loss, &call);
    assert_finite("divergence grad", &g, &call);
    assert_eq!(
        loss,
        loss_only.iter().map(|x| x.as_f64()).collect::<Vec<_>>(),
        "loss only\n{call:?}"
    );
    // Oracle: the f64 reference on the values the kernel saw, where teacher log-probs are above
    // the floor and the scaled logits are moderate.
    // The kernel floors teacher log-probabilities at `LOG_PROB_FLOOR` (documented); the reference
    // gets the floored values.
    let seen_lp: Vec<f64> = lpt.iter().map(|x| x.as_f64().max(LOG_PROB_FLOOR)).collect();
    let seen_z: Vec<f64> = zt.iter().map(|x| x.as_f64()).collect();
    let floor_ok = seen_lp.iter().all(|&x| x == LOG_PROB_FLOOR || x > -1e3);
    let span = seen_z
        .iter()
        .fold(0.0f64, |m, x| m.max((x / temperature).abs()));
    if !(floor_ok && moderate(&seen_z) && span <= 64.0 && vocab == small) {
        return;
    }
    let (tol_l, tol_g) = if T::NAME == "f64" {
        (1e-9, 1e-9)
    } else {
        (2e-4, 2e-4)
    };
    for r in 0..positions {
        // In f32, a floored teacher entry makes RKL/JSD terms of size 1e4 cancel: compare such
        // rows only in f64.
        if T::NAME == "f32" && seen_lp[r * vocab..][..vocab].contains(&LOG_PROB_FLOOR) {
            continue;
        }
        let (rl, rg) = reference::divergence_and_grad(
            div,
            &seen_lp[r * vocab..][..vocab],
            &seen_z[r * vocab..][..vocab],
            temperature,
        )
        .unwrap_or_else(|e| {
            panic!("the reference rejects what the kernel accepted: {e}\n{call:?}")
        });
        let scale = 1.0 + span / 8.0;
        assert!(
            (loss[r] - rl).abs() <= tol_l * scale * (1.0 + rl.abs()),
            "row {r}: loss {} vs reference {rl}\n{call:?}",
            loss[r]
        );
        for k in 0..vocab {
            // TVD's subgradient is ambiguous where p = q; compare only away from ties.
            if matches!(div, Divergence::Tvd) {
                continue;
            }
            let a = g[r * vocab + k];
            assert!(
                (a - rg[k]).abs() <= tol_g * scale / temperature.min(1.0),
                "row {r} grad[{k}] {a} vs reference {}\n{call:?}",
                rg[k]
            );
        }
    }
}

/// Decodes one call and checks it: no panic; `divergence_and_grad` and `divergence_only` accept the
/// same inputs and return the same losses; `Ok` losses and gradients finite; agreement with the
/// f64 reference where the teacher is above the log-prob floor and `|z/T| ≤ 64` (f64 `1e-10`, f32
/// `2e-4`, scaled by the logit span).
pub fn distill(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    if mode & 1 == 0 {
        call::<f64>(&mut b, hostile);
    } else {
        call::<f32>(&mut b, hostile);
    }
}
