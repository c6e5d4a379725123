#![no_main]
//! Fuzzes the fast .xlsx reader against calamine on a one-sheet workbook
//! whose shared strings and sheet XML are the input (split at the first
//! 0xFF byte): no panic, and where the fast reader accepts, calamine's
//! tables exactly.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mamori_formats::fuzzing::xlsx_differential(data);
});
