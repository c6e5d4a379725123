#![no_main]
//! Fuzzes the in-process PDF text reader alone (no poppler fallback, no
//! panic guard): any input must end in text or a reason to fall back.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mamori_formats::pdf::fuzz_in_process(data);
});
