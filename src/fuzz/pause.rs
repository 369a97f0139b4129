//! The `pause` fuzz body: the prefix-LM attention kernel (forward and backward, f32 and f64)
//! against a dense f64 oracle, the masked next-token loss, the pause-token lookup network, the
//! tiny pause LM and the sequence builders, on hostile shapes, ids, delays and values.

use crate::attention::{Forward, Shape};
use crate::float::Float;
use crate::fuzz::bytes::{assert_finite, moderate, Bytes};
use crate::pause::inference::inference_input;
use crate::pause::prefix_lm;
use crate::pause::tiny::TinyLm;
use crate::pause::{
    capacity::lookup_sum, finetune_sequence, loss::masked_next_token_loss, Delay, DelayToken,
    PauseSequence, Placement,
};
use crate::rng::seeded;

/// Dense f64 prefix-LM attention: query `i` sees key `j` iff `j < prefix_len` or `j ≤ i`.
/// Returns `(out, P)` with `P` `[B·H, n, n]`.
fn oracle(q: &[f64], k: &[f64], v: &[f64], shape: Shape, p: usize) -> (Vec<f64>, Vec<f64>) {
    let (n, d) = (shape.q_len, shape.head_dim);
    let scale = 1.0 / (d as f64).sqrt();
    let mut out = vec![0.0; q.len()];
    let mut probs = vec![0.0; shape.batch_heads() * n * n];
    for bh in 0..shape.batch_heads() {
        for i in 0..n {
            let qi = &q[(bh * n + i) * d..][..d];
            let s: Vec<f64> = (0..n)
                .map(|j| {
                    if j < p || j <= i {
                        let kj = &k[(bh * n + j) * d..][..d];
                        scale * qi.iter().zip(kj).map(|(a, b)| a * b).sum::<f64>()
                    } else {
                        f64::NEG_INFINITY
                    }
                })
                .collect();
            let m = s.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = s.iter().map(|x| (x - m).exp()).sum();
            for j in 0..n {
                let pij = (s[j] - m).exp() / z;
                probs[(bh * n + i) * n + j] = pij;
                for c in 0..d {
                    out[(bh * n + i) * d + c] += pij * v[(bh * n + j) * d + c];
                }
            }
        }
    }
    (out, probs)
}

