//! The error contract (bad input is an `Err` naming what was wrong) and bitwise determinism.

use super::{round_to, Case, KernelFloat};
use crate::attention::{AttentionKernel, Feature, Forward, Options, Shape};
use crate::error::{Error, Result};
use crate::float::Float;

const BASE: Shape = Shape {
    batch: 2,
    heads: 2,
    q_len: 3,
    kv_len: 4,
    head_dim: 5,
};

/// Valid inputs for [`BASE`]: values `0.1·(i mod 7) − 0.3`.
fn filled<T: Float>(n: usize) -> Vec<T> {
    (0..n).map(|i| T::of(0.1 * (i % 7) as f64 - 0.3)).collect()
}

fn expect<R>(what: &str, got: Result<R>, want: &Error) -> std::result::Result<(), String> {
    match got {
        Err(e) if &e == want => Ok(()),
        Err(e) => Err(format!("{what}: expected Err({want:?}), got Err({e:?})")),
        Ok(_) => Err(format!("{what}: expected Err({want:?}), got Ok")),
    }
}

fn rejects<T: KernelFloat>(kernel: &dyn AttentionKernel) -> std::result::Result<(), String> {
    let s = BASE;
    let (q, k, v) = (
        filled::<T>(s.q_elems()),
        filled::<T>(s.kv_elems()),
        filled::<T>(s.kv_elems()),
    );
    let d_out = filled::<T>(s.q_elems());
    let opts = Options::default();
    let fwd_ok = T::forward(kernel, &q, &k, &v, s, &opts)
        .map_err(|e| format!("valid base call failed: {e}"))?;
    let shape_mismatch = |what, expected: usize, got: usize| Error::ShapeMismatch {
        what,
        expected,
        got,
    };
    let fwd = |q: &[T], k: &[T], v: &[T], shape: Shape, opts: &Options| {
        T::forward(kernel, q, k, v, shape, opts)
    };
    let name = |what: &str| format!("{} {}: {what}", kernel.name(), T::NAME);

    // Buffer lengths.
    let short = |x: &[T]| x[..x.len() - 1].to_vec();
    let long = |x: &[T]| [x, &[T::zero()]].concat();
    expect(
        &name("q too short"),
        fwd(&short(&q), &k, &v, s, &opts),
        &shape_mismatch("q", 60, 59),
    )?;
    expect(
        &name("k too long"),
        fwd(&q, &long(&k), &v, s, &opts),
        &shape_mismatch("k", 80, 81),
    )?;
    expect(
        &name("v too short"),
        fwd(&q, &k, &short(&v), s, &opts),
        &shape_mismatch("v", 80, 79),
    )?;

    // Degenerate and overflowing shapes.
    for (what, shape) in [
        ("shape.batch", Shape { batch: 0, ..s }),
        ("shape.heads", Shape { heads: 0, ..s }),
        ("shape.head_dim", Shape { head_dim: 0, ..s }),
    ] {
        let want = Error::InvalidArgument {
            what,
            reason: "must be at least 1".into(),
        };
        expect(
            &name(&format!("{what} = 0")),
            fwd(&[], &[], &[], shape, &opts),
            &want,
        )?;
    }
    let huge = Shape {
        batch: 1 << 31,
        heads: 1 << 31,
        q_len: 1 << 31,
        ..s
    };
    let want = Error::Overflow { what: "shape" };
    expect(
        &name("overflowing shape"),
        fwd(&q, &k, &v, huge, &opts),
        &want,
    )?;

    // Options.
    let padded = |valid: Vec<usize>| Options::new().kv_valid_len(valid);
    expect(
        &name("kv_valid_len of the wrong length"),
        fwd(&q, &k, &v, s, &padded(vec![4])),
        &shape_mismatch("options.kv_valid_len", 2, 1),
    )?;
    let want = Error::OutOfRange {
        what: "options.kv_valid_len",
        index: 1,
        value: 5,
        bound: 5,
    };
    expect(
        &name("kv_valid_len > kv_len"),
        fwd(&q, &k, &v, s, &padded(vec![4, 5])),
        &want,
    )?;
    let nan_scale = Options::new().scale(f64::NAN);
    let want = Error::NonFinite {
        what: "options.scale",
        index: 0,
    };
    expect(&name("NaN scale"), fwd(&q, &k, &v, s, &nan_scale), &want)?;

    options_rejected::<T>(kernel, &q, &k, &v)?;

    // Non-finite inputs.
    let poison = |x: &[T], at: usize, val: T| {
        let mut x = x.to_vec();
        x[at] = val;
        x
    };
    let non_finite = |what, index| Error::NonFinite { what, index };
    let (nan, inf) = (T::nan(), T::infinity());
    expect(
        &name("NaN in q"),
        fwd(&poison(&q, 7, nan), &k, &v, s, &opts),
        &non_finite("q", 7),
    )?;
    expect(
        &name("inf in k"),
        fwd(&q, &poison(&k, 3, inf), &v, s, &opts),
        &non_finite("k", 3),
    )?;
    expect(
        &name("-inf in v"),
        fwd(&q, &k, &poison(&v, 79, -inf), s, &opts),
        &non_finite("v", 79),
    )?;

    // Backward: the saved forward result and d_out.
    let bwd = |fwd: &Forward<T>, d_out: &[T]| T::backward(kernel, &q, &k, &v, fwd, d_out, s, &opts);
    let with_lse = |lse: Vec<T>| Forward {
        out: fwd_ok.out.clone(),
        lse,
    };
    let with_out = |out: Vec<T>| Forward {
        out,
        lse: fwd_ok.lse.clone(),
    };
    expect(
        &name("d_out too short"),
        bwd(&fwd_ok, &short(&d_out)),
        &shape_mismatch("d_out", 60, 59),
    )?;
    expect(
        &name("NaN in d_out"),
        bwd(&fwd_ok, &poison(&d_out, 2, nan)),
        &non_finite("d_out", 2),
    )?;
    expect(
        &name("NaN in lse"),
        bwd(&with_lse(poison(&fwd_ok.lse, 4, nan)), &d_out),
        &non_finite("fwd.lse", 4),
    )?;
    expect(
        &name("+inf in lse"),
        bwd(&with_lse(poison(&fwd_ok.lse, 0, inf)), &d_out),
        &non_finite("fwd.lse", 0),
    )?;
    expect(
        &name("lse too long"),
        bwd(&with_lse(long(&fwd_ok.lse)), &d_out),
        &shape_mismatch("fwd.lse", 12, 13),
    )?;
    expect(
        &name("out too short"),
        bwd(&with_out(short(&fwd_ok.out)), &d_out),
        &shape_mismatch("fwd.out", 60, 59),
    )?;
    expect(
        &name("NaN in out"),
        bwd(&with_out(poison(&fwd_ok.out, 9, nan)), &d_out),
        &non_finite("fwd.out", 9),
    )?;
    let grads = T::backward(
        kernel,
        &q,
        &k,
        &poison(&v, 0, nan),
        &fwd_ok,
        &d_out,
        s,
        &opts,
    );
    expect(&name("NaN in v (backward)"), grads, &non_finite("v", 0))?;
    // −∞ in lse is legal (a row that sees no key).
    let masked = Options::new().kv_valid_len(vec![0, 4]);
    let f = T::forward(kernel, &q, &k, &v, s, &masked)
        .map_err(|e| name(&format!("masked forward: {e}")))?;
    T::backward(kernel, &q, &k, &v, &f, &d_out, s, &masked)
        .map_err(|e| name(&format!("backward must accept lse = -inf, got {e}")))?;
    Ok(())
}

