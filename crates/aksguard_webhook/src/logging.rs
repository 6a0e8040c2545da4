//! Structured logs: one JSON object per line on stdout (`timestamp`, `level`, `fields`,
//! `target`). Nothing logged holds an object's contents or a request body.

use tracing::Level;

/// Installs the JSON subscriber for the process; `verbose` adds per-review debug lines.
/// A second call (tests) leaves the first in place.
pub fn init(verbose: bool) {
    let level = if verbose { Level::DEBUG } else { Level::INFO };
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(false)
        .with_writer(std::io::stdout)
        .try_init();
}
