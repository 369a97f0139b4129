//! PT1, PT2, PT3, PT5 through a tiny 2-layer, d = 16 attention LM in f64, with gradients through
//! the attention kernels (prefix-LM and causal masks).

use attnmech::pause::loss::masked_next_token_loss;
use attnmech::pause::tiny::{TinyGrads, TinyLm};
use attnmech::pause::{finetune_sequence, Delay, DelayToken, PauseSequence, Placement};
use attnmech::rng::seeded;
use rand::Rng;

const V: usize = 12;
const PAUSE: usize = 12;

fn model() -> TinyLm {
    TinyLm::random(V + 1, V, 16, 2, &mut seeded(71, 0)).unwrap()
}

/// Loss and parameter gradients; `perturb` is added to the logits (before the loss).
fn loss_and_grads(
    m: &TinyLm,
    seq: &PauseSequence,
    prefix_len: usize,
    perturb: &[f64],
) -> (f64, TinyGrads, Vec<f64>) {
    let (mut logits, tape) = m.forward(&seq.tokens, prefix_len).unwrap();
    logits.iter_mut().zip(perturb).for_each(|(a, b)| *a += b);
    let rows = seq.tokens.len() - 1;
    let mut dl = vec![0.0; rows * V];
    let loss = masked_next_token_loss(seq, &logits[..rows * V], V, &mut dl).unwrap();
    dl.extend(std::iter::repeat_n(0.0, V)); // last position predicts nothing
    (loss, m.backward(&tape, &dl).unwrap(), dl)
}

fn flat(g: &TinyGrads) -> Vec<f64> {
    let mut v = g.embed.clone();
    for l in &g.layers {
        v.extend(&l.wq);
        v.extend(&l.wk);
        v.extend(&l.wv);
    }
    v.extend(&g.unembed);
    v
}

/// PT1: with M = 0 the pause sequence, mask, loss and every parameter gradient are bit-identical to
/// standard fine-tuning (`prefix ⊕ target`, mask `j + 1 ≥ N`), for causal and prefix-LM masks.
#[test]
fn pt1_zero_pauses_is_standard_finetuning() {
    let m = model();
    let (prefix, target) = ([1usize, 4, 2, 7], [3usize, 3, 9]);
    let s = finetune_sequence(
        &prefix,
        &target,
        Delay {
            count: 0,
            token: DelayToken::Pause(PAUSE),
            placement: Placement::Append,
        },
    )
    .unwrap();
    let standard = PauseSequence {
        tokens: prefix.iter().chain(&target).copied().collect(),
        loss_mask: (0..6).map(|j| j + 1 >= prefix.len()).collect(),
    };
    assert_eq!(s, standard);
    let zero = vec![0.0; 7 * V];
    for p in [0, 4] {
        let (l1, g1, _) = loss_and_grads(&m, &s, p, &zero);
        let (l2, g2, _) = loss_and_grads(&m, &standard, p, &zero);
        assert_eq!(l1.to_bits(), l2.to_bits());
        assert_eq!(flat(&g1), flat(&g2));
    }
}

/// PT2: arbitrary changes (scale 1e3) of the logits at masked positions (prefix and pause outputs)
/// leave the loss and every parameter gradient bit-identical; the gradient w.r.t. those logits is
/// exactly 0. Central differences (h = 1e-5) of the loss w.r.t. masked logits are exactly 0 on 3
/// positions, and w.r.t. 3 embedding coordinates of pause rows match the analytic gradient through
/// the attention backward to 1e-7 (truncation O(h²) ≈ 1e-10, rounding ≈ 1e-11/h).
#[test]
fn pt2_masked_positions_do_not_matter() {
    let m = model();
    let s = finetune_sequence(
        &[1, 4, 2],
        &[3, 9],
        Delay {
            count: 3,
            token: DelayToken::Pause(PAUSE),
            placement: Placement::Append,
        },
    )
    .unwrap();
    let n = s.tokens.len();
    let mut rng = seeded(72, 0);
    for prefix_len in [0usize, 3, 6] {
        let zero = vec![0.0; n * V];
        let (l0, g0, dl) = loss_and_grads(&m, &s, prefix_len, &zero);
        let mut pert = vec![0.0; n * V];
        for (j, &on) in s.loss_mask.iter().enumerate() {
            if !on {
                for x in &mut pert[j * V..(j + 1) * V] {
                    *x = 1e3 * (rng.random::<f64>() - 0.5);
                }
                assert!(dl[j * V..(j + 1) * V].iter().all(|&x| x == 0.0));
            }
        }
        let (l1, g1, _) = loss_and_grads(&m, &s, prefix_len, &pert);
        assert_eq!(l0.to_bits(), l1.to_bits());
        assert_eq!(flat(&g0), flat(&g1));
        let h = 1e-5;
        for j in [0usize, 3, 4] {
            assert!(!s.loss_mask[j]);
            let (mut up, mut dn) = (zero.clone(), zero.clone());
            up[j * V + 2] += h;
            dn[j * V + 2] -= h;
            let fd = (loss_and_grads(&m, &s, prefix_len, &up).0
                - loss_and_grads(&m, &s, prefix_len, &dn).0)
                / (2.0 * h);
            assert_eq!(fd, 0.0);
        }
        for c in [0usize, 5, 11] {
            let idx = PAUSE * m.d() + c;
            let (mut mp, mut mm) = (m.clone(), m.clone());
            mp.embed_mut()[idx] += h;
            mm.embed_mut()[idx] -= h;
            let fd = (loss_and_grads(&mp, &s, prefix_len, &zero).0
                - loss_and_grads(&mm, &s, prefix_len, &zero).0)
                / (2.0 * h);
            assert!(
                (fd - g0.embed[idx]).abs() < 1e-7,
                "P={prefix_len} c={c}: fd {fd} vs {}",
                g0.embed[idx]
            );
            assert!(g0.embed[idx] != 0.0);
        }
    }
}

/// PT5: adding `<pause>` costs exactly one input-embedding row (d parameters) with untied
/// embeddings when the pause is never an output, and one more output row (2d in total) when the
/// output layer also gets a pause column.
#[test]
fn pt5_parameter_overhead() {
    let mut rng = seeded(73, 0);
    let d = 16;
    let base = TinyLm::random(V, V, d, 2, &mut rng)
        .unwrap()
        .parameter_count();
    assert_eq!(
        TinyLm::random(V + 1, V, d, 2, &mut rng)
            .unwrap()
            .parameter_count()
            - base,
        d
    );
    assert_eq!(
        TinyLm::random(V + 1, V + 1, d, 2, &mut rng)
            .unwrap()
            .parameter_count()
            - base,
        2 * d
    );
}
