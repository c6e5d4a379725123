//! Benign workloads that look like ransomware to naive detectors and must
//! never trigger the guard: archives, media imports, Office saves, mass
//! renames, tree copies, temp clean-ups, one gpg file, database churn, one
//! user rewriting Office files from four sessions at once ([`parallel`]) — and
//! a colleague editing files while someone else attacks ([`mixed`]).

use crate::content::{docx, jpeg, mp4, xlsx, zip_archive};
use crate::log::OpLog;
use crate::smb::{SmbSession, SmbTarget};
use crate::{AttackError, Result};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::process::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    ZipArchive,
    SevenZipArchive,
    MediaImport,
    OfficeSave,
    MassRename,
    TreeCopy,
    DeleteTemp,
    GpgOne,
    Database,
    /// One user rewriting Office files from several sessions at once.
    ParallelEdit,
}

impl Workload {
    pub const ALL: [Workload; 10] = [
        Workload::ZipArchive,
        Workload::SevenZipArchive,
        Workload::MediaImport,
        Workload::OfficeSave,
        Workload::MassRename,
        Workload::TreeCopy,
        Workload::DeleteTemp,
        Workload::GpgOne,
        Workload::Database,
        Workload::ParallelEdit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Workload::ZipArchive => "zip-archive",
            Workload::SevenZipArchive => "7z-archive",
            Workload::MediaImport => "media-import",
            Workload::OfficeSave => "office-save",
            Workload::MassRename => "mass-rename",
            Workload::TreeCopy => "tree-copy",
            Workload::DeleteTemp => "delete-temp",
            Workload::GpgOne => "gpg-one",
            Workload::Database => "database",
            Workload::ParallelEdit => "parallel-edit",
        }
    }

    pub fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }
}

