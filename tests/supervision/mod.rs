//! Tests for `attnmech::supervision`: SC1-SC8 of spec section 6, the worked example, the NTKs, the
//! KD loss gradient and the error paths.

mod claims;
mod kernels;
mod mutants;
