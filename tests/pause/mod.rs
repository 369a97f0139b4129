//! Tests for `attnmech::pause`: sequence construction and masks, the masked loss through a tiny
//! attention model (PT1–PT3, PT5), pretraining insertion (PT4), delayed decoding (PT6), the
//! prefix-LM mask on the attention kernels, and the capacity illustration. Claim ids follow the
//! spec (`distillation_cascades_memory.md`, section 3).

mod capacity;
mod prefix_lm;
mod sequence;
mod training;