/// Local preparation before the guard starts (written straight into the
/// share directory, as content that already existed): a temp folder of
/// 1 000 build files and a 4 MiB database file.
pub fn prepare(share_dir: &Path) -> Result<()> {
    let tmp = share_dir.join("tmp_build");
    std::fs::create_dir_all(&tmp).map_err(|e| AttackError::io(&tmp, e))?;
    for i in 0..1000 {
        let p = tmp.join(format!("obj_{i:04}.o.tmp"));
        std::fs::write(&p, format!("intermediate object {i}\n").repeat(8))
            .map_err(|e| AttackError::io(&p, e))?;
    }
    let db = share_dir.join("db");
    std::fs::create_dir_all(&db).map_err(|e| AttackError::io(&db, e))?;
    let p = db.join("sales.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.resize(4096, 0);
    let mut row = 0u64;
    while bytes.len() < 4 << 20 {
        bytes.extend_from_slice(
            format!("{row:08}|2025-04-01|顧客{row}|{}\n", row * 137 % 99_991).as_bytes(),
        );
        row += 1;
    }
    bytes.truncate(4 << 20);
    std::fs::write(&p, bytes).map_err(|e| AttackError::io(&p, e))
}

/// Runs one workload as `target`'s user. Returns the operations done.
pub fn run(target: &SmbTarget, workload: Workload, seed: u64, log: &OpLog) -> Result<usize> {
    if workload == Workload::ParallelEdit {
        // Forks its sessions before this process holds an SMB context.
        return parallel::run(target, seed, log);
    }
    let session = SmbSession::connect(target)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let w = Ops {
        session: &session,
        log,
        count: std::cell::Cell::new(0),
    };
    let files = session.walk("")?;
    // What a person sees in Explorer: hidden files (the guard's decoys
    // among them) are not picked by hand. Whole-folder operations
    // (delete-temp) still take everything.
    let pick = |ext: &str, n: usize| -> Vec<String> {
        files
            .iter()
            .filter(|f| f.path.ends_with(ext) && !f.hidden && !f.path.starts_with("tmp_build"))
            .take(n)
            .map(|f| f.path.clone())
            .collect()
    };
    match workload {
        Workload::ZipArchive => {
            let members = read_members(&w, &pick("", 40))?;
            w.mkdir("アーカイブ")?;
            w.write("アーカイブ/project_2025.zip", &zip_archive(&members)?)?;
        }
        Workload::SevenZipArchive => {
            let members = read_members(&w, &pick("", 40))?;
            w.mkdir("アーカイブ")?;
            let bytes = match seven_zip(&members) {
                Some(b) => b,
                // No 7z here: the same shape of workload with a zip inside.
                None => zip_archive(&members)?,
            };
            w.write("アーカイブ/project_2025.7z", &bytes)?;
        }
        Workload::MediaImport => {
            w.mkdir("取り込み")?;
            for i in 0..30 {
                let size = rng.gen_range(40_000..120_000);
                w.write(&format!("取り込み/IMG_{i:04}.JPG"), &jpeg(&mut rng, size))?;
                if i % 5 == 0 {
                    w.write(&format!("取り込み/MOV_{i:04}.MP4"), &mp4(&mut rng, 300_000))?;
                    let members = vec![(format!("photo_{i}.jpg"), jpeg(&mut rng, 20_000))];
                    w.write(
                        &format!("取り込み/album_{i:04}.zip"),
                        &zip_archive(&members)?,
                    )?;
                }
            }
        }
        Workload::OfficeSave => {
            let mut docs = pick(".docx", 10);
            docs.extend(pick(".xlsx", 10));
            for (i, path) in docs.iter().enumerate() {
                office_save(&w, path, i, &mut rng)?;
            }
        }
        Workload::MassRename => {
            for path in pick(".pdf", 60).into_iter().chain(pick(".csv", 30)) {
                let (dir, name) = path.rsplit_once('/').unwrap_or(("", &path));
                let to = if dir.is_empty() {
                    format!("済_{name}")
                } else {
                    format!("{dir}/済_{name}")
                };
                w.rename(&path, &to)?;
            }
        }
        Workload::TreeCopy => {
            for path in files
                .iter()
                .filter(|f| f.path.starts_with("資料/") && !f.hidden)
                .map(|f| f.path.clone())
            {
                let data = w.read(&path)?;
                let to = format!("移行先/{path}");
                if let Some((dir, _)) = to.rsplit_once('/') {
                    w.mkdir(dir)?;
                }
                w.write(&to, &data)?;
            }
        }
        Workload::DeleteTemp => {
            let temp: Vec<String> = files
                .iter()
                .filter(|f| f.path.starts_with("tmp_build/"))
                .map(|f| f.path.clone())
                .collect();
            if temp.is_empty() {
                return Err(AttackError::Setup(
                    "no tmp_build/ folder on the share (run benign::prepare first)".into(),
                ));
            }
            for path in temp {
                w.unlink(&path)?;
            }
            let r = session.rmdir("tmp_build");
            log.record("rmdir", "tmp_build", false, r.map_err(|e| e.to_string()));
        }
        Workload::GpgOne => {
            let Some(path) = pick(".xlsx", 1).into_iter().next() else {
                return Err(AttackError::Setup("no .xlsx on the share".into()));
            };
            let data = w.read(&path)?;
            let encrypted = gpg_encrypt(&data).unwrap_or_else(|| {
                // No gpg here: an OpenPGP-like packet header then ciphertext.
                let mut out = vec![0x8c, 0x0d, 0x04, 0x09, 0x03, 0x08];
                out.extend(crate::cipher::Cipher::new(seed).encrypt(0, &data));
                out
            });
            w.write(&format!("{path}.gpg"), &encrypted)?;
            w.unlink(&path)?;
        }
        Workload::Database => {
            let path = "db/sales.db";
            let size = session.size(path)?;
            let pages = (size / 4096).max(2);
            for i in 0..200u64 {
                let page = rng.gen_range(1..pages);
                let mut buf = Vec::with_capacity(4096);
                while buf.len() < 4096 {
                    buf.extend_from_slice(
                        format!(
                            "{:08}|2025-05-{:02}|更新{i}|{}\n",
                            page,
                            i % 28 + 1,
                            rng.next_u32() % 100_000
                        )
                        .as_bytes(),
                    );
                }
                buf.truncate(4096);
                let r = session.write_at(path, &[(page * 4096, buf)]);
                w.done("write_at", path, r)?;
            }
        }
        // Handled above, before this process connected.
        Workload::ParallelEdit => {}
    }
    Ok(w.count.get())
}

/// Word/Excel's save: owner file `~$name`, new content into a temp file,
/// original renamed to a backup, temp renamed over the original, backup and
/// owner file deleted. The new content is a valid OOXML zip.
pub fn office_save(w: &Ops<'_>, path: &str, i: usize, rng: &mut ChaCha8Rng) -> Result<()> {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let in_dir = |n: &str| {
        if dir.is_empty() {
            n.to_string()
        } else {
            format!("{dir}/{n}")
        }
    };
    let owner = in_dir(&format!("~${}", name.get(2..).unwrap_or(name)));
    let temp = in_dir(&format!("~WRL{:04}.tmp", rng.gen_range(1000..9999)));
    let backup = in_dir(&format!("~WRD{:04}.tmp", rng.gen_range(1000..9999)));
    w.write(&owner, &[0x20; 162])?;
    let _ = w.read(path)?;
    let content = if path.ends_with(".xlsx") {
        xlsx(&[vec![
            "更新".into(),
            i.to_string(),
            rng.next_u32().to_string(),
        ]])?
    } else {
        docx(&format!(
            "改訂版 {i}\n内容を更新しました。{}",
            rng.next_u32()
        ))?
    };
    w.write(&temp, &content)?;
    w.rename(path, &backup)?;
    w.rename(&temp, path)?;
    w.unlink(&backup)?;
    w.unlink(&owner)
}

