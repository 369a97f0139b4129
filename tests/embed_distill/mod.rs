//! Tests for `attnmech::embed_distill`: ED1-ED7 of spec section 7, the worked example, the
//! scorers and the error paths.

mod claims;
mod gradients;
mod mutants;
