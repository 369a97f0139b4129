//! Supervision complexity in knowledge distillation (Harutyunyan et al. 2023).
//!
//! (Filled in by issue 6.)

/// This module's sections of the `attnmech reproduce` report.
pub fn report_sections() -> Vec<Box<dyn crate::report::Section>> {
    Vec::new()
}
