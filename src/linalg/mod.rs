//! The dense linear algebra the paper modules share: GEMM, Cholesky solves, ridge least squares and
//! the faer decompositions, each followed by the vector-state fix in one place.
//!
//! faer's kernels return with the upper halves of the AVX registers dirty; every libm `exp`/`ln`
//! that follows then runs ~35x slower until a `vzeroupper`
//! ([`clear_upper_vector_state`](crate::vector_state::clear_upper_vector_state)). Every wrapper here
//! issues it after the faer call, so callers never do. clippy's `disallowed-methods`
//! (`clippy.toml`) forbids calling faer's matmul and Cholesky entry points anywhere else; the
//! attention tile kernel, which sits below this layer, has its own allowance.
//!
//! GEMMs run sequentially (`Par::Seq`), so results do not depend on the thread count.
//!
//! # Matrix type
//! Public APIs take and return faer's [`Mat`] / [`MatRef`] / [`MatMut`] (re-exported here): column
//! major with free transposes and row-major views (`MatRef::from_row_major_slice`), so flat
//! row-major buffers need no copy. `crate::qp::Mat` is the min-norm engine's row-major storage and
//! converts through [`MatRef::from_row_major_slice`].

#![allow(clippy::disallowed_methods)]

pub mod check;
pub mod cholesky;
pub mod decompose;
pub mod gemm;
pub mod ridge;

pub use check::{check_lower_finite, check_matrix, check_matrix_finite};
pub use cholesky::{factor_lower_in_place, spd_solve, Cholesky};
pub use decompose::{
    lu_solve_in_place, orthonormal_basis, singular_values, symmetric_eigenvalues, thin_svd, ThinSvd,
};
pub use faer::{Mat, MatMut, MatRef};
pub use gemm::{gemm, gemm_into, gemm_row_major};
// The crate-internal fast paths serve the paper modules (and `models`).
#[cfg_attr(not(feature = "papers"), allow(unused_imports))]
pub(crate) use gemm::{gemm_into_unchecked, gemm_row_major_unchecked, gemm_unchecked};
#[cfg_attr(not(feature = "papers"), allow(unused_imports))]
pub(crate) use ridge::linear_predict_unchecked;
pub use ridge::{linear_predict, ridge_fit};
