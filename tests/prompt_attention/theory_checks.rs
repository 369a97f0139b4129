//! B3–B6: separation instance, Γ⋆ flip, GD alignment, known-prompt test error.

use attnmech::prompt_attention::data::{q_star, v_star, Irrelevant, MixtureConfig};
use attnmech::prompt_attention::experiments::{
    b3_separation, b3_verdict, b6_3_trained, b6_3_verdict, b6_5_known_prompt, b6_5_verdict,
    best_of_inits, B63Outcome, B65Protocol,
};
use attnmech::prompt_attention::models::{predict, Model, Params};
use attnmech::prompt_attention::theory::{
    asymptotic_error, known_prompt_alpha_s, pa_margin, step_one_misalignment,
};
use attnmech::prompt_attention::train::{
    accuracy, random_params, train, two_steps_closed_form, Loss, Optimizer,
};
use attnmech::rng::seeded;

/// The LinPA-blind instance of B3/B6.2 (δ = ½, ζ = ¼, T = 20, d = 8, β = ⅔).
fn blind_instance(sigma: f64) -> MixtureConfig {
    MixtureConfig::linpa_blind(sigma)
}

fn pa_params(gamma: f64, d: usize) -> Params {
    let mut p = Params::zeros(d);
    p.q = q_star(d).iter().map(|v| gamma * v).collect();
    p.v = v_star(d);
    p
}

/// Claims B3/B6.2 (M, exact): noiseless LinPA-blind instance, 2000 samples.
/// (a) PA with q = Γq⋆, v = v⋆: every margin y·f equals α − (1−α)β to 1e-12 and accuracy is 1 for
///     Γ ∈ {5, 10, 20, 40};
/// (b) B3, the experiment and bound the report uses ([`b3_separation`], [`b3_verdict`]): the sign
///     flips at Γ⋆ = ln(1/δ)/(1−δ) = 2 ln 2: margin(Γ⋆) = 0 to 1e-12, accuracy 0 at Γ⋆ − 1e-3 and
///     1 at Γ⋆ + 1e-3; LinPA output is the same for all samples for 5 random (q, v) (spread ≤
///     1e-10 ⇒ accuracy ½);
/// (d) mean-pool is blind on u = −y(ζ/(1−ζ))v⋆ (spread ≤ 1e-10) — and the negative control: PA on
///     that instance is not.
#[test]
fn b3_separation_and_gamma_star() {
    let cfg = blind_instance(0.0);
    let mut rng = seeded(4, 40);
    let data = cfg.sample(2000, &mut rng).unwrap();
    let beta = cfg.irrelevant.beta;
    for gamma in [5.0, 10.0, 20.0, 40.0] {
        let f = predict(Model::PromptSoftmax, &pa_params(gamma, 8), &data).unwrap();
        let want = pa_margin(0.25, gamma, 0.5, beta);
        let err = f
            .iter()
            .zip(data.y())
            .map(|(fi, y)| (fi * y - want).abs())
            .fold(0.0, f64::max);
        assert!(err <= 1e-12, "Γ = {gamma}: {err:e}");
        assert_eq!(
            accuracy(Model::PromptSoftmax, &pa_params(gamma, 8), &data).unwrap(),
            1.0
        );
    }
    let o = b3_separation(0).unwrap();
    eprintln!(
        "B3: Γ⋆ {}, margin {:e}, flip {:?}, LinPA spread {:e}",
        o.gamma_star, o.margin_at_gamma_star, o.flip, o.linpa_spread
    );
    assert!((o.gamma_star - 2.0 * 2f64.ln()).abs() < 1e-15);
    assert!(b3_verdict(&o));
    // negative controls on the same verdict: a flip read on the wrong side, a LinPA with a label
    // term left in its output
    let mut wrong = o.clone();
    wrong.flip = (o.flip.1, o.flip.0);
    assert!(!b3_verdict(&wrong));
    let mut wrong = o.clone();
    wrong.linpa_spread = 1e-3;
    assert!(!b3_verdict(&wrong));
    let mut mp = cfg;
    mp.irrelevant = Irrelevant {
        delta: 0.0,
        beta: 0.25 / 0.75,
        rho: 0.0,
    };
    let data_mp = mp.sample(500, &mut rng).unwrap();
    let p = random_params(8, 1.0, &mut rng);
    let f = predict(Model::MeanPool, &p, &data_mp).unwrap();
    let (lo, hi) = f
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    assert!(hi - lo <= 1e-10, "mean-pool spread {}", hi - lo);
    assert_eq!(
        accuracy(Model::PromptSoftmax, &pa_params(5.0, 8), &data_mp).unwrap(),
        1.0
    );
}

