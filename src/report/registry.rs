//! Every section of the report, in order. A new paper adds its module's `report_sections()` here.

use super::Section;

/// All registered sections, in report order.
pub fn sections() -> Vec<Box<dyn Section>> {
    let mut all: Vec<Box<dyn Section>> = Vec::new();
    all.extend(crate::attention::report_sections());
    all.extend(crate::nexttoken::report_sections());
    all.extend(crate::ccmc::report_sections());
    all.extend(crate::prompt_attention::report_sections());
    all.extend(crate::specdec::report_sections());
    all.extend(crate::pause::report_sections());
    all.extend(crate::cascade::report_sections());
    all.extend(crate::resmem::report_sections());
    all.extend(crate::memorisation::report_sections());
    all.extend(crate::supervision::report_sections());
    all.extend(crate::embed_distill::report_sections());
    all
}
