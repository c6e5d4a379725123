//! mamori-samples (being written).