/// The variant an option error must have.
#[derive(Clone, Copy)]
enum Kind {
    Invalid,
    Mismatch,
    NonFinite,
}

impl Kind {
    /// Whether `e` is this variant, naming `field`.
    fn matches(self, e: &Error, field: &str) -> bool {
        match (self, e) {
            (Kind::Invalid, Error::InvalidArgument { what, .. })
            | (Kind::Mismatch, Error::ShapeMismatch { what, .. })
            | (Kind::NonFinite, Error::NonFinite { what, .. }) => *what == field,
            _ => false,
        }
    }
}

/// The options of issue 10 (window, varlen, soft-cap, ALiBi, sinks) with bad values, for the
/// features `kernel` supports: each must be the variant and `what` the shared validation gives.
fn options_rejected<T: KernelFloat>(
    kernel: &dyn AttentionKernel,
    q: &[T],
    k: &[T],
    v: &[T],
) -> std::result::Result<(), String> {
    let s = BASE;
    // One packed batch-1 sequence set for varlen: the first batch entry's buffers.
    let one = Shape { batch: 1, ..s };
    let (q1, k1, v1) = (
        &q[..one.q_elems()],
        &k[..one.kv_elems()],
        &v[..one.kv_elems()],
    );
    use Kind::{Invalid, Mismatch, NonFinite};
    let mut cases: Vec<(Feature, &str, Shape, Options, Kind, &str)> = vec![
        (
            Feature::Window,
            "window left -2",
            s,
            Options::new().window(-2, 0),
            Invalid,
            "options.window.left",
        ),
        (
            Feature::Window,
            "window right -5",
            s,
            Options::new().window(3, -5),
            Invalid,
            "options.window.right",
        ),
        (
            Feature::Alibi,
            "alibi NaN",
            s,
            Options::new().alibi(vec![f64::NAN, 1.0]),
            NonFinite,
            "options.alibi",
        ),
        (
            Feature::Alibi,
            "alibi of 3 slopes for 2 heads",
            s,
            Options::new().alibi(vec![0.5; 3]),
            Mismatch,
            "options.alibi",
        ),
        (
            Feature::Sinks,
            "sinks of 1 logit for 2 heads",
            s,
            Options::new().sinks(vec![0.0]),
            Mismatch,
            "options.sinks",
        ),
        (
            Feature::Sinks,
            "+inf sink",
            s,
            Options::new().sinks(vec![0.0, f64::INFINITY]),
            NonFinite,
            "options.sinks",
        ),
        (
            Feature::Varlen,
            "varlen on a batch-2 view",
            s,
            Options::new().varlen(vec![0, 3], vec![0, 4]),
            Invalid,
            "options.varlen",
        ),
        (
            Feature::Varlen,
            "decreasing cu_seqlens_q",
            one,
            Options::new().varlen(vec![0, 2, 1, 3], vec![0, 1, 2, 4]),
            Invalid,
            "options.cu_seqlens_q",
        ),
        (
            Feature::Varlen,
            "cu_seqlens_q past q_len",
            one,
            Options::new().varlen(vec![0, 2, 5], vec![0, 2, 4]),
            Invalid,
            "options.cu_seqlens_q",
        ),
        (
            Feature::Varlen,
            "cu_seqlens_k not from 0",
            one,
            Options::new().varlen(vec![0, 3], vec![1, 4]),
            Invalid,
            "options.cu_seqlens_k",
        ),
        (
            Feature::Varlen,
            "decreasing cu_seqlens_k",
            one,
            Options::new().varlen(vec![0, 1, 2, 3], vec![0, 3, 2, 4]),
            Invalid,
            "options.cu_seqlens_k",
        ),
        (
            Feature::Varlen,
            "cu_seqlens of different lengths",
            one,
            Options::new().varlen(vec![0, 1, 3], vec![0, 4]),
            Mismatch,
            "options.cu_seqlens_k",
        ),
    ];
    for cap in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        cases.push((
            Feature::Softcap,
            "softcap <= 0, NaN or inf",
            s,
            Options::new().softcap(cap),
            Invalid,
            "options.softcap",
        ));
    }
    for (feature, what, shape, opts, kind, field) in cases {
        if !kernel.supports(feature) {
            continue;
        }
        let (q, k, v) = if shape.batch == 1 {
            (q1, k1, v1)
        } else {
            (q, k, v)
        };
        let name = format!("{} {}: {what} ({opts})", kernel.name(), T::NAME);
        match T::forward(kernel, q, k, v, shape, &opts) {
            Err(e) if kind.matches(&e, field) => {}
            Err(e) => return Err(format!("{name}: wrong error {e:?}")),
            Ok(_) => return Err(format!("{name}: expected an error, got Ok")),
        }
    }
    Ok(())
}

