//! mamori-morph (being written).
