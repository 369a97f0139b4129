//! The attention kernels' section of the report: agreement with the reference, throughput against N.
//!
//! (Filled in by issue 2.)

/// This module's sections of the `attnmech reproduce` report.
pub fn report_sections() -> Vec<Box<dyn crate::report::Section>> {
    Vec::new()
}
