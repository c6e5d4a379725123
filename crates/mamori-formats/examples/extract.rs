//! Extraction alone, without detection: `extract KIND FILE...` reads each
//! file with mamori-formats and prints files/s, MB/s and the cells and
//! text bytes produced (scripts/bench-scan uses it to split the time
//! between reading containers and detecting personal data).
//! `extract --dump KIND FILE...` prints every part instead (to diff two
//! readers: `MAMORI_XLSX_READER=calamine` is the reference .xlsx reader).

use mamori_formats::{read_container, Budget, Limits, Part};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let dump = args.next_if(|a| a == "--dump").is_some();
    let kind = args.next().unwrap_or_default();
    let files: Vec<String> = args.collect();
    let started = Instant::now();
    let (mut bytes, mut cells, mut text, mut errors) = (0u64, 0u64, 0u64, 0u64);
    for f in &files {
        let Ok(mut file) = std::fs::File::open(f) else {
            errors += 1;
            continue;
        };
        bytes += file.metadata().map(|m| m.len()).unwrap_or(0);
        let budget = Budget::new(Limits::default());
        if dump {
            let result = read_container(&kind, &mut file, &budget, &mut |p| println!("{f}\t{p:?}"));
            println!("{f}\t{result:?}");
            continue;
        }
        let result = read_container(&kind, &mut file, &budget, &mut |p| match p {
            Part::Text(t) => text += t.len() as u64,
            Part::Table { rows, .. } => cells += rows.iter().map(|r| r.len() as u64).sum::<u64>(),
            Part::Member { content, .. } => text += content.map(|c| c.len() as u64).unwrap_or(0),
        });
        errors += u64::from(result.is_err());
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{kind}: {} files in {secs:.2} s = {:.0} files/s, {:.1} MB/s; {cells} cells, {:.1} MB text, {errors} errors",
        files.len(),
        files.len() as f64 / secs,
        bytes as f64 / 1e6 / secs,
        text as f64 / 1e6
    );
}
