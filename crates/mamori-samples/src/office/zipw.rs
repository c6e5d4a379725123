//! A small zip writer: deflate or stored entries, names written either as
//! flagged UTF-8 or as unflagged CP932 bytes (what Japanese Windows'
//! "send to compressed folder" wrote), and traditional PKWARE encryption
//! (ZipCrypto) for password-protected archives.

use std::io::Write;

#[derive(Default)]
pub struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    entries: u16,
}

/// How an entry's name is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Names {
    Utf8,
    Cp932,
}

impl ZipWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: &str, data: &[u8]) {
        self.add_with(name, data, Names::Utf8, None);
    }

    pub fn add_with(&mut self, name: &str, data: &[u8], names: Names, password: Option<&[u8]>) {
        let (name_bytes, flag_utf8) = match names {
            Names::Utf8 => (name.as_bytes().to_vec(), !name.is_ascii()),
            Names::Cp932 => (encoding_rs::SHIFT_JIS.encode(name).0.into_owned(), false),
        };
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let crc = crc.sum();
        let mut deflater =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        // Writing into a Vec cannot fail.
        let _ = deflater.write_all(data);
        let mut body = deflater.finish().unwrap_or_default();
        let mut flags: u16 = if flag_utf8 { 1 << 11 } else { 0 };
        if let Some(password) = password {
            flags |= 1;
            body = zipcrypto(password, crc, &body);
        }
        let offset = self.out.len() as u32;
        let (time, date) = (0x6000u16, 0x5A81u16); // 2025-04-01 12:00
        let mut local = Vec::new();
        local.extend_from_slice(&0x04034b50u32.to_le_bytes());
        local.extend_from_slice(&20u16.to_le_bytes());
        local.extend_from_slice(&flags.to_le_bytes());
        local.extend_from_slice(&8u16.to_le_bytes());
        local.extend_from_slice(&time.to_le_bytes());
        local.extend_from_slice(&date.to_le_bytes());
        local.extend_from_slice(&crc.to_le_bytes());
        local.extend_from_slice(&(body.len() as u32).to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(name_bytes.len() as u16).to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes());
        local.extend_from_slice(&name_bytes);
        self.out.extend_from_slice(&local);
        self.out.extend_from_slice(&body);

        let c = &mut self.central;
        c.extend_from_slice(&0x02014b50u32.to_le_bytes());
        c.extend_from_slice(&20u16.to_le_bytes());
        c.extend_from_slice(&20u16.to_le_bytes());
        c.extend_from_slice(&flags.to_le_bytes());
        c.extend_from_slice(&8u16.to_le_bytes());
        c.extend_from_slice(&time.to_le_bytes());
        c.extend_from_slice(&date.to_le_bytes());
        c.extend_from_slice(&crc.to_le_bytes());
        c.extend_from_slice(&(body.len() as u32).to_le_bytes());
        c.extend_from_slice(&(data.len() as u32).to_le_bytes());
        c.extend_from_slice(&(name_bytes.len() as u16).to_le_bytes());
        c.extend_from_slice(&[0u8; 8]);
        c.extend_from_slice(&0u32.to_le_bytes());
        c.extend_from_slice(&offset.to_le_bytes());
        c.extend_from_slice(&name_bytes);
        self.entries += 1;
    }

    pub fn finish(mut self) -> Vec<u8> {
        let start = self.out.len() as u32;
        let size = self.central.len() as u32;
        self.out.extend_from_slice(&self.central);
        self.out.extend_from_slice(&0x06054b50u32.to_le_bytes());
        self.out.extend_from_slice(&[0u8; 4]);
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&self.entries.to_le_bytes());
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&start.to_le_bytes());
        self.out.extend_from_slice(&0u16.to_le_bytes());
        self.out
    }
}

fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB88320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    table
}

/// Traditional PKWARE encryption: a 12-byte header (its last byte the
/// CRC's high byte, for password checks) then the data, both encrypted.
fn zipcrypto(password: &[u8], crc: u32, data: &[u8]) -> Vec<u8> {
    let table = crc_table();
    let crc32 = |c: u32, b: u8| table[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    let mut keys = [0x12345678u32, 0x23456789, 0x34567890];
    let update = |keys: &mut [u32; 3], b: u8| {
        keys[0] = crc32(keys[0], b);
        keys[1] = keys[1]
            .wrapping_add(keys[0] & 0xff)
            .wrapping_mul(134775813)
            .wrapping_add(1);
        keys[2] = crc32(keys[2], (keys[1] >> 24) as u8);
    };
    for &b in password {
        update(&mut keys, b);
    }
    let mut header = [0x5Au8; 12];
    header[11] = (crc >> 24) as u8;
    let mut out = Vec::with_capacity(12 + data.len());
    for &b in header.iter().chain(data) {
        let t = (keys[2] | 2) as u16;
        let k = ((t.wrapping_mul(t ^ 1)) >> 8) as u8;
        out.push(b ^ k);
        update(&mut keys, b);
    }
    out
}
