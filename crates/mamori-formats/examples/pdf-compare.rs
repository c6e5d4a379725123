//! Compares the in-process PDF reader with poppler on real files, one line
//! per file: `same`, `differs` (lines that differ, the first pair), or
//! `poppler` (the reader gives up, and why):
//! `cargo run --release -p mamori-formats --example pdf-compare -- FILE.pdf...`.

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            println!("{path}: unreadable file");
            continue;
        };
        let ours = match mamori_formats::pdf::text_in_process(&bytes) {
            Ok(t) => t,
            Err(why) => {
                println!("{path}: poppler ({why})");
                continue;
            }
        };
        let theirs = match mamori_formats::pdf::text_by_poppler(&bytes) {
            Ok(t) => t,
            Err(e) => {
                println!("{path}: read in process, poppler fails ({e})");
                continue;
            }
        };
        let trim = |t: &str| -> Vec<String> {
            let mut v: Vec<String> = t.lines().map(|l| l.trim().to_string()).collect();
            while v.last().is_some_and(String::is_empty) {
                v.pop();
            }
            v
        };
        let (a, b) = (trim(&ours), trim(&theirs));
        if a == b {
            println!("{path}: same ({} lines)", a.len());
            continue;
        }
        let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        let first = a.iter().zip(&b).find(|(x, y)| x != y);
        println!(
            "{path}: differs ({differing} of {} vs {} lines){}",
            a.len(),
            b.len(),
            first.map_or(String::new(), |(x, y)| format!(
                "\n  in process: {x:?}\n  poppler:    {y:?}"
            ))
        );
    }
}
