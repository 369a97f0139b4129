//! The `nexttoken` report section. (Being written.)

/// The sections.
pub fn sections() -> Vec<Box<dyn crate::report::Section>> {
    Vec::new()
}
