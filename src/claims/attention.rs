//! FlashAttention-2 kernels (Dao 2023): AK1–AK8.

use super::{Claim, Kind::*, Sharing::*, Tag::*};

const NOTE: &str = "proofs-notes/attention.md";

/// The attention kernels' claims.
pub(super) const CLAIMS: &[Claim] = &[
    Claim::new(
        "attention.AK1",
        &[D, V],
        Identity,
        "For any shape, mask and scale, the tiled forward (online softmax with the α rescale) equals \
         the f64 reference softmax(QKᵀ·scale)·V within eps·c·√(M·d).",
        &[
            "tests/attention/suite.rs::head_dims",
            "tests/attention/suite.rs::report_quick_cases",
            "tests/attention/properties.rs::cpu_agrees_with_reference",
            "tests/attention/negative.rs::missing_online_rescale_is_rejected",
        ],
        NOTE,
    )
    .report(&["AK1"], Shared)
    .experiment(
        "src/attention/conformance/mod.rs::measure",
        "src/attention/conformance/mod.rs::verdict",
    )
    .changed(
        "report: the largest output error over the cases ≤ the bound of the case that attained \
         it (a case with a smaller error but a tighter bound was not judged on O); test: every \
         case within its own bound (check_kernel) → both: conformance::verdict, every case within \
         its own bound (Tolerances::for_lse), field by field; the tests also run the report's \
         quick cases (seed 0). Tolerances unchanged (f32 1e-5, f64 1e-12).",
    ),
    Claim::new(
        "attention.AK2",
        &[D],
        Identity,
        "For every query row with at least one visible key, the stored L_i equals the log-sum-exp of \
         row i of the scaled, masked scores S.",
        &[
            "tests/attention/suite.rs::head_dims",
            "tests/attention/suite.rs::report_quick_cases",
            "tests/attention/properties.rs::rows_are_convex_combinations",
        ],
        NOTE,
    )
    .report(&["AK2"], Shared)
    .experiment(
        "src/attention/conformance/mod.rs::measure",
        "src/attention/conformance/mod.rs::verdict",
    )
    .changed(
        "report: the largest lse error ≤ the bound of the case that attained it; test: every \
         case within its own bound → both: conformance::verdict, every case within its own \
         bound. Tolerances unchanged (f32 1e-5, f64 1e-12).",
    ),
    Claim::new(
        "attention.AK3",
        &[D, V],
        Identity,
        "Given O and L from the forward, the backward with D = rowsum(dO∘O) and recomputed P gives \
         dQ, dK, dV equal to the reference backward and to central finite differences of the forward.",
        &[
            "tests/attention/finite_diff.rs::cpu_gradients_match_finite_differences",
            "tests/attention/finite_diff.rs::key_gradients_sum_to_zero",
            "tests/attention/negative.rs::backward_without_d_term_is_rejected",
            "tests/attention/negative.rs::unnormalised_p_in_backward_is_rejected",
            "tests/attention/suite.rs::report_quick_cases",
        ],
        NOTE,
    )
    .report(&["AK3"], Shared)
    .experiment(
        "src/attention/conformance/mod.rs::measure",
        "src/attention/conformance/mod.rs::verdict",
    )
    .changed(
        "report: every field of every case within its bound (out and lse included); test: the \
         same through check_kernel → both: conformance::verdict's gradient part (dQ, dK, dV, \
         sink gradient) per case, O and lse judged under AK1 and AK2. Tolerances unchanged (f32 \
         1e-4, f64 1e-12).",
    ),
    Claim::new(
        "attention.AK4",
        &[D],
        Identity,
        "With a bottom-right aligned causal mask and N ≠ M query and key lengths, skipping fully \
         masked blocks gives the same output as the element-wise mask.",
        &[
            "tests/attention/suite.rs::causal_alignment",
            "tests/attention/negative.rs::top_left_causal_is_rejected",
        ],
        NOTE,
    ),
    Claim::new(
        "attention.AK5",
        &[D],
        Identity,
        "For a query row with no visible key (padding, causal N > M), the kernel returns the \
         documented O = 0 and L = −∞ with no NaN or inf in the gradients.",
        &[
            "tests/attention/suite.rs::masking_and_empty_rows",
            "tests/attention/suite.rs::report_quick_cases",
            "tests/attention/negative.rs::nan_on_empty_rows_is_rejected",
        ],
        NOTE,
    )
    .report(&["AK5"], Shared)
    .experiment(
        "src/attention/conformance/mod.rs::measure",
        "src/attention/conformance/mod.rs::run_case",
    ),
    Claim::new(
        "attention.AK6",
        &[D],
        Identity,
        "At lengths around the tile edges (Br ± 1, Bc ± 1, 1) and odd head dimensions, the tiled \
         kernels still equal the reference.",
        &[
            "tests/attention/suite.rs::tile_edges",
            "tests/attention/suite.rs::random_shapes",
        ],
        NOTE,
    ),
    Claim::new(
        "attention.AK7",
        &[D],
        Identity,
        "Counting the GEMMs only, the forward costs 4·N·M·d flops per head, the backward 2.5× that, \
         and a causal square mask half of each.",
        &["tests/attention/flops.rs::flop_counts_follow_the_flash_attention_convention"],
        NOTE,
    ),
    Claim::new(
        "attention.AK8",
        &[M],
        Identity,
        "Without a CUDA driver the CUDA entry points return a typed error without panicking, and \
         wherever NVRTC is present (or required by ATTNMECH_REQUIRE_NVRTC) every shipped .cu source \
         compiles.",
        &[
            "tests/cuda/mod.rs::skip_path_returns_cuda_unavailable_without_panicking",
            "tests/cuda/nvrtc.rs::every_kernel_source_compiles_with_nvrtc",
            "tests/cuda/nvrtc.rs::nvrtc_gate_fails_in_strict_mode",
        ],
        "proofs-notes/cuda.md",
    ),
];
