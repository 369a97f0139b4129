//! User-written modifiers (FlexAttention's idea): a relative-position bias [`ScoreMod`] and a
//! strided [`MaskMod`], monomorphised into the CPU kernel, agree with the f64 oracle running the
//! same modifiers in forward and backward, and the oracle's backward agrees with central finite
//! differences of its forward (so the modifier's derivative is used correctly).
//!
//! Tolerances: f64 ≤ 1e-12 kernel vs oracle (as the conformance suite); FD ≤ 1e-7 (step 1e-5,
//! see `finite_diff.rs`).

use attnmech::attention::kernel::GradsMut;
use attnmech::attention::mods::{MaskMod, Pos, ScoreMod};
use attnmech::attention::{
    backward_with_mods, forward_with_mods, reference, Options, View, ViewMut,
};
use attnmech::Float;

/// T5-style bias: `s + b[clamp(k − q_diag, −4, 4) + 4]`, derivative 1.
struct RelBias(Vec<f64>);

impl ScoreMod for RelBias {
    fn value<T: Float>(&self, s: T, pos: Pos) -> T {
        let r = pos.rel().clamp(-4.0, 4.0) as i64 + 4;
        s + T::of(self.0[r as usize])
    }
    fn grad<T: Float>(&self, _: T, _: Pos) -> T {
        T::one()
    }
}

/// Hides keys with `(q + k) % 3 == 0` (not an interval, so only the predicate can express it).
struct EveryThird;

impl MaskMod for EveryThird {
    fn keep(&self, pos: Pos) -> bool {
        !(pos.q + pos.k).is_multiple_of(3)
    }
}

type Run = (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

fn run(
    cpu: bool,
    x: &[Vec<f64>; 4],
    (h, n, m, d): (usize, usize, usize, usize),
    opts: &Options,
) -> Run {
    let q = View::bhsd("q", &x[0], 1, h, n, d).unwrap();
    let k = View::bhsd("k", &x[1], 1, h, m, d).unwrap();
    let v = View::bhsd("v", &x[2], 1, h, m, d).unwrap();
    let d_out = View::bhsd("d_out", &x[3], 1, h, n, d).unwrap();
    let bias = RelBias((0..9).map(|i| 0.1 * i as f64 - 0.4).collect());
    let (mut out, mut lse) = (vec![0.0; h * n * d], vec![0.0; h * n]);
    let ov = ViewMut::bhsd("out", &mut out, 1, h, n, d).unwrap();
    if cpu {
        forward_with_mods(q, k, v, opts, &bias, &EveryThird, ov, &mut lse).unwrap();
    } else {
        reference::forward_with_mods(q, k, v, opts, &bias, &EveryThird, ov, &mut lse).unwrap();
    }
    let (mut dq, mut dk, mut dv) = (
        vec![0.0; h * n * d],
        vec![0.0; h * m * d],
        vec![0.0; h * m * d],
    );
    let grads = GradsMut {
        dq: ViewMut::bhsd("dq", &mut dq, 1, h, n, d).unwrap(),
        dk: ViewMut::bhsd("dk", &mut dk, 1, h, m, d).unwrap(),
        dv: ViewMut::bhsd("dv", &mut dv, 1, h, m, d).unwrap(),
        d_sink: &mut [],
    };
    let o = View::bhsd("out", &out, 1, h, n, d).unwrap();
    if cpu {
        backward_with_mods(q, k, v, o, &lse, d_out, opts, &bias, &EveryThird, grads).unwrap();
    } else {
        reference::backward_with_mods(q, k, v, o, &lse, d_out, opts, &bias, &EveryThird, grads)
            .unwrap();
    }
    (out.clone(), lse, dq, dk, dv)
}

fn inputs(h: usize, n: usize, m: usize, d: usize, seed: u64) -> [Vec<f64>; 4] {
    let mut rng = attnmech::rng::seeded(seed, 0);
    let mut draw = |len: usize| -> Vec<f64> {
        use rand::Rng;
        (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
    };
    [
        draw(h * n * d),
        draw(h * m * d),
        draw(h * m * d),
        draw(h * n * d),
    ]
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den.max(f64::MIN_POSITIVE)).sqrt()
}

/// The CPU kernel with the user modifiers matches the oracle with the same modifiers (f64,
/// ≤ 1e-12), on shapes that cross the tile edges, causal and with a window.
#[test]
fn user_modifiers_match_the_oracle() {
    for (dims, opts) in [
        ((2, 65, 130, 16), Options::new()),
        ((1, 70, 70, 8), Options::new().causal(true).window(20, 0)),
    ] {
        let x = inputs(dims.0, dims.1, dims.2, dims.3, 3);
        let (mut a, mut b) = (run(true, &x, dims, &opts), run(false, &x, dims, &opts));
        // Rows whose every key is masked have lse = −∞ in both, exactly; compare the rest.
        for (g, w) in a.1.iter_mut().zip(b.1.iter_mut()) {
            assert_eq!(*g == f64::NEG_INFINITY, *w == f64::NEG_INFINITY);
            if *w == f64::NEG_INFINITY {
                (*g, *w) = (0.0, 0.0);
            }
        }
        for (name, g, w) in [
            ("out", &a.0, &b.0),
            ("lse", &a.1, &b.1),
            ("dq", &a.2, &b.2),
            ("dk", &a.3, &b.3),
            ("dv", &a.4, &b.4),
        ] {
            let e = rel(g, w);
            assert!(e <= 1e-12, "{name}: {e:e} {opts}");
        }
    }
}

/// The oracle's backward with the modifiers matches central differences of its forward (≤ 1e-7).
#[test]
fn user_modifier_gradients_match_finite_differences() {
    let dims = (1, 5, 7, 3);
    let opts = Options::new();
    let x = inputs(dims.0, dims.1, dims.2, dims.3, 4);
    let (_, _, dq, dk, _) = run(false, &x, dims, &opts);
    let loss = |x: &[Vec<f64>; 4]| -> f64 {
        let (out, ..) = run(false, x, dims, &opts);
        out.iter().zip(&x[3]).map(|(o, w)| o * w).sum()
    };
    for (which, analytic) in [(0, &dq), (1, &dk)] {
        let num: Vec<f64> = (0..x[which].len())
            .map(|i| {
                let mut up = x.clone();
                up[which][i] += 1e-5;
                let mut down = x.clone();
                down[which][i] -= 1e-5;
                (loss(&up) - loss(&down)) / 2e-5
            })
            .collect();
        let e = rel(analytic, &num);
        assert!(e <= 1e-7, "FD error {e:e} for input {which}");
    }
}
