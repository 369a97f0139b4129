//! The issue-10 feature shapes on the view API, shared by `benches/attention.rs` (criterion and its
//! summary ratios) and `examples/attention_bench.rs` (the `RESULT` lines that
//! `scripts/attention_vs_torch.py` puts beside PyTorch), so both time exactly the script's shapes:
//! GQA `(1, 32 heads, 8 kv, 2048, 128)` causal; `[B, S, H, D]` views at `(1, 8, 2048, 64)`; varlen,
//! the script's 16 lengths (`VARLEN`), H = 8, d = 64, causal, packed `[total, H, D]`; sliding window
//! `(256, 0)` at `(1, 8, 4096, 64)`. Names are the script's.

use attnmech::attention::{self, Options};
use rand::Rng;
use std::hint::black_box;

/// The varlen sequence lengths of `scripts/attention_vs_torch.py` (`VARLEN`), in its order.
pub const VARLEN: [usize; 16] = [
    64, 1024, 128, 512, 96, 768, 256, 640, 200, 1000, 320, 448, 80, 900, 384, 576,
];

/// A feature shape of issue 10 on the view API: dense or `[B, S, H, D]` buffers, GQA, options.
pub struct FeatureProblem {
    /// The script's name of the shape.
    pub label: &'static str,
    /// `(batch, heads, kv_heads, q_len, kv_len, head_dim)` of the views.
    dims: (usize, usize, usize, usize, usize, usize),
    bshd: bool,
    opts: Options,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    d_out: Vec<f32>,
    out: Vec<f32>,
    lse: Vec<f32>,
    dq: Vec<f32>,
    dk: Vec<f32>,
    dv: Vec<f32>,
}

impl FeatureProblem {
    fn new(
        label: &'static str,
        dims: (usize, usize, usize, usize, usize, usize),
        bshd: bool,
        opts: Options,
    ) -> Self {
        let (b, h, hk, n, m, d) = dims;
        let mut rng = attnmech::rng::seeded(1, 0);
        let mut draw = |n| -> Vec<f32> { (0..n).map(|_| rng.random_range(-1.0..1.0)).collect() };
        FeatureProblem {
            label,
            dims,
            bshd,
            opts,
            q: draw(b * h * n * d),
            k: draw(b * hk * m * d),
            v: draw(b * hk * m * d),
            d_out: draw(b * h * n * d),
            out: vec![0.0; b * h * n * d],
            lse: vec![0.0; b * h * n],
            dq: vec![0.0; b * h * n * d],
            dk: vec![0.0; b * hk * m * d],
            dv: vec![0.0; b * hk * m * d],
        }
    }

    fn view<'a>(&self, x: &'a [f32], heads: usize, len: usize) -> attention::View<'a, f32> {
        let (b, .., d) = self.dims;
        if self.bshd {
            attention::View::bshd("x", x, b, len, heads, d).expect("valid view")
        } else {
            attention::View::bhsd("x", x, b, heads, len, d).expect("valid view")
        }
    }

    pub fn forward(&mut self) {
        let (b, h, hk, n, m, d) = self.dims;
        let out = std::mem::take(&mut self.out);
        let mut out = out;
        {
            let ov = if self.bshd {
                attention::ViewMut::bshd("out", &mut out, b, n, h, d)
            } else {
                attention::ViewMut::bhsd("out", &mut out, b, h, n, d)
            }
            .expect("valid view");
            let (q, k, v) = (
                self.view(black_box(&self.q), h, n),
                self.view(&self.k, hk, m),
                self.view(&self.v, hk, m),
            );
            attention::AttentionKernel::forward_into(
                &attention::CpuTiled,
                q,
                k,
                v,
                &self.opts,
                ov,
                &mut self.lse,
            )
            .expect("valid inputs");
        }
        self.out = out;
    }

    pub fn forward_backward(&mut self) {
        self.forward();
        let (b, h, hk, n, m, d) = self.dims;
        let (mut dq, mut dk, mut dv) = (
            std::mem::take(&mut self.dq),
            std::mem::take(&mut self.dk),
            std::mem::take(&mut self.dv),
        );
        {
            fn mk<'a>(
                bshd: bool,
                x: &'a mut [f32],
                [b, heads, len, d]: [usize; 4],
                what: &'static str,
            ) -> attention::ViewMut<'a, f32> {
                if bshd {
                    attention::ViewMut::bshd(what, x, b, len, heads, d)
                } else {
                    attention::ViewMut::bhsd(what, x, b, heads, len, d)
                }
                .expect("valid view")
            }
            let bshd = self.bshd;
            let grads = attention::GradsMut {
                dq: mk(bshd, &mut dq, [b, h, n, d], "dq"),
                dk: mk(bshd, &mut dk, [b, hk, m, d], "dk"),
                dv: mk(bshd, &mut dv, [b, hk, m, d], "dv"),
                d_sink: &mut [],
            };
            attention::AttentionKernel::backward_into(
                &attention::CpuTiled,
                self.view(&self.q, h, n),
                self.view(&self.k, hk, m),
                self.view(&self.v, hk, m),
                self.view(&self.out, h, n),
                &self.lse,
                self.view(&self.d_out, h, n),
                &self.opts,
                grads,
            )
            .expect("valid inputs");
        }
        (self.dq, self.dk, self.dv) = (dq, dk, dv);
    }

    /// Forward FLOPs actually visible: `4·d` per (query head, visible key) pair.
    pub fn flops_forward(&self) -> f64 {
        let (_, h, hk, n, m, d) = self.dims;
        let q = self.view(&self.q, h, n);
        let k = self.view(&self.k, hk, m);
        let plan = attention::Plan::for_views(&q, &k, &k, &self.opts).expect("valid plan");
        let pairs: usize = (0..plan.seqs().len())
            .map(|s| {
                (0..plan.seqs()[s].q_len)
                    .map(|i| {
                        let (lo, hi) = plan.key_range(s, i);
                        hi.saturating_sub(lo)
                    })
                    .sum::<usize>()
            })
            .sum();
        4.0 * (pairs * h * d) as f64
    }
}

/// The issue-10 shapes of the script (see the module docs). FLOPs count only visible (query, key)
/// pairs.
pub fn feature_problems() -> Vec<FeatureProblem> {
    let mut cu = vec![0];
    for l in VARLEN {
        cu.push(cu[cu.len() - 1] + l);
    }
    let total = cu[cu.len() - 1];
    vec![
        FeatureProblem::new(
            "gqa_b1_h32_kv8_n2048_d128_causal",
            (1, 32, 8, 2048, 2048, 128),
            false,
            Options::new().causal(true),
        ),
        FeatureProblem::new(
            "bshd_b1_h8_n2048_d64",
            (1, 8, 8, 2048, 2048, 64),
            true,
            Options::new(),
        ),
        FeatureProblem::new(
            "varlen_16seq_64to1024_h8_d64_causal",
            (1, 8, 8, total, total, 64),
            true,
            Options::new().causal(true).varlen(cu.clone(), cu),
        ),
        FeatureProblem::new(
            "window256_b1_h8_n4096_d64",
            (1, 8, 8, 4096, 4096, 64),
            false,
            Options::new().causal(true).window(256, 0),
        ),
    ]
}
