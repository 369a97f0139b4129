//! The `specdec` fuzz body: the speculative-decoding verifier (standard and lossy rules, greedy),
//! temperature warping, the i.i.d. statistics and the decoding driver, on hostile distributions,
//! ids, lengths, leniences, temperatures and `γ`.

use crate::float::Float;
use crate::fuzz::bytes::{assert_finite, Bytes};
use crate::rng::seeded;
use crate::specdec::stats::{iid_accepted_pmf, iid_expected_block, optimal_gamma, speedup};
use crate::specdec::{
    speculative_decode_with, verify_greedy, verify_with, warp, AcceptRule, ResidualMode,
    SpecConfig, Standard,
};

/// `γ + 1` probability rows of length `vocab` (exact zeros when `sparse`); when `hostile`, one
/// time in 8 an entry is replaced by an extreme value.
fn rows(b: &mut Bytes, count: usize, vocab: usize, hostile: bool) -> Vec<f64> {
    let sparse = b.flag();
    let mut x: Vec<f64> = (0..count)
        .flat_map(|_| b.distribution(vocab, sparse))
        .collect();
    if hostile && b.one_in(4) && !x.is_empty() {
        let i = b.below(x.len());
        x[i] = b.extreme();
    }
    if hostile && b.one_in(8) {
        x.pop();
    }
    x
}

fn verify_call<T: Float>(b: &mut Bytes, hostile: bool) {
    let gamma = b.below(5);
    let vocab = b.size(1, 6, hostile);
    let small = vocab.min(7);
    let drafts = b.ids(gamma, small, hostile);
    let q = rows(b, gamma, small, hostile);
    let p = rows(b, gamma + 1, small, hostile);
    let rule = if b.flag() {
        Standard::EXACT
    } else {
        let residual = if b.flag() {
            ResidualMode::PMinusQ
        } else {
            ResidualMode::PMinusEpsQ
        };
        match Standard::lossy(b.positive(hostile) / 8.0, residual) {
            Ok(r) => r,
            Err(_) => return,
        }
    };
    let (qt, pt): (Vec<T>, Vec<T>) = (
        q.iter().map(|&x| T::of(x)).collect(),
        p.iter().map(|&x| T::of(x)).collect(),
    );
    let mut rng = seeded(b.byte() as u64, 0);
    let call = (T::NAME, &rule, vocab, &drafts, &q, &p);
    if let Ok(v) = verify_with(&rule, &drafts, &qt, &pt, vocab, &mut rng) {
        assert!(
            v.accepted <= gamma && v.tokens.len() == v.accepted + 1,
            "{v:?}\n{call:?}"
        );
        assert_eq!(&v.tokens[..v.accepted], &drafts[..v.accepted], "{call:?}");
        assert!(v.tokens.iter().all(|&t| t < vocab), "{v:?}\n{call:?}");
        let (r, z) = (v.accepted, v.tokens[v.accepted]);
        if r < gamma {
            // A rejection only where the acceptance probability is below one.
            let (pr, qr) = (
                pt[r * vocab + drafts[r]].as_f64(),
                qt[r * vocab + drafts[r]].as_f64(),
            );
            assert!(
                rule.log_accept(pr, qr) < 0.0,
                "rejected a sure accept at {r}: {v:?}\n{call:?}"
            );
        }
        // The emitted correction or bonus token has positive target probability.
        assert!(
            pt[r * vocab + z].as_f64() > 0.0,
            "emitted a token of target probability 0: {v:?}\n{call:?}"
        );
    }
    let scores = b.values(p.len(), hostile);
    let st: Vec<T> = scores.iter().map(|&x| T::of(x)).collect();
    if let Ok(v) = verify_greedy(&drafts, &st, vocab) {
        let best = |i: usize| crate::ops::argmax(&st[i * vocab..][..vocab]);
        for (i, &d) in drafts.iter().enumerate().take(v.accepted) {
            assert_eq!(d, best(i), "greedy accepted a non-argmax draft\n{call:?}");
        }
        assert_eq!(
            v.tokens[v.accepted],
            best(v.accepted),
            "greedy correction\n{call:?}"
        );
    }
}

