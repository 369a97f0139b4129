//! Hostile inputs for `pause` (see `tests/hostile/mod.rs` for the classes of bad input).

use attnmech::pause::capacity::{lookup_sum, MAX_LOOKUP_FACTS};
use attnmech::pause::inference::{decode_with_pauses, inference_input};
use attnmech::pause::loss::masked_next_token_loss;
use attnmech::pause::sequence::{
    finetune_sequence, pretrain_sequence, Delay, DelayToken, PauseSequence, Placement, MAX_DELAY,
};
use attnmech::pause::tiny::TinyLm;
use attnmech::rng::seeded;
use attnmech::Error;

fn delay(count: usize) -> Delay {
    Delay {
        count,
        token: DelayToken::Pause(9),
        placement: Placement::Append,
    }
}

#[test]
fn tiny_lm_backward_rejects_another_models_tape() {
    let a = TinyLm::random(5, 4, 4, 1, &mut seeded(1, 0)).unwrap();
    let b = TinyLm::random(5, 4, 4, 1, &mut seeded(2, 0)).unwrap();
    let c = TinyLm::random(5, 4, 8, 2, &mut seeded(3, 0)).unwrap();
    let (logits, tape) = a.forward(&[0, 1, 2], 1).unwrap();
    assert!(a.backward(&tape, &logits).is_ok());
    let r = b.backward(&tape, &logits);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = c.backward(&tape, &logits);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = a.backward(&tape, &logits[1..]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut nan = logits.clone();
    nan[0] = f64::NAN;
    let r = a.backward(&tape, &nan);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

#[test]
fn tiny_lm_rejects_overflowing_sizes_inconsistent_fields_and_ids() {
    let r = TinyLm::random(usize::MAX, 4, 4, 1, &mut seeded(1, 0));
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = TinyLm::random(4, 4, 0, 1, &mut seeded(1, 0));
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let m = TinyLm::random(5, 4, 4, 1, &mut seeded(1, 0)).unwrap();
    assert!(matches!(m.forward(&[5], 1), Err(Error::OutOfRange { .. })));
    assert!(matches!(m.forward(&[], 0), Err(Error::Empty { .. })));
    assert!(matches!(
        m.forward(&[0, 1], 3),
        Err(Error::OutOfRange { .. })
    ));
    let mut bad = m.clone();
    bad.embed_mut()[0] = f64::NAN;
    assert!(matches!(bad.forward(&[0], 1), Err(Error::NonFinite { .. })));
}

/// `TinyLm::new` validates what `random` guarantees: an inconsistent set of weights is a typed
/// error at construction, never a model that panics later.
#[test]
fn tiny_lm_new_rejects_inconsistent_weights() {
    let m = TinyLm::random(5, 4, 4, 1, &mut seeded(1, 0)).unwrap();
    let parts = |m: &TinyLm| {
        (
            m.embed().to_vec(),
            m.layers().to_vec(),
            m.unembed().to_vec(),
        )
    };
    let (e, l, u) = parts(&m);
    let rebuilt = TinyLm::new(5, 4, 4, e.clone(), l.clone(), u.clone()).unwrap();
    assert_eq!(rebuilt, m);
    let mut short = e.clone();
    short.pop();
    let r = TinyLm::new(5, 4, 4, short, l.clone(), u.clone());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut nan_layer = l.clone();
    nan_layer[0].wq[0] = f64::NAN;
    let r = TinyLm::new(5, 4, 4, e.clone(), nan_layer, u.clone());
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let mut ragged = l.clone();
    ragged[0].wv.push(0.0);
    let r = TinyLm::new(5, 4, 4, e.clone(), ragged, u.clone());
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let r = TinyLm::new(usize::MAX, 4, 4, e.clone(), l.clone(), u.clone());
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let r = TinyLm::new(5, 4, 0, e.clone(), l.clone(), u.clone());
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = TinyLm::new(5, 5, 4, e, l, u);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn lookup_sum_rejects_overflowing_positions_and_nan() {
    let r = lookup_sum(&[1.0, 2.0], usize::MAX, 1);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    // Representable but past the cap (the fuzz-found 32 GiB allocation at 2³¹ + 1 positions).
    for p in [usize::MAX / 2, 1 << 31] {
        let r = lookup_sum(&[1.0, 2.0], p, 1);
        assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    }
    let r = lookup_sum(&vec![1.0; MAX_LOOKUP_FACTS + 1], 2, 1);
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = lookup_sum(&[f64::MAX, f64::MAX], 2, 1);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = lookup_sum(&[1.0, f64::NAN], 2, 1);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = lookup_sum(&[1.0], 0, 0);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = lookup_sum(&[], 2, 0);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
}

#[test]
fn masked_loss_rejects_overflowing_vocab_ids_and_nan() {
    let seq = finetune_sequence(&[0, 1], &[2, 3], delay(1)).unwrap();
    let rows = seq.loss_mask.len();
    let r = masked_next_token_loss(&seq, &[0.0f64; 4], usize::MAX / 2, &mut [0.0; 4]);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let mut g = vec![0.0; rows * 4];
    let r = masked_next_token_loss(&seq, &vec![0.0f64; rows * 4], 4, &mut g[1..]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
    let mut z = vec![0.0f64; rows * 4];
    *z.last_mut().unwrap() = f64::NAN;
    let r = masked_next_token_loss(&seq, &z, 4, &mut g);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = masked_next_token_loss(&seq, &vec![0.0f64; rows * 3], 3, &mut vec![0.0; rows * 3]);
    assert!(matches!(r, Err(Error::OutOfRange { .. })), "{r:?}");
    let broken = PauseSequence {
        tokens: vec![0, 1, 2],
        loss_mask: vec![true],
    };
    let r = masked_next_token_loss(&broken, &[0.0f64; 4], 4, &mut [0.0; 4]);
    assert!(matches!(r, Err(Error::ShapeMismatch { .. })), "{r:?}");
}

#[test]
fn sequences_reject_huge_delays_pause_ids_and_nan_fraction() {
    let r = finetune_sequence(&[0], &[1], delay(usize::MAX));
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = finetune_sequence(&[0], &[1], delay(MAX_DELAY + 1));
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = inference_input(&[0], delay(usize::MAX));
    assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
    let r = finetune_sequence(&[9], &[1], delay(1));
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
    let r = finetune_sequence(&[], &[1], delay(1));
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    for f in [f64::NAN, -0.1, 1.5] {
        let r = pretrain_sequence(&[0, 1], 9, f, &mut seeded(1, 0));
        assert!(
            matches!(r, Err(Error::InvalidArgument { .. })),
            "{f}: {r:?}"
        );
    }
}

#[test]
fn decode_with_pauses_rejects_nan_logits_empty_output_and_overflow() {
    let r = decode_with_pauses(|_| vec![0.0, f64::NAN], &[0], delay(1), 2, false);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
    let r = decode_with_pauses(|_| vec![], &[0], delay(1), 2, false);
    assert!(matches!(r, Err(Error::Empty { .. })), "{r:?}");
    let r = decode_with_pauses(|_| vec![0.0, 1.0], &[0], delay(1), usize::MAX, false);
    assert!(matches!(r, Err(Error::Overflow { .. })), "{r:?}");
    let ok = decode_with_pauses(|_| vec![0.0, f64::NEG_INFINITY], &[0], delay(1), 2, true);
    assert_eq!(ok.unwrap(), vec![0, 0]);
}

/// Fuzz-found: at logits 1e30 the row's `lse = m + ln Σ` rounded to `m`, so the softmax rows of
/// the gradient summed to 2 (gradient rows to 1, not 0). Now normalised by the sum; a spread
/// past `f64::MAX` (an infinite loss) is `NonFinite`.
#[test]
fn masked_loss_stays_normalised_at_huge_logits_and_rejects_overflow() {
    let seq = PauseSequence {
        tokens: vec![0, 1],
        loss_mask: vec![true],
    };
    let mut g = [0.0; 2];
    let loss = masked_next_token_loss(&seq, &[1e30f64, 1e30], 2, &mut g).unwrap();
    assert!((loss - 2f64.ln()).abs() < 1e-15, "{loss}");
    assert_eq!(g, [0.5, -0.5]);
    let r = masked_next_token_loss(&seq, &[0.9 * f64::MAX, -0.9 * f64::MAX], 2, &mut g);
    assert!(matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

/// Fuzz-found: `head_dim = 0` leaves every buffer empty whatever `B`, and a huge `B` went into the
/// per-batch `kv_valid_len` (capacity overflow). `d = 0` is now rejected first.
#[test]
fn prefix_lm_rejects_zero_head_dim_with_huge_batch() {
    use attnmech::attention::Shape;
    use attnmech::pause::prefix_lm;
    let shape = Shape {
        batch: usize::MAX / 2,
        heads: 1,
        q_len: 2,
        kv_len: 2,
        head_dim: 0,
    };
    let r = prefix_lm::forward::<f64>(&[], &[], &[], shape, 1, None);
    assert!(matches!(r, Err(Error::InvalidArgument { .. })), "{r:?}");
}
