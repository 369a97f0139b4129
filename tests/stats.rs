//! Sample statistics shared by the statistical checks.

/// Sample mean and sample standard deviation (`n − 1` denominator) of `xs` (`n ≥ 2`).
pub fn mean_and_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}
