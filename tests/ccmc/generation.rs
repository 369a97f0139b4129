//! A7: generation — incremental sampler, support monotonicity, collapse with a window (exact
//! absorbing chain vs simulation), single-winner criterion, loser exponents.

use attnmech::ccmc::experiments::{
    a7_2_absorption, a7_2_instance, a7_2_verdict, a7_4_verdict, count_history, ls_slope,
    winner_fractions, A72Protocol, A7_4_RUNS, A7_4_STEPS,
};
use attnmech::ccmc::kernel::{next_token_probs, Wbar};
use attnmech::ccmc::sampling::{generate, run_until_absorbed, Generator};
use attnmech::ccmc::winner::{absorption_exact, fitness, loser_exponents, single_winner_stable};
use attnmech::rng::seeded;
use attnmech::Error;
use rand::seq::SliceRandom;
use rand::Rng;

/// The A8 WTA instance: K = 5, W̄ diagonal 1, off-diagonal U[−0.5, 0.5].
fn diag_dominant(rng: &mut impl Rng) -> Wbar {
    attnmech::ccmc::experiments::diag_dominant(rng).unwrap()
}

/// The incremental generator draws from the CCMC law: 10⁵ first steps from one prompt; each token's
/// frequency within 5 binomial standard errors of `next_token_probs` (false-alarm rate ~1e-6 per
/// token). Also the incremental counts equal a recount of the context after 10⁴ steps (window 7).
#[test]
fn a7_generator_matches_kernel() {
    let mut rng = seeded(4, 20);
    let wbar = Wbar::gaussian(5, 1.0, &mut rng).unwrap();
    let prompt = [0usize, 3, 3, 1, 4, 3, 2];
    let p = next_token_probs(&wbar, &prompt).unwrap();
    let n = 100_000;
    let mut freq = [0.0; 5];
    let g0 = Generator::new(&wbar, &prompt, None).unwrap();
    for _ in 0..n {
        let mut g = g0.clone();
        freq[g.step(&mut rng)] += 1.0;
    }
    for k in 0..5 {
        let se = (p[k] * (1.0 - p[k]) / n as f64).sqrt();
        assert!(
            (freq[k] / n as f64 - p[k]).abs() <= 5.0 * se + 1e-12,
            "token {k}"
        );
    }
    let mut g = Generator::new(&wbar, &prompt, Some(7)).unwrap();
    let mut ctx = prompt.to_vec();
    for _ in 0..10_000 {
        ctx.push(g.step(&mut rng));
    }
    let mut recount = [0u64; 5];
    for &t in &ctx[ctx.len() - 7..] {
        recount[t] += 1;
    }
    assert_eq!(g.counts(), &recount[..]);
}

/// Claim A7.1 (M, hard): support monotonicity — growing context never introduces an unseen token;
/// with a window the number of distinct tokens never increases. 20 trajectories × 2000 steps per
/// setting, W̄ ~ N(0, 1), K = 6.
#[test]
fn a7_support_monotonicity() {
    let mut rng = seeded(4, 21);
    let wbar = Wbar::gaussian(6, 1.0, &mut rng).unwrap();
    for _ in 0..20 {
        let prompt: Vec<usize> = (0..5).map(|_| rng.random_range(0..6)).collect();
        let out = generate(&wbar, &prompt, 2000, None, &mut rng).unwrap();
        assert!(out.iter().all(|t| prompt.contains(t)));
        for lw in [3usize, 5, 10] {
            let mut g = Generator::new(&wbar, &prompt, Some(lw)).unwrap();
            let mut d = g.distinct();
            for _ in 0..2000 {
                g.step(&mut rng);
                assert!(g.distinct() <= d);
                d = g.distinct();
            }
        }
    }
    assert!(matches!(
        Generator::new(&wbar, &prompt_of(&[1]), Some(0)),
        Err(Error::InvalidArgument { what: "window", .. })
    ));
    assert!(Generator::new(&wbar, &[], None).is_err());
    assert!(Generator::new(&wbar, &[6], None).is_err());
}

