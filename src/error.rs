//! The crate's one error type.
//!
//! Every public function that can be handed bad input returns `Result<_, Error>`; nothing in the
//! public API panics on user data. Variants carry what was wrong and where, so the message alone is
//! enough to fix the call.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, with enough context to fix the call.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A buffer or dimension does not match the size the other arguments imply.
    ShapeMismatch {
        /// Which argument (e.g. `"k"`, `"kv_valid_len"`).
        what: &'static str,
        /// The size the other arguments imply.
        expected: usize,
        /// The size that was given.
        got: usize,
    },
    /// A NaN or an infinity where a finite number is required.
    NonFinite {
        /// Which argument.
        what: &'static str,
        /// Flat index of the first offending element.
        index: usize,
    },
    /// An index (token id, class label, position) outside its allowed range `0..bound`.
    OutOfRange {
        /// Which argument.
        what: &'static str,
        /// Flat position of the offending entry in its argument.
        index: usize,
        /// The offending value.
        value: usize,
        /// The exclusive upper bound.
        bound: usize,
    },
    /// An empty input where at least one element is required.
    Empty {
        /// Which argument.
        what: &'static str,
    },
    /// An argument whose value is not allowed (zero head_dim, k = 0, sigma <= 0, ...).
    InvalidArgument {
        /// Which argument.
        what: &'static str,
        /// Why it is rejected.
        reason: String,
    },
    /// An optimisation program (SVM, QP, MLE) has no feasible point or no finite solution.
    Infeasible {
        /// Which program.
        what: &'static str,
        /// Which constraint, split or column makes it so.
        reason: String,
    },
    /// An iterative solver stopped before meeting its tolerance.
    NotConverged {
        /// Which solver.
        what: &'static str,
        /// Iterations spent.
        iterations: usize,
        /// The residual (or gradient norm) when it stopped.
        residual: f64,
    },
    /// A matrix that must be symmetric positive definite is not: the Cholesky pivot that failed.
    NotPositiveDefinite {
        /// Which matrix.
        what: &'static str,
        /// Index of the failing pivot.
        pivot: usize,
    },
    /// No CUDA driver, no GPU, or the crate was built without the `cuda` feature.
    CudaUnavailable(String),
    /// A CUDA driver or NVRTC call failed.
    Cuda(String),
    /// An I/O failure not tied to one path (prefer [`Error::File`], which names it).
    Io(String),
    /// Reading or writing a file or folder failed.
    File {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        reason: String,
    },
    /// A JSON document could not be parsed or does not have the expected form.
    Parse(String),
    /// A size computed from the arguments (a product of dimensions, an offset) does not fit in
    /// `usize`: checked before anything is allocated, so wrapping never builds a wrong object.
    Overflow {
        /// Which size (e.g. `"q: batch·heads·seq·head_dim"`).
        what: &'static str,
    },
    /// A size from untrusted input exceeds the documented cap that bounds memory and time.
    TooLarge {
        /// Which size.
        what: &'static str,
        /// The size that was given.
        value: usize,
        /// The cap (see the function's docs for how to raise it).
        cap: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ShapeMismatch {
                what,
                expected,
                got,
            } => {
                write!(
                    f,
                    "shape mismatch in `{what}`: expected {expected}, got {got}"
                )
            }
            Error::NonFinite { what, index } => {
                write!(f, "non-finite value in `{what}` at flat index {index}")
            }
            Error::OutOfRange {
                what,
                index,
                value,
                bound,
            } => write!(
                f,
                "out-of-range value in `{what}` at position {index}: {value} is not below {bound}"
            ),
            Error::Empty { what } => write!(f, "`{what}` is empty"),
            Error::InvalidArgument { what, reason } => {
                write!(f, "invalid argument `{what}`: {reason}")
            }
            Error::Infeasible { what, reason } => write!(f, "{what} is infeasible: {reason}"),
            Error::NotConverged {
                what,
                iterations,
                residual,
            } => write!(
                f,
                "{what} did not converge in {iterations} iterations (residual {residual:e})"
            ),
            Error::NotPositiveDefinite { what, pivot } => {
                write!(
                    f,
                    "`{what}` is not positive definite (pivot {pivot} failed)"
                )
            }
            Error::CudaUnavailable(why) => write!(f, "CUDA unavailable: {why}"),
            Error::Cuda(why) => write!(f, "CUDA error: {why}"),
            Error::Io(why) => write!(f, "I/O error: {why}"),
            Error::File { path, reason } => {
                write!(f, "cannot access `{}`: {reason}", path.display())
            }
            Error::Parse(why) => write!(f, "parse error: {why}"),
            Error::Overflow { what } => write!(f, "size of `{what}` overflows usize"),
            Error::TooLarge { what, value, cap } => {
                write!(f, "`{what}` = {value} exceeds the cap of {cap}")
            }
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// An I/O failure on `path`: `fs::read(&p).map_err(|e| Error::file(&p, e))`.
    pub fn file(path: impl AsRef<Path>, reason: impl fmt::Display) -> Self {
        Error::File {
            path: path.as_ref().to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

#[cfg(feature = "papers")]
impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Parse(e.to_string())
    }
}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks that `len == expected`, naming the argument otherwise.
pub fn check_len(what: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            what,
            expected,
            got,
        })
    }
}

