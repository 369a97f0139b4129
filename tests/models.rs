//! The `models` feature's tests (a separate test binary: `cargo test --features models --test
//! models`): gradients against finite differences, loading, and parity with PyTorch.

mod models {
    mod embed_distill_text;
    mod gradients;
    mod loading;
    mod parity;
    mod text;
}
