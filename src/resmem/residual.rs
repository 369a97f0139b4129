//! Training residuals that ResMem memorises.

use crate::error::{check_finite, check_ids, check_len, check_nonempty, Result};
use crate::ops::softmax_rows;

/// Regression residuals `r_i = y_i - f(x_i)`.
///
/// `targets` and `base` have one entry per training point (or `[n, C]` row-major for vector
/// outputs; only the lengths must agree).
pub fn regression_residuals(targets: &[f64], base: &[f64]) -> Result<Vec<f64>> {
    check_nonempty("targets", targets)?;
    check_len("base", targets.len(), base.len())?;
    check_finite("targets", targets)?;
    check_finite("base", base)?;
    Ok(targets.iter().zip(base).map(|(y, f)| y - f).collect())
}

/// Classification residuals `r_i = e_{y_i} - softmax(z_i / T)`, row-major `[n, C]`.
///
/// `logits` `[n, C]` are the base model's logits, `labels` `[n]` in `0..C`, `temperature > 0`.
pub fn classification_residuals(
    logits: &[f64],
    labels: &[usize],
    classes: usize,
    temperature: f64,
) -> Result<Vec<f64>> {
    let mut probs = softmax_rows(logits, classes, temperature)?;
    check_len("labels", probs.len() / classes, labels.len())?;
    check_ids("labels", labels, classes)?;
    for (row, &y) in probs.chunks_exact_mut(classes).zip(labels) {
        for (c, p) in row.iter_mut().enumerate() {
            *p = if c == y { 1.0 } else { 0.0 } - *p;
        }
    }
    Ok(probs)
}
