//! `attnmech analyze FILE.json`. (Being written.)

/// Reads the dataset JSON and returns the predicted automaton as JSON.
pub fn analyze_json(input: &str) -> crate::Result<String> {
    let _ = input;
    Err(crate::Error::InvalidArgument {
        what: "analyze",
        reason: "not implemented yet".into(),
    })
}
