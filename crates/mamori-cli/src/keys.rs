//! `mamori keys`: keys for the sealed contact index. Argument parsing only; the work is in mamori-incident.

use clap::{Args, Subcommand};
use mamori_core::Lang;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// 連絡先索引の鍵ペアを作る（秘密鍵は一度だけ表示）/ create the contact index key pair (the private key is shown once)
    Init {
        /// 状態ディレクトリ / state directory
        #[arg(long, env = "MAMORI_STATE_DIR")]
        state_dir: Option<PathBuf>,
        /// 既存の公開鍵を置き換える / replace an existing public key
        #[arg(long)]
        force: bool,
        /// 秘密鍵を表示せずにこのファイルへ書く（0600）/ write the private key to this file (0600) instead of showing it
        #[arg(long)]
        identity_out: Option<PathBuf>,
    },
}

pub fn run(args: KeysArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    match args.command {
        KeysCommand::Init {
            state_dir,
            force,
            identity_out,
        } => {
            let state_dir = state_dir.unwrap_or_else(mamori_scan::default_state_dir);
            let keys = match mamori_incident::contacts::init_keys(&state_dir, force) {
                Ok(keys) => keys,
                Err(e @ mamori_incident::IncidentError::Usage(_)) => {
                    eprintln!("{}: {e}", lang.pick("エラー", "error"));
                    return Ok(ExitCode::from(2));
                }
                Err(e) => return Err(e.into()),
            };
            println!(
                "{}: {}",
                lang.pick("公開鍵", "Public key"),
                keys.public_path.display()
            );
            let secret = format!(
                "# mamori contact index private key, created {}\n# public key: {}\n{}\n",
                chrono::Utc::now().to_rfc3339(),
                keys.public,
                keys.secret
            );
            match identity_out {
                Some(path) => {
                    write_private(&path, &secret)?;
                    println!(
                        "{}: {}",
                        lang.pick(
                            "秘密鍵を書き込みました（オフラインで保管し、このサーバから削除してください）",
                            "Private key written (keep it offline and remove it from this server)"
                        ),
                        path.display()
                    );
                }
                None => {
                    println!(
                        "{}",
                        lang.pick(
                            "秘密鍵（この一度だけ表示します。紙またはオフラインの媒体に保管してください。サーバには保存されません）:",
                            "Private key (shown this once: keep it on paper or offline media; it is not stored on this server):"
                        )
                    );
                    print!("{secret}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}
