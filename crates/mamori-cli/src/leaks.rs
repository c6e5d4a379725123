//! `mamori leaks`: leak-site monitoring. Argument parsing only; the work is in mamori-leaks.

use clap::Args;
use mamori_core::Lang;
use std::process::ExitCode;

#[derive(Args)]
pub struct LeaksArgs {}

pub fn run(_args: LeaksArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    eprintln!(
        "{}",
        lang.pick(
            "この機能はまだ実装されていません",
            "this command is not implemented yet"
        )
    );
    Ok(ExitCode::from(2))
}
