#![no_main]
//! Fuzzes the PowerPoint 97-2003 reader below its OLE container: the input
//! is the `PowerPoint Document` stream. Any input must end in Ok or a
//! FormatError, never a panic.

use libfuzzer_sys::fuzz_target;
use mamori_formats::streams::read_ppt_stream;
use mamori_formats::{Budget, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_time: std::time::Duration::from_secs(5),
        ..Limits::default()
    };
    let _ = read_ppt_stream(data, &Budget::new(limits), &mut |_| {});
});
