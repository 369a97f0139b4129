//! ResMem (spec section 5): k-NN kernel against its oracle, RM1-RM6, worked example, bad input.

mod mutants;
mod test_gain;

use attnmech::resmem::experiments::{
    memorisation_fits, rate_sweep, rm1_verdict, rm2_verdict, rm5_verdict, RM5_SIZES,
    RM5_TEST_POINTS,
};
use attnmech::resmem::knn::{knn_reference, BruteForce, KnnParams, NeighbourIndex};
use attnmech::resmem::toy::ClassificationInstance;
use attnmech::resmem::{regression_residuals, soft_weights, ResMem};
use attnmech::rng::seeded;
use attnmech::Error;
use rand_distr::{Distribution, StandardNormal};

fn gaussian(len: usize, seed: u64) -> Vec<f64> {
    let mut rng = seeded(seed, 0);
    (0..len).map(|_| StandardNormal.sample(&mut rng)).collect()
}

const SMALL: KnnParams = KnnParams {
    query_block: 16,
    reference_block: 64,
};

/// Blocked-GEMM search (f64) equals the direct oracle: same indices, distances to 1e-12, on sizes
/// straddling the query block (15/16/17) and reference block (63/64/65), k in {1, 7, n}.
/// Tie-free Gaussian data, so index equality is exact.
#[test]
fn knn_f64_matches_oracle_around_blocks() {
    for &(n, nq, d) in &[
        (1, 1, 3),
        (63, 15, 5),
        (64, 16, 8),
        (65, 17, 1),
        (130, 33, 17),
        (200, 40, 64),
    ] {
        let pts = gaussian(n * d, n as u64);
        let qs = gaussian(nq * d, 1000 + n as u64);
        for params in [SMALL, KnnParams::default()] {
            let index = BruteForce::with_params(pts.clone(), d, params).unwrap();
            for k in [1, 7.min(n), n] {
                let got = index.search(&qs, k).unwrap();
                let want = knn_reference(&pts, &qs, d, k).unwrap();
                assert_eq!(got.indices(), want.indices(), "n={n} nq={nq} d={d} k={k}");
                for (a, b) in got.sq_dists().iter().zip(want.sq_dists()) {
                    assert!((a - b).abs() <= 1e-12 * (1.0 + b), "{a} vs {b}");
                }
            }
        }
    }
}

/// f32 search: the GEMM form loses digits by cancellation, so the returned set may swap
/// near-ties; each returned (exactly recomputed) distance must match the oracle's j-th distance
/// within 1e-4 relative (f32 eps ~1.2e-7 times d·|x|² ~ 1e2-1e3 of headroom), rows sorted.
#[test]
fn knn_f32_matches_oracle_within_rounding() {
    for &(n, nq, d) in &[(65, 17, 16), (129, 31, 128)] {
        let pts: Vec<f32> = gaussian(n * d, 7).iter().map(|&x| x as f32).collect();
        let qs: Vec<f32> = gaussian(nq * d, 8).iter().map(|&x| x as f32).collect();
        let index = BruteForce::with_params(pts.clone(), d, SMALL).unwrap();
        let got = index.search(&qs, 10).unwrap();
        let want = knn_reference(&pts, &qs, d, 10).unwrap();
        for q in 0..nq {
            let g = got.row_sq_dists(q);
            assert!(g.windows(2).all(|w| w[0] <= w[1]));
            for (a, b) in g.iter().zip(want.row_sq_dists(q)) {
                assert!((a - b).abs() <= 1e-4 * b.max(1.0), "q={q}: {a} vs {b}");
            }
        }
    }
}

/// Ties break by the lower reference index (duplicated points).
#[test]
fn knn_ties_break_by_index() {
    let pts = vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0];
    let index = BruteForce::with_params(
        pts,
        2,
        KnnParams {
            query_block: 1,
            reference_block: 1,
        },
    )
    .unwrap();
    let nb = index.search(&[0.9, 0.0], 4).unwrap();
    assert_eq!(nb.indices(), [0, 2, 1, 3]);
}

/// Worked example 5(e): distances [0.5, 0.670820, 1.746425], k=1 correction 0.5, and f_RM = y at
/// every training point with k = 1.
#[test]
fn worked_example() {
    let x = vec![0.0, 0.0, 1.0, 0.0, 0.0, 2.0];
    let y = [1.0, 2.0, -1.0];
    let f = [0.5, 1.0, 0.0];
    let r = regression_residuals(&y, &f).unwrap();
    assert_eq!(r, vec![0.5, 1.0, -1.0]);
    let index = BruteForce::new(x.clone(), 2).unwrap();
    let nb = index.search(&[0.4, 0.3], 3).unwrap();
    let dists: Vec<f64> = nb.sq_dists().iter().map(|v| v.sqrt()).collect();
    for (a, b) in dists.iter().zip([0.5, 0.670820, 1.746425]) {
        assert!((a - b).abs() < 1e-6);
    }
    let memory = ResMem::new(index, r, 1, 1, 1.0).unwrap();
    assert_eq!(memory.correction(&[0.4, 0.3]).unwrap(), vec![0.5]);
    assert_eq!(memory.predict(&x, &f).unwrap(), y.to_vec());
}

