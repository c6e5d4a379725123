//! Synthetic files and attack transforms for the judge's tests: real
//! ChaCha20 keystream as ciphertext, real deflate (zip, PDF streams), JPEG,
//! PNG and MP4 headers built here, Japanese text in UTF-8 and Shift_JIS.
#![allow(dead_code)]

use mamori_journal::Actor;
use mamori_judge::{FileEvent, FileOp, Judge, JudgeConfig, Probe, Verdict};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn keystream(n: usize, seed: u64) -> Vec<u8> {
    let mut out = vec![0u8; n];
    rng(seed).fill_bytes(&mut out);
    out
}

/// Japanese business prose (UTF-8).
pub fn prose(n: usize, seed: u64) -> String {
    let words = [
        "株式会社",
        "経理部",
        "見積書",
        "請求書",
        "お世話になっております。",
        "納期",
        "単価",
        "山田",
        "佐藤",
        "東京都千代田区",
        "会議",
        "議事録",
        "予算",
        "2024年度",
        "確認",
        "よろしくお願いいたします。",
        "担当",
        "契約",
        "\n",
        "、",
        "。",
        "営業",
        "資料",
    ];
    let mut r = rng(seed);
    let mut s = String::new();
    while s.len() < n {
        s.push_str(words[r.gen_range(0..words.len())]);
    }
    s
}

pub fn csv_sjis(rows: usize, seed: u64) -> Vec<u8> {
    let mut r = rng(seed);
    let mut s = String::from("社員番号,氏名,部署,金額\r\n");
    for i in 0..rows {
        s.push_str(&format!(
            "{:05},{}{},{},{}\r\n",
            i,
            ["山田", "佐藤", "鈴木", "高橋"][r.gen_range(0..4)],
            ["太郎", "花子", "一郎"][r.gen_range(0..3)],
            ["経理部", "営業部", "総務部"][r.gen_range(0..3)],
            r.gen_range(1000..999_999)
        ));
    }
    encoding_rs::SHIFT_JIS.encode(&s).0.into_owned()
}

fn zip_of(entries: &[(&str, Vec<u8>, bool)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, deflate) in entries {
        let method = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A docx with a body of `n` bytes of prose and an embedded picture.
pub fn docx(n: usize, seed: u64) -> Vec<u8> {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="x"><w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>"#,
        prose(n, seed)
    );
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>".to_vec(), true),
        ("_rels/.rels", b"<Relationships/>".to_vec(), true),
        ("word/document.xml", body.into_bytes(), true),
        ("word/media/image1.jpeg", jpeg(n / 2, seed + 1), false),
    ])
}

