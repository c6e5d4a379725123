//! mamori-data (being written).
