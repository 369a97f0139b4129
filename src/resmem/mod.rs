//! ResMem: k-nearest-neighbour memorisation of residuals (Yang et al. 2023).
//!
//! (Filled in by issue 6.)

/// This module's sections of the `attnmech reproduce` report.
pub fn report_sections() -> Vec<Box<dyn crate::report::Section>> {
    Vec::new()
}
