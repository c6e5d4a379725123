//! `mamori incident`: incident list, sweep, assess and report. Argument parsing only; the work is in mamori-incident.

use clap::Args;
use mamori_core::Lang;
use std::process::ExitCode;

#[derive(Args)]
pub struct IncidentArgs {}

pub fn run(_args: IncidentArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    eprintln!(
        "{}",
        lang.pick(
            "この機能はまだ実装されていません",
            "this command is not implemented yet"
        )
    );
    Ok(ExitCode::from(2))
}
