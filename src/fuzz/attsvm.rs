//! The `attsvm` fuzz body: the attention model's loss and gradient (against central
//! differences), the attention SVM (its margin constraints), the p-model gradient, and
//! singular-value thresholding, on hostile problems, token selections, weights and thresholds.

use crate::attsvm::model::{attention, loss_and_grad, Form};
use crate::attsvm::svm::{att_svm, margin, svt};
use crate::attsvm::{Input, Loss, Problem};
use crate::fuzz::bytes::Bytes;
use crate::qp::Mat;

/// Decodes one call and checks it: no panic; `Ok` results finite; the stable gradient equals a
/// five-point difference (`1e-5` relative) on small weights; an SVM solution has margin `≥ 1 − 1e-6`; SVT
/// shrinks every singular value by `τ` (nuclear norm `Σ max(σ − τ, 0)`).
pub fn attsvm(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    let (n, d) = (b.range(1, 3), b.range(1, 3));
    let inputs: Vec<Input> = (0..n)
        .map(|_| {
            let empty_ok = hostile && b.one_in(8);
            let t = b.range(usize::from(!empty_ok), 4);
            let cols = if hostile && b.one_in(16) { d + 1 } else { d };
            Input {
                x: Mat::from_row_major(t, cols, b.values(t * cols, false)).expect("sized"),
                z: {
                    let h = hostile && b.one_in(4);
                    b.values(d, h)
                },
                y: if hostile && b.one_in(16) {
                    b.scalar(true)
                } else if b.flag() {
                    1.0
                } else {
                    -1.0
                },
            }
        })
        .collect();
    let h = hostile && b.one_in(4);
    let v = b.values(d, h);
    let Ok(p) = Problem::new(inputs, v) else {
        return;
    };
    let h = hostile && b.one_in(4);
    // Small weights keep the attention smooth enough for the difference check below.
    let w: Vec<f64> = b.values(d * d, h).iter().map(|x| x / 16.0).collect();
    let Ok(w) = Mat::from_row_major(d, d, w) else {
        return;
    };
    match mode % 3 {
        0 => {
            let loss = [Loss::Logistic, Loss::Exponential, Loss::Correlation][b.below(3)];
            let Ok((value, g)) = loss_and_grad(&p, &w, loss, Form::Stable) else {
                return;
            };
            let call = (&p, &w, loss);
            assert!(
                value.is_finite() && g.is_finite(),
                "loss {value} or gradient not finite\n{call:?}"
            );
            // Where the attention saturates, the stable form keeps the gradient's direction by
            // design (pitfall P1) while the loss is flat to rounding: no difference check there.
            let smooth =
                (0..n).all(|i| attention(&p, &w, i).is_ok_and(|a| a.iter().all(|&x| x >= 1e-6)));
            if !smooth {
                return;
            }
            // Five-point stencil (truncation O(h⁴)).
            let h = 1e-4;
            for i in 0..d {
                for j in 0..d {
                    let at = |delta: f64| {
                        let mut x = w.clone();
                        x.set_at(i, j, w.at(i, j) + delta);
                        loss_and_grad(&p, &x, loss, Form::Stable).map_or(f64::NAN, |r| r.0)
                    };
                    let fd: f64 =
                        (8.0 * (at(h) - at(-h)) - (at(2.0 * h) - at(-2.0 * h))) / (12.0 * h);
                    let gij = g.at(i, j);
                    assert!(
                        (fd - gij).abs() <= 1e-5 * (1.0 + fd.abs()),
                        "∂L/∂W[{i},{j}] = {gij} vs central difference {fd}\n{call:?}"
                    );
                }
            }
        }
        1 => {
            let alpha: Vec<usize> = if b.flag() {
                p.optimal_alpha()
            } else {
                (0..n + usize::from(hostile && b.one_in(8)))
                    .map(|i| {
                        b.below(
                            p.inputs()
                                .get(i)
                                .map_or(2, |x| x.x.rows() + usize::from(hostile)),
                        )
                    })
                    .collect()
            };
            if let Ok(sol) = att_svm(&p, &alpha) {
                let m = margin(&p, &alpha, &sol.w).expect("margin of a solved selection");
                let grid = p
                    .inputs()
                    .iter()
                    .all(|i| i.z.iter().chain(i.x.data()).all(|x| x.abs() <= 8.0));
                assert!(
                    sol.w.is_finite() && (!grid || m >= 1.0 - 1e-6),
                    "SVM solution with margin {m}\n{:?}",
                    (&p, &alpha)
                );
            }
        }
        _ => {
            let tau = b.scalar(hostile);
            let call = (&w, tau);
            if let Ok(s) = svt(&w, tau) {
                assert!(s.is_finite(), "svt not finite\n{call:?}");
                if let (Ok(before), Ok(after)) = (w.singular_values(), s.singular_values()) {
                    let want: f64 = before.iter().map(|x| (x - tau).max(0.0)).sum();
                    let got: f64 = after.iter().sum();
                    assert!(
                        (got - want).abs() <= 1e-9 * (1.0 + want),
                        "‖svt‖_* = {got} vs {want}\n{call:?}"
                    );
                }
            }
        }
    }
}
