//! Axis ticks for the report's charts: where the labelled ticks go and what they read.
//!
//! Positions are in *axis space*: the value itself on a linear axis, `log10(value)` on a
//! logarithmic one (the chart draws log axes as linear axes over `log10`). Labels never carry
//! float noise (`0.30000000000000004`, `9999999999e-5`): a linear tick is an integer multiple of
//! `{1, 2, 5}·10^e` printed with exactly the decimals that step needs, and a log axis is labelled at
//! whole decades (`10⁻³`), or at `{1, 2, 5}·10^d` when it spans less than two decades.

use super::format;

/// A labelled tick: position in axis space and its text.
pub type Tick = (f64, String);

/// Ticks of one axis: labelled (major) ticks and unlabelled grid lines (minor).
#[derive(Clone, Debug, Default)]
pub struct Ticks {
    /// Labelled ticks, in increasing position.
    pub major: Vec<Tick>,
    /// Positions of light grid lines.
    pub minor: Vec<f64>,
}

/// Approximate width of `text` in pixels at font size `px` (sans-serif; a crude, safe estimate).
pub fn text_width(text: &str, px: f64) -> f64 {
    text.chars().count() as f64 * px * 0.6
}

/// Ticks for `[lo, hi]` (axis space) that fit `axis_px` pixels without overlapping labels.
/// `horizontal`: labels sit side by side (x axis) rather than stacked (y axis). `integer`: the
/// data are whole numbers (indices, counts), so no tick falls between them.
pub fn fit(lo: f64, hi: f64, log: bool, integer: bool, axis_px: f64, horizontal: bool) -> Ticks {
    const FONT_PX: f64 = 13.0;
    for max_ticks in (2..=10).rev() {
        let t = if log {
            log_ticks(lo, hi, max_ticks)
        } else {
            linear_ticks(lo, hi, max_ticks, integer)
        };
        let need: f64 = if horizontal {
            t.major
                .iter()
                .map(|(_, s)| text_width(s, FONT_PX) + 14.0)
                .sum()
        } else {
            t.major.len() as f64 * (FONT_PX + 10.0)
        };
        if need <= axis_px || max_ticks == 2 {
            return t;
        }
    }
    Ticks::default()
}

/// At most `max_ticks` ticks at multiples of a step `{1, 2, 5}·10^e` (at least 1 when `integer`).
pub fn linear_ticks(lo: f64, hi: f64, max_ticks: usize, integer: bool) -> Ticks {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Ticks::default();
    }
    let max_ticks = max_ticks.max(2) as f64;
    let e0 = ((hi - lo) / max_ticks).log10().floor() as i32 - 1;
    for e in e0..e0 + 4 {
        for m in [1i64, 2, 5] {
            if integer && e < 0 {
                continue;
            }
            let step = scaled(m, e);
            let first = (lo / step).ceil();
            let last = (hi / step).floor();
            if last - first + 1.0 > max_ticks {
                continue;
            }
            let mut major = Vec::new();
            let mut k = first as i64;
            while (k as f64) <= last {
                let v = scaled(k * m, e);
                major.push((v, linear_label(v, e, lo, hi)));
                k += 1;
            }
            // Light lines halfway between labelled ticks (or at every integer for integer data).
            let minor_step = if integer && m == 1 && e == 0 {
                step
            } else {
                step / 2.0
            };
            let minor = grid(lo, hi, minor_step);
            return Ticks { major, minor };
        }
    }
    Ticks::default()
}

/// `n·10^e`, computed so it equals the decimal literal (`3·10⁻¹` is `0.3`, not `0.30000000000000004`).
fn scaled(n: i64, e: i32) -> f64 {
    if e >= 0 {
        n as f64 * 10f64.powi(e)
    } else {
        n as f64 / 10f64.powi(-e)
    }
}

