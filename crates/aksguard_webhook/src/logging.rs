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

/// Panics become one JSON error line (where, and the message cut short) instead of a report
/// on stderr; the hook in place before still sees panics inside libyaml-safer (the loader's
/// YAML fallback catches those itself, and the binary's hook drops their report).
pub fn log_panics() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info.location();
            if location.is_some_and(|at| at.file().contains("libyaml-safer")) {
                previous(info);
                return;
            }
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let message: String = payload.chars().take(200).collect();
            tracing::error!(
                at = location.map(|at| format!("{}:{}", at.file(), at.line())),
                message,
                "panic"
            );
        }));
    });
}

/// One error line (for the binary, which has no tracing dependency of its own).
pub fn error(message: &str) {
    tracing::error!(error = message, "webhook stopped");
}
