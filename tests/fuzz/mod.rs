//! Replays every fuzz body of [`attnmech::fuzz`] on stable Rust, one test per cargo-fuzz target:
//! seeded xorshift byte strings, structured inputs (every first byte, i.e. every mode with and
//! without its hostile bit, over a fixed tail), and every file in `fuzz/corpus/<target>/` and
//! `fuzz/artifacts/<target>/`, so a crash found by `cargo fuzz run -s none <target>` becomes a
//! regression test once its artifact is committed. A body panics on any contract violation.

use std::path::Path;

mod attention;
mod targets;

/// Marsaglia's xorshift64: a dependency-free byte source whose sequence is fixed by the seed.
pub struct XorShift(pub u64);

impl XorShift {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Every committed corpus entry and crash artifact of `target`.
pub fn committed_inputs(target: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for dir in ["corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths.into_iter().filter(|p| p.is_file()) {
            if p.extension().is_some_and(|e| e == "md") {
                continue;
            }
            out.push(std::fs::read(&p).unwrap());
        }
    }
    out
}

/// Replays the body registered as `target` in [`attnmech::fuzz::TARGETS`]: `seeded` xorshift
/// strings of lengths `0..max_len`, then the structured inputs (every mode byte over a fixed
/// tail). Every body reads its mode from the first byte, whose top bit selects hostile
/// arguments: `hostile = false` replays the well-posed half (top bit clear), `true` the hostile
/// half plus every committed corpus entry and crash artifact. Returns how many inputs ran.
pub fn replay(target: &str, seeded: usize, max_len: usize, hostile: bool) -> usize {
    let body = attnmech::fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz body named {target}"))
        .1;
    let top = if hostile { 0x80 } else { 0 };
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15 ^ target.len() as u64);
    let mut runs = 0;
    for _ in 0..seeded {
        let len = 1 + (rng.next() % max_len as u64) as usize;
        let mut data = rng.bytes(len);
        data[0] = (data[0] & 0x7F) | top;
        body(&data);
        runs += 1;
    }
    let tail: Vec<u8> = (0..max_len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for len in [1, 7, 64, max_len] {
        body(&vec![if hostile { 0xFF } else { 0 }; len]);
    }
    for mode in 0u8..0x80 {
        let mut data = vec![mode | top];
        data.extend_from_slice(&tail);
        body(&data);
    }
    runs += 4 + 128;
    if hostile {
        body(&[]);
        for data in committed_inputs(target) {
            body(&data);
            runs += 1;
        }
    }
    runs
}
