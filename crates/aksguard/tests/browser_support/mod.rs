//! What the browser tests share: whether Debian's Chromium, node and playwright-core are
//! there (skip with a message, or fail when `AKSGUARD_REQUIRE_BROWSER=1`, as `.ci/run` sets),
//! and the check that a screenshot is a real, rendered PNG.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `tests/browser/`, where the node scripts and their `node_modules` are.
pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// The Chromium binary to drive: `$CHROMIUM`, else Debian's `/usr/bin/chromium`.
pub fn chromium() -> PathBuf {
    PathBuf::from(std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()))
}

/// `Some(reason)` when the browser test cannot run and may be skipped; panics instead when
/// `AKSGUARD_REQUIRE_BROWSER=1`.
pub fn skip_reason(what: &str) -> Option<String> {
    let missing = missing_prerequisite(&browser_dir(), &chromium())?;
    if std::env::var("AKSGUARD_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("AKSGUARD_REQUIRE_BROWSER=1 but the {what} browser test cannot run: {missing}");
    }
    eprintln!("skipping the {what} browser test: {missing}");
    Some(missing)
}

/// What is missing to run a browser test, if anything.
fn missing_prerequisite(browser_dir: &Path, chromium: &Path) -> Option<String> {
    if !chromium.is_file() {
        return Some(format!(
            "{} is absent (apt-get install chromium)",
            chromium.display()
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("node is not on PATH".to_owned());
    }
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        return Some(format!(
            "{}/node_modules is absent (run `npm ci` there)",
            browser_dir.display()
        ));
    }
    None
}

/// `path` is a PNG of more than `min_bytes` (a blank page compresses to almost nothing).
pub fn assert_png(path: &Path, min_bytes: usize) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert!(
        bytes.len() > min_bytes,
        "{} is only {} bytes: the page did not render",
        path.display(),
        bytes.len()
    );
}
