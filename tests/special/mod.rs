//! Full-precision special functions (issue 13 item 3): `attnmech::ops::special::erfc` against 50-digit
//! mpmath values (`scripts/special_references.py`), with `statrs` 0.19's truncated `erfc` as the
//! planted-bug negative control, and a re-check of the other `statrs` use (χ² tail p-values).

// Reference values keep mpmath's 17 significant digits (round-trip exact for f64).
#![allow(clippy::excessive_precision)]

use attnmech::ops::special::{erfc, normal_tail};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// `(x, erfc(x))`, mpmath at 50 digits, rounded to 17 significant digits.
const ERFC: [(f64, f64); 27] = [
    (-6.0, 2.0),
    (-2.0, 1.9953222650189527),
    (-0.84375, 1.7672256612323416),
    (-0.5, 1.5204998778130465),
    (-1e-300, 1.0),
    (0.0, 1.0),
    (1e-10, 9.9999999988716208e-1),
    (0.1, 8.875370839817151e-1),
    (0.25, 7.2367360983176307e-1),
    (0.5, 4.7950012218695346e-1),
    (0.84, 2.3485728854500548e-1),
    (0.84375, 2.3277433876765837e-1),
    (0.9, 2.0309178757716786e-1),
    (1.0, 1.5729920705028513e-1),
    (1.25, 7.709987174354177e-2),
    (1.5, 3.3894853524689273e-2),
    (2.0, 4.6777349810472658e-3),
    (2.857142857142857, 5.3312311388322794e-5),
    (3.0, 2.2090496998585441e-5),
    (4.0, 1.5417257900280019e-8),
    (5.0, 1.5374597944280349e-12),
    (6.0, 2.1519736712498913e-17),
    (8.0, 1.1224297172982927e-29),
    (10.0, 2.0884875837625448e-45),
    (15.0, 7.2129941724512067e-100),
    (20.0, 5.3958656116079009e-176),
    (26.0, 5.6631924088561428e-296),
];

/// Tolerance of the erfc check: 4 ulp relative (`2⁻⁵⁰ ≈ 8.9e-16`). msun documents < 1 ulp; the
/// reference itself is rounded once to 17 digits (≤ ½ ulp), so 4 ulp leaves room for both and is
/// still ~10⁴ times tighter than the 1e-11 truncation of `statrs` it must detect.
const ERFC_REL_TOL: f64 = 8.881_784_197_001_252e-16;

fn worst_relative_error(f: impl Fn(f64) -> f64) -> (f64, f64) {
    ERFC.iter()
        .map(|&(x, want)| (x, ((f(x) - want) / want).abs()))
        .fold((0.0, 0.0), |acc, e| if e.1 > acc.1 { e } else { acc })
}

/// Claim (issue 13 item 3): `special::erfc` is full double precision on the whole line — relative
/// error ≤ 4 ulp at 27 points covering every msun interval boundary (0.84375, 1.25, 1/0.35, 6, 28)
/// and the deep tail down to 1e-296; underflow past 27.3 and the limits ±∞, NaN behave.
#[test]
fn erfc_matches_fifty_digit_references() {
    let (x, err) = worst_relative_error(erfc);
    eprintln!("special::erfc: worst relative error {err:.2e} at x = {x}");
    assert!(err <= ERFC_REL_TOL, "erfc({x}) off by {err:e} relative");
    assert_eq!(erfc(f64::INFINITY), 0.0);
    assert_eq!(erfc(f64::NEG_INFINITY), 2.0);
    assert!(erfc(f64::NAN).is_nan());
    // mpmath: erfc(27) = 5.2370489237892557e-319 (subnormal): absolute check only
    assert!((erfc(27.0) - 5.237_048_923_789_256e-319).abs() <= 1e-322);
    assert_eq!(erfc(30.0), 0.0);
}

/// Negative control: `statrs` 0.19's `erfc` (constants truncated to ~10 digits) must FAIL the same
/// check — otherwise the check could not tell a truncated erfc from a full-precision one.
#[test]
fn erfc_check_rejects_statrs_truncation() {
    let (x, err) = worst_relative_error(statrs::function::erf::erfc);
    eprintln!("statrs erfc: worst relative error {err:.2e} at x = {x}");
    assert!(err > ERFC_REL_TOL);
}

/// `Q(x) = ½ erfc(x/√2)`: symmetric `Q(−x) = 1 − Q(x)` to rounding, `Q(0) = ½` exactly, and the
/// 1.96 / 3 quantiles (mpmath: Q(1.96) = 0.024997895148220436, Q(3) = 0.0013498980316300945) to
/// 1e-15 relative (one extra rounding in x/√2, ≈ x² ε, see the doc of `normal_tail`).
#[test]
fn normal_tail_values() {
    assert_eq!(normal_tail(0.0), 0.5);
    for x in [0.3, 1.0, 2.5, 5.0] {
        assert!((normal_tail(-x) + normal_tail(x) - 1.0).abs() <= 4.0 * f64::EPSILON);
    }
    for (x, want) in [
        (1.96, 0.024_997_895_148_220_436),
        (3.0, 0.001_349_898_031_630_094_5),
    ] {
        assert!(((normal_tail(x) - want) / want).abs() <= 1e-15);
    }
}

/// Re-check of the other `statrs` use: χ² upper-tail p-values (`ChiSquared::sf`, regularised
/// incomplete gamma; the specdec and pause tests). They decide at p ≈ 1e-3..5e-2, so a relative
/// error ≤ 1e-9 is ample; mpmath references at df ∈ {2, 4, 7, 15, 230} around p = 0.9, 0.05, 0.001.
#[test]
fn statrs_chi_square_tail_is_accurate_enough() {
    let refs: [(f64, f64, f64); 15] = [
        (2.0, 0.5, 7.7880078307140487e-1),
        (2.0, 6.0, 4.9787068367863943e-2),
        (2.0, 13.8, 1.0077854290485104e-3),
        (4.0, 1.0, 9.0979598956895014e-1),
        (4.0, 9.5, 4.9747247417943647e-2),
        (4.0, 18.5, 9.8514443362929561e-4),
        (7.0, 3.0, 8.8500223164315064e-1),
        (7.0, 14.1, 4.9431074100403296e-2),
        (7.0, 24.3, 1.0089216199771055e-3),
        (15.0, 10.0, 8.1973991950360147e-1),
        (15.0, 25.0, 4.9943433626428367e-2),
        (15.0, 37.7, 9.990843015883134e-4),
        (230.0, 200.0, 9.2410308801976634e-1),
        (230.0, 266.0, 5.1671816484201202e-2),
        (230.0, 300.0, 1.2989951691301138e-3),
    ];
    let mut worst: f64 = 0.0;
    for (k, x, want) in refs {
        let got = ChiSquared::new(k).unwrap().sf(x);
        worst = worst.max(((got - want) / want).abs());
    }
    eprintln!("statrs ChiSquared::sf: worst relative error {worst:.2e}");
    assert!(worst <= 1e-9);
}
