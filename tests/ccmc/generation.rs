//! A7 (generation). Filled below.
