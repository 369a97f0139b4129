//! Speculative decoding and DistillSpec (Zhou et al. 2023).
//!
//! (Filled in by issue 5.)

/// This module's sections of the `attnmech reproduce` report.
pub fn report_sections() -> Vec<Box<dyn crate::report::Section>> {
    Vec::new()
}
