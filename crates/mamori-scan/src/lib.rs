//! mamori-scan (being written).
