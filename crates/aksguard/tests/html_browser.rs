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

mod browser_support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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

#[test]
fn html_report_renders_and_filters_in_headless_chromium() {
    if browser_support::skip_reason("HTML report").is_some() {
        return;
    }
    let browser_dir = browser_support::browser_dir();
    let chromium = browser_support::chromium();

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
        browser_support::assert_png(&out.join(name), 20_000);
    }
    eprintln!("screenshots: {}", out.display());
}