pub fn xlsx(rows: usize, seed: u64) -> Vec<u8> {
    let mut sheet = String::from("<worksheet><sheetData>");
    let mut r = rng(seed);
    for i in 0..rows {
        sheet.push_str(&format!(
            "<row r=\"{i}\"><c><v>{}</v></c><c t=\"s\"><v>{}</v></c></row>",
            r.gen_range(0..1_000_000),
            r.gen_range(0..50)
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>".to_vec(), true),
        ("xl/workbook.xml", b"<workbook/>".to_vec(), true),
        ("xl/worksheets/sheet1.xml", sheet.into_bytes(), true),
        ("xl/sharedStrings.xml", prose(4000, seed).into_bytes(), true),
    ])
}

/// A zip archive of a project tree (deflated text, stored pictures).
pub fn project_zip(files: usize, seed: u64) -> Vec<u8> {
    let entries: Vec<(String, Vec<u8>, bool)> = (0..files)
        .map(|i| {
            if i % 4 == 3 {
                (format!("img/{i}.jpg"), jpeg(20_000, seed + i as u64), false)
            } else {
                (
                    format!("src/{i}.txt"),
                    prose(8000, seed + i as u64).into_bytes(),
                    true,
                )
            }
        })
        .collect();
    let refs: Vec<(&str, Vec<u8>, bool)> = entries
        .iter()
        .map(|(n, d, z)| (n.as_str(), d.clone(), *z))
        .collect();
    zip_of(&refs)
}

/// A JPEG: SOI, JFIF, quantisation and Huffman tables, SOF0, SOS, then
/// entropy-coded data (byte-stuffed, biased like real scans), EOI.
pub fn jpeg(n: usize, seed: u64) -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    out.extend(b"JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00");
    out.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
    out.extend((0..64u8).map(|i| 2 + i / 3));
    out.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x04, 0x38, 0x07, 0x80, 0x03]);
    out.extend([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    out.extend([0xFF, 0xC4, 0x00, 0x1F, 0x00]);
    out.extend([0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    out.extend(0..12u8);
    out.extend([
        0xFF, 0xDA, 0x00, 0x0C, 0x03, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3F, 0,
    ]);
    for k in keystream(n.saturating_sub(out.len() + 2), seed) {
        // Huffman-coded coefficients: short codes dominate, so small
        // values repeat more than in ciphertext.
        let b = if k & 3 == 0 { k >> 3 } else { k };
        out.push(b);
        if b == 0xFF {
            out.push(0x00);
        }
    }
    out.extend([0xFF, 0xD9]);
    out
}

pub fn png(n: usize, seed: u64) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x04\x00\x00\x00\x03\x00\x08\x02\x00\x00\x00".to_vec();
    let raw = prose(n * 2, seed);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(raw.as_bytes()).unwrap();
    let data = z.finish().unwrap();
    out.extend((data.len() as u32).to_be_bytes());
    out.extend(b"IDAT");
    out.extend(&data);
    out.extend([0, 0, 0, 0]);
    out.extend(b"\x00\x00\x00\x00IEND\xAE\x42\x60\x82");
    out
}

/// A PDF with deflated content streams and a proper trailer.
pub fn pdf(n: usize, seed: u64) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut i = 1;
    while out.len() < n {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(prose(6000, seed + i).as_bytes()).unwrap();
        let stream = z.finish().unwrap();
        out.extend(
            format!(
                "{i} 0 obj\n<< /Length {} /Filter /FlateDecode >>\nstream\n",
                stream.len()
            )
            .as_bytes(),
        );
        out.extend(&stream);
        out.extend(b"\nendstream\nendobj\n");
        i += 1;
    }
    out.extend(b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\nstartxref\n9\n%%EOF\n");
    out
}

/// An MP4: ftyp box, then an mdat of coded video (NAL units).
pub fn mp4(n: usize, seed: u64) -> Vec<u8> {
    let mut out = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom".to_vec();
    out.extend((n as u32).to_be_bytes());
    out.extend(b"mdat");
    let mut r = rng(seed);
    while out.len() < n {
        out.extend([0, 0, 0, 1, 0x65]);
        let len = r.gen_range(500..3000);
        let mut frame = vec![0u8; len];
        r.fill_bytes(&mut frame);
        out.extend(frame);
    }
    out
}

/// A 7z archive: signature header, then LZMA output (random-like).
pub fn seven_zip(n: usize, seed: u64) -> Vec<u8> {
    let mut out = b"7z\xBC\xAF\x27\x1C\x00\x04".to_vec();
    out.extend(keystream(n, seed));
    out
}

/// gpg output: a PKESK packet, then the encrypted data packet.
pub fn gpg(n: usize, seed: u64) -> Vec<u8> {
    let mut out = vec![0x85, 0x01, 0x0c, 0x03];
    out.extend(keystream(n, seed));
    out
}

// ----- attack transforms -----

pub fn xor(data: &mut [u8], key: &[u8]) {
    for (d, k) in data.iter_mut().zip(key) {
        *d ^= k;
    }
}

pub fn encrypt_whole(plain: &[u8], seed: u64) -> Vec<u8> {
    let mut out = plain.to_vec();
    xor(&mut out, &keystream(plain.len(), seed));
    out
}

/// LockFile: every other 16 bytes.
pub fn encrypt_every_other_16(plain: &[u8], seed: u64) -> Vec<u8> {
    let key = keystream(plain.len(), seed);
    let mut out = plain.to_vec();
    for (i, chunk) in out.chunks_mut(16).enumerate().filter(|(i, _)| i % 2 == 0) {
        xor(chunk, &key[i * 16..]);
    }
    out
}

/// LockBit 2.0: the first 4 KB only.
pub fn encrypt_first_4k(plain: &[u8], seed: u64) -> Vec<u8> {
    let mut out = plain.to_vec();
    let n = out.len().min(4096);
    xor(&mut out[..n], &keystream(n, seed));
    out
}

/// BlackCat/Qyick style: 5 % of the file in chunks spread through it.
pub fn encrypt_chunks_5pct(plain: &[u8], seed: u64) -> Vec<u8> {
    let mut out = plain.to_vec();
    let key = keystream(plain.len(), seed);
    let chunk = 1024.min(plain.len());
    let step = chunk * 20;
    let mut at = 0;
    while at < out.len() {
        let end = (at + chunk).min(out.len());
        xor(&mut out[at..end], &key[at..end]);
        at += step;
    }
    out
}

/// Ciphertext written as base64 text (low-entropy output).
pub fn encrypt_base64(plain: &[u8], seed: u64) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let cipher = encrypt_whole(plain, seed);
    let mut out = Vec::new();
    for (i, c) in cipher.chunks(3).enumerate() {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |acc, (j, &b)| acc | (b as u32) << (16 - 8 * j));
        for j in 0..4 {
            if j <= c.len() {
                out.push(ALPHABET[(n >> (18 - 6 * j)) as usize & 63]);
            } else {
                out.push(b'=');
            }
        }
        if i % 19 == 18 {
            out.extend(b"\r\n");
        }
    }
    out
}

