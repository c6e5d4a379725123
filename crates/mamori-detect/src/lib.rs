//! mamori-detect (being written).
