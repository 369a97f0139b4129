//! Checks added by the mutation campaign (issue 13, `proofs-notes/MUTANTS.md`).

use attnmech::supervision::bound::{linear_teacher_bound, LinearTeacherConfig};

/// SC8's measured test error is the classification error of the kernel interpolant of the
/// noiseless teacher `v·x` on fresh labels flipped with probability 0.1. That interpolant
/// (2000 points on S², analytic ReLU NTK) nearly equals the teacher, so its error is the flip
/// rate: 0.1 within ±0.03 (the binomial SE at 2000 test points is 0.0067, so 4.5 SE, plus
/// the interpolant's own few mistakes near the decision boundary). SC8's claim only bounds the
/// error from above (by 0.668), so a wrong error measure passes it. Kills `bound.rs: replace *
/// with + in linear_teacher_bound` (`y + f ≤ 0` instead of `y·f ≤ 0`).
#[test]
fn sc8_test_error_is_the_label_noise_rate() {
    let cfg = LinearTeacherConfig::default();
    assert_eq!(cfg.label_noise, 0.1);
    let o = linear_teacher_bound(&cfg).unwrap();
    assert!(
        (o.test_error - 0.1).abs() <= 0.03,
        "test error {}",
        o.test_error
    );
}
