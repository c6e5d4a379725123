//! Measures first-run build time, cached load time and tokens/s:
//! `cargo run --release -p mamori-morph --example bench`.
use std::path::Path;
use std::time::Instant;

use mamori_morph::{Morph, DEFAULT_IPADIC_DIR};

const SAMPLE: &str = "山田太郎様の住所変更について、担当：佐藤 花子より連絡がありました。\
鈴木さんから東京都千代田区の株式会社山田製作所へ書類を送付します。\
マイナンバーの提出期限は来月末です。日本生命の保険証券番号を確認してください。\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cache = std::env::temp_dir().join(format!("mamori-morph-bench-{}", std::process::id()));
    let source = Path::new(DEFAULT_IPADIC_DIR);
    let t = Instant::now();
    drop(Morph::load(source, &cache)?);
    println!("first run (build + cache): {:?}", t.elapsed());
    let t = Instant::now();
    let morph = Morph::load(source, &cache)?;
    println!("cached load: {:?}", t.elapsed());

    let text = SAMPLE.repeat(2000);
    let t = Instant::now();
    let n = morph.tokens(&text).len();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "tokens: {n} in {secs:.3} s = {:.0} tokens/s, {:.1} MB/s",
        n as f64 / secs,
        text.len() as f64 / secs / 1e6
    );
    let lines: Vec<&str> = text.lines().collect();
    let t = Instant::now();
    let found: usize = lines.iter().map(|l| morph.person_names(l).len()).sum();
    println!(
        "person_names: {} lines/s ({found} spans)",
        (lines.len() as f64 / t.elapsed().as_secs_f64()) as u64
    );
    std::fs::remove_dir_all(&cache)?;
    Ok(())
}
