//! `mamori guard`: the ransomware guard. Argument parsing only; the work is in mamori-guard.

use clap::Args;
use mamori_core::Lang;
use std::process::ExitCode;

#[derive(Args)]
pub struct GuardArgs {}

pub fn run(_args: GuardArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    eprintln!(
        "{}",
        lang.pick(
            "この機能はまだ実装されていません",
            "this command is not implemented yet"
        )
    );
    Ok(ExitCode::from(2))
}
