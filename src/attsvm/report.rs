//! The `attsvm` report section. (Being written.)