/// Every error of the attention API's contract, through `kernel`'s entry points (f32 and, when
/// supported, f64): wrong `q`/`k`/`v`/`d_out`/`fwd.out`/`fwd.lse` lengths, zero batch/heads/
/// head_dim, an overflowing shape, `kv_valid_len` of the wrong length or beyond `kv_len`, a NaN
/// scale, bad window / varlen / soft-cap / ALiBi / sink options (for the features the kernel
/// supports), NaN/±inf inputs, NaN or `+∞` in `lse`. Each must be the exact [`Error`] the shared
/// validation produces (so every implementation reports the same thing); `lse = −∞` must be
/// accepted.
pub fn check_rejects_bad_input(kernel: &dyn AttentionKernel) -> std::result::Result<(), String> {
    rejects::<f32>(kernel)?;
    if <f64 as KernelFloat>::supported(kernel) {
        rejects::<f64>(kernel)?;
    }
    Ok(())
}

/// Bit patterns of a forward + backward run of `case` in dtype `T`.
fn run_bits<T: KernelFloat>(
    kernel: &dyn AttentionKernel,
    case: &Case,
) -> std::result::Result<Vec<u64>, String> {
    let x = case.inputs();
    let (q, k, v, d_out) = (
        round_to::<T>(&x.q).0,
        round_to::<T>(&x.k).0,
        round_to::<T>(&x.v).0,
        round_to::<T>(&x.d_out).0,
    );
    let kern = T::kernel(kernel).ok_or("dtype not supported")?;
    let (f, g) = super::run_layout(
        kern,
        [&q, &k, &v, &d_out],
        super::geometry(case),
        case.layout,
        &case.opts,
    )
    .map_err(|e| e.to_string())?;
    let g = g.map_err(|e| e.to_string())?;
    Ok([&f.out, &f.lse, &g.dq, &g.dk, &g.dv, &g.d_sink]
        .into_iter()
        .flat_map(|xs| xs.iter().map(|x| x.as_f64().to_bits()))
        .collect())
}