/// RM1: the shared experiment and bound ([`memorisation_fits`], [`rm1_verdict`], run by the
/// report too, seed 0 as `reproduce --quick`): k = 1 with distinct embeddings memorises every
/// training label; the self-distance is recomputed directly so the identity is exact (error ≤ 2ε:
/// one rounding of f + r).
#[test]
fn rm1_k1_memorises_exactly() {
    let fits = memorisation_fits(0).unwrap();
    eprintln!("RM1: k = 1 (max error, accuracy) {:?}", fits.k1);
    assert!(rm1_verdict(&fits), "{:?}", fits.k1);
}

/// RM2: the shared experiment and bound ([`memorisation_fits`], [`rm2_verdict`], run by the
/// report too, seed 0): k = 10, σ → 0 memorises (the spec: error 0.80 / 3.4e-2 / ~1e-15 at σ =
/// 1 / 0.1 / 0.01). Asserted: error decreasing in σ, below 1e-9 with accuracy 1 at σ = 0.01
/// (exp(−Δ/σ) with a nearest-other gap Δ ≳ 0.3 is < 1e-13). Control that the check can fail:
/// k = 2, σ = 1e6 does not memorise (error > 0.1).
#[test]
fn rm2_small_sigma_memorises_negative_large_sigma() {
    let fits = memorisation_fits(0).unwrap();
    let v = rm2_verdict(&fits);
    eprintln!("RM2: sweep {:?}; {v:?}", fits.sigma_sweep);
    assert!(v.passed, "{v:?}");
    // Negative controls of each part (mutation campaign): an error exactly at the strict bound,
    // a sweep that rises somewhere, and a large-σ control that memorises each fail.
    use attnmech::resmem::experiments::RM2_MAX_ERROR;
    let mut at_bound = fits.clone();
    at_bound.sigma_sweep.last_mut().unwrap().1 = RM2_MAX_ERROR;
    assert!(!rm2_verdict(&at_bound).passed);
    let mut rising = fits.clone();
    rising.sigma_sweep[1].1 = rising.sigma_sweep[0].1 * 2.0;
    assert!(!rm2_verdict(&rising).passed);
    let mut memorising = fits.clone();
    memorising.large_sigma.0 = 0.0;
    assert!(!rm2_verdict(&memorising).passed);
}

/// RM3: σ = ∞ gives the uniform average of the k residuals; with k = n, the constant shift by
/// the mean residual (1e-12: sums of n=200 O(1) terms).
#[test]
fn rm3_large_sigma_uniform_average() {
    let inst = ClassificationInstance::new(4).unwrap();
    let n = inst.labels.len();
    let c = inst.classes;
    let memory = inst.resmem(n, f64::INFINITY).unwrap();
    let corr = memory.correction(&inst.x[..5 * inst.d]).unwrap();
    let mean: Vec<f64> = (0..c)
        .map(|j| (0..n).map(|i| inst.residuals[i * c + j]).sum::<f64>() / n as f64)
        .collect();
    for row in corr.chunks_exact(c) {
        for (a, b) in row.iter().zip(&mean) {
            assert!((a - b).abs() < 1e-12);
        }
    }
    let w = soft_weights(&[0.1, 5.0, 30.0], f64::INFINITY).unwrap();
    assert_eq!(w, vec![1.0 / 3.0; 3]);
    // Finite but huge σ approaches the limit.
    let w = soft_weights(&[0.1, 5.0, 30.0], 1e12).unwrap();
    assert!(w.iter().all(|x| (x - 1.0 / 3.0).abs() < 1e-10));
}

/// RM4: a base that interpolates (zero residuals) is left unchanged, exactly.
#[test]
fn rm4_zero_residuals_leave_base() {
    let x = gaussian(50 * 4, 9);
    let q = gaussian(10 * 4, 10);
    let base = gaussian(10, 11);
    let memory = ResMem::new(BruteForce::new(x, 4).unwrap(), vec![0.0; 50], 1, 5, 0.3).unwrap();
    assert_eq!(memory.predict(&q, &base).unwrap(), base);
}

