//! bfloat16 stored as raw `u16` words (the upper half of an IEEE f32), for the bf16 kernels.

/// Rounds an f32 to the nearest bf16 (ties to even). NaN stays NaN.
pub fn from_f32(x: f32) -> u16 {
    let b = x.to_bits();
    if x.is_nan() {
        return ((b >> 16) | 0x40) as u16;
    }
    ((b + 0x7fff + ((b >> 16) & 1)) >> 16) as u16
}

/// The f32 value of a bf16 word (exact).
pub fn to_f32(x: u16) -> f32 {
    f32::from_bits((x as u32) << 16)
}

/// Rounds a slice to bf16.
pub fn slice_from_f32(xs: &[f32]) -> Vec<u16> {
    xs.iter().map(|&x| from_f32(x)).collect()
}

/// Widens a bf16 slice to f32.
pub fn slice_to_f32(xs: &[u16]) -> Vec<f32> {
    xs.iter().map(|&x| to_f32(x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_ties_to_even() {
        for x in [0.0f32, 1.0, -2.5, 0.15625, 3.0e38, -1.0e-30] {
            let r = to_f32(from_f32(x));
            assert!((r - x).abs() <= x.abs() * 2f32.powi(-8), "{x} -> {r}");
        }
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even gives 1.
        assert_eq!(to_f32(from_f32(1.0 + 2f32.powi(-8))), 1.0);
        // 1 + 3·2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to even gives 1 + 2^-6.
        assert_eq!(
            to_f32(from_f32(1.0 + 3.0 * 2f32.powi(-8))),
            1.0 + 2f32.powi(-6)
        );
        assert!(to_f32(from_f32(f32::NAN)).is_nan());
    }
}
