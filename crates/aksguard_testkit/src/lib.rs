//! Test support shared by the workspace's crates: where `../shared` (the corpus, the SARIF
//! schema, the rule catalogue) lives, and what a test does when it is absent.
//!
//! `../shared` sits beside the repository, never inside it. A user's plain clone has none, so
//! tests that read it skip with a message there. CI must not pass by accident, so under
//! `AKSGUARD_REQUIRE_SHARED=1` (set by `.ci/run`) a missing path fails the test instead.

use std::path::{Path, PathBuf};

/// The environment variable that turns "skip when absent" into "fail when absent".
pub const REQUIRE_SHARED: &str = "AKSGUARD_REQUIRE_SHARED";

/// The workspace root (the folder holding the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// Whether this run must have `../shared` (`AKSGUARD_REQUIRE_SHARED` set to anything but
/// empty or `0`).
pub fn shared_required() -> bool {
    std::env::var_os(REQUIRE_SHARED).is_some_and(|value| !value.is_empty() && value != "0")
}

/// `../shared/<relative>` beside the workspace, if it exists. When it does not, prints why
/// the caller skips and returns `None`, or panics under `AKSGUARD_REQUIRE_SHARED=1`.
pub fn shared_path(relative: &str) -> Option<PathBuf> {
    let path = workspace_root().join("../shared").join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        !shared_required(),
        "{} is absent but {REQUIRE_SHARED} is set: CI must run with ../shared beside the \
         clone",
        path.display()
    );
    eprintln!(
        "SKIPPED: {} not found (../shared lives beside the repository, not in it; set \
         {REQUIRE_SHARED}=1 to make this a failure)",
        path.display()
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_path_is_skipped_or_fails_as_the_environment_says() {
        let missing = "no-such-folder-in-shared/for-the-testkit-test";
        let outcome = std::panic::catch_unwind(|| shared_path(missing));
        if shared_required() {
            assert!(outcome.is_err(), "must fail when ../shared is required");
        } else {
            assert_eq!(outcome.ok(), Some(None));
        }
    }
}