/// RM6: weights sum to 1 (1e-15), are permutation-equivariant (1e-16: only the normaliser's
/// summation order changes), and invariant to a
/// translation + rotation of the embeddings (1e-12: distances recomputed after rotation).
#[test]
fn rm6_weight_invariances() {
    let dists = [0.3, 1.2, 0.7, 2.5, 0.31];
    let w = soft_weights(&dists, 0.5).unwrap();
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    let perm = [3, 0, 4, 1, 2];
    let wp = soft_weights(&perm.map(|i| dists[i]), 0.5).unwrap();
    for (j, &i) in perm.iter().enumerate() {
        assert!((wp[j] - w[i]).abs() <= 1e-16);
    }
    // Rotation by angle a in the (0,1) plane plus a shift, on 3-D points.
    let (n, d) = (40, 3);
    let x = gaussian(n * d, 12);
    let q = gaussian(6 * d, 13);
    let (ca, sa) = (0.6f64.cos(), 0.6f64.sin());
    let tf = |v: &[f64]| -> Vec<f64> {
        v.chunks_exact(d)
            .flat_map(|p| {
                [
                    ca * p[0] - sa * p[1] + 3.0,
                    sa * p[0] + ca * p[1] - 1.0,
                    p[2] + 0.5,
                ]
            })
            .collect()
    };
    let r = gaussian(n, 14);
    let a = ResMem::new(BruteForce::new(x.clone(), d).unwrap(), r.clone(), 1, 7, 0.4).unwrap();
    let b = ResMem::new(BruteForce::new(tf(&x), d).unwrap(), r, 1, 7, 0.4).unwrap();
    let (ca_, cb_) = (a.correction(&q).unwrap(), b.correction(&tf(&q)).unwrap());
    for (u, v) in ca_.iter().zip(&cb_) {
        assert!((u - v).abs() < 1e-12);
    }
}

/// RM5: on the stylised regression problem the projected-LS base risk is flat (< 1% change over
/// n = 250..16000) at a level in [0.6, 0.9] (spec 0.740) while the 1-NN ResMem risk falls with
/// log-log slope in [0.5, 0.9] (theory 2/d = 0.67). Test set of 2000 points, base seed 0. The
/// experiment and bound the report uses ([`rate_sweep`], [`rm5_verdict`]; issue 13: the report
/// allowed a 5% base change, the test 1%).
#[test]
fn rm5_rate() {
    let risks = rate_sweep(&RM5_SIZES, RM5_TEST_POINTS, 0).unwrap();
    let v = rm5_verdict(&risks);
    eprintln!("RM5 risks {risks:?} {v:?}");
    assert!(v.passed, "RM5: {v:?}");
    // Negative control of the bound: a base risk that drifts by 2% fails it.
    let mut drift = risks;
    drift[1].base_mse *= 1.02;
    assert!(!rm5_verdict(&drift).passed);
}

/// Bad input: k = 0, k > n, σ <= 0 / NaN, ragged lengths, non-finite points.
#[test]
fn bad_input_is_an_error() {
    let index = BruteForce::new(vec![0.0, 1.0, 2.0, 3.0], 2).unwrap();
    assert!(matches!(
        index.search(&[0.0, 0.0], 0),
        Err(Error::InvalidArgument { what: "k", .. })
    ));
    assert!(matches!(
        index.search(&[0.0, 0.0], 3),
        Err(Error::InvalidArgument { what: "k", .. })
    ));
    assert!(matches!(
        index.search(&[0.0, 0.0, 1.0], 1),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        index.search(&[f64::NAN, 0.0], 1),
        Err(Error::NonFinite { .. })
    ));
    assert!(BruteForce::new(vec![0.0, 1.0, 2.0], 2).is_err());
    assert!(BruteForce::new(vec![0.0, f64::INFINITY], 2).is_err());
    assert!(soft_weights(&[1.0], 0.0).is_err());
    assert!(soft_weights(&[1.0], -1.0).is_err());
    assert!(soft_weights(&[1.0], f64::NAN).is_err());
    assert!(ResMem::new(index.clone(), vec![0.0; 3], 1, 1, 1.0).is_err());
    assert!(ResMem::new(index.clone(), vec![0.0; 2], 1, 3, 1.0).is_err());
    assert!(ResMem::new(index, vec![0.0; 2], 1, 1, 0.0).is_err());
    assert!(regression_residuals(&[1.0, 2.0], &[1.0]).is_err());
}

/// Split search equals the oracle with many exact ties, for thread pools of 1, 2 and 3: points on
/// a {0, 1, 2}^3 grid with every point repeated (so all GEMM keys are exact integers and ties are
/// exact), queries on the same grid, reference blocks of 8 so a batch of one query block is split
/// into many slices. Same indices (ties by lower index) and distances, bit for bit.
#[test]
fn knn_split_search_ties_any_thread_count() {
    let d = 3;
    let grid: Vec<f64> = (0..27)
        .flat_map(|c| [(c % 3) as f64, ((c / 3) % 3) as f64, (c / 9) as f64])
        .collect();
    let pts: Vec<f64> = grid.repeat(11);
    let qs: Vec<f64> = grid.iter().rev().copied().take(12 * d).collect();
    let params = KnnParams {
        query_block: 16,
        reference_block: 8,
    };
    let index = BruteForce::with_params(pts.clone(), d, params).unwrap();
    for k in [1, 10, 40] {
        let want = knn_reference(&pts, &qs, d, k).unwrap();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool.install(|| index.search(&qs, k).unwrap());
            assert_eq!(got, want, "k={k} threads={threads}");
        }
    }
}
