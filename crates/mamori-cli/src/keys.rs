//! `mamori keys`: keys for the sealed contact index. Argument parsing only; the work is in mamori-incident.

use clap::Args;
use mamori_core::Lang;
use std::process::ExitCode;

#[derive(Args)]
pub struct KeysArgs {}

pub fn run(_args: KeysArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    eprintln!(
        "{}",
        lang.pick(
            "この機能はまだ実装されていません",
            "this command is not implemented yet"
        )
    );
    Ok(ExitCode::from(2))
}
