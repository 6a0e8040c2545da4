//! A progress bar on stderr for long scans. It appears only when stderr is a terminal, the
//! run is not `--quiet`, no `CI` variable is set and the scan has already taken half a second;
//! pipes and CI logs never see it.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use aksguard_load::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const DELAY: Duration = Duration::from_millis(500);
const TICK: Duration = Duration::from_millis(80);

pub struct ScanProgress {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Whether a progress bar may be shown at all.
pub fn wanted(quiet: bool) -> bool {
    !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

impl ScanProgress {
    /// Starts watching `counters`; draws nothing unless [`wanted`] and the scan is slow.
    pub fn start(counters: Arc<Progress>, enabled: bool) -> ScanProgress {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = enabled.then(|| {
            let stop = stop.clone();
            std::thread::spawn(move || draw(&counters, &stop))
        });
        ScanProgress { stop, thread }
    }

    /// Stops and clears the bar (call before printing the report).
    pub fn finish(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ScanProgress {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

fn draw(counters: &Progress, stop: &AtomicBool) {
    let started = Instant::now();
    while started.elapsed() < DELAY {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(TICK);
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} files {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message("reading");
    while !stop.load(Ordering::Relaxed) {
        let total = counters.total.load(Ordering::Relaxed);
        let done = counters.done.load(Ordering::Relaxed);
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if total > 0 && done >= total {
            bar.set_message("running rules");
        }
        bar.tick();
        std::thread::sleep(TICK);
    }
    bar.finish_and_clear();
}
