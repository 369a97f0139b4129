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

/// The feature cases whose options or geometry satisfy `pick`.
fn features_where(pick: impl Fn(&c::Case) -> bool) -> Vec<c::Case> {
    c::feature_cases(SEED)
        .into_iter()
        .filter(|x| pick(x))
        .collect()
}

/// Positive control for the feature bugs: the naive kernel without a bug passes every feature
/// case (GQA, windows, soft-cap, ALiBi, sinks, varlen, d_v ≠ d, strided layout).
#[test]
fn naive_kernel_without_bug_conforms_on_features() {
    c::check_kernel(&Naive(Bug::None), &c::feature_cases(SEED)).unwrap_or_else(|e| panic!("{e}"));
}

/// GQA can fail: a head mapping off by one (head h reads KV head (h + 1) / group) is rejected.
#[test]
fn gqa_head_mapping_off_by_one_is_rejected() {
    let e = rejected(
        Bug::GqaOffByOne,
        &features_where(|x| x.kv_heads != x.shape.heads),
    );
    assert!(e.contains("out error"), "{e}");
}

/// Windows can fail: a left window edge one key off is rejected.
#[test]
fn window_off_by_one_is_rejected() {
    let e = rejected(
        Bug::WindowOffByOne,
        &features_where(|x| x.opts.get_window().is_some()),
    );
    assert!(e.contains("out error") || e.contains("lse"), "{e}");
}

/// Soft-cap can fail: a backward without the tanh derivative is rejected on dQ/dK while the
/// forward passes.
#[test]
fn softcap_without_tanh_derivative_is_rejected() {
    let e = rejected(
        Bug::SoftcapNoTanhGrad,
        &features_where(|x| x.opts.get_softcap().is_some()),
    );
    assert!(
        (e.contains("dq error") || e.contains("dk error")) && !e.contains("out error"),
        "{e}"
    );
}

/// Varlen can fail: a sequence that sees its neighbour's last key is rejected.
#[test]
fn varlen_leak_is_rejected() {
    let e = rejected(
        Bug::VarlenLeak,
        &features_where(|x| x.opts.get_varlen().is_some()),
    );
    assert!(e.contains("error") || e.contains("seen by no query"), "{e}");
}
