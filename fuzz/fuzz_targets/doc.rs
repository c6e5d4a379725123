#![no_main]
//! Fuzzes the Word 97-2003 reader below its OLE container: the first two
//! bytes say how long the `WordDocument` stream is, the rest is the table
//! stream. Any input must end in Ok or a FormatError, never a panic.

use libfuzzer_sys::fuzz_target;
use mamori_formats::streams::read_word_streams;
use mamori_formats::{Budget, Limits};

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let split = (u16::from_le_bytes([data[0], data[1]]) as usize).min(data.len() - 2);
    let (word, table) = data[2..].split_at(split);
    let limits = Limits {
        max_time: std::time::Duration::from_secs(5),
        ..Limits::default()
    };
    let _ = read_word_streams(word, table, &Budget::new(limits), &mut |_| {});
});
