//! The attention fuzz body.
//!
//! [`attention`] decodes bytes into an attention call ([`decode`]) and checks the CPU kernels
//! against the f64 reference:
//! - never a panic, whatever the bytes (shapes with a zero extent, padding beyond `kv_len`, NaN and
//!   infinite values, buffers one element too short or too long);
//! - the kernel and the reference accept and reject exactly the same inputs, with the same
//!   [`crate::Error`];
//! - where the input is valid, forward and backward agree with the oracle within the conformance
//!   tolerances ([`crate::attention::conformance`]), including the exact values of rows that see
//!   no key.
//!
//! - in extreme mode (flag `0x80`), values up to the type's largest finite magnitude: whatever the
//!   kernels return must then be finite (`out`, `lse` neither NaN nor `+∞`, gradients) or a typed
//!   error; oracle agreement is not asked there, since both sides may legitimately overflow at
//!   different points.
//!
//! A disagreement panics with the decoded problem, which is what the fuzzer detects.

use crate::attention::conformance::{run_inputs, Inputs, KernelFloat};
use crate::attention::{reference, AttentionKernel, CpuTiled, Forward, Options, Shape};
use crate::error::{Error, Result};
use crate::fuzz::bytes::Bytes;

/// A decoded fuzz input.
#[derive(Clone, Debug)]
pub struct Problem {
    /// The call's shape (small: batch, heads ≤ 2, lengths ≤ 69, head_dim ≤ 24; possibly a zero).
    pub shape: Shape,
    /// Options (possibly an out-of-range `kv_valid_len`).
    pub opts: Options,
    /// Run in f64 (else f32).
    pub f64: bool,
    /// `q, k, v, d_out` as exact f64 values (multiples of 1/32, or NaN/±∞; in extreme mode up to
    /// the type's largest finite magnitude), possibly of the wrong length.
    pub x: Inputs,
    /// Extreme magnitudes: only "no panic, finite or typed error" is checked.
    pub extreme: bool,
}

/// `(b as i8) / 32`, or, when `special`, NaN for −128 and ±∞ for ±127.
fn value(b: &mut Bytes, special: bool) -> f64 {
    let x = b.byte() as i8;
    match (special, x) {
        (true, -128) => f64::NAN,
        (true, 127) => f64::INFINITY,
        (true, -127) => f64::NEG_INFINITY,
        _ => x as f64 / 32.0,
    }
}

/// Extreme mode: a grid value times a magnitude drawn once per call, or (one time in 8) exactly
/// `±max`, the largest finite value of the kernel's type.
fn extreme_value(b: &mut Bytes, magnitude: f64, max: f64) -> f64 {
    if b.one_in(8) {
        if b.flag() {
            max
        } else {
            -max
        }
    } else {
        b.grid() * magnitude
    }
}

/// Decodes `data`: a flag byte (causal, explicit scale, padding, f64, corrupt, extreme), the
/// sizes, the options, then the values. In corrupt mode values may be NaN/±∞, one buffer may be one
/// element off, and one extent may be zero; in extreme mode magnitudes reach the type's maximum.
pub fn decode(data: &[u8]) -> Problem {
    let mut b = Bytes::new(data);
    let flags = b.byte();
    let extreme = flags & 0x80 != 0;
    let max = if flags & 0x08 != 0 {
        f64::MAX
    } else {
        f32::MAX as f64
    };
    // Read only in extreme mode, so the other inputs decode as before.
    let magnitude = if extreme {
        [1.0, 1e4, 1e18, 1e36, max.sqrt(), max / 64.0, max][b.below(7)]
    } else {
        1.0
    };
    let corrupt = flags & 0x10 != 0;
    let mut shape = Shape {
        batch: 1 + b.below(2),
        heads: 1 + b.below(2),
        q_len: b.below(70),
        kv_len: b.below(70),
        head_dim: 1 + b.below(24),
    };
    if corrupt && flags & 0x20 != 0 {
        match b.below(3) {
            0 => shape.batch = 0,
            1 => shape.heads = 0,
            _ => shape.head_dim = 0,
        }
    }
    let scale = (flags & 0x02 != 0).then(|| (b.byte() as i8) as f64 / 16.0);
    let kv_valid_len = (flags & 0x04 != 0).then(|| {
        let extra = usize::from(corrupt);
        (0..shape.batch.max(1) - usize::from(corrupt && flags & 0x40 != 0))
            .map(|_| b.below(shape.kv_len + 1 + extra))
            .collect()
    });
    // Corrupt mode: 0..4 lengthens buffer `which`, 4..8 shortens buffer `which - 4`, else none.
    let off_by_one = if corrupt { b.below(12) } else { usize::MAX };
    let mut buf = |n: usize, which: usize| -> Vec<f64> {
        let n = if off_by_one == which {
            n + 1
        } else if off_by_one == which + 4 {
            n.saturating_sub(1)
        } else {
            n
        };
        (0..n)
            .map(|_| {
                if extreme {
                    extreme_value(&mut b, magnitude, max)
                } else {
                    value(&mut b, corrupt)
                }
            })
            .collect()
    };
    let (nq, nk) = (shape.q_elems(), shape.kv_elems());
    let x = Inputs {
        q: buf(nq, 0),
        k: buf(nk, 1),
        v: buf(nk, 2),
        d_out: buf(nq, 3),
    };
    Problem {
        shape,
        opts: Options::new()
            .causal(flags & 0x01 != 0)
            .scale_opt(scale)
            .kv_valid_len_opt(kv_valid_len),
        f64: flags & 0x08 != 0,
        x,
        extreme,
    }
}

