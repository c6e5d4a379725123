//! PDF text in process against poppler: on the accuracy tests' generated
//! shares (with containers), every PDF yields the same items, category and
//! records whichever reader reads it. Skipped, with the reason printed,
//! where poppler (pdftotext with poppler-data) is not installed.

use mamori_formats::PdfText;
use mamori_samples::{generate, ShareSpec, Style};
use mamori_scan::{scan, NoProgress, Report, ScanOptions};
use std::path::Path;

fn pdf_text_available() -> bool {
    std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
        && Path::new("/usr/share/poppler/cMap/Adobe-Japan1").is_dir()
}

fn scan_with(share: &Path, state: &Path, pdf_text: PdfText) -> Report {
    let mut options = ScanOptions::new(state.to_path_buf());
    options.formats.pdf_text = pdf_text;
    scan(&[share.to_path_buf()], &options, &NoProgress).unwrap()
}

#[test]
fn pdfs_give_the_same_items_in_process_and_with_poppler() {
    if !pdf_text_available() {
        eprintln!("skipped: pdftotext or poppler-data (Adobe-Japan1) is not installed");
        return;
    }
    let mut compared = 0;
    for (name, spec) in [
        ("primary", ShareSpec::standard(2_718).with_containers()),
        (
            "fifth",
            ShareSpec::standard(31_415)
                .with_style(Style::Fifth)
                .with_containers(),
        ),
        (
            "sixth",
            ShareSpec::standard(90_210)
                .with_style(Style::Sixth)
                .with_containers(),
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let share = tmp.path().join("share");
        std::fs::create_dir_all(&share).unwrap();
        generate(&share, &spec).unwrap();
        let poppler = scan_with(&share, &tmp.path().join("s1"), PdfText::Poppler);
        // In process only: a PDF it cannot read is an error, not poppler's.
        let ours = scan_with(&share, &tmp.path().join("s2"), PdfText::InProcess);
        for theirs in poppler.files.iter().filter(|f| f.path.ends_with(".pdf")) {
            let mine = ours
                .files
                .iter()
                .find(|f| f.path == theirs.path)
                .unwrap_or_else(|| panic!("{name}: {} not reported", theirs.path));
            if theirs.error.is_some() {
                // The image-only PDF: poppler's verdict; in process it is
                // one the reader leaves to poppler.
                assert!(mine.error.is_some(), "{name}: {}", theirs.path);
                continue;
            }
            assert_eq!(
                (&mine.items, &mine.category, mine.records, &mine.error),
                (
                    &theirs.items,
                    &theirs.category,
                    theirs.records,
                    &theirs.error
                ),
                "{name}: {} (in process, then poppler)",
                theirs.path
            );
            compared += 1;
        }
    }
    eprintln!("{compared} PDFs: the same items, category and records");
    assert!(compared > 20, "only {compared} PDFs compared");
}