/// Decodes one call and checks it: no panic; `Ok` results finite; a verdict emits its accepted
/// drafts plus one token of positive target probability and rejects only where `p < ε q`; greedy
/// verification emits argmaxes; `warp` returns a normalised finite distribution; the i.i.d. pmf
/// sums to one and its mean plus one is the expected block length; the driver returns exactly
/// `new_tokens` in-vocabulary tokens.
pub fn specdec(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    match mode % 5 {
        0 => verify_call::<f64>(&mut b, hostile),
        1 => verify_call::<f32>(&mut b, hostile),
        2 => {
            let n = b.below(8);
            let p: Vec<f64> = if !hostile || b.flag() {
                b.distribution(n, true)
            } else {
                b.values(n, hostile)
            };
            let t = if b.one_in(4) {
                0.0
            } else {
                b.positive(hostile)
            };
            if let Ok(w) = warp(&p, t) {
                assert_finite("warp", &w, &(&p, t));
                let s: f64 = w.iter().sum();
                assert!(
                    (s - 1.0).abs() <= 1e-12 * (n as f64 + 1.0),
                    "warp sums to {s}\n{:?}",
                    (&p, t)
                );
            }
        }
        3 => {
            let alpha = if b.flag() {
                b.unit()
            } else {
                b.scalar(hostile)
            };
            // O(γ) loops by design: the campaign bounds γ at 2^20 to stay fast.
            let gamma = b.size(0, 12, hostile).min(1 << 20);
            let cost = b.positive(hostile) / 8.0;
            let call = (alpha, gamma, cost);
            if let (Ok(pmf), Ok(block)) = (
                iid_accepted_pmf(alpha, gamma),
                iid_expected_block(alpha, gamma),
            ) {
                assert_finite("iid_accepted_pmf", &pmf, &call);
                let s: f64 = pmf.iter().sum();
                let mean: f64 = pmf.iter().enumerate().map(|(i, p)| i as f64 * p).sum();
                assert!((s - 1.0).abs() <= 1e-9, "pmf sums to {s}\n{call:?}");
                assert!(
                    (mean + 1.0 - block).abs() <= 1e-9 * block.max(1.0) || gamma > 1 << 12,
                    "E[n] + 1 = {} but E[B] = {block}\n{call:?}",
                    mean + 1.0
                );
            }
            if let Ok(s) = speedup(alpha, gamma, cost) {
                assert_finite("speedup", &[s], &call);
            }
            if let Ok(g) = optimal_gamma(alpha, cost, gamma.min(256)) {
                assert!(
                    g >= 1 && g <= gamma.clamp(1, 256),
                    "optimal_gamma {g}\n{call:?}"
                );
            }
        }
        _ => {
            let vocab = b.range(1, 4);
            let target = b.distribution(vocab * vocab, true);
            let draft = b.distribution(vocab * vocab, false);
            let row = |t: &[f64], ctx: &[usize]| {
                let last = ctx.last().copied().unwrap_or(0) % vocab;
                let r = &t[last * vocab..][..vocab];
                let s: f64 = r.iter().sum();
                if s > 0.0 {
                    r.iter().map(|x| x / s).collect()
                } else {
                    vec![1.0 / vocab as f64; vocab]
                }
            };
            let prompt_len = b.range(0, 3);
            let prompt = b.ids(prompt_len, vocab, hostile);
            let new_tokens = b.below(8);
            let cfg = SpecConfig {
                gamma: b.size(0, 4, hostile),
                temperature: if b.one_in(4) {
                    0.0
                } else {
                    b.positive(hostile) / 8.0
                },
            };
            let mut rng = seeded(b.byte() as u64, 1);
            let call = (vocab, &prompt, new_tokens, cfg);
            let out = speculative_decode_with(
                &Standard::EXACT,
                |c: &[usize]| row(&target, c),
                |c: &[usize]| row(&draft, c),
                &prompt,
                vocab,
                new_tokens,
                cfg,
                &mut rng,
            );
            if let Ok(d) = out {
                assert_eq!(d.tokens.len(), new_tokens, "{call:?}");
                assert!(d.tokens.iter().all(|&t| t < vocab), "{d:?}\n{call:?}");
            }
        }
    }
}
