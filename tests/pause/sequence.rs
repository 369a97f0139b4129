//! Sequence construction: the worked example, PT3 counts, PT4 insertion, PT6 decoding, variants.

use attnmech::pause::inference::{decode_with_pauses, inference_input};
use attnmech::pause::{finetune_sequence, pretrain_sequence, Delay, DelayToken, Placement};
use attnmech::rng::seeded;
use statrs::distribution::{ChiSquared, ContinuousCDF};

fn append(count: usize) -> Delay {
    Delay {
        count,
        token: DelayToken::Pause(99),
        placement: Placement::Append,
    }
}

/// Spec 3(e): p = [5,6,7], t = [8,9], M = 3, pause 99 → s = [5,6,7,99,99,99,8,9], mask
/// [0,0,0,0,0,1,1]; prepend and filler variants keep the same mask; `<pause>` inside the data is
/// an error.
#[test]
fn worked_example_and_variants() {
    let s = finetune_sequence(&[5, 6, 7], &[8, 9], append(3)).unwrap();
    assert_eq!(s.tokens, vec![5, 6, 7, 99, 99, 99, 8, 9]);
    let want = [false, false, false, false, false, true, true];
    assert_eq!(s.loss_mask, want);
    let pre = finetune_sequence(
        &[5, 6, 7],
        &[8, 9],
        Delay {
            placement: Placement::Prepend,
            ..append(3)
        },
    )
    .unwrap();
    assert_eq!(pre.tokens, vec![99, 99, 99, 5, 6, 7, 8, 9]);
    assert_eq!(pre.loss_mask, want);
    let fill = finetune_sequence(
        &[5, 6, 7],
        &[8, 9],
        Delay {
            token: DelayToken::Filler(1),
            ..append(3)
        },
    )
    .unwrap();
    assert_eq!(fill.tokens, vec![5, 6, 7, 1, 1, 1, 8, 9]);
    assert_eq!(fill.loss_mask, want);
    assert!(finetune_sequence(&[5, 99], &[8], append(1)).is_err());
    assert!(finetune_sequence(&[], &[8], append(1)).is_err());
    assert!(finetune_sequence(&[5], &[], append(1)).is_err());
}

/// PT3 (fine-tuning): the number of loss terms is T, and `<pause>` is never a target, for every
/// N ≤ 5, T ≤ 4, M ≤ 6 and both placements.
#[test]
fn pt3_finetune_loss_terms() {
    for n in 1..=5 {
        for t in 1..=4 {
            for m in 0..=6 {
                for placement in [Placement::Append, Placement::Prepend] {
                    let prefix: Vec<usize> = (0..n).collect();
                    let target: Vec<usize> = (10..10 + t).collect();
                    let s = finetune_sequence(
                        &prefix,
                        &target,
                        Delay {
                            placement,
                            ..append(m)
                        },
                    )
                    .unwrap();
                    assert_eq!(s.loss_terms(), t);
                    for (j, &on) in s.loss_mask.iter().enumerate() {
                        assert!(!(on && s.tokens[j + 1] == 99));
                    }
                }
            }
        }
    }
}

/// PT4: exactly round(0.1 L) pauses before truncation; after truncation the non-pause tokens are a
/// prefix of the original in order; PT3 (pretraining): loss terms = non-pause next tokens. The
/// inserted slot *sets* are uniform over all C(22, 2) = 231 subsets for L = 20: Pearson χ² over
/// 1e5 sequences, p > 1e-3.
#[test]
fn pt4_pretraining_insertion() {
    let mut rng = seeded(61, 0);
    let seq: Vec<usize> = (0..20).collect();
    let mut counts = std::collections::HashMap::<(usize, usize), u64>::new();
    let n = 100_000;
    for _ in 0..n {
        let s = pretrain_sequence(&seq, 99, 0.1, &mut rng).unwrap();
        assert_eq!(s.slots.len(), 2);
        assert_eq!(s.sequence.tokens.len(), 20);
        let real: Vec<usize> = s
            .sequence
            .tokens
            .iter()
            .copied()
            .filter(|&t| t != 99)
            .collect();
        assert_eq!(real, seq[..real.len()].to_vec());
        let non_pause_targets = s.sequence.tokens[1..].iter().filter(|&&t| t != 99).count();
        assert_eq!(s.sequence.loss_terms(), non_pause_targets);
        *counts.entry((s.slots[0], s.slots[1])).or_default() += 1;
    }
    assert_eq!(counts.len(), 231);
    let e = n as f64 / 231.0;
    let stat: f64 = counts.values().map(|&c| (c as f64 - e).powi(2) / e).sum();
    let pv = ChiSquared::new(230.0).unwrap().sf(stat);
    eprintln!("PT4 subset χ² p = {pv:.4}");
    assert!(pv > 1e-3);
    // Other lengths: the count is round(0.1 L).
    for l in [1usize, 4, 5, 14, 15, 37] {
        let s = pretrain_sequence(&(0..l).collect::<Vec<_>>(), 99, 0.1, &mut rng).unwrap();
        assert_eq!(s.slots.len(), (0.1 * l as f64).round() as usize);
    }
}

/// PT6: decoding starts at position N + M − 1 and the output is exactly the generated tokens after
/// the last pause, for a model that may itself emit pauses (and with pauses forbidden).
#[test]
fn pt6_decode_after_last_pause() {
    let delay = append(2);
    let (input, start) = inference_input(&[3, 4, 5], delay).unwrap();
    assert_eq!(input, vec![3, 4, 5, 99, 99]);
    assert_eq!(start, 4);
    // A scripted model: emits 7, then a pause, then 8, 9, ... by context length.
    let script = |ctx: &[usize]| -> Vec<f64> {
        let want = match ctx.len() {
            5 => 7,
            6 => 99,
            l => l + 1,
        };
        let mut z = vec![0.0; 100];
        z[want] = 1.0;
        z[99] = if want == 99 { 1.0 } else { 0.5 };
        z
    };
    assert_eq!(
        decode_with_pauses(script, &[3, 4, 5], delay, 4, false).unwrap(),
        vec![8, 9]
    );
    // With pauses forbidden the second token is the runner-up (0) instead of <pause>.
    assert_eq!(
        decode_with_pauses(script, &[3, 4, 5], delay, 3, true).unwrap(),
        vec![7, 0, 8]
    );
    // Prepended pauses: the output is still only generated tokens.
    let pre = Delay {
        placement: Placement::Prepend,
        ..delay
    };
    assert_eq!(
        decode_with_pauses(|_: &[usize]| vec![0.0, 1.0], &[0, 0], pre, 3, true).unwrap(),
        vec![1, 1, 1]
    );
}