fn prefix_lm_call<T: Float>(b: &mut Bytes, hostile: bool) {
    let mut shape = Shape {
        batch: b.range(1, 2),
        heads: b.range(1, 2),
        q_len: b.below(10),
        kv_len: 0,
        head_dim: b.range(1, 6),
    };
    shape.kv_len = if hostile && b.one_in(8) {
        b.below(10)
    } else {
        shape.q_len
    };
    let prefix_len = if hostile && b.one_in(8) {
        b.size(0, shape.q_len + 1, true)
    } else {
        b.below(shape.q_len + 1)
    };
    let mut bufs: Vec<Vec<f64>> = Vec::with_capacity(4);
    for _ in 0..4 {
        // Lengths from the (small) shape; one time in 16 a buffer is one element short.
        let n = shape.batch * shape.heads * shape.q_len * shape.head_dim;
        let n = if hostile && b.one_in(16) {
            n.saturating_sub(1)
        } else {
            n
        };
        bufs.push(b.values(n, hostile));
    }
    // Hostile: one time in 16, a huge extent with the small buffers.
    if hostile && b.one_in(16) {
        shape.batch = b.size(1, 2, true);
    }
    let cast = |x: &[f64]| x.iter().map(|&v| T::of(v)).collect::<Vec<T>>();
    let (q, k, v, d_out) = (
        cast(&bufs[0]),
        cast(&bufs[1]),
        cast(&bufs[2]),
        cast(&bufs[3]),
    );
    let call = (T::NAME, shape, prefix_len, &bufs);
    let f = prefix_lm::forward(&q, &k, &v, shape, prefix_len, None);
    let stand_in = || Forward {
        out: vec![T::zero(); q.len()],
        lse: vec![T::zero(); shape.batch * shape.heads * shape.q_len],
    };
    let fwd = match &f {
        Ok(f) => f.clone(),
        // A rejected call still exercises the backward's own validation (small shapes only).
        Err(_)
            if q.len()
                == shape
                    .batch
                    .saturating_mul(shape.heads * shape.q_len * shape.head_dim) =>
        {
            stand_in()
        }
        Err(_) => Forward {
            out: Vec::new(),
            lse: Vec::new(),
        },
    };
    let g = prefix_lm::backward(&q, &k, &v, &fwd, &d_out, shape, prefix_len, None);
    let Ok(f) = f else { return };
    let elems = shape.batch * shape.heads * shape.q_len * shape.head_dim;
    assert!(
        q.len() == elems && k.len() == elems && v.len() == elems && f.out.len() == elems,
        "prefix_lm::forward accepted buffers that do not match the shape\n{call:?}"
    );
    let out: Vec<f64> = f.out.iter().map(|x| x.as_f64()).collect();
    assert_finite("prefix_lm::forward out", &out, &call);
    let seen = |x: &[T]| x.iter().map(|v| v.as_f64()).collect::<Vec<f64>>();
    let (qs, ks, vs, ds) = (seen(&q), seen(&k), seen(&v), seen(&d_out));
    let all_moderate = [&qs, &ks, &vs, &ds]
        .iter()
        .all(|x| moderate(x) && x.iter().all(|v| v.abs() <= 8.0));
    let (want, probs) = if all_moderate {
        oracle(&qs, &ks, &vs, shape, prefix_len)
    } else {
        (Vec::new(), Vec::new())
    };
    let tol = if T::NAME == "f64" { 1e-10 } else { 2e-4 };
    if all_moderate {
        for (i, (a, w)) in out.iter().zip(&want).enumerate() {
            assert!(
                (a - w).abs() <= tol * (1.0 + w.abs()),
                "out[{i}] = {a} vs oracle {w}\n{call:?}"
            );
        }
    }
    let Ok(g) = g else { return };
    for (what, x) in [("dq", &g.dq), ("dk", &g.dk), ("dv", &g.dv)] {
        assert_finite(what, &seen(x), &call);
    }
    if all_moderate {
        // dv_j = Σ_i P_ij d_out_i.
        let (n, d) = (shape.q_len, shape.head_dim);
        for bh in 0..shape.batch_heads() {
            for j in 0..n {
                for c in 0..d {
                    let w: f64 = (0..n)
                        .map(|i| probs[(bh * n + i) * n + j] * ds[(bh * n + i) * d + c])
                        .sum();
                    let a = g.dv[(bh * n + j) * d + c].as_f64();
                    assert!(
                        (a - w).abs() <= tol * (1.0 + w.abs()) * (n as f64),
                        "dv = {a} vs oracle {w}\n{call:?}"
                    );
                }
            }
        }
    }
}

fn delay(b: &mut Bytes, hostile: bool) -> Delay {
    Delay {
        count: b.size(0, 4, hostile),
        token: if b.flag() {
            DelayToken::Pause(b.below(6))
        } else {
            DelayToken::Filler(b.below(6))
        },
        placement: if b.flag() {
            Placement::Append
        } else {
            Placement::Prepend
        },
    }
}

