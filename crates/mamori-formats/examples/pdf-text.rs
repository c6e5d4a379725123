//! Prints a PDF's text as the in-process reader and as poppler read it:
//! `cargo run -p mamori-formats --example pdf-text -- FILE.pdf`.

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        println!("== {path}: in process");
        match mamori_formats::pdf::text_in_process(&bytes) {
            Ok(t) => print!("{t}"),
            Err(why) => println!("(falls back to poppler: {why})"),
        }
        println!("== {path}: poppler");
        match mamori_formats::pdf::text_by_poppler(&bytes) {
            Ok(t) => print!("{t}"),
            Err(e) => println!("({e})"),
        }
    }
}
