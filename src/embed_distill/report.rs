//! The `embed_distill` section of the report.

/// This module's sections of the `attnmech reproduce` report.
pub fn report_sections() -> Vec<Box<dyn crate::report::Section>> {
    Vec::new()
}
