//! A corpus of short real English sentences from Debian's `fortunes` data files
//! (`scripts/fetch_fortunes.sh` unpacks them; nothing here downloads).
//!
//! A fortune file is plain text whose records are separated by lines holding only `%`. A record is
//! kept when it reads like one sentence: after joining its lines with single spaces it has
//! `min_words..=max_words` words, printable ASCII only, no attribution line (`-- Author`), no
//! dialogue or list markup, and ends with `.`, `!` or `?`. Duplicates (case- and space-insensitive)
//! keep their first occurrence in (file name, position) order; the kept records are then shuffled
//! with a seeded Fisher–Yates and the first `count` returned, so a seed fixes the selection.

use crate::error::{check_cap, Error, Result};
use crate::rng::seeded;
use rand::seq::SliceRandom;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Largest fortune file read (bytes): the Debian files are under 1 MiB each.
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// Largest number of files read from the corpus folder.
pub const MAX_FILES: usize = 1024;
/// Largest number of sentences one call may return.
pub const MAX_SENTENCES: usize = 1 << 20;

/// The folder `scripts/fetch_fortunes.sh` fills: `$ATTNMECH_MODELS/fortunes`, default
/// `$HOME/.cache/attnmech/fortunes`.
pub fn default_fortunes_dir() -> PathBuf {
    super::load::default_model_dir()
        .parent()
        .map_or_else(|| PathBuf::from("fortunes"), |p| p.join("fortunes"))
}

/// Which records to keep and how many.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentenceFilter {
    /// Fewest words in a kept record.
    pub min_words: usize,
    /// Most words in a kept record.
    pub max_words: usize,
    /// How many sentences to return (fewer when the corpus has fewer).
    pub count: usize,
    /// Seed of the selection's shuffle.
    pub seed: u64,
}

/// The record joined into one line when it reads like one sentence (see the [module docs](self)).
fn as_sentence(record: &str, f: &SentenceFilter) -> Option<String> {
    let lines: Vec<&str> = record
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.iter().any(|l| l.starts_with("--") || l.contains(':')) {
        return None;
    }
    let text = lines.join(" ");
    let words = text.split_whitespace().count();
    let printable = text.bytes().all(|b| (b' '..=b'~').contains(&b));
    let ends = text.ends_with(['.', '!', '?']);
    // One sentence: no terminator before the end (abbreviations like "Dr." are lost, which only
    // makes the filter stricter).
    let inner = text[..text.len().saturating_sub(1)].contains(['.', '!', '?']);
    let markup = text.contains(['"', '|', '<', '>', '_', '*', '[', '{', '\t']);
    (printable && ends && !inner && !markup && (f.min_words..=f.max_words).contains(&words))
        .then(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Single-sentence records of every fortune file in `dir` (see the [module docs](self)).
///
/// # Errors
/// `File` naming the folder when it cannot be listed (run `scripts/fetch_fortunes.sh`), or a file
/// when it cannot be read or exceeds [`MAX_FILE_BYTES`]; `TooLarge` for more than [`MAX_FILES`]
/// files or a `count` over [`MAX_SENTENCES`]; `InvalidArgument` for an empty word range;
/// `Empty` when no record passes the filter.
pub fn read_fortune_sentences(dir: &Path, filter: &SentenceFilter) -> Result<Vec<String>> {
    check_cap("sentence count", filter.count, MAX_SENTENCES)?;
    if filter.min_words == 0 || filter.min_words > filter.max_words {
        return Err(Error::InvalidArgument {
            what: "filter",
            reason: format!(
                "word range {}..={} is empty or starts at 0",
                filter.min_words, filter.max_words
            ),
        });
    }
    let listing = std::fs::read_dir(dir).map_err(|e| {
        Error::file(
            dir,
            format!("{e}; run scripts/fetch_fortunes.sh to fetch the corpus"),
        )
    })?;
    let mut files = Vec::new();
    for entry in listing {
        let path = entry.map_err(|e| Error::file(dir, e))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Text files only: the `.dat` indexes are binary, dot files are the fetch marker.
        if path.is_file() && !name.starts_with('.') && !name.contains('.') {
            files.push(path);
        }
        check_cap("fortune files", files.len(), MAX_FILES)?;
    }
    files.sort();
    let mut seen = HashSet::new();
    let mut kept = Vec::new();
    for path in &files {
        let size = std::fs::metadata(path)
            .map_err(|e| Error::file(path, e))?
            .len();
        if size > MAX_FILE_BYTES {
            return Err(Error::file(
                path,
                format!("{size} bytes exceeds the {MAX_FILE_BYTES}-byte limit"),
            ));
        }
        let bytes = std::fs::read(path).map_err(|e| Error::file(path, e))?;
        let text = String::from_utf8_lossy(&bytes);
        for record in text.split("\n%\n") {
            if let Some(s) = as_sentence(record, filter) {
                if seen.insert(s.to_lowercase()) {
                    kept.push(s);
                }
            }
        }
    }
    if kept.is_empty() {
        return Err(Error::Empty {
            what: "fortune sentences (no record passes the filter)",
        });
    }
    kept.shuffle(&mut seeded(filter.seed, 0x7e47));
    kept.truncate(filter.count);
    Ok(kept)
}