/// Header kept, the rest encrypted.
pub fn encrypt_keep_header(plain: &[u8], seed: u64) -> Vec<u8> {
    let mut out = encrypt_whole(plain, seed);
    let n = plain.len().min(64);
    out[..n].copy_from_slice(&plain[..n]);
    out
}

// ----- a share and a judge harness -----

/// A victim file of the synthetic share.
#[derive(Clone)]
pub struct Victim {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// A share of mixed office files in a few folders (generated once per
/// test binary and size: generation dominates the tests' time).
pub fn share(n: usize, seed: u64) -> Vec<Victim> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Shares = HashMap<(usize, u64), Arc<Vec<Victim>>>;
    static CACHE: OnceLock<Mutex<Shares>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap().get(&(n, seed)) {
        return hit.as_ref().clone();
    }
    let made = Arc::new(make_share(n, seed));
    cache.lock().unwrap().insert((n, seed), made.clone());
    made.as_ref().clone()
}

fn make_share(n: usize, seed: u64) -> Vec<Victim> {
    let dirs = ["経理/2024", "営業/見積", "総務", "写真/2023", "共有"];
    (0..n)
        .map(|i| {
            let s = seed * 1000 + i as u64;
            let dir = dirs[i % dirs.len()];
            let (name, bytes) = match i % 8 {
                0 => (format!("見積書_{i}.docx"), docx(30_000, s)),
                1 => (format!("売上_{i}.xlsx"), xlsx(2000, s)),
                2 => (format!("契約書_{i}.pdf"), pdf(60_000, s)),
                3 => (format!("IMG_{i}.jpg"), jpeg(120_000, s)),
                4 => (format!("議事録_{i}.txt"), prose(9000, s).into_bytes()),
                5 => (format!("社員_{i}.csv"), csv_sjis(300, s)),
                6 => (format!("図_{i}.png"), png(20_000, s)),
                _ => (format!("メモ_{i}.txt"), prose(600, s).into_bytes()), // small
            };
            Victim {
                path: PathBuf::from(dir).join(name),
                bytes,
            }
        })
        .collect()
}

