//! The `qp` fuzz body: the Hildreth min-norm program (equality and inequality rows, solve and
//! warm-started projection), the SPD solve on the QP's matrix type and its constructor, on hostile
//! dimensions, rows, right-hand sides and projection points.

use crate::fuzz::bytes::{assert_finite, moderate, Bytes};
use crate::qp::mat::spd_solve;
use crate::qp::{Mat, MinNormProblem, Options};

/// Decodes one call and checks it: no panic; `Ok` results finite; a solved program satisfies its
/// constraints (`primal violation ≤ 1e-6 (1 + max |rhs|)`) with non-negative inequality multipliers;
/// a single equality row is solved by the closed form `rhs · u vᵀ / (‖u‖² ‖v‖²)`; the SPD solve has
/// a small residual; a constructed matrix has `rows · cols = data.len()` without wrapping.
pub fn qp(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    match mode % 3 {
        0 => {
            let (d1, d2) = (b.size(1, 3, hostile), b.size(1, 3, hostile));
            let (s1, s2) = (d1.clamp(1, 4), d2.clamp(1, 4));
            let mut prob = MinNormProblem::new("fuzz", d1, d2);
            let rows = b.below(5);
            let mut rhs_max = 0.0f64;
            let mut first = None;
            let mut grid_rows = true;
            for _ in 0..rows {
                let (u, v) = (b.values(s1, hostile), b.values(s2, hostile));
                let rhs = b.scalar(hostile);
                let stored = prob.len();
                let pushed = if b.flag() {
                    prob.push_equality(&u, &v, rhs).map(|_| true)
                } else {
                    prob.push_at_least(&u, &v, rhs).map(|_| false)
                };
                if let Ok(eq) = pushed {
                    rhs_max = rhs_max.max(rhs.abs());
                    grid_rows &= u.iter().chain(&v).all(|x| x.abs() <= 8.0);
                    // A zero row is accepted (when satisfiable) but not stored.
                    if stored == 0 && prob.len() == 1 {
                        first = Some((u, v, rhs, eq));
                    }
                }
            }
            let opts = Options {
                tol: 1e-12,
                max_sweeps: b.range(1, 2000),
                check_every: b.range(1, 64),
            };
            let project = b.flag();
            let point = b.values(s1 * s2, hostile);
            let call = (d1, d2, &prob, &point, &opts);
            let sol = if project {
                match Mat::from_row_major(s1, s2, point.clone()) {
                    Ok(v) => prob.project(&v, None, &opts),
                    Err(_) => return,
                }
            } else {
                prob.solve(&opts)
            };
            let Ok(sol) = sol else { return };
            assert!(sol.w.is_finite(), "min-norm solution not finite\n{call:?}");
            assert_finite("multipliers", &sol.lambda, &call);
            // The violation is absolute; with grid rows (‖u‖‖v‖ ≤ 64·d) it is comparable to the
            // stopping rule's `tol · scale`.
            if moderate(&point) && rhs_max <= 1e6 && grid_rows {
                assert!(
                    sol.kkt.primal_violation <= 1e-6 * (1.0 + rhs_max),
                    "converged with primal violation {:e}\n{call:?}",
                    sol.kkt.primal_violation
                );
                assert!(
                    sol.kkt.min_inequality_multiplier >= 0.0,
                    "negative multiplier\n{call:?}"
                );
            }
            if let (Some((u, v, rhs, true)), 1, false) = (first, prob.len(), project) {
                let (nu, nv): (f64, f64) =
                    (u.iter().map(|x| x * x).sum(), v.iter().map(|x| x * x).sum());
                for (i, ui) in u.iter().enumerate() {
                    for (j, vj) in v.iter().enumerate() {
                        let want = rhs * ui * vj / (nu * nv);
                        let got = sol.w.at(i, j);
                        assert!(
                            (got - want).abs() <= 1e-9 * (1.0 + want.abs()),
                            "w[{i},{j}] = {got} vs {want}\n{call:?}"
                        );
                    }
                }
            }
        }
        1 => {
            let n = b.below(6);
            let cols = if hostile && b.one_in(4) {
                b.below(6)
            } else {
                n
            };
            let raw = b.values(n * cols, hostile);
            // SPD when well-posed: A = B Bᵀ + δ I from the raw grid values.
            let a: Vec<f64> = if hostile {
                raw
            } else {
                let delta = b.positive(false);
                (0..n * n)
                    .map(|ij| {
                        let (i, j) = (ij / n, ij % n);
                        (0..n).map(|l| raw[i * n + l] * raw[j * n + l]).sum::<f64>()
                            + if i == j { delta } else { 0.0 }
                    })
                    .collect()
            };
            let Ok(m) = Mat::from_row_major(n, cols, a.clone()) else {
                return;
            };
            let rhs_len = n + usize::from(hostile && b.one_in(8));
            let rhs = b.values(rhs_len, hostile);
            let call = (n, cols, &a, &rhs);
            if let Ok(x) = spd_solve(&m, &rhs) {
                assert_finite("qp::mat::spd_solve", &x, &call);
                if !hostile {
                    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs()))
                        * x.iter().fold(0.0f64, |s, v| s.max(v.abs()))
                        + rhs.iter().fold(0.0f64, |s, v| s.max(v.abs()));
                    for i in 0..n {
                        let r: f64 = (0..n).map(|j| a[i * n + j] * x[j]).sum::<f64>() - rhs[i];
                        assert!(
                            r.abs() <= 1e-9 * (n as f64 + 1.0) * scale,
                            "residual {r:e}\n{call:?}"
                        );
                    }
                }
            }
        }
        _ => {
            let (rows, cols) = (b.size(0, 4, hostile), b.size(0, 4, hostile));
            let data_len = b.below(17);
            let data = b.values(data_len, hostile);
            let len = data.len();
            if let Ok(m) = Mat::from_row_major(rows, cols, data) {
                assert_eq!(
                    m.rows().checked_mul(m.cols()),
                    Some(len),
                    "Mat::from_row_major({rows}, {cols}, [{len} values]) accepted a wrapped size"
                );
                assert!(
                    m.is_finite(),
                    "Mat::from_row_major accepted a non-finite value"
                );
            }
        }
    }
}
