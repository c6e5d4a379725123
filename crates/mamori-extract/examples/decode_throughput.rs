//! Decoding throughput on a 100 MB in-memory buffer:
//! `cargo run --release -p mamori-extract --example decode_throughput`

use std::io::Read;
use std::time::Instant;

use mamori_extract::{DecodingReader, TextChunks, TextEncoding};

const LINE: &str = "山田太郎,昭和55年3月2日生,東京都千代田区1-2-3,03-1234-5678,①㈱ヤマダ商事\n";
const SIZE: usize = 100 * 1000 * 1000;

fn main() {
    let utf8 = LINE.repeat(SIZE / LINE.len());
    let sjis_text = LINE.repeat(SIZE / 60);
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&sjis_text);
    let sjis = &sjis[..sjis.len().min(SIZE)];
    for (name, bytes, enc) in [
        ("UTF-8", utf8.as_bytes(), TextEncoding::Utf8),
        ("Shift_JIS", sjis, TextEncoding::ShiftJis),
    ] {
        let mb = bytes.len() as f64 / 1e6;
        let start = Instant::now();
        let mut reader = DecodingReader::new(bytes, enc);
        let mut buf = vec![0u8; 64 * 1024];
        let mut out = 0usize;
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out += n,
                Err(e) => panic!("{e}"),
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name:9} read():   {mb:.0} MB in {secs:.3} s = {:.0} MB/s ({out} bytes out)",
            mb / secs
        );

        let start = Instant::now();
        let chunks = TextChunks::new(DecodingReader::new(bytes, enc), 1 << 20);
        let total: usize = chunks.map(|c| c.map(|c| c.text.len()).unwrap_or(0)).sum();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name:9} chunks(): {mb:.0} MB in {secs:.3} s = {:.0} MB/s ({total} bytes out)",
            mb / secs
        );
    }
}
