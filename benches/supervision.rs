//! Benches for issue modules (to be filled in).
fn main() {}
