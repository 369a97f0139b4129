//! Every section of the report, in order. A new paper adds its `sections/<paper>.rs` here.

use super::sections;
use super::Section;

/// All registered sections, in report order.
pub fn sections() -> Vec<Box<dyn Section>> {
    let mut all: Vec<Box<dyn Section>> = Vec::new();
    all.extend(sections::attention::report_sections());
    all.extend(sections::nexttoken::sections());
    all.extend(sections::attsvm::sections());
    all.push(Box::new(sections::ccmc::CcmcSection));
    all.push(Box::new(sections::prompt_attention::PromptAttentionSection));
    all.push(Box::new(sections::specdec::SpecdecSection));
    all.push(Box::new(sections::pause::PauseSection));
    all.push(Box::new(sections::cascade::CascadeSection));
    all.push(Box::new(sections::resmem::ResMemSection));
    all.push(Box::new(sections::memorisation::MemorisationSection));
    all.extend(sections::supervision::report_sections());
    all.extend(sections::embed_distill::report_sections());
    all
}
