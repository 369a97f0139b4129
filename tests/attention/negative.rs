//! NEGATIVE checks: the conformance checks reject deliberately wrong kernels.

use super::suite::SEED;
use super::wrong::{Bug, Naive};
use attnmech::attention::conformance as c;

/// Positive control: the naive test kernel without a bug passes the same checks the negative
/// tests use, so each rejection below is caused by its planted bug.
#[test]
fn naive_kernel_without_bug_conforms() {
    let mut cases = c::causal_cases(SEED);
    cases.extend(c::masking_cases(SEED));
    cases.extend(c::random_cases(SEED, 8, 1 << 16));
    c::check_kernel(&Naive(Bug::None), &cases).unwrap_or_else(|e| panic!("{e}"));
    c::check_rejects_bad_input(&Naive(Bug::None)).unwrap();
}

fn rejected(bug: Bug, cases: &[c::Case]) -> String {
    match c::check_kernel(&Naive(bug), cases) {
        Ok(s) => panic!("{bug:?} was accepted: {s:?}"),
        Err(e) => e,
    }
}

/// AK4 can fail: a top-left aligned causal mask agrees on N = M but is rejected on the N ≠ M cases.
#[test]
fn top_left_causal_is_rejected() {
    let e = rejected(Bug::TopLeftCausal, &c::causal_cases(SEED));
    assert!(e.contains("out") || e.contains("lse"), "{e}");
}

/// AK1 can fail: an online softmax without the α rescale is rejected (forward error of order 1).
#[test]
fn missing_online_rescale_is_rejected() {
    let e = rejected(Bug::NoRescale, &c::head_dim_cases(SEED));
    assert!(e.contains("out error"), "{e}");
}

/// AK3 can fail: a backward without the −D term of dS = P∘(dP − D) is rejected on dQ and dK,
/// while dV (which does not involve D) still passes.
#[test]
fn backward_without_d_term_is_rejected() {
    let e = rejected(Bug::NoDTerm, &c::tile_edge_cases(SEED));
    assert!(
        e.contains("dq error") && e.contains("dk error") && !e.contains("dv error"),
        "{e}"
    );
}

/// AK3 can fail through P: recomputing P with the row max instead of lse leaves dV wrong.
#[test]
fn unnormalised_p_in_backward_is_rejected() {
    let e = rejected(Bug::UnnormalisedP, &c::batch_head_cases(SEED));
    assert!(e.contains("dv error"), "{e}");
}

/// AK5 can fail: a kernel that divides 0/0 on empty rows is rejected with a message naming the row.
#[test]
fn nan_on_empty_rows_is_rejected() {
    let e = rejected(Bug::EmptyRowNaN, &c::masking_cases(SEED));
    assert!(e.contains("sees no key"), "{e}");
}
