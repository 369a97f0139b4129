//! The `resmem` fuzz body: the blocked brute-force k-NN index (f32 and f64, tiny blocks so every
//! tile edge is hit) against the plain f64 oracle, the soft neighbour weights and the ResMem
//! predictor, on hostile points, queries, `k`, block sizes and bandwidths.

use crate::float::Float;
use crate::fuzz::bytes::{assert_finite, Bytes};
use crate::resmem::{knn_reference, soft_weights, BruteForce, KnnParams, NeighbourIndex, ResMem};

fn knn_call<T: Float>(b: &mut Bytes, hostile: bool) {
    let d = b.size(1, 4, hostile);
    let ds = d.clamp(1, 5);
    let n = b.below(12);
    let nq = b.below(6);
    let points_len = n * ds + usize::from(hostile && b.one_in(8));
    let mut points = b.values(points_len, hostile);
    let queries = b.values(nq * ds, hostile);
    if !hostile {
        // Exact coordinates on a coarse grid: distances are exact in both types, so the
        // neighbour sets must match the oracle's (ties broken by lower index).
        points.iter_mut().for_each(|x| *x = x.round());
    }
    let k = b.size(0, n.max(1), hostile);
    let params = KnnParams {
        query_block: b.range(usize::from(!hostile), 5),
        reference_block: b.range(usize::from(!hostile), 5),
    };
    let cast = |x: &[f64]| x.iter().map(|&v| T::of(v)).collect::<Vec<T>>();
    let (pt, qt) = (cast(&points), cast(&queries));
    let call = (T::NAME, d, k, params, &points, &queries);
    let Ok(index) = BruteForce::with_params(pt.clone(), d, params) else {
        return;
    };
    let got = index.search(&qt, k);
    let want = knn_reference(&pt, &qt, d, k);
    if let Ok(nb) = &got {
        assert_finite("knn sq_dists", nb.sq_dists(), &call);
        assert!(
            nb.indices().iter().all(|&i| i < index.len()),
            "index out of range\n{call:?}"
        );
    }
    match (&got, &want) {
        (Ok(g), Ok(w)) if !hostile => {
            assert_eq!(
                g.sq_dists(),
                w.sq_dists(),
                "k-NN distances differ from the oracle\n{call:?}"
            );
            assert_eq!(
                g.indices(),
                w.indices(),
                "k-NN indices differ from the oracle\n{call:?}"
            );
        }
        (Ok(g), Ok(w)) => {
            for (a, o) in g.sq_dists().iter().zip(w.sq_dists()) {
                assert!(
                    (a - o).abs() <= 1e-4 * (1.0 + o.abs()),
                    "sq_dist {a} vs oracle {o}\n{call:?}"
                );
            }
        }
        (Ok(_), Err(e)) => panic!("index accepted what the oracle rejects ({e})\n{call:?}"),
        _ => {}
    }
}

/// Decodes one call and checks it: no panic; `Ok` results finite; on grid inputs the blocked
/// index returns exactly the oracle's neighbours and distances; on hostile inputs the distances
/// agree to `1e-4` relative and the index never accepts what the oracle rejects; soft weights are
/// non-negative and sum to one; ResMem predictions are finite.
pub fn resmem(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.byte();
    let hostile = mode & 0x80 != 0;
    match mode % 4 {
        0 => knn_call::<f64>(&mut b, hostile),
        1 => knn_call::<f32>(&mut b, hostile),
        2 => {
            let dists: Vec<f64> = (0..b.below(8)).map(|_| b.scalar(hostile).abs()).collect();
            let sigma = b.positive(hostile);
            if let Ok(w) = soft_weights(&dists, sigma) {
                assert_finite("soft_weights", &w, &(&dists, sigma));
                let s: f64 = w.iter().sum();
                assert!(
                    w.iter().all(|&x| x >= 0.0)
                        && (s - 1.0).abs() <= 1e-12 * (w.len() as f64 + 1.0),
                    "soft weights {w:?}\n{:?}",
                    (&dists, sigma)
                );
            }
        }
        _ => {
            let (d, n, outputs) = (b.range(1, 3), b.range(1, 8), b.size(1, 3, hostile));
            let points = b.values(n * d, false);
            let Ok(index) = BruteForce::new(points, d) else {
                return;
            };
            let residuals = b.values(n * outputs.min(4), hostile);
            let (k, sigma) = (b.size(1, n, hostile), b.positive(hostile));
            let Ok(model) = ResMem::new::<f64>(index, residuals, outputs, k, sigma) else {
                return;
            };
            let queries_len = b.below(4) * d;
            let queries = b.values(queries_len, hostile);
            let base = b.values(queries.len() / d * outputs.min(4), hostile);
            if let Ok(y) = model.predict(&queries, &base) {
                assert_finite(
                    "ResMem::predict",
                    &y,
                    &(d, n, outputs, k, sigma, &queries, &base),
                );
            }
        }
    }
}
