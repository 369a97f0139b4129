//! The `prompt_attention` section of `attnmech reproduce` (filled below).

use crate::error::Result;
use crate::report::{Context, Section, SectionReport};

/// Prompt-attention section.
pub struct PromptAttentionSection;

impl Section for PromptAttentionSection {
    fn name(&self) -> &'static str {
        "prompt_attention"
    }
    fn title(&self) -> &'static str {
        "Prompt-attention versus self-attention (Oymak et al. 2023)"
    }
    fn run(&self, _ctx: &Context) -> Result<SectionReport> {
        Ok(SectionReport::default())
    }
}
