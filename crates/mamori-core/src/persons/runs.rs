//! Sorted runs of (key, record) pairs: an external merge sort, so that
//! counting persons needs memory for one buffer, whatever the keys' number.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// Keys held in memory before a run is spilled: 4 Mi pairs, 64 MiB. The
/// keys of a few hundred thousand person rows (a large company's rosters)
/// fit, and are counted without a temporary file, a merge heap or a second
/// read; larger shares spill runs of this size. The buffer grows only as
/// keys arrive, and counting runs after the readers are done, under the
/// scan's peak memory. A power of two, so that the buffer's doubling
/// growth ends exactly here.
pub const DEFAULT_BUFFER: usize = 1 << 22;

const ENTRY: usize = 16;

fn entry(key: u64, record: u32) -> u128 {
    (u128::from(key) << 32) | u128::from(record)
}

fn split(entry: u128) -> (u64, u32) {
    ((entry >> 32) as u64, entry as u32)
}

#[derive(Debug)]
pub struct KeyRuns {
    dir: PathBuf,
    capacity: usize,
    buffer: Vec<u128>,
    /// Spilled runs: anonymous temporary files, removed when dropped.
    runs: Vec<File>,
}

impl KeyRuns {
    pub fn new(dir: PathBuf, capacity: usize) -> Self {
        KeyRuns {
            dir,
            capacity: capacity.max(1),
            buffer: Vec::new(),
            runs: Vec::new(),
        }
    }

    pub fn push(&mut self, key: u64, record: u32) -> std::io::Result<()> {
        self.buffer.push(entry(key, record));
        if self.buffer.len() >= self.capacity {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> std::io::Result<()> {
        self.buffer.sort_unstable();
        let mut file = tempfile::tempfile_in(&self.dir)?;
        {
            let mut out = BufWriter::with_capacity(1 << 16, &mut file);
            for e in &self.buffer {
                out.write_all(&e.to_le_bytes())?;
            }
            out.flush()?;
        }
        file.seek(SeekFrom::Start(0))?;
        self.runs.push(file);
        self.buffer.clear();
        Ok(())
    }

    /// All pairs in (key, record) order.
    pub fn into_sorted(mut self) -> std::io::Result<Sorted> {
        self.buffer.sort_unstable();
        let memory = std::mem::take(&mut self.buffer);
        let mut readers: Vec<BufReader<File>> = self
            .runs
            .drain(..)
            .map(|f| BufReader::with_capacity(1 << 16, f))
            .collect();
        let mut heap = BinaryHeap::with_capacity(readers.len() + 1);
        for (index, reader) in readers.iter_mut().enumerate() {
            if let Some(e) = read_entry(reader)? {
                heap.push(Reverse((e, index)));
            }
        }
        Ok(Sorted {
            memory: memory.into_iter(),
            memory_head: None,
            readers,
            heap,
        })
    }
}

fn read_entry(reader: &mut BufReader<File>) -> std::io::Result<Option<u128>> {
    let mut bytes = [0u8; ENTRY];
    match reader.read_exact(&mut bytes) {
        Ok(()) => Ok(Some(u128::from_le_bytes(bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

/// A k-way merge of the in-memory buffer and the spilled runs.
pub struct Sorted {
    memory: std::vec::IntoIter<u128>,
    memory_head: Option<u128>,
    readers: Vec<BufReader<File>>,
    heap: BinaryHeap<Reverse<(u128, usize)>>,
}

impl Sorted {
    pub fn next_entry(&mut self) -> std::io::Result<Option<(u64, u32)>> {
        if self.memory_head.is_none() {
            self.memory_head = self.memory.next();
        }
        let from_run = self.heap.peek().map(|Reverse((e, _))| *e);
        let take_memory = match (self.memory_head, from_run) {
            (Some(m), Some(r)) => m <= r,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return Ok(None),
        };
        if take_memory {
            return Ok(self.memory_head.take().map(split));
        }
        let Some(Reverse((e, index))) = self.heap.pop() else {
            return Ok(None);
        };
        if let Some(next) = read_entry(&mut self.readers[index])? {
            self.heap.push(Reverse((next, index)));
        }
        Ok(Some(split(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_spilled_runs_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut runs = KeyRuns::new(dir.path().to_path_buf(), 7);
        let mut expected = Vec::new();
        for i in 0..100u32 {
            let key = u64::from(i.wrapping_mul(2_654_435_761) % 37);
            runs.push(key, i).unwrap();
            expected.push((key, i));
        }
        expected.sort_unstable();
        let mut sorted = runs.into_sorted().unwrap();
        let mut got = Vec::new();
        while let Some(e) = sorted.next_entry().unwrap() {
            got.push(e);
        }
        assert_eq!(got, expected);
    }
}