fn grid(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Fixed point with the decimals of the step when the axis magnitude is moderate, else the
/// report's scientific form.
fn linear_label(v: f64, e: i32, lo: f64, hi: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = lo.abs().max(hi.abs());
    if (1e-3..1e6).contains(&magnitude) {
        let decimals = (-e).max(0) as usize;
        format!("{v:.decimals$}")
    } else {
        format::number_sig(v, 6)
    }
}

/// Ticks for a log axis over `[lo, hi]` in `log10` space.
pub fn log_ticks(lo: f64, hi: f64, max_ticks: usize) -> Ticks {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Ticks::default();
    }
    let max_ticks = max_ticks.max(2);
    let d0 = (lo - 1e-9).ceil() as i32;
    let d1 = (hi + 1e-9).floor() as i32;
    let decades = (d1 - d0 + 1).max(0) as usize;
    if decades >= 2 {
        let stride = [1usize, 2, 3, 4, 5, 10, 20, 50, 100]
            .into_iter()
            .find(|&s| decades.div_ceil(s) <= max_ticks)
            .unwrap_or(100) as i32;
        let plain = d0 >= -2 && d1 <= 3;
        let major: Vec<Tick> = (d0..=d1)
            .filter(|d| d.rem_euclid(stride) == 0)
            .map(|d| (d as f64, decade_label(d, plain)))
            .collect();
        let minor = if stride == 1 && hi - lo <= 6.0 {
            mantissa_grid(lo, hi, &[2, 3, 4, 5, 6, 7, 8, 9])
        } else {
            (d0..=d1)
                .filter(|d| d.rem_euclid(stride) != 0)
                .map(f64::from)
                .collect()
        };
        return Ticks { major, minor };
    }
    // 1-2-5 needs three labels to be worth it; 1..9 (if the labels fit) reads better than two.
    for (mantissas, fewest) in [
        (&[1i64, 2, 5][..], 3),
        (&[1, 2, 3, 4, 5, 6, 7, 8, 9][..], 2),
    ] {
        let pos = mantissa_grid(lo, hi, mantissas);
        if (fewest..=max_ticks).contains(&pos.len()) {
            let major = pos
                .iter()
                .map(|&p| (p, format::number(round_decimal(10f64.powf(p)))))
                .collect();
            return Ticks {
                major,
                minor: mantissa_grid(lo, hi, &[1, 2, 3, 4, 5, 6, 7, 8, 9]),
            };
        }
    }
    // Less than a factor of ~2 in range: linear ticks in value space, placed on the log axis.
    let lin = linear_ticks(10f64.powf(lo), 10f64.powf(hi), max_ticks, false);
    Ticks {
        major: lin
            .major
            .into_iter()
            .filter(|&(v, _)| v > 0.0)
            .map(|(v, s)| (v.log10(), s))
            .collect(),
        minor: lin
            .minor
            .into_iter()
            .filter(|&v| v > 0.0)
            .map(f64::log10)
            .collect(),
    }
}

/// `log10(m·10^d)` for every listed mantissa `m` and decade `d` that falls in `[lo, hi]`.
fn mantissa_grid(lo: f64, hi: f64, mantissas: &[i64]) -> Vec<f64> {
    let mut out = Vec::new();
    for d in (lo.floor() as i32 - 1)..=(hi.ceil() as i32) {
        for &m in mantissas {
            let p = scaled(m, d).log10();
            if p >= lo - 1e-9 && p <= hi + 1e-9 {
                out.push(p);
            }
        }
    }
    out
}

/// `10^p` read back from a grid position, rounded to the decimal it stands for.
fn round_decimal(v: f64) -> f64 {
    format::number_sig(v, 6).parse().unwrap_or(v)
}

/// `0.01`, `1`, `1000` when `plain`, else `10⁻⁵`.
fn decade_label(d: i32, plain: bool) -> String {
    if plain {
        format::number(scaled(1, d))
    } else {
        format!("10{}", format::superscript(d))
    }
}