/// Claim B6.3 [E, fixed seeds]: with σ = 0.1 noise on the blind instance, trained LinPA stays at
/// chance (best of 3 Adam runs, lr 0.05, 300 steps, 500 train / 2000 test: test accuracy ≤ 0.55)
/// while PA trained the same way reaches ≥ 0.98 (spec: 0.495 vs 1.000): the experiment and bound
/// the report uses ([`b6_3_trained`], [`b6_3_verdict`]).
/// B6.6's self-attention part (issue 13: only plotted before): SA (one init, Adam lr 0.05, 100
/// steps on 250 training samples, for cost) reaches test accuracy ≥ 0.98 on this instance (spec
/// B3: SA 1.000; spec B6.6: "SA, PA ≥ 0.98 and LinPA ≤ 0.55"); the LinPA bound is its negative
/// control.
#[test]
fn b6_3_trained_linpa_fails_pa_succeeds() {
    let o = b6_3_trained(0).unwrap();
    let cfg = blind_instance(0.1);
    let mut rng = seeded(4, 41);
    let te = cfg.sample(2000, &mut rng).unwrap();
    // SA costs O(T²d) per sample: one init, 100 Adam steps on 250 training samples.
    let tr_sa = cfg.sample(250, &mut rng).unwrap();
    let sa = best_of_inits(Model::SelfSoftmax, &tr_sa, &te, 1, 100, &mut rng).unwrap();
    eprintln!("B6.3/B6.6: LinPA {}, PA {}, SA {sa}", o.linpa, o.pa);
    assert!(b6_3_verdict(&o), "LinPA {}, PA {}", o.linpa, o.pa);
    assert!(sa >= 0.98, "B6.6 self-attention: SA {sa}");
    // negative control: PA's accuracy in LinPA's place (a LinPA that could read the label)
    assert!(!b6_3_verdict(&B63Outcome {
        linpa: o.pa,
        pa: o.pa
    }));
}

/// Claim B4 (M, exact algebra): two full-batch logistic GD steps of PA from (0, 0) through the
/// generic training loop equal the closed forms v₁ = (η/2)(1/n)Σ y x̄, q₁ = 0,
/// q₂ = η(1/n)Σ σ(−y f) y Cov_T(X) v₁ (tolerance 1e-12, sums of O(1) terms).
#[test]
fn b4_two_steps_closed_form() {
    let cfg = MixtureConfig {
        tokens: 10,
        dim: 6,
        relevant: 3,
        sigma: 0.7,
        irrelevant: Irrelevant::default(),
        noise_perp: false,
    };
    let data = cfg.sample(300, &mut seeded(4, 42)).unwrap();
    let eta = 0.8;
    let (v1, q2) = two_steps_closed_form(&data, eta).unwrap();
    let gd = |steps| {
        let zero = Params::zeros(6);
        let lr = Optimizer::Gd { lr: eta };
        train(Model::PromptSoftmax, zero, &data, Loss::Logistic, lr, steps)
            .unwrap()
            .0
    };
    let (p1, p2) = (gd(1), gd(2));
    let diff = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    };
    assert!(p1.q.iter().all(|&v| v == 0.0));
    assert!(diff(&p1.v, &v1) < 1e-12);
    assert!(diff(&p2.q, &q2) < 1e-12);
}

