#![no_main]
//! Fuzzes the pdf reader: any input must end in Ok or a FormatError, never a
//! panic, within the default limits.

use libfuzzer_sys::fuzz_target;
use mamori_formats::{read_container, Budget, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_time: std::time::Duration::from_secs(5),
        ..Limits::default()
    };
    let budget = Budget::new(limits);
    let _ = read_container("pdf", &mut std::io::Cursor::new(data), &budget, &mut |_| {});
});
