//! Prints the tokens of each argument (or stdin line): `cargo run --example dump -- 山田太郎`.
use std::io::BufRead;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let morph = mamori_morph::Morph::load_default()?;
    eprintln!("loaded in {:?}", t0.elapsed());
    let lines: Vec<String> = if std::env::args().len() > 1 {
        std::env::args().skip(1).collect()
    } else {
        std::io::stdin().lock().lines().collect::<Result<_, _>>()?
    };
    for line in lines {
        let toks: Vec<String> = morph
            .tokens(&line)
            .iter()
            .map(|t| {
                format!(
                    "{}[{:?}/{}/{}{}]",
                    t.surface,
                    t.pos,
                    t.major_pos,
                    t.minor_pos,
                    if t.unknown { "/unk" } else { "" }
                )
            })
            .collect();
        println!(
            "{line}\n  {}\n  names={:?} cell={}",
            toks.join(" "),
            morph.person_names(&line),
            morph.is_person_name(&line)
        );
    }
    Ok(())
}
