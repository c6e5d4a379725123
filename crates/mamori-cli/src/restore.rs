//! `mamori restore`: restore an incident's files. Argument parsing only; the work is in mamori-restore.

use clap::Args;
use mamori_core::Lang;
use std::process::ExitCode;

#[derive(Args)]
pub struct RestoreArgs {}

pub fn run(_args: RestoreArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    eprintln!(
        "{}",
        lang.pick(
            "この機能はまだ実装されていません",
            "this command is not implemented yet"
        )
    );
    Ok(ExitCode::from(2))
}
