//! The in-process PDF reader against poppler's `pdftotext -layout` on the
//! PDFs the project's generator writes (its own writer: Type0 fonts with
//! UniJIS-UCS2-H) and on PDFs LibreOffice exports from the generator's
//! .docx (Identity-H with ToUnicode): the same lines, cells and blank
//! lines. Skipped, with the reason printed, where poppler or LibreOffice
//! is missing.

use mamori_samples::{generate, ShareSpec, Style};
use std::path::{Path, PathBuf};

fn pdftotext_ready() -> bool {
    std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
        && Path::new("/usr/share/poppler/cMap/Adobe-Japan1").is_dir()
}

fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Lines with their cells, blank lines included (a blank line ends a
/// printed table for the table engine); trailing blank lines dropped.
fn normalized(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// The characters of a text without its spacing and line breaks.
fn glyphs_only(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Compares both readers on `files`; returns (read in process, fell back).
/// `exact`: the same lines and cells; else the same characters in the
/// same order, and the lines whose spacing differs are counted.
fn compare(files: &[PathBuf], exact: bool) -> (usize, usize) {
    let (mut same, mut fallback) = (0, 0);
    let mut diffs = Vec::new();
    for f in files {
        let bytes = std::fs::read(f).unwrap();
        let ours = match mamori_formats::pdf::text_in_process(&bytes) {
            Ok(t) => t,
            Err(why) => {
                eprintln!("{}: falls back to poppler: {why}", f.display());
                fallback += 1;
                continue;
            }
        };
        let theirs = mamori_formats::pdf::text_by_poppler(&bytes).unwrap();
        let (a, b) = (normalized(&ours), normalized(&theirs));
        if !exact && glyphs_only(&ours) == glyphs_only(&theirs) {
            let spacing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
            if spacing > 0 || a.len() != b.len() {
                eprintln!(
                    "{}: same characters; {spacing} lines spaced differently, {} vs {} lines",
                    f.display(),
                    a.len(),
                    b.len()
                );
                for (x, y) in a.iter().zip(&b).filter(|(x, y)| x != y).take(3) {
                    eprintln!("  in process: {x:?}\n  poppler:    {y:?}");
                }
            }
            same += 1;
        } else if a == b {
            same += 1;
        } else {
            let first = a
                .iter()
                .zip(&b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            diffs.push(format!(
                "{}: line {first} ({} vs {} lines)\n  in process: {:?}\n  poppler:    {:?}",
                f.display(),
                a.len(),
                b.len(),
                a.get(first),
                b.get(first)
            ));
        }
    }
    for d in &diffs {
        eprintln!("{d}");
    }
    assert!(diffs.is_empty(), "{} PDFs read differently", diffs.len());
    (same, fallback)
}

#[test]
fn generator_pdfs_read_as_poppler_reads_them() {
    if !pdftotext_ready() {
        eprintln!("skipped: pdftotext or poppler-data (Adobe-Japan1) is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, spec) in [
        ShareSpec::standard(2_718).with_containers(),
        ShareSpec::standard(31_415)
            .with_style(Style::Fifth)
            .with_containers(),
        ShareSpec::standard(90_210)
            .with_style(Style::Sixth)
            .with_containers(),
    ]
    .into_iter()
    .enumerate()
    {
        let share = tmp.path().join(format!("share{i}"));
        std::fs::create_dir_all(&share).unwrap();
        generate(&share, &spec).unwrap();
        files.extend(files_with_ext(&share, "pdf"));
    }
    let (same, fallback) = compare(&files, true);
    eprintln!("{same} PDFs read alike in process, {fallback} fell back to poppler");
    assert!(same > 20, "only {same} PDFs read in process");
}

/// PDFs as LibreOffice exports them (Identity-H fonts with ToUnicode
/// CMaps, embedded subsets) from the generator's .docx files (prose,
/// tables, text boxes, headers and footers) and .pptx files (slides).
#[test]
fn libreoffice_pdfs_read_as_poppler_reads_them() {
    if !pdftotext_ready() {
        eprintln!("skipped: pdftotext or poppler-data (Adobe-Japan1) is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let share = tmp.path().join("share");
    std::fs::create_dir_all(&share).unwrap();
    generate(&share, &ShareSpec::standard(2_718).with_containers()).unwrap();
    let mut docx = files_with_ext(&share, "docx");
    docx.truncate(16);
    // Same-named files in different folders would overwrite each other.
    let inputs = tmp.path().join("in");
    std::fs::create_dir_all(&inputs).unwrap();
    for (i, f) in docx.iter().enumerate() {
        std::fs::copy(f, inputs.join(format!("{i:02}.docx"))).unwrap();
    }
    // Slides (Impress), where libreoffice-impress is installed.
    for (i, f) in files_with_ext(&share, "pptx").iter().take(6).enumerate() {
        std::fs::copy(f, inputs.join(format!("s{i:02}.pptx"))).unwrap();
    }
    let out = tmp.path().join("pdf");
    let status = std::process::Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            tmp.path().join("profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .args(files_with_ext(&inputs, "docx"))
        .args(files_with_ext(&inputs, "pptx"))
        .output();
    match status {
        Ok(s) if s.status.success() => {}
        Ok(s) => {
            eprintln!(
                "skipped: soffice could not export PDF: {}",
                String::from_utf8_lossy(&s.stderr)
            );
            return;
        }
        Err(e) => {
            eprintln!("skipped: soffice not runnable ({e}); scripts/test installs LibreOffice");
            return;
        }
    }
    let files = files_with_ext(&out, "pdf");
    assert!(!files.is_empty(), "soffice wrote no PDF");
    let (same, fallback) = compare(&files, true);
    eprintln!("{same} LibreOffice PDFs read alike in process, {fallback} fell back to poppler");
    assert!(
        same * 2 > files.len(),
        "only {same} of {} read in process",
        files.len()
    );
}
