//! Seeded randomness: every random draw in the crate comes from an explicit seed.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The crate's random generator: ChaCha8, portable and reproducible across platforms.
pub type Rng = ChaCha8Rng;

/// A generator for `seed`, on independent sub-stream `stream`.
///
/// Use distinct `stream` values for the independent parts of one experiment (data, initialisation,
/// sampling), so changing how many draws one part makes does not shift the others.
pub fn seeded(seed: u64, stream: u64) -> Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}
