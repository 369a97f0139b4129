//! Argmax of a row, lowest index on ties.

use crate::float::Float;

/// Index of the largest entry, the lowest index winning ties. NaN entries never win; an empty,
/// all-NaN or all-`−∞` row gives `0`.
pub fn argmax<T: Float>(row: &[T]) -> usize {
    let mut best = 0;
    let mut best_value = T::neg_infinity();
    for (i, &x) in row.iter().enumerate() {
        if x > best_value {
            best = i;
            best_value = x;
        }
    }
    best
}

/// Row-wise [`argmax`] of row-major `[n, classes]` values (`classes = 0` is treated as 1).
pub fn argmax_rows<T: Float>(x: &[T], classes: usize) -> Vec<usize> {
    x.chunks_exact(classes.max(1)).map(argmax).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_nan_and_edge_rows() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 2.0]), 1);
        assert_eq!(argmax(&[f64::NAN, 1.0, 0.5]), 1);
        assert_eq!(argmax::<f64>(&[]), 0);
        assert_eq!(argmax(&[f64::NEG_INFINITY; 3]), 0);
        assert_eq!(argmax(&[f64::NEG_INFINITY, -1e300]), 1);
        assert_eq!(argmax(&[-1.0f32, -0.5]), 1);
        assert_eq!(
            argmax_rows(&[0.0, 1.0, 5.0, 1.0, 2.0, 2.0], 2),
            vec![1, 0, 0]
        );
    }
}
