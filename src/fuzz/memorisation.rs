//! The `memorisation` fuzz body: the subsampled memorisation and influence estimators (hard and
//! soft), the exact 1-NN memorisation, the distillation loss and the Spearman proxy, on hostile
//! membership matrices, run counts, labels, correctness values, temperatures and mixing weights.

use crate::fuzz::bytes::{assert_finite, Bytes};
use crate::memorisation::{
    distillation_loss, exact_1nn_memorisation, influence_estimate, memorisation_estimate,
    memorisation_estimate_soft, spearman,
};

/// Decodes one call and checks it: no panic; `Ok` results finite; memorisation scores lie in
/// `[−1, 1]` with `p_in, p_out ∈ [0, 1]` and `mem = p_in − p_out`; Spearman's ρ lies in `[−1, 1]`;
/// the distillation loss is non-negative.
pub fn memorisation(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    let runs = b.size(1, 6, hostile);
    let n = b.range(1, 5);
    let cells = runs.min(7) * n + usize::from(hostile && b.one_in(8));
    let membership: Vec<u8> = (0..cells)
        .map(|_| {
            if hostile && b.one_in(16) {
                2
            } else {
                b.byte() & 1
            }
        })
        .collect();
    match mode % 5 {
        0 | 1 => {
            let call;
            let est = if mode.is_multiple_of(5) {
                let c: Vec<u8> = (0..membership.len())
                    .map(|_| {
                        if hostile && b.one_in(16) {
                            7
                        } else {
                            b.byte() & 1
                        }
                    })
                    .collect();
                call = format!("{runs} {membership:?} {c:?}");
                memorisation_estimate(&membership, &c, runs)
            } else {
                let c: Vec<f64> = (0..membership.len())
                    .map(|_| {
                        if hostile && b.one_in(8) {
                            b.extreme()
                        } else {
                            b.unit()
                        }
                    })
                    .collect();
                call = format!("{runs} {membership:?} {c:?}");
                memorisation_estimate_soft(&membership, &c, runs)
            };
            let Ok(e) = est else { return };
            for (what, x) in [("mem", e.mem()), ("p_in", e.p_in()), ("p_out", e.p_out())] {
                assert_finite(what, x, &call);
                assert!(
                    // Means of values in [0, 1] may round one ulp past 1.
                    x.iter().all(|v| (-1.0 - 1e-12..=1.0 + 1e-12).contains(v)),
                    "{what} out of range: {x:?}\n{call}"
                );
            }
            for i in 0..e.mem().len() {
                assert!(
                    (e.mem()[i] - (e.p_in()[i] - e.p_out()[i])).abs() <= 1e-12,
                    "mem ≠ p_in − p_out\n{call}"
                );
            }
        }
        2 => {
            let t = b.range(1, 3);
            let tc: Vec<u8> = (0..runs.min(7) * t).map(|_| b.byte() & 1).collect();
            if let Ok(inf) = influence_estimate(&membership, &tc, runs) {
                assert!(
                    inf.iter().all(|v| (-1.0 - 1e-12..=1.0 + 1e-12).contains(v)),
                    "influence {inf:?}"
                );
            }
        }
        3 => {
            let d = b.size(1, 2, hostile);
            let x = b.values(n * d.min(3), hostile);
            let labels = b.ids(n, 3, hostile);
            let m = b.size(1, n, hostile);
            if let Ok(mem) = exact_1nn_memorisation(&x, &labels, d, m) {
                assert_finite("exact_1nn_memorisation", &mem, &(&x, &labels, d, m));
                assert!(
                    mem.iter().all(|v| (-1.0 - 1e-12..=1.0 + 1e-12).contains(v)),
                    "{mem:?}"
                );
            }
        }
        _ => {
            let classes = b.size(1, 3, hostile);
            let c = classes.min(4);
            let labels = b.ids(n, c, hostile);
            let student = b.values(n * c, hostile);
            let teacher: Vec<f64> = (0..n).flat_map(|_| b.distribution(c, true)).collect();
            let (lambda, tau) = (
                if hostile && b.one_in(4) {
                    b.extreme()
                } else {
                    b.unit()
                },
                b.positive(hostile) / 4.0,
            );
            let call = (&student, &teacher, &labels, classes, lambda, tau);
            if let Ok((loss, grad)) =
                distillation_loss(&student, &teacher, &labels, classes, lambda, tau)
            {
                assert!(loss.is_finite() && loss >= -1e-12, "loss {loss}\n{call:?}");
                assert_finite("distillation grad", &grad, &call);
            }
            let (a, bb) = (b.values(n, hostile), b.values(n, hostile));
            if let Ok(rho) = spearman(&a, &bb) {
                assert!(
                    rho.is_nan() || (-1.0 - 1e-12..=1.0 + 1e-12).contains(&rho),
                    "spearman {rho}\n{a:?} {bb:?}"
                );
            }
        }
    }
}