/// Decodes one call and checks it: no panic; `Ok` results finite; the prefix-LM forward equals
/// the dense f64 oracle (f64 `1e-10`, f32 `2e-4` relative) and its `dv` equals `Pᵀ d_out`; the
/// masked loss equals the mean of `−log_softmax` over unmasked rows and its gradient rows sum to
/// zero.
pub fn pause(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    match mode % 6 {
        0 => prefix_lm_call::<f64>(&mut b, hostile),
        1 => prefix_lm_call::<f32>(&mut b, hostile),
        2 => {
            let n = b.below(8);
            let vocab = b.size(1, 5, hostile);
            let small = vocab.min(6);
            let seq = PauseSequence {
                tokens: b.ids(n, small, hostile),
                loss_mask: (0..n.saturating_sub(usize::from(!b.one_in(8))))
                    .map(|_| b.flag())
                    .collect(),
            };
            let len = seq.loss_mask.len() * small;
            let logits = b.values(len, hostile);
            let mut grad = vec![0.0; len];
            let call = (&seq, vocab, &logits);
            if let Ok(loss) = masked_next_token_loss(&seq, &logits, vocab, &mut grad) {
                assert_finite("masked_next_token_loss", &[loss], &call);
                assert_finite("masked_next_token_loss grad", &grad, &call);
                if moderate(&logits) {
                    let mut total = 0.0;
                    for (j, &on) in seq.loss_mask.iter().enumerate().filter(|(_, on)| **on) {
                        let z = &logits[j * vocab..][..vocab];
                        let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                        // `−lsm_y = (m − z_y) + ln Σ exp(z − m)`, never `(m + ln Σ) − z_y`:
                        // at |m| ≈ 1e30 the sum `m + ln Σ` rounds to `m`.
                        let lse_shift = z.iter().map(|x| (x - m).exp()).sum::<f64>().ln();
                        total += (m - z[seq.tokens[j + 1]]) + lse_shift;
                        let _ = on;
                        let gs: f64 = grad[j * vocab..][..vocab].iter().sum();
                        assert!(gs.abs() <= 1e-12, "gradient row {j} sums to {gs}\n{call:?}");
                    }
                    let want = total / seq.loss_terms() as f64;
                    assert!(
                        (loss - want).abs() <= 1e-12 * (1.0 + want.abs()),
                        "loss {loss} vs {want}\n{call:?}"
                    );
                }
            }
        }
        3 => {
            let len = b.below(6);
            let values = b.values(len, hostile);
            let (inputs, pauses) = (b.size(0, 6, hostile), b.size(0, 6, hostile));
            if let Ok(y) = lookup_sum(&values, inputs, pauses) {
                assert_finite("lookup_sum", &[y], &(&values, inputs, pauses));
            }
        }
        4 => {
            let (vi, vo, d, layers) = (b.range(1, 5), b.range(1, 5), b.range(1, 4), b.below(3));
            let seed = b.byte() as u64;
            let Ok(model) = TinyLm::random(vi, vo, d, layers, &mut seeded(seed, 0)) else {
                return;
            };
            if hostile && b.one_in(4) {
                // The validating constructor: one weight too few or a NaN weight is an error.
                let mut embed = model.embed().to_vec();
                if b.flag() {
                    embed.pop();
                } else {
                    embed[0] = f64::NAN;
                }
                let (layers, unembed) = (model.layers().to_vec(), model.unembed().to_vec());
                let r = TinyLm::new(vi, vo, d, embed, layers, unembed);
                assert!(r.is_err(), "TinyLm::new accepted inconsistent weights");
            }
            let n = b.below(6);
            let tokens = b.ids(n, vi, hostile);
            let prefix = b.below(n + 2);
            let call = (vi, vo, d, layers, seed, &tokens, prefix);
            if let Ok((logits, tape)) = model.forward(&tokens, prefix) {
                assert_finite("TinyLm::forward", &logits, &call);
                let d_logits_len = logits.len() + usize::from(hostile && b.one_in(8));
                let d_logits = b.values(d_logits_len, false);
                // One time in 4 the tape comes from another model (another width or depth).
                let other = if hostile && b.one_in(4) {
                    let (d2, l2) = (b.range(1, 4), b.below(3));
                    match TinyLm::random(vi, vo, d2, l2, &mut seeded(seed, 1)) {
                        Ok(m) => m,
                        Err(_) => return,
                    }
                } else {
                    model.clone()
                };
                if let Ok(g) = other.backward(&tape, &d_logits) {
                    assert_finite("TinyLm::backward embed", &g.embed, &call);
                    assert_finite("TinyLm::backward unembed", &g.unembed, &call);
                }
            }
        }
        _ => {
            let prefix_len = b.below(4);
            let prefix = b.ids(prefix_len, 6, false);
            let target_len = b.below(4);
            let target = b.ids(target_len, 6, false);
            let delay = delay(&mut b, hostile);
            if let Ok(s) = finetune_sequence(&prefix, &target, delay) {
                assert_eq!(s.loss_mask.len() + 1, s.tokens.len(), "{delay:?}");
            }
            if let Ok((tokens, start)) = inference_input(&prefix, delay) {
                assert!(start < tokens.len(), "{delay:?}");
            }
        }
    }
}
