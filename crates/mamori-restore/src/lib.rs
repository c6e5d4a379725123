//! Restore (work in progress).
