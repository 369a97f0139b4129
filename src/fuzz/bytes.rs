//! The byte reader every fuzz body decodes its input with: it never fails, yielding 0 once the
//! bytes run out, so every byte string (the fuzzer's, or a seeded one in `cargo test`) decodes to
//! some call.

/// Reads a fuzz input front to back.
#[derive(Clone, Debug)]
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

/// Hostile scalars: NaN, the infinities, the extremes of both float types, subnormals, signed
/// zero, and temperatures whose reciprocal overflows.
pub const EXTREMES: [f64; 16] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MAX,
    -f64::MAX,
    f32::MAX as f64,
    -(f32::MAX as f64),
    1e300,
    -1e300,
    1e30,
    f64::MIN_POSITIVE,
    5e-324,
    1e-320,
    -0.0,
    0.0,
    1e-40,
];

/// Hostile sizes: values whose products or sums overflow `usize`, or that no allocator can serve.
pub const HUGE_SIZES: [usize; 6] = [
    usize::MAX,
    usize::MAX / 2 + 1,
    1 << 32,
    1 << 40,
    (1 << 31) + 1,
    u32::MAX as usize,
];

impl<'a> Bytes<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }

    /// The next byte, or 0 past the end.
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// One bit of the next byte.
    pub fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// `true` with probability about `1/n` (`n ≥ 1`).
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// Uniform-ish in `0..n` (`n ≥ 1`).
    pub fn below(&mut self, n: usize) -> usize {
        self.byte() as usize % n.max(1)
    }

    /// Uniform-ish in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// A size in `lo..=hi`, or, when `hostile` and about one time in 16, a huge one
    /// ([`HUGE_SIZES`]) or zero.
    pub fn size(&mut self, lo: usize, hi: usize, hostile: bool) -> usize {
        if hostile && self.one_in(16) {
            match self.below(HUGE_SIZES.len() + 1) {
                0 => 0,
                i => HUGE_SIZES[i - 1],
            }
        } else {
            self.range(lo, hi)
        }
    }

    /// An exact value on the grid `i/32`, `i ∈ −128..=127`.
    pub fn grid(&mut self) -> f64 {
        (self.byte() as i8) as f64 / 32.0
    }

    /// A grid value in `[0, 1]` (`i/255`).
    pub fn unit(&mut self) -> f64 {
        self.byte() as f64 / 255.0
    }

    /// One of [`EXTREMES`].
    pub fn extreme(&mut self) -> f64 {
        EXTREMES[self.below(EXTREMES.len())]
    }

    /// A grid value, or, when `hostile` and about one time in 8, an extreme one.
    pub fn scalar(&mut self, hostile: bool) -> f64 {
        if hostile && self.one_in(8) {
            self.extreme()
        } else {
            self.grid()
        }
    }

    /// A positive parameter (a temperature, a bandwidth, a step): a grid value in `(0, 8]`, or,
    /// when `hostile` and about one time in 8, an extreme (possibly zero, negative or NaN) one.
    pub fn positive(&mut self, hostile: bool) -> f64 {
        if hostile && self.one_in(8) {
            self.extreme()
        } else {
            (1 + self.byte() as usize) as f64 / 32.0
        }
    }

    /// `n` values from [`Self::scalar`].
    pub fn values(&mut self, n: usize, hostile: bool) -> Vec<f64> {
        (0..n).map(|_| self.scalar(hostile)).collect()
    }

    /// `n` ids below `bound`; when `hostile`, about one in 16 is `bound` itself or huge.
    pub fn ids(&mut self, n: usize, bound: usize, hostile: bool) -> Vec<usize> {
        (0..n)
            .map(|_| {
                if hostile && self.one_in(16) {
                    if self.flag() {
                        bound
                    } else {
                        usize::MAX
                    }
                } else {
                    self.below(bound)
                }
            })
            .collect()
    }

    /// A probability row of length `n`: `softmax` of grid logits (exact zeros when `sparse`
    /// zeroes an entry), normalised in f64.
    pub fn distribution(&mut self, n: usize, sparse: bool) -> Vec<f64> {
        let mut p: Vec<f64> = (0..n)
            .map(|_| {
                let z = self.grid();
                if sparse && self.one_in(4) {
                    0.0
                } else {
                    (z / 2.0).exp()
                }
            })
            .collect();
        let s: f64 = p.iter().sum();
        if s > 0.0 {
            p.iter_mut().for_each(|x| *x /= s);
        } else if let Some(first) = p.first_mut() {
            *first = 1.0;
        }
        p
    }

    /// The unread rest of the input.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }
}

/// Asserts that every value is finite, naming the quantity and the decoded call on failure.
#[track_caller]
pub fn assert_finite(what: &str, x: &[f64], call: &dyn std::fmt::Debug) {
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        panic!("{what}: Ok with non-finite value {} at {i}\n{call:?}", x[i]);
    }
}

/// `|a − b| ≤ tol · (1 + |b|)` elementwise; panics with the first violation.
#[track_caller]
pub fn assert_close(what: &str, a: &[f64], b: &[f64], tol: f64, call: &dyn std::fmt::Debug) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ\n{call:?}");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * (1.0 + y.abs()),
            "{what}[{i}]: {x} vs oracle {y} (tol {tol:e})\n{call:?}"
        );
    }
}

/// All values finite with `|x| ≤ 1e100`: the inputs on which an oracle's own arithmetic cannot
/// overflow, so a residual or identity check is meaningful.
pub fn moderate(x: &[f64]) -> bool {
    x.iter().all(|v| v.abs() <= 1e100)
}
