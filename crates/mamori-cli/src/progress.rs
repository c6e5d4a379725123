//! Progress bar for long scans: files/s and MB/s on stderr, only on a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mamori_core::Lang;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

pub struct Bar {
    bar: ProgressBar,
    files: AtomicU64,
    total_files: AtomicU64,
    started: Instant,
    lang: Lang,
}

impl Bar {
    pub fn new(hidden: bool, lang: Lang) -> Self {
        let bar = ProgressBar::new(0);
        if hidden || !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        let style =
            ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar {
            bar,
            files: AtomicU64::new(0),
            total_files: AtomicU64::new(0),
            started: Instant::now(),
            lang,
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl mamori_scan::Progress for Bar {
    fn started(&self, files: u64, bytes: u64) {
        self.total_files.fetch_add(files, Ordering::Relaxed);
        self.bar.inc_length(bytes);
    }

    fn file_done(&self, bytes: u64) {
        let done = self.files.fetch_add(1, Ordering::Relaxed) + 1;
        self.bar.inc(bytes);
        if done.is_multiple_of(64) {
            let rate = done as f64 / self.started.elapsed().as_secs_f64().max(0.001);
            let total = self.total_files.load(Ordering::Relaxed);
            self.bar.set_message(format!(
                "{done}/{total} {} {rate:.0}/s",
                self.lang.pick("ファイル", "files")
            ));
        }
    }
}
