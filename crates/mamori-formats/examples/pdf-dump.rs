//! The in-process PDF reader's text of each file, exactly as laid out, or
//! why it would fall back to poppler; for byte-for-byte comparisons of two
//! builds of the reader: `pdf-dump FILE.pdf... > out.txt` with each, then
//! `cmp` the outputs. `--time` prints only the CPU time of reading.

fn main() {
    let mut time_only = false;
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--time" {
            time_only = true;
        } else {
            files.push(a);
        }
    }
    let started = std::time::Instant::now();
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else {
            println!("== {path}: unreadable file");
            continue;
        };
        let result = mamori_formats::pdf::layout_in_process(&bytes);
        if time_only {
            continue;
        }
        match result {
            Ok(t) => println!("== {path}: {} bytes\n{t}", t.len()),
            Err(why) => println!("== {path}: falls back ({why})"),
        }
    }
    if time_only {
        println!("{:.3} s", started.elapsed().as_secs_f64());
    }
}
