//! [`Options`] of one attention call: private fields and builder methods, so new options never
//! break callers.

use std::fmt;

/// Options of one attention call (builder; `Options::default()` is plain softmax attention).
///
/// ```
/// use attnmech::attention::Options;
/// let opts = Options::new().causal(true).scale(0.125).window(256, 0).softcap(30.0);
/// assert!(opts.is_causal());
/// ```
///
/// Conventions (see the [module docs](super) for the math):
/// - `causal`: bottom-right aligned, query `i` sees keys `j ≤ i + M − N`;
/// - `window(left, right)`: FlashAttention's sliding window, `−1` = unbounded on that side,
///   relative to the same bottom-right diagonal: keys `i + M − N − left ≤ j ≤ i + M − N + right`;
/// - `softcap(c)`: scores `s ↦ c·tanh(s/c)` (applied to `scale·q·k`, before ALiBi);
/// - `alibi(slopes)`: per query head, adds `−slope_h·|i + M − N − j|` to the score;
/// - `sinks(logits)`: per query head, a learned logit `σ_h` in every softmax denominator
///   (`Σ_j exp(S_ij) + exp(σ_h)`), with no value; its gradient is returned as `d_sink`;
/// - `kv_valid_len(lens)`: keys `j ≥ lens[b]` of sequence `b` are padding;
/// - `varlen(cu_q, cu_k)`: packed sequences, FlashAttention's `cu_seqlens` (sequence `b` owns
///   rows `cu_q[b]..cu_q[b+1]` and keys `cu_k[b]..cu_k[b+1]` of a batch-1 view), each with its
///   own bottom-right alignment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    causal: bool,
    scale: Option<f64>,
    kv_valid_len: Option<Vec<usize>>,
    window: Option<(isize, isize)>,
    softcap: Option<f64>,
    alibi: Option<Vec<f64>>,
    sinks: Option<Vec<f64>>,
    cu_seqlens: Option<(Vec<usize>, Vec<usize>)>,
}

impl Options {
    /// Plain attention: no mask, scale `1/√d`.
    pub fn new() -> Self {
        Self::default()
    }
    /// Bottom-right aligned causal mask.
    pub fn causal(mut self, causal: bool) -> Self {
        self.causal = causal;
        self
    }
    /// Score scale (default `1/√head_dim`).
    pub fn scale(mut self, scale: f64) -> Self {
        self.scale = Some(scale);
        self
    }
    /// Optional score scale (`None` = default).
    pub fn scale_opt(mut self, scale: Option<f64>) -> Self {
        self.scale = scale;
        self
    }
    /// Valid (unpadded) key count per sequence.
    pub fn kv_valid_len(mut self, lens: Vec<usize>) -> Self {
        self.kv_valid_len = Some(lens);
        self
    }
    /// Optional valid key counts (`None` = no padding).
    pub fn kv_valid_len_opt(mut self, lens: Option<Vec<usize>>) -> Self {
        self.kv_valid_len = lens;
        self
    }
    /// Sliding window `(left, right)`, `−1` = unbounded (FlashAttention's `window_size`).
    pub fn window(mut self, left: isize, right: isize) -> Self {
        self.window = Some((left, right));
        self
    }
    /// Logit soft-capping `c·tanh(s/c)`, `c > 0`.
    pub fn softcap(mut self, cap: f64) -> Self {
        self.softcap = Some(cap);
        self
    }
    /// ALiBi slopes, one per query head.
    pub fn alibi(mut self, slopes: Vec<f64>) -> Self {
        self.alibi = Some(slopes);
        self
    }
    /// Attention-sink logits, one per query head.
    pub fn sinks(mut self, logits: Vec<f64>) -> Self {
        self.sinks = Some(logits);
        self
    }
    /// Packed variable-length sequences: cumulative query and key offsets (`B + 1` entries each,
    /// starting at 0, ending at the views' `seq`).
    pub fn varlen(mut self, cu_seqlens_q: Vec<usize>, cu_seqlens_k: Vec<usize>) -> Self {
        self.cu_seqlens = Some((cu_seqlens_q, cu_seqlens_k));
        self
    }

    /// The causal flag.
    pub fn is_causal(&self) -> bool {
        self.causal
    }
    /// The explicit scale, if any.
    pub fn get_scale(&self) -> Option<f64> {
        self.scale
    }
    /// The valid key counts, if any.
    pub fn get_kv_valid_len(&self) -> Option<&[usize]> {
        self.kv_valid_len.as_deref()
    }
    /// The window, if any.
    pub fn get_window(&self) -> Option<(isize, isize)> {
        self.window
    }
    /// The soft-cap, if any.
    pub fn get_softcap(&self) -> Option<f64> {
        self.softcap
    }
    /// The ALiBi slopes, if any.
    pub fn get_alibi(&self) -> Option<&[f64]> {
        self.alibi.as_deref()
    }
    /// The sink logits, if any.
    pub fn get_sinks(&self) -> Option<&[f64]> {
        self.sinks.as_deref()
    }
    /// The `(cu_seqlens_q, cu_seqlens_k)`, if any.
    pub fn get_varlen(&self) -> Option<(&[usize], &[usize])> {
        self.cu_seqlens
            .as_ref()
            .map(|(q, k)| (q.as_slice(), k.as_slice()))
    }
}

impl fmt::Display for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "causal={} scale={:?}", self.causal, self.scale)?;
        if let Some(v) = &self.kv_valid_len {
            write!(f, " kv_valid_len={v:?}")?;
        }
        if let Some(w) = self.window {
            write!(f, " window={w:?}")?;
        }
        if let Some(c) = self.softcap {
            write!(f, " softcap={c}")?;
        }
        if let Some(a) = &self.alibi {
            write!(f, " alibi={a:?}")?;
        }
        if let Some(s) = &self.sinks {
            write!(f, " sinks={s:?}")?;
        }
        if let Some((q, k)) = &self.cu_seqlens {
            write!(f, " cu_seqlens_q={q:?} cu_seqlens_k={k:?}")?;
        }
        Ok(())
    }
}
