//! Next-token prediction with one self-attention layer: token-priority graphs, SCCs, graph-SVM, the finite component (Li et al. 2024) and the Att-SVM implicit bias (Tarzanagh et al. 2023).
//!
//! (Filled in by issue 3.)

/// This module's sections of the `attnmech reproduce` report.
pub fn report_sections() -> Vec<Box<dyn crate::report::Section>> {
    Vec::new()
}

/// `attnmech analyze`: reads the dataset JSON and returns the predicted automaton as JSON.
pub fn analyze_json(input: &str) -> crate::Result<String> {
    let _ = input;
    Err(crate::Error::InvalidArgument {
        what: "analyze",
        reason: "not implemented yet".into(),
    })
}