/// Checks that every value is finite, naming the argument and the first bad index otherwise.
pub fn check_finite<T: num_traits::Float>(what: &'static str, xs: &[T]) -> Result<()> {
    // Branch-free fold per chunk so the common all-finite case vectorises; the position of the
    // first bad value is searched only on failure.
    let all_finite = xs
        .chunks(64)
        .all(|c| c.iter().fold(true, |ok, x| ok & x.is_finite()));
    if all_finite {
        return Ok(());
    }
    match xs.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NonFinite { what, index }),
    }
}

/// Checks that every id is below `bound`, naming the argument and the first bad position otherwise.
pub fn check_ids(what: &'static str, ids: &[usize], bound: usize) -> Result<()> {
    match ids.iter().position(|&v| v >= bound) {
        None => Ok(()),
        Some(index) => Err(Error::OutOfRange {
            what,
            index,
            value: ids[index],
            bound,
        }),
    }
}

/// Checks that a slice is non-empty.
pub fn check_nonempty<T>(what: &'static str, xs: &[T]) -> Result<()> {
    if xs.is_empty() {
        Err(Error::Empty { what })
    } else {
        Ok(())
    }
}

/// The product of `dims` (a buffer's element count), or [`Error::Overflow`] naming `what`.
/// Call it before allocating anything whose size comes from the arguments.
pub fn checked_elems(what: &'static str, dims: &[usize]) -> Result<usize> {
    dims.iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or(Error::Overflow { what })
}

/// `a + b`, or [`Error::Overflow`] naming `what`.
pub fn checked_add(what: &'static str, a: usize, b: usize) -> Result<usize> {
    a.checked_add(b).ok_or(Error::Overflow { what })
}

/// Rejects `value > cap` ([`Error::TooLarge`]): the bound on a size read from untrusted input.
pub fn check_cap(what: &'static str, value: usize, cap: usize) -> Result<()> {
    if value > cap {
        Err(Error::TooLarge { what, value, cap })
    } else {
        Ok(())
    }
}

/// Rejects a NaN or infinite scalar argument ([`Error::NonFinite`] at index 0).
pub fn check_finite_scalar(what: &'static str, x: f64) -> Result<()> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(Error::NonFinite { what, index: 0 })
    }
}

/// Rejects a scalar that is not finite and strictly positive (step sizes, scales, widths).
pub fn check_positive(what: &'static str, x: f64) -> Result<()> {
    check_finite_scalar(what, x)?;
    if x > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what,
            reason: format!("must be > 0, got {x}"),
        })
    }
}

/// Rejects a scalar outside the closed interval `[lo, hi]` (NaN included).
pub fn check_in_range(what: &'static str, x: f64, lo: f64, hi: f64) -> Result<()> {
    check_finite_scalar(what, x)?;
    if (lo..=hi).contains(&x) {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what,
            reason: format!("must lie in [{lo}, {hi}], got {x}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_elems_reports_overflow_and_multiplies_otherwise() {
        assert_eq!(checked_elems("x", &[2, 3, 4]), Ok(24));
        assert_eq!(checked_elems("x", &[]), Ok(1));
        assert_eq!(checked_elems("x", &[0, usize::MAX, 2]), Ok(0));
        assert_eq!(
            checked_elems("x", &[usize::MAX, 2]),
            Err(Error::Overflow { what: "x" })
        );
        assert!(checked_add("x", usize::MAX, 1).is_err());
    }

    #[test]
    fn scalar_checks_reject_nan_inf_and_out_of_range() {
        assert!(check_positive("t", f64::NAN).is_err());
        assert!(check_positive("t", 0.0).is_err());
        assert!(check_positive("t", f64::INFINITY).is_err());
        assert!(check_positive("t", 1e-300).is_ok());
        assert!(check_in_range("p", 1.5, 0.0, 1.0).is_err());
        assert!(check_in_range("p", f64::NAN, 0.0, 1.0).is_err());
        assert!(check_cap("n", 11, 10).is_err());
        assert!(check_cap("n", 10, 10).is_ok());
    }
}
