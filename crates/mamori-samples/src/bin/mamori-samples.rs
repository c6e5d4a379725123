//! `mamori-samples share DIR [--seed N] [--style alternate|held|fresh|fifth|sixth] [--truth FILE] [--demo|--standard] [--containers]`
//! `mamori-samples bulk DIR --bytes N [--seed N]`
//! `mamori-samples hostile DIR [--long-line N]`

use mamori_samples::{generate, generate_bulk, generate_hostile, SampleError, ShareSpec, Style};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  mamori-samples share DIR [--seed N] [--style primary|alternate|held|fresh|fifth|sixth] [--truth FILE] [--standard] [--containers]
  mamori-samples bulk DIR --bytes N [--seed N]
  mamori-samples hostile DIR [--long-line BYTES]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(SampleError::Usage(m)) => {
            eprintln!("mamori-samples: {m}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("mamori-samples: {e}");
            ExitCode::from(1)
        }
    }
}

fn value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn number(args: &[String], flag: &str) -> Result<Option<u64>, SampleError> {
    value(args, flag)
        .map(|v| {
            v.parse::<u64>()
                .map_err(|_| SampleError::Usage(format!("{flag} needs a number, got {v:?}")))
        })
        .transpose()
}

fn run(args: &[String]) -> Result<(), SampleError> {
    let cmd = args.first().map(String::as_str);
    let dir = args
        .get(1)
        .filter(|d| !d.starts_with("--"))
        .map(PathBuf::from)
        .ok_or_else(|| SampleError::Usage("missing DIR".into()))?;
    match cmd {
        Some("share") => {
            let mut spec = if args.iter().any(|a| a == "--standard") {
                ShareSpec::standard(0)
            } else {
                ShareSpec::demo()
            };
            if let Some(seed) = number(args, "--seed")? {
                spec.seed = seed;
            }
            if let Some(s) = value(args, "--style") {
                spec.style = Style::parse(s)
                    .ok_or_else(|| SampleError::Usage(format!("unknown style {s:?}")))?;
            }
            if args.iter().any(|a| a == "--containers") {
                spec = spec.with_containers();
            }
            let truth = generate(&dir, &spec)?;
            if let Some(t) = value(args, "--truth") {
                truth.write_json(std::path::Path::new(t))?;
            }
            let persons: usize = truth.subjects.values().map(|s| s.persons).sum();
            println!(
                "{} files, {} person-category subjects under {}",
                truth.files.len(),
                persons,
                dir.display()
            );
            Ok(())
        }
        Some("bulk") => {
            let bytes = number(args, "--bytes")?
                .ok_or_else(|| SampleError::Usage("bulk needs --bytes N".into()))?;
            let seed = number(args, "--seed")?.unwrap_or(1);
            let s = generate_bulk(&dir, bytes, seed)?;
            println!(
                "{} files, {} bytes, {} rows under {}",
                s.files,
                s.bytes,
                s.rows,
                dir.display()
            );
            Ok(())
        }
        Some("hostile") => {
            let n = number(args, "--long-line")?.unwrap_or(4 * 1024 * 1024);
            let cases = generate_hostile(&dir, n)?;
            println!("{}", serde_json::to_string_pretty(&cases)?);
            Ok(())
        }
        _ => Err(SampleError::Usage("unknown command".into())),
    }
}