/// Same inputs give the same bits: `case` (forward + backward, f32 and f64 when supported) run
/// twice in a 1-thread rayon pool and once in each pool of `threads` threads must agree bit for
/// bit (a rayon reduction whose grouping depends on the thread count would not).
pub fn check_deterministic(
    kernel: &dyn AttentionKernel,
    case: &Case,
    threads: &[usize],
) -> std::result::Result<(), String> {
    fn in_pool<R: Send>(n: usize, f: impl FnOnce() -> R + Send) -> std::result::Result<R, String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(pool.install(f))
    }
    fn each<T: KernelFloat>(
        kernel: &dyn AttentionKernel,
        case: &Case,
        threads: &[usize],
    ) -> std::result::Result<(), String> {
        let first = in_pool(1, || run_bits::<T>(kernel, case))??;
        let again = in_pool(1, || run_bits::<T>(kernel, case))??;
        if first != again {
            return Err(format!(
                "{} {}: two runs differ [case {case}]",
                kernel.name(),
                T::NAME
            ));
        }
        for &n in threads {
            if in_pool(n, || run_bits::<T>(kernel, case))?? != first {
                return Err(format!(
                    "{} {}: {n} threads differ from 1 thread [case {case}]",
                    kernel.name(),
                    T::NAME
                ));
            }
        }
        Ok(())
    }
    each::<f32>(kernel, case, threads)?;
    if <f64 as KernelFloat>::supported(kernel) {
        each::<f64>(kernel, case, threads)?;
    }
    Ok(())
}
