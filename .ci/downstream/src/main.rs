//! One causal attention call through attnmech's kernels, checked against the f64 oracle.

use attnmech::attention::{self, Options, Shape};

fn main() -> Result<(), attnmech::Error> {
    let shape = Shape {
        batch: 1,
        heads: 2,
        q_len: 3,
        kv_len: 5,
        head_dim: 4,
    };
    let q: Vec<f32> = (0..shape.q_elems()).map(|i| (i as f32 * 0.37).sin()).collect();
    let k: Vec<f32> = (0..shape.kv_elems()).map(|i| (i as f32 * 0.11).cos()).collect();
    let v: Vec<f32> = (0..shape.kv_elems()).map(|i| (i as f32 * 0.23).sin()).collect();
    let opts = Options::new().causal(true);
    let fwd = attention::forward(&q, &k, &v, shape, &opts)?;
    let oracle = attention::reference::forward(&q, &k, &v, shape, &opts)?;
    let err = fwd
        .out
        .iter()
        .zip(&oracle.out)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(err < 1e-5, "kernel and oracle differ by {err}");
    // faer is re-exported, so the dependent uses attnmech's version.
    let m = attnmech::faer::Mat::<f64>::identity(2, 2);
    assert_eq!(m.nrows(), 2);
    println!("downstream OK (max |kernel - oracle| = {err:.1e})");
    Ok(())
}
