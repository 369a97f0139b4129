//! Tests for `attnmech::distill` (divergence kernels) and `attnmech::specdec` (speculative
//! decoding, block statistics, the toy DistillSpec). Claim ids follow the spec
//! (`distillation_cascades_memory.md`, section 1).

mod divergence;
mod law;
mod lossy;
mod mutants;
mod shipped_law;
mod stats;
mod toy_distill;
mod verify;