fn cos2(a: &[f64], axis: usize) -> f64 {
    let n2: f64 = a.iter().map(|v| v * v).sum();
    a[axis] * a[axis] / n2
}

/// Claim B4/B6.4 [E, statistical]: T = 20, d = 100, ζ = 0.2, σ = 1, pure-noise irrelevant tokens.
/// Mean over 5 replicates of 1 − cos²(v₁, v⋆) within ±15% (relative) of
/// 1 − ζ²/(ζ² + ζ²/n + σ²d/(Tn)) for n ∈ {400, 800, 1600, 3200}; mean cos(q₂, q⋆) increasing in n
/// and ≥ 0.93 at n = 32d = 3200 (spec: 0.958).
#[test]
fn b4_alignment_statistics() {
    let cfg = MixtureConfig {
        tokens: 20,
        dim: 100,
        relevant: 4,
        sigma: 1.0,
        irrelevant: Irrelevant::default(),
        noise_perp: false,
    };
    let mut rng = seeded(4, 43);
    let mut last_cos = 0.0;
    for n in [400usize, 800, 1600, 3200] {
        let (mut mis, mut cq) = (0.0, 0.0);
        for _ in 0..5 {
            let data = cfg.sample(n, &mut rng).unwrap();
            let (v1, q2) = two_steps_closed_form(&data, 0.1).unwrap();
            mis += (1.0 - cos2(&v1, 1)) / 5.0;
            cq += cos2(&q2, 0).sqrt() / 5.0;
        }
        let want = step_one_misalignment(n, 100, 20, 0.2, 1.0);
        eprintln!("B4: n = {n}: 1 − cos² = {mis:.4} (formula {want:.4}), cos(q₂, q⋆) = {cq:.3}");
        assert!((mis / want - 1.0).abs() <= 0.15);
        assert!(cq > last_cos);
        last_cos = cq;
    }
    assert!(last_cos >= 0.93);
}

/// Claim B5/B6.5 [M formula, MC check]: known prompt q = Γq⋆, P_⊥ noise, u = 0, head
/// v̂ = (1/n)Σ y h_i. Test error on 2·10⁴ fresh samples within ±0.01 of the exact conditional
/// formula (MC sd ≤ 0.0035) and within ±0.02 of the proportional limit (d ≥ 100): the
/// experiment and bound the report's `--quick` run uses ([`b6_5_known_prompt`], [`b6_5_verdict`]).
/// Cases (T = 20, ζ = 0.2, σ = 1.5): (n, d, Γ) = (200, 100, 3), (1000, 100, 1).
#[test]
fn b5_known_prompt_test_error() {
    let cases = b6_5_known_prompt(&B65Protocol::quick(), 0).unwrap();
    for c in &cases {
        eprintln!(
            "B5: (n, d, Γ) = {:?}: MC {:.4}, exact {:.4}, asymptotic {:.4}",
            c.case, c.mc, c.exact, c.asymptotic
        );
    }
    let v = b6_5_verdict(&cases);
    assert!(v.passed, "B6.5: {v:?}");
    // negative control: the mean-pool error (Γ = 0) in place of the PA case's exact value
    let mut wrong = cases.clone();
    let (a, s) = known_prompt_alpha_s(0.2, 0.0, 1.5, 20);
    wrong[0].exact = asymptotic_error(a, s, 100, 200);
    assert!(!b6_5_verdict(&wrong).passed);
    // the spec's asymptotic reference values (T = 20, ζ = .2, σ = 1.5): PA vs mean-pool
    let (a_pa, s_pa) = known_prompt_alpha_s(0.2, f64::INFINITY, 1.5, 20);
    let (a_mp, s_mp) = known_prompt_alpha_s(0.2, 0.0, 1.5, 20);
    assert!((asymptotic_error(a_pa, s_pa, 100, 200) - 0.1192).abs() < 5e-4);
    assert!((asymptotic_error(a_mp, s_mp, 100, 200) - 0.3499).abs() < 5e-4);
}
