//! mamori-inventory (being written).