/// Both `Ok`, or both `Err` with the same error; panics otherwise.
fn agree<A, B>(what: &str, kernel: &Result<A>, oracle: &Result<B>, p: &Problem) {
    match (kernel, oracle) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) if a == b => {}
        (a, b) => panic!(
            "{what}: kernel and reference disagree on validity: kernel {:?}, reference {:?}\n{p:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
}

fn check<T: KernelFloat>(kernel: &dyn AttentionKernel, p: &Problem) {
    let cast = |x: &[f64]| x.iter().map(|&v| T::of(v)).collect::<Vec<T>>();
    let (q, k, v, d_out) = (cast(&p.x.q), cast(&p.x.k), cast(&p.x.v), cast(&p.x.d_out));
    let (shape, opts) = (p.shape, &p.opts);
    let fk = T::forward(kernel, &q, &k, &v, shape, opts);
    if p.extreme {
        return check_extreme(kernel, p, (&q, &k, &v, &d_out), fk);
    }
    let fr = reference::forward(&q, &k, &v, shape, opts);
    // The CPU kernel checks finiteness through its own loads, so a non-finite element that no
    // query reads (a masked key, a query row that sees no key) is not an error there, while the
    // reference scans every element. That is the documented contract; what must hold is that the
    // kernel then returns no NaN/+inf.
    let unread_non_finite = matches!(fr, Err(Error::NonFinite { .. }));
    if let (Ok(f), true) = (&fk, unread_non_finite) {
        assert!(
            f.out.iter().all(|x| x.is_finite())
                && f.lse.iter().all(|x| !x.is_nan() && *x != T::infinity()),
            "forward: Ok with a non-finite result on non-finite input\n{p:?}"
        );
    } else {
        agree("forward", &fk, &fr, p);
    }
    // The backward pass gets the kernel's forward result, or a well-formed stand-in when the
    // forward rejected the input (the backward must reject it the same way, not panic).
    let fwd = fk.unwrap_or_else(|_| Forward {
        out: vec![T::zero(); shape.q_elems()],
        lse: vec![T::zero(); shape.lse_elems()],
    });
    let bk = T::backward(kernel, &q, &k, &v, &fwd, &d_out, shape, opts);
    let br = reference::backward(&q, &k, &v, &fwd, &d_out, shape, opts);
    if let (Ok(g), true) = (&bk, matches!(br, Err(Error::NonFinite { .. }))) {
        let finite = |x: &[T]| x.iter().all(|v| v.is_finite());
        assert!(
            finite(&g.dq) && finite(&g.dk) && finite(&g.dv) && finite(&g.d_sink),
            "backward: Ok with non-finite gradients on non-finite input\n{p:?}"
        );
    } else {
        agree("backward", &bk, &br, p);
    }
    if fr.is_ok() && br.is_ok() {
        match run_inputs::<T>(kernel, &p.x, shape, opts) {
            Ok(o) if o.violations().is_empty() => {}
            Ok(o) => panic!(
                "{} {} disagrees with the reference: {:?}\n{p:?}",
                kernel.name(),
                T::NAME,
                o.violations()
            ),
            Err(e) => panic!("{e}\n{p:?}"),
        }
    }
}

/// Extreme mode: the kernel's `Ok` results are finite (`lse` may be `−∞` for a row that sees no
/// key), or it returns a typed error; never a panic.
fn check_extreme<T: KernelFloat>(
    kernel: &dyn AttentionKernel,
    p: &Problem,
    (q, k, v, d_out): (&[T], &[T], &[T], &[T]),
    fk: Result<Forward<T>>,
) {
    let (shape, opts) = (p.shape, &p.opts);
    let finite = |x: &[T]| x.iter().all(|v| v.is_finite());
    let Ok(f) = fk else { return };
    assert!(
        finite(&f.out) && f.lse.iter().all(|x| !x.is_nan() && *x != T::infinity()),
        "forward: Ok with a non-finite result on finite extreme input\n{p:?}"
    );
    if let Ok(g) = T::backward(kernel, q, k, v, &f, d_out, shape, opts) {
        assert!(
            finite(&g.dq) && finite(&g.dk) && finite(&g.dv) && finite(&g.d_sink),
            "backward: Ok with non-finite gradients on extreme input\n{p:?}"
        );
    }
}

/// Decodes `data` into an attention call and checks it: never a panic; the CPU kernel and the
/// reference reject the same inputs with the same error; agreement with the reference where the
/// input is valid (a non-finite element that no query reads is not an error for the kernel, which
/// checks through its own loads; the kernel must then return finite results). Panics (with the
/// decoded problem) on any disagreement.
pub fn attention(data: &[u8]) {
    attention_with(&CpuTiled, data);
}

/// [`attention`] for any kernel (the CUDA kernel, or a deliberately wrong one in a negative test).
pub fn attention_with(kernel: &dyn AttentionKernel, data: &[u8]) {
    let p = decode(data);
    if p.f64 && kernel.f64_kernel().is_some() {
        check::<f64>(kernel, &p);
    } else {
        check::<f32>(kernel, &p);
    }
}