/// A benign user's SMB operations, logged, with a count.
pub struct Ops<'a> {
    pub session: &'a SmbSession,
    pub log: &'a OpLog,
    pub count: std::cell::Cell<usize>,
}

impl Ops<'_> {
    fn done<T>(&self, op: &str, path: &str, r: Result<T>) -> Result<T> {
        self.log.record(
            op,
            path,
            false,
            r.as_ref().map(|_| ()).map_err(|e| e.to_string()),
        );
        self.count.set(self.count.get() + 1);
        r
    }
    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        self.done("read", path, self.session.read(path))
    }
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.done("write", path, self.session.write(path, bytes))
    }
    pub fn rename(&self, from: &str, to: &str) -> Result<()> {
        self.done("rename", from, self.session.rename(from, to))
    }
    pub fn unlink(&self, path: &str) -> Result<()> {
        self.done("unlink", path, self.session.unlink(path))
    }
    pub fn mkdir(&self, path: &str) -> Result<()> {
        self.done("mkdir", path, self.session.mkdir_all(path))
    }
}

fn read_members(w: &Ops<'_>, paths: &[String]) -> Result<Vec<(String, Vec<u8>)>> {
    paths.iter().map(|p| Ok((p.clone(), w.read(p)?))).collect()
}

fn seven_zip(members: &[(String, Vec<u8>)]) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let src = dir.path().join("src");
    for (name, bytes) in members {
        let p = src.join(name);
        std::fs::create_dir_all(p.parent()?).ok()?;
        std::fs::write(&p, bytes).ok()?;
    }
    let out = dir.path().join("out.7z");
    let ok = Command::new("7z")
        .args(["a", "-bd", "-y"])
        .arg(&out)
        .arg(".")
        .current_dir(&src)
        .output()
        .ok()?
        .status
        .success();
    if !ok {
        return None;
    }
    std::fs::read(out).ok()
}

fn gpg_encrypt(data: &[u8]) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().ok()?;
    let input = dir.path().join("in");
    let output = dir.path().join("in.gpg");
    std::fs::write(&input, data).ok()?;
    let ok = Command::new("gpg")
        .arg("--homedir")
        .arg(dir.path())
        .args([
            "--batch",
            "--yes",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "mamori-benign",
            "--symmetric",
            "-o",
        ])
        .arg(&output)
        .arg(&input)
        .output()
        .ok()?
        .status
        .success();
    if !ok {
        return None;
    }
    std::fs::read(output).ok()
}

pub mod mixed;
pub mod parallel;
