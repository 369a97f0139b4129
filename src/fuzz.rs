//! The fuzz body, a library function so that `cargo test` can replay seeded inputs on stable Rust
//! and `fuzz/` (cargo-fuzz) can drive it with coverage feedback.
//!
//! (Filled in by the foundation issue.)

/// Decodes `data` into an attention call and checks it: never a panic; agreement with the
/// reference where the input is valid.
pub fn attention(data: &[u8]) {
    let _ = data;
}
