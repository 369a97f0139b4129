//! Self-attention as a context-conditioned Markov chain (Ildiz et al. 2024).
//!
//! (Filled in by issue 4.)

/// This module's sections of the `attnmech reproduce` report.
pub fn report_sections() -> Vec<Box<dyn crate::report::Section>> {
    Vec::new()
}
