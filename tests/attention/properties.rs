//! Property tests (proptest) over shapes, options and values. Values are integers mapped to
//! exactly representable floats (`k/16`, `k/8`), so a failure shrinks to a readable case
//! (spec §10: plain float ranges shrink to values like `-795.09`).

use attnmech::attention::conformance::{run_inputs, Inputs};
use attnmech::attention::{forward, reference, CpuTiled, Options, Plan, Shape};
use proptest::prelude::*;

/// An attention problem: shape, options, f64 inputs (exact in f32).
#[derive(Clone, Debug)]
struct Problem {
    shape: Shape,
    opts: Options,
    x: Inputs,
}

fn values(n: usize, denom: f64) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((-64i32..64).prop_map(move |v| v as f64 / denom), n)
}

fn problem() -> impl Strategy<Value = Problem> {
    (
        1usize..=2,
        1usize..=2,
        0usize..=40,
        0usize..=40,
        1usize..=12,
        any::<bool>(),
    )
        .prop_flat_map(|(batch, heads, q_len, kv_len, head_dim, causal)| {
            let shape = Shape {
                batch,
                heads,
                q_len,
                kv_len,
                head_dim,
            };
            let valid = prop::option::of(prop::collection::vec(0..=kv_len, batch));
            (
                Just(shape),
                Just(causal),
                valid,
                values(shape.q_elems(), 16.0),
                values(shape.kv_elems(), 16.0),
                values(shape.kv_elems(), 8.0),
                values(shape.q_elems(), 8.0),
            )
        })
        .prop_map(|(shape, causal, kv_valid_len, q, k, v, d_out)| Problem {
            shape,
            opts: Options::new().causal(causal).kv_valid_len_opt(kv_valid_len),
            x: Inputs { q, k, v, d_out },
        })
}

fn f32s(x: &[f64]) -> Vec<f32> {
    x.iter().map(|&v| v as f32).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// AK1–AK3 on random problems: the CPU kernel agrees with the oracle in f32 (≤ 1e-5 / 1e-4)
    /// and f64 (≤ 1e-12), with the exact empty-row values.
    #[test]
    fn cpu_agrees_with_reference(p in problem()) {
        let e32 = run_inputs::<f32>(&CpuTiled, &p.x, p.shape, &p.opts).map_err(TestCaseError::fail)?;
        let e32 = e32.violations();
        prop_assert!(e32.is_empty(), "f32 {e32:?}");
        let e64 = run_inputs::<f64>(&CpuTiled, &p.x, p.shape, &p.opts).map_err(TestCaseError::fail)?.violations();
        prop_assert!(e64.is_empty(), "f64 {e64:?}");
    }

    /// [M] Each output row is a convex combination of the visible value rows, and
    /// `max_j S_ij ≤ lse_i ≤ max_j S_ij + ln(#visible)`. Checked on the CPU kernel in f32 with
    /// slack 1e-5·(1 + |bound|) (f32 forward tolerance).
    #[test]
    fn rows_are_convex_combinations(p in problem()) {
        let (q, k, v) = (f32s(&p.x.q), f32s(&p.x.k), f32s(&p.x.v));
        let f = forward(&q, &k, &v, p.shape, &p.opts).unwrap();
        let plan = Plan::new(p.shape, &p.opts).unwrap();
        let Shape { q_len: n, kv_len: m, head_dim: d, heads, .. } = p.shape;
        let slack = |b: f64| 1e-5 * (1.0 + b.abs());
        for bh in 0..p.shape.batch_heads() {
            for i in 0..n {
                let vis = plan.visible_keys(bh / heads, i);
                let lse = f.lse[bh * n + i] as f64;
                if vis == 0 {
                    prop_assert!(lse == f64::NEG_INFINITY);
                    continue;
                }
                let qi = &p.x.q[(bh * n + i) * d..][..d];
                let smax = (0..vis)
                    .map(|j| plan.scale() * (0..d).map(|t| qi[t] * p.x.k[(bh * m + j) * d + t]).sum::<f64>())
                    .fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(lse >= smax - slack(smax), "lse {lse} < max score {smax}");
                let hi = smax + (vis as f64).ln();
                prop_assert!(lse <= hi + slack(hi), "lse {lse} > {hi}");
                for t in 0..d {
                    let col = (0..vis).map(|j| p.x.v[(bh * m + j) * d + t]);
                    let lo = col.clone().fold(f64::INFINITY, f64::min);
                    let hi = col.fold(f64::NEG_INFINITY, f64::max);
                    let o = f.out[(bh * n + i) * d + t] as f64;
                    prop_assert!(o >= lo - slack(lo) && o <= hi + slack(hi), "out {o} outside [{lo}, {hi}]");
                }
            }
        }
    }

    /// [M] Right padding is invisible: appending `extra` keys of any value and masking them with
    /// `kv_valid_len = M` reproduces the unpadded result (non-causal: the bottom-right causal
    /// offset depends on kv_len). f32, relative error ≤ 1e-5, measured against the f64 oracle of
    /// the unpadded problem.
    #[test]
    fn right_padding_is_invisible(p in problem(), extra in 1usize..20, junk in -64i32..64) {
        let s = p.shape;
        let padded = Shape { kv_len: s.kv_len + extra, ..s };
        let pad = |x: &[f64]| -> Vec<f32> {
            x.chunks(s.kv_len * s.head_dim.max(1)).flat_map(|head| {
                head.iter().map(|&v| v as f32).chain(std::iter::repeat_n(junk as f32, extra * s.head_dim))
            }).collect()
        };
        prop_assume!(s.kv_len > 0);
        let valid = p.opts.get_kv_valid_len().map(|v| v.to_vec()).unwrap_or_else(|| vec![s.kv_len; s.batch]);
        let opts = Options::new().kv_valid_len(valid.clone());
        let got = forward(&f32s(&p.x.q), &pad(&p.x.k), &pad(&p.x.v), padded, &opts).unwrap();
        let want = reference::forward(&p.x.q, &p.x.k, &p.x.v, s, &Options::new().kv_valid_len(valid)).unwrap();
        let err = attnmech::attention::conformance::compare::relative_error(&got.out, &want.out, 0.0);
        prop_assert!(err <= 1e-5, "padded out error {err:e}");
        let same_lse = got.lse.iter().zip(&want.lse).all(|(g, w)| {
            (*g as f64 == *w) || (*g as f64 - w).abs() <= 1e-5 * (1.0 + w.abs())
        });
        prop_assert!(same_lse, "padded lse differs");
    }
}
