//! The HTML report in a real browser: runs `aksguard scan examples/ --format html`, then
//! `tests/browser/html_report.mjs` (playwright-core driving Debian's headless Chromium) checks
//! that the page renders offline under its CSP, draws the SVG chart, and that typing "POD001"
//! into the filter box leaves only the POD001 findings; it also opens a report whose object
//! names, namespace and container carry markup and checks none of it runs. Screenshots are left
//! in `target/tmp/html-report/` for people to look at.
//!
//! Needs `/usr/bin/chromium` (or `$CHROMIUM`), `node`, and `npm ci` run in `tests/browser/`.
//! Without them the test skips with a message, unless `AKSGUARD_REQUIRE_BROWSER=1` (set by
//! `.ci/run`), where it fails instead.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What is missing to run the browser test, if anything.
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

const HOSTILE_MANIFEST: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: "\"><img src=x onerror=alert(1)>"
  namespace: "<script>window.__aksguardPwned=1</script>"
spec:
  template:
    spec:
      containers:
        - name: "<script>window.__aksguardPwned=1</script>"
          image: "<img src=x onerror=alert(2)>"
          securityContext:
            privileged: true
"#;

fn scan_to_html(paths: &[&Path], output: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .arg("scan")
        .args(paths)
        .args(["--format", "html", "--no-render", "-o"])
        .arg(output)
        .current_dir(workspace_root())
        .status()
        .expect("run aksguard");
    // 1: findings at or above --fail-on (the point of both inputs); 0 would mean no finding.
    assert_eq!(status.code(), Some(1), "aksguard scan exit status");
    assert!(output.is_file(), "{} was not written", output.display());
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert!(
        bytes.len() > 20_000,
        "{} is only {} bytes: the page did not render",
        path.display(),
        bytes.len()
    );
}

#[test]
fn html_report_renders_and_filters_in_headless_chromium() {
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = PathBuf::from(std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()));
    if let Some(missing) = missing_prerequisite(&browser_dir, &chromium) {
        if std::env::var("AKSGUARD_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("AKSGUARD_REQUIRE_BROWSER=1 but the browser test cannot run: {missing}");
        }
        eprintln!("skipping the HTML report browser test: {missing}");
        return;
    }

    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let report = out.join("report.html");
    scan_to_html(&[Path::new("examples/")], &report);

    let hostile_dir = tempfile::tempdir().unwrap();
    let hostile_manifest = hostile_dir.path().join("<img src=x onerror=alert(3)>.yaml");
    std::fs::write(&hostile_manifest, HOSTILE_MANIFEST).unwrap();
    let hostile = out.join("hostile.html");
    scan_to_html(&[&hostile_manifest], &hostile);

    let output = Command::new("node")
        .arg("html_report.mjs")
        .args([&report, &out, &hostile])
        .env("CHROMIUM", &chromium)
        .current_dir(&browser_dir)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        output.status.success() && stdout.contains(" passed, 0 failed"),
        "the browser checks failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    for name in [
        "report.png",
        "report-full.png",
        "report-filtered.png",
        "report-hostile.png",
    ] {
        assert_png(&out.join(name));
    }
    eprintln!("screenshots: {}", out.display());
}
