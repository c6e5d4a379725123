//! Person keys of one file as one blob: a file's records are always read
//! and written together, and one row per file instead of one per key takes
//! most of the inventory's write time away on large rosters.
//!
//! Per record: `[names u8][flags u8: 1 birth, 2 my_number, 4 readings, 8 record id][links u8]`,
//! then `[readings u8]` when flagged, then the 16-byte hashes: names, birth,
//! my number, links, readings, record id. At most 255 of each.

use mamori_core::{KeyHash, PersonKeys};

const BIRTH: u8 = 1;
const MY_NUMBER: u8 = 2;
/// A fourth count byte follows: the readings.
const READINGS: u8 = 4;
/// A record-id hash follows the readings.
const RECORD_ID: u8 = 8;

#[cfg(test)]
pub(crate) fn encode(persons: &[PersonKeys]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(persons, &mut out);
    out
}

/// Encodes `persons` into `out` (emptied first). The writer passes the same
/// buffer for every file: a roster's blob runs to megabytes, and a fresh
/// one per file faulted its pages in anew each time.
pub(crate) fn encode_into(persons: &[PersonKeys], out: &mut Vec<u8>) {
    // Sized exactly: growing it by doubling copied it several times over.
    let size: usize = persons
        .iter()
        .map(|keys| {
            let readings = keys.readings.len().min(255);
            let count = keys.names.len().min(255)
                + keys.links.len().min(255)
                + readings
                + usize::from(keys.birth.is_some())
                + usize::from(keys.my_number.is_some())
                + usize::from(keys.record_id.is_some());
            3 + usize::from(readings > 0) + count * 16
        })
        .sum();
    out.clear();
    out.reserve_exact(size);
    for keys in persons {
        let names = &keys.names[..keys.names.len().min(255)];
        let links = &keys.links[..keys.links.len().min(255)];
        let readings = &keys.readings[..keys.readings.len().min(255)];
        let mut flags = 0;
        if keys.birth.is_some() {
            flags |= BIRTH;
        }
        if keys.my_number.is_some() {
            flags |= MY_NUMBER;
        }
        if !readings.is_empty() {
            flags |= READINGS;
        }
        if keys.record_id.is_some() {
            flags |= RECORD_ID;
        }
        out.extend_from_slice(&[names.len() as u8, flags, links.len() as u8]);
        if !readings.is_empty() {
            out.push(readings.len() as u8);
        }
        let hashes = names
            .iter()
            .chain(keys.birth.iter())
            .chain(keys.my_number.iter())
            .chain(links.iter())
            .chain(readings.iter())
            .chain(keys.record_id.iter());
        for hash in hashes {
            out.extend_from_slice(&hash.0);
        }
    }
}

/// Records of a blob, in order; stops (returning `Err`) at a truncated record.
pub(crate) struct Records<'a> {
    data: &'a [u8],
}

pub(crate) fn decode(data: &[u8]) -> Records<'_> {
    Records { data }
}

impl Iterator for Records<'_> {
    type Item = Result<PersonKeys, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut keys = PersonKeys::default();
        self.next_into(&mut keys).map(|r| r.map(|()| keys))
    }
}

impl Records<'_> {
    /// The next record into `keys` (emptied first, its lists' buffers kept):
    /// counting persons reads millions of records, and a fresh record per
    /// key set cost three allocations each.
    pub(crate) fn next_into(&mut self, keys: &mut PersonKeys) -> Option<Result<(), &'static str>> {
        if self.data.is_empty() {
            return None;
        }
        let Some(&[names, flags, links]) = self.data.get(..3) else {
            self.data = &[];
            return Some(Err("truncated person record header"));
        };
        let (readings, header) = if flags & READINGS != 0 {
            match self.data.get(3) {
                Some(&n) => (n as usize, 4),
                None => {
                    self.data = &[];
                    return Some(Err("truncated person record header"));
                }
            }
        } else {
            (0, 3)
        };
        let count = names as usize
            + links as usize
            + readings
            + usize::from(flags & BIRTH != 0)
            + usize::from(flags & MY_NUMBER != 0)
            + usize::from(flags & RECORD_ID != 0);
        let Some(body) = self.data.get(header..header + count * 16) else {
            self.data = &[];
            return Some(Err("truncated person record"));
        };
        self.data = &self.data[header + count * 16..];
        let mut hashes = body.chunks_exact(16).map(|c| {
            let mut h = [0u8; 16];
            h.copy_from_slice(c);
            KeyHash(h)
        });
        keys.names.clear();
        keys.readings.clear();
        keys.links.clear();
        keys.birth = None;
        keys.my_number = None;
        keys.record_id = None;
        keys.names.extend(hashes.by_ref().take(names as usize));
        if flags & BIRTH != 0 {
            keys.birth = hashes.next();
        }
        if flags & MY_NUMBER != 0 {
            keys.my_number = hashes.next();
        }
        keys.links.extend(hashes.by_ref().take(links as usize));
        keys.readings.extend(hashes.by_ref().take(readings));
        if flags & RECORD_ID != 0 {
            keys.record_id = hashes.next();
        }
        Some(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let h = |b: u8| KeyHash([b; 16]);
        let persons = vec![
            PersonKeys {
                names: vec![h(1), h(2)],
                readings: vec![h(6)],
                birth: Some(h(3)),
                my_number: None,
                links: vec![h(4)],
                record_id: Some(h(7)),
            },
            PersonKeys::default(),
            PersonKeys {
                my_number: Some(h(5)),
                ..PersonKeys::default()
            },
        ];
        let data = encode(&persons);
        assert_eq!(data.capacity(), data.len());
        let back: Vec<PersonKeys> = decode(&data).collect::<Result<_, _>>().unwrap();
        assert_eq!(back, persons);
        assert!(decode(&data[..data.len() - 1]).any(|r| r.is_err()));
    }
}
