//! Numbers written for a reader: one function, [`number`], used for every value the report prints
//! (check tables, tolerances, axis ticks that are not on a regular grid).
//!
//! Rules, in order:
//! - NaN prints as `NaN`, infinities as `∞` / `-∞`, zero (either sign) as `0`;
//! - integers below 10⁷ in magnitude print as integers (`16`, not `1.6000e1`);
//! - values whose magnitude, rounded to [`SIGNIFICANT`] digits, lies in `[10⁻³, 10⁵)` print in fixed
//!   point with that many significant digits (`0.6365`, `12.50`);
//! - everything else prints in scientific notation with the same number of significant digits
//!   (`2.345e-15`);
//! - trailing zeros are dropped only when the shorter text reads back as exactly the same `f64`
//!   (`0.5`, `1e-12`), so a rounded value never looks exact.

/// Significant digits of every number in the report unless a check needs more to separate its bounds.
pub const SIGNIFICANT: usize = 4;

/// Most significant digits [`digits_to_separate`] will use (an `f64` holds about 16).
const MAX_SIGNIFICANT: usize = 15;

/// `x` for reading, with [`SIGNIFICANT`] significant digits.
pub fn number(x: f64) -> String {
    number_sig(x, SIGNIFICANT)
}

/// `x` for reading, with `sig` (at least 1) significant digits; see the module docs for the rules.
pub fn number_sig(x: f64, sig: usize) -> String {
    let sig = sig.clamp(1, 17);
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "-∞".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.fract() == 0.0 && x.abs() < 1e7 {
        return format!("{x:.0}");
    }
    // The exponent after rounding to `sig` digits (9.9996 rounds to 10.00, exponent 1).
    let sci = format!("{:.*e}", sig - 1, x);
    let exp: i32 = sci
        .rsplit('e')
        .next()
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    let full = if (-3..5).contains(&exp) {
        let decimals = (sig as i32 - 1 - exp).max(0) as usize;
        format!("{x:.decimals$}")
    } else {
        sci
    };
    shortest_exact(&full, x)
}

/// Drops trailing zeros of the mantissa when the shorter text still reads back as `x` exactly.
fn shortest_exact(full: &str, x: f64) -> String {
    let (mantissa, exponent) = match full.find('e') {
        Some(i) => full.split_at(i),
        None => (full, ""),
    };
    if !mantissa.contains('.') {
        return full.to_string();
    }
    let trimmed = mantissa.trim_end_matches('0').trim_end_matches('.');
    let short = format!("{trimmed}{exponent}");
    if short.parse::<f64>() == Ok(x) {
        short
    } else {
        full.to_string()
    }
}

/// Significant digits (at least [`SIGNIFICANT`]) at which `lo` and `hi` print differently, so a
/// range like `[1.94845, 1.94847]` does not read as `[1.948, 1.948]`.
pub fn digits_to_separate(lo: f64, hi: f64) -> usize {
    if lo == hi || !lo.is_finite() || !hi.is_finite() {
        return SIGNIFICANT;
    }
    (SIGNIFICANT..=MAX_SIGNIFICANT)
        .find(|&s| number_sig(lo, s) != number_sig(hi, s))
        .unwrap_or(MAX_SIGNIFICANT)
}

/// Superscript form of an integer exponent, for axis labels such as `10⁻³`.
pub fn superscript(e: i32) -> String {
    e.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}