pub fn smb_actor(user: &str, client: &str, pid: u32) -> Actor {
    Actor {
        user: Some(user.to_string()),
        client: Some(client.to_string()),
        machine: Some("PC-01".to_string()),
        pid: Some(pid),
        ..Actor::default()
    }
}

/// Feeds events in order and counts the distinct files touched until the
/// first verdict.
pub struct Run {
    pub judge: Judge,
    pub start: Instant,
    /// User files (that existed before the run) touched so far; new files
    /// and new names map back to what they came from.
    pub touched: Vec<PathBuf>,
    pub verdict: Option<Verdict>,
    pub verdicts: usize,
    created: std::collections::HashSet<PathBuf>,
    renamed: std::collections::HashMap<PathBuf, PathBuf>,
}

impl Run {
    pub fn new() -> Self {
        Run::with(JudgeConfig::default())
    }

    pub fn with(config: JudgeConfig) -> Self {
        Run {
            judge: Judge::new(config),
            start: Instant::now(),
            touched: Vec::new(),
            verdict: None,
            verdicts: 0,
            created: Default::default(),
            renamed: Default::default(),
        }
    }

    pub fn at(&self, ms: u64) -> Instant {
        self.start + Duration::from_millis(ms)
    }

    pub fn feed(&mut self, ms: u64, actor: &Actor, op: FileOp) {
        let event = FileEvent {
            at: self.at(ms),
            share: "share".to_string(),
            actor: actor.clone(),
            op,
        };
        if self.verdict.is_none() {
            let path = match &event.op {
                FileOp::Created { path } => {
                    self.created.insert(path.clone());
                    None
                }
                FileOp::Written { path, .. } | FileOp::Deleted { path, .. } => Some(path.clone()),
                FileOp::Renamed { from, to } => {
                    let origin = self.renamed.get(from).cloned().unwrap_or(from.clone());
                    self.renamed.insert(to.clone(), origin.clone());
                    if self.created.contains(from) {
                        self.created.insert(to.clone());
                    }
                    Some(origin)
                }
            };
            let path = path
                .map(|p| self.renamed.get(&p).cloned().unwrap_or(p))
                .filter(|p| !self.created.contains(p));
            if let Some(path) = path {
                if !self.touched.contains(&path) {
                    self.touched.push(path);
                }
            }
        }
        if let Some(v) = self.judge.observe(&event) {
            self.verdicts += 1;
            if self.verdict.is_none() {
                self.verdict = Some(v);
            }
        }
    }

    /// Files touched before (and including) the event that decided.
    pub fn files_before_verdict(&self) -> Option<usize> {
        self.verdict.as_ref().map(|_| self.touched.len())
    }

    pub fn overwrite(&mut self, ms: u64, actor: &Actor, path: &Path, old: &[u8], new: &[u8]) {
        self.feed(
            ms,
            actor,
            FileOp::Written {
                path: path.to_path_buf(),
                before: Some(Probe::of_bytes(old)),
                after: Probe::of_bytes(new),
            },
        );
    }

    pub fn create(&mut self, ms: u64, actor: &Actor, path: &Path, new: &[u8]) {
        self.feed(
            ms,
            actor,
            FileOp::Created {
                path: path.to_path_buf(),
            },
        );
        self.feed(
            ms,
            actor,
            FileOp::Written {
                path: path.to_path_buf(),
                before: None,
                after: Probe::of_bytes(new),
            },
        );
    }

    pub fn delete(&mut self, ms: u64, actor: &Actor, path: &Path, old: Option<&[u8]>) {
        self.feed(
            ms,
            actor,
            FileOp::Deleted {
                path: path.to_path_buf(),
                before: old.map(Probe::of_bytes),
            },
        );
    }

    pub fn rename(&mut self, ms: u64, actor: &Actor, from: &Path, to: &Path) {
        self.feed(
            ms,
            actor,
            FileOp::Renamed {
                from: from.to_path_buf(),
                to: to.to_path_buf(),
            },
        );
    }
}

pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
