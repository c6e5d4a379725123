#![no_main]
//! Fuzzes the fast docx/pptx part reader against the quick-xml one on the
//! input as one XML part: no panic, and where the fast reader accepts,
//! the same text and tables.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mamori_formats::fuzzing::ooxml_differential(data);
});