fn prompt_of(x: &[usize]) -> Vec<usize> {
    x.to_vec()
}

/// Claim A7.2 (M): with a sliding window the chain is absorbed almost surely in a constant window.
/// (a) Every one of 100 runs per L_w ∈ {3, 5, 10} (A8 instance, permutation prompts) is absorbed
/// within 10⁶ steps. (b) The experiment and bound the report uses ([`a7_2_absorption`],
/// [`a7_2_verdict`]): for L_w = 2…5 (start cycling [0, 1, 2, 1]; L_w = 4 is [0, 1, 2, 1]) the exact
/// absorbing-chain solve (K = 3, ≤ 243 states) agrees with 4000 simulated runs: mean time within 4
/// standard errors, each winner probability within 4 binomial standard errors; its winner
/// probabilities sum to 1 (1e-12).
#[test]
fn a7_window_collapse_and_exact_absorption() {
    let mut rng = seeded(4, 22);
    let wbar = diag_dominant(&mut rng);
    for lw in [3usize, 5, 10] {
        let mut times = Vec::new();
        for _ in 0..100 {
            let mut p: Vec<usize> = (0..5).collect();
            p.shuffle(&mut rng);
            let (_, t) = run_until_absorbed(&wbar, &p, lw, 1_000_000, &mut rng)
                .unwrap()
                .expect("absorbed");
            times.push(t);
        }
        times.sort_unstable();
        eprintln!("A7.2: L_w = {lw}: median absorption {} steps", times[50]);
    }
    let points = a7_2_absorption(&A72Protocol::quick(), 0).unwrap();
    for p in &points {
        eprintln!(
            "A7.2 exact: L_w = {}: mean {} vs MC {} ± {}; probs {:?} vs {:?}",
            p.window, p.exact_mean, p.sim_mean.0, p.sim_mean.1, p.exact_probs, p.sim_probs
        );
        assert!((p.exact_probs.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    let (worst_z, passed) = a7_2_verdict(&points);
    assert!(passed, "A7.2: largest |z| {worst_z}");
    // negative control: an exact mean off by 10% is many standard errors away at 4000 runs
    let mut wrong = points.clone();
    wrong[2].exact_mean *= 1.1;
    assert!(!a7_2_verdict(&wrong).1);
    let small = a7_2_instance().unwrap();
    assert!(absorption_exact(&small, &[0; 9]).is_ok()); // constant: 0 steps, no solve
    assert!(absorption_exact(&wbar, &[0, 1, 2, 3, 4, 0]).is_err()); // 5^6 states: refused
}

/// Claim A7.4 [M criterion; H dynamics]: e_k is stable iff W̄[k, k] > W̄[i, k] for every other
/// present token, equivalently F_i(e_k) < 1 (checked against the fitness kernel on random W̄, with
/// the anti-dominant negative case). Dynamics: on the A8 instance (all tokens self-dominant) the
/// winner fraction after 10⁵ steps is ≥ 0.85 in ≥ 7 of 8 runs (spec's high-probability test),
/// the experiment and bound the report uses ([`winner_fractions`], [`a7_4_verdict`]; issue 13:
/// the report judged one trajectory at ≥ 0.85, the test its own 8).
#[test]
fn a7_single_winner_criterion() {
    let mut rng = seeded(4, 23);
    for _ in 0..50 {
        let w = Wbar::gaussian(4, 1.0, &mut rng).unwrap();
        for k in 0..4 {
            let mut pi = vec![0.0; 4];
            pi[k] = 1.0;
            let f = fitness(&w, &pi).unwrap();
            let by_fitness = (0..4).all(|i| i == k || f[i] < 1.0);
            assert_eq!(
                single_winner_stable(&w, k, &[0, 1, 2, 3]).unwrap(),
                by_fitness
            );
            let r = loser_exponents(&w, k).unwrap();
            assert!(r.iter().zip(&f).all(|(a, b)| (a - b).abs() < 1e-12));
            assert!(
                (f[k] - 1.0).abs() < 1e-12,
                "the winner's own fitness is 1 at e_k"
            );
        }
    }
    let wbar = diag_dominant(&mut rng);
    assert!((0..5).all(|k| single_winner_stable(&wbar, k, &[0, 1, 2, 3, 4]).unwrap()));
    let mut anti = wbar.clone();
    anti.set(2, 0, 1.5).unwrap();
    assert!(!single_winner_stable(&anti, 0, &[0, 1, 2, 3, 4]).unwrap());
    let fractions = winner_fractions(A7_4_RUNS, A7_4_STEPS, 0).unwrap();
    let (collapsed, passed) = a7_4_verdict(&fractions);
    eprintln!("A7.4: winner fractions {fractions:?}, {collapsed}/{A7_4_RUNS} collapsed");
    assert!(passed, "A7.4: winner fractions {fractions:?}");
    // Negative control of the bound: two trajectories short of the fraction fail it.
    assert!(!a7_4_verdict(&[0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.8, 0.8]).1);
}

/// Claim A7.5 [H, statistical]: near a single winner k a loser's count grows like t^{r_i},
/// r_i = exp(W̄[i,k] − W̄[k,k]). Over t ∈ [10³, 10⁵] (log-spaced checkpoints), for runs with winner
/// fraction ≥ 0.95 and losers with m_i(10³) ≥ 20, the median |slope − r_i| ≤ 0.1 (spec: "usually
/// within ±0.1"). 2-cycle instance (K = 4, W̄ = 0 except W̄[1,0] = W̄[0,1] = 2): losers' slopes
/// within ±0.1 of F = 2/(1+e²) = 0.2384 in median; winners' shares at 10⁵ within 0.01 of ½ and
/// slopes in [0.99, 1.05] (the spec's 1.00 ± 0.01 is asymptotic: with a 4-token prompt the losers
/// still hold ~10% at t = 10³, which adds ln(1/0.9)/ln(100) ≈ 0.02 to the slope over [10³, 10⁵]).
#[test]
fn a7_loser_exponents() {
    let mut rng = seeded(4, 24);
    let checkpoints: Vec<u64> = (0..=20)
        .map(|i| (1e3 * 100f64.powf(i as f64 / 20.0)) as u64)
        .collect();
    let lt: Vec<f64> = checkpoints.iter().map(|&t| (t as f64).ln()).collect();
    let slope_of = |h: &[Vec<u64>], i: usize| {
        let ly: Vec<f64> = h.iter().map(|m| (m[i].max(1) as f64).ln()).collect();
        ls_slope(&lt, &ly)
    };
    let mut devs = Vec::new();
    for run in 0..12 {
        let wbar = diag_dominant(&mut rng);
        let mut p: Vec<usize> = (0..5).collect();
        p.shuffle(&mut rng);
        let h = count_history(&wbar, &p, &checkpoints, 500 + run).unwrap();
        let last = h.last().unwrap();
        let total: u64 = last.iter().sum();
        let (k, &mk) = last.iter().enumerate().max_by_key(|x| *x.1).unwrap();
        if (mk as f64) < 0.95 * total as f64 {
            continue;
        }
        let r = loser_exponents(&wbar, k).unwrap();
        for i in (0..5).filter(|&i| i != k && h[0][i] >= 20) {
            devs.push((slope_of(&h, i) - r[i]).abs());
        }
    }
    devs.sort_by(|a, b| a.total_cmp(b));
    eprintln!("A7.5: |slope − r_i| sorted {devs:?}");
    assert!(devs.len() >= 8, "too few qualifying losers: {}", devs.len());
    assert!(devs[devs.len() / 2] <= 0.1);

    let two = Wbar::from_fn(4, |k, j| {
        if (k, j) == (1, 0) || (k, j) == (0, 1) {
            2.0
        } else {
            0.0
        }
    })
    .unwrap();
    let f_pred = 2.0 / (1.0 + (2.0f64).exp());
    let pi = fitness(&two, &[0.5, 0.5, 0.0, 0.0]).unwrap();
    assert!((pi[2] - f_pred).abs() < 1e-12 && (pi[0] - 1.0).abs() < 1e-12);
    let mut loser_dev = Vec::new();
    for run in 0..6 {
        let h = count_history(&two, &[0, 1, 2, 3], &checkpoints, 600 + run).unwrap();
        for i in 0..2 {
            let s = slope_of(&h, i);
            assert!(
                (0.99..=1.05).contains(&s),
                "winner slope {s}: {:?}",
                h.last()
            );
            let share = h.last().unwrap()[i] as f64 / 100_000.0;
            assert!((share - 0.5).abs() <= 0.01, "winner share {share}");
        }
        for i in 2..4 {
            loser_dev.push((slope_of(&h, i) - f_pred).abs());
        }
    }
    loser_dev.sort_by(|a, b| a.total_cmp(b));
    eprintln!("A7.5 2-cycle: |slope − 0.2384| sorted {loser_dev:?}");
    assert!(loser_dev[loser_dev.len() / 2] <= 0.1);
}

/// The documented cap of [`absorption_exact`] is inclusive: `K^L_w = MAX_WINDOW_STATES` (here
/// `2^12 = 4096`) is solved, one more window slot is refused. On a 2-token vocabulary the winner
/// law is a proper distribution and the chain started at a mixed window takes at least one step.
/// Kills `winner.rs: replace > with >= in absorption_exact` (the cap becoming exclusive).
#[test]
fn absorption_exact_accepts_exactly_the_state_cap() {
    use attnmech::ccmc::winner::MAX_WINDOW_STATES;
    let mut rng = seeded(4, 99);
    let wbar = Wbar::gaussian(2, 1.0, &mut rng).unwrap();
    let mut initial = vec![0usize; 12];
    initial[11] = 1;
    assert_eq!(2usize.pow(12), MAX_WINDOW_STATES);
    let a = absorption_exact(&wbar, &initial).expect("K^L_w = cap is accepted");
    assert!(
        (a.winner_probs.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{a:?}"
    );
    assert!(a.mean_steps >= 1.0, "{a:?}");
    initial.push(1);
    assert!(absorption_exact(&wbar, &initial).is_err()); // 2^13 states: refused
}

/// `Wbar::gaussian(K, s)` draws its entries i.i.d. `N(0, s²)` (the spec's random instances). At
/// K = 30 (900 entries) and s = 2.5: the sample mean within 4 SE of 0 (SE = s/30) and the sample
/// sd within 10% of s (relative sd of a sample sd ≈ 1/√1798 ≈ 0.024, so > 4 sd). Every other
/// test draws at s = 1, where `s + z` and `s·z` differ only by a shift that a softmax-shaped check
/// may not see. Kills `kernel.rs: replace * with + in Wbar::gaussian` (`N(s, 1)`).
#[test]
fn gaussian_wbar_entries_have_mean_zero_and_the_given_scale() {
    let (k, s) = (30, 2.5);
    let wbar = Wbar::gaussian(k, s, &mut seeded(69, 0)).unwrap();
    let xs: Vec<f64> = (0..k)
        .flat_map(|a| (0..k).map(move |b| (a, b)))
        .map(|(a, b)| wbar.get(a, b).unwrap())
        .collect();
    let n = xs.len() as f64;
    let (mean, sd) = crate::stats::mean_and_sd(&xs);
    assert!(mean.abs() <= 4.0 * s / n.sqrt(), "mean {mean}");
    assert!((sd / s - 1.0).abs() <= 0.1, "sd {sd}");
}
