//! The `ccmc` section of `attnmech reproduce` (filled below).

use crate::report::{Context, Section, SectionReport};
use crate::error::Result;

/// CCMC section.
pub struct CcmcSection;

impl Section for CcmcSection {
    fn name(&self) -> &'static str {
        "ccmc"
    }
    fn title(&self) -> &'static str {
        "Self-attention as a context-conditioned Markov chain (Ildiz et al. 2024)"
    }
    fn run(&self, _ctx: &Context) -> Result<SectionReport> {
        Ok(SectionReport::default())
    }
}
