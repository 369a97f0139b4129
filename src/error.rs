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
