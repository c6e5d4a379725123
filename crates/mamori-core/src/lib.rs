//! The vocabulary every other mamori crate speaks.
//!
//! Design: this crate owns the *fixed contract* of `shared/spec/data-items.md`
//! (data-item and category ids with their Japanese and English labels) and the
//! two privacy primitives that keep the inventory from becoming the next leak:
//! [`secret::HashKey`] (keyed hashes of identifiers, key kept apart from the
//! database) and [`mask`] (the only form in which an identifier may be shown).
//! [`persons`] counts distinct persons from keyed hashes alone, so no crate ever
//! needs a raw identifier to answer "how many people".
//!
//! It has no I/O beyond reading/creating the key file, and no heavy
//! dependencies, so every crate can depend on it.

pub mod category;
pub mod contact;
pub mod items;
pub mod lang;
pub mod mask;
pub mod persons;
pub mod secret;

pub use category::Category;
pub use contact::{Contact, ContactSealer};
pub use items::{AppiClass, DataItem};
pub use lang::Lang;
pub use mask::MaskedSample;
pub use persons::{count_persons, PersonCounter, PersonKeys};
pub use secret::{HashKey, KeyHash};

/// Every decoy file the guard places starts with this (`!` sorts first in
/// Explorer and in `ls`). Decoys are bait, never anyone's data: the
/// incident assessment leaves them out of the files an attacker touched.
pub const DECOY_PREFIX: &str = "!0000_";

/// Whether the last segment of a `/`-separated path names a decoy.
pub fn is_decoy_path(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .starts_with(DECOY_PREFIX)
}
