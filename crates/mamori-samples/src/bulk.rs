//! Bulk data for benchmarks: big rosters, logs and memos until a byte target
//! is reached. No truth is kept (the rows are realistic; counting them is not
//! the point of a throughput benchmark), only what was made.

use crate::encodings::{encode, Enc};
use crate::persons::{fullwidth_digits, DateFmt, Factory, TODAY};
use crate::SampleError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BulkStats {
    pub files: u64,
    pub bytes: u64,
    /// Roster rows written (persons, counting a person once per row).
    pub rows: u64,
}

/// Size of one generated file; large enough to exercise streaming, small
/// enough that a benchmark of a few hundred MB has many files to parallelise.
const FILE_BYTES: usize = 8 * 1024 * 1024;

pub fn generate_bulk(root: &Path, target_bytes: u64, seed: u64) -> Result<BulkStats, SampleError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut f = Factory::new();
    let mut stats = BulkStats::default();
    let mut k = 0u64;
    while stats.bytes < target_bytes {
        let remaining = (target_bytes - stats.bytes) as usize;
        let size = remaining.clamp(1, FILE_BYTES);
        let (rel, bytes, rows) = match k % 3 {
            0 => roster(&mut rng, &mut f, k, size)?,
            1 => log(&mut rng, k, size)?,
            _ => memo(&mut rng, &mut f, k, size)?,
        };
        let path = root.join(&rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SampleError::io(dir, e))?;
        }
        std::fs::write(&path, &bytes).map_err(|e| SampleError::io(&path, e))?;
        stats.files += 1;
        stats.bytes += bytes.len() as u64;
        stats.rows += rows;
        k += 1;
    }
    Ok(stats)
}

fn roster(
    rng: &mut ChaCha8Rng,
    f: &mut Factory,
    k: u64,
    size: usize,
) -> Result<(String, Vec<u8>, u64), SampleError> {
    let mut s = String::from(
        "社員番号,氏名,フリガナ,性別,生年月日,〒,住所,電話番号,携帯,メール,個人番号\r\n",
    );
    let mut rows = 0u64;
    // Shift_JIS is ~2/3 the UTF-8 size for this text; stop on the UTF-8 size
    // of 1.4× the target so the encoded file lands near `size`.
    while s.len() < size * 14 / 10 {
        let p = f.person(rng, 20, 65);
        let birth = p.birth.fmt(if rows % 2 == 0 {
            DateFmt::EraKanji
        } else {
            DateFmt::Slash
        });
        let mynum = if rows % 7 == 0 {
            fullwidth_digits(&p.my_number)
        } else {
            p.my_number.clone()
        };
        s.push_str(&format!(
            "{:07},{},{},{},{},{},{},{},{},{},{}\r\n",
            k * 1_000_000 + rows,
            p.name(),
            p.kana(),
            p.gender(),
            birth,
            p.loc.postal,
            p.address(),
            p.home_phone,
            p.mobile,
            p.email,
            mynum
        ));
        rows += 1;
    }
    let bytes = encode(&s, Enc::ShiftJis)?;
    Ok((format!("bulk/人事/社員名簿_{k:04}.csv"), bytes, rows))
}

fn log(rng: &mut ChaCha8Rng, k: u64, size: usize) -> Result<(String, Vec<u8>, u64), SampleError> {
    let mut s = String::with_capacity(size + 200);
    let mut i = 0u64;
    while s.len() < size {
        s.push_str(&format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}+09:00 INFO request_id={} session={:016x} path=/api/v1/items/{} status=200 bytes={}\n",
            TODAY.y,
            TODAY.m,
            (k % 28) + 1,
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60,
            rng.gen_range(100_000_000_000u64..999_999_999_999),
            rng.gen::<u64>(),
            rng.gen_range(1..100_000),
            rng.gen_range(100..100_000),
        ));
        i += 1;
    }
    Ok((format!("bulk/logs/access-{k:04}.log"), s.into_bytes(), 0))
}

fn memo(
    rng: &mut ChaCha8Rng,
    f: &mut Factory,
    k: u64,
    size: usize,
) -> Result<(String, Vec<u8>, u64), SampleError> {
    let mut s = String::with_capacity(size + 400);
    let mut rows = 0u64;
    while s.len() < size {
        if rng.gen_bool(0.2) {
            let p = f.person(rng, 20, 70);
            s.push_str(&format!(
                "{}様より電話あり（{}）。{}に書類を送付すること。\n",
                p.name_tight(),
                p.mobile,
                p.address()
            ));
            rows += 1;
        } else {
            s.push_str("本日の現場は予定どおり進捗。資材の搬入は午後二時、安全確認の上で作業を開始した。\n");
        }
    }
    Ok((
        format!("bulk/memo/業務日誌_{k:04}.txt"),
        s.into_bytes(),
        rows,
    ))
}
