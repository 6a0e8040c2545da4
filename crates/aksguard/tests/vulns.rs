//! `aksguard scan --vulns`: the real binary over a small shop with hand-built Trivy and Grype
//! reports (IMG005's fixture reports): matching, the exposure raise, stale and unmatched
//! notes, malformed reports and the rule's coverage without reports.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const SHOP: &str = "crates/aksguard/tests/fixtures/vulns/shop.yaml";
const REPORTS: &str = "crates/aksguard_rules/fixtures/image/IMG005/reports";

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn report(name: &str) -> String {
    format!("{REPORTS}/{name}")
}

fn aksguard(as_of: &str) -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", as_of)
        .timeout(std::time::Duration::from_secs(60));
    cmd
}

fn scan(as_of: &str, extra: &[&str]) -> (Option<i32>, Value, String) {
    let output = aksguard(as_of)
        .args([
            "scan",
            SHOP,
            "--no-config",
            "--select",
            "IMG005",
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code(), json, stderr)
}

fn img005(report: &Value) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["object"]["name"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // By object name: the report's order is by location, which the test does not pin.
    found.sort();
    found
}

#[test]
fn scan_with_reports_finds_fixable_vulnerabilities_and_raises_exposed_workloads() {
    let vulns = format!(
        "{},{}",
        report("trivy-frontend.json"),
        report("grype-cart.json")
    );
    let (code, json, stderr) = scan("2026-12-05", &["--vulns", &vulns]);
    assert_eq!(code, Some(1), "{stderr}");
    let findings = img005(&json);
    assert_eq!(findings.len(), 2, "{findings:?}");
    // The cart is pinned by the digest Grype recorded; its Service is internal.
    let (name, severity, message) = &findings[0];
    assert_eq!((name.as_str(), severity.as_str()), ("cart", "high"));
    assert!(message.contains("4 critical/high vulnerabilities with a fix available"));
    assert!(!message.contains("raised"), "{message}");
    // The frontend sits behind a public load balancer: high becomes critical.
    let (name, severity, message) = &findings[1];
    assert_eq!((name.as_str(), severity.as_str()), ("frontend", "critical"));
    assert!(
        message.ends_with(
            "severity raised because the workload is exposed: public LoadBalancer Service \
             shop/frontend"
        ),
        "{message}"
    );
    assert!(message.contains("CVE-2024-45491 (libexpat1 → 2.5.0-1+deb12u1)"));
    // The init container's image is in no report: noted, not judged.
    assert!(
        stderr
            .contains("image `busybox:1.36`: no vulnerability report (--vulns) scanned this image"),
        "{stderr}"
    );
    // Fresh reports: no age note.
    assert!(!stderr.contains("days before the scan's date"), "{stderr}");
}

#[test]
fn stale_reports_are_noted_against_the_scan_date() {
    let (code, _, stderr) = scan(
        "2027-02-01",
        &[
            "--vulns",
            &report("trivy-frontend.json"),
            "--vulns-max-age-days",
            "45",
        ],
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "trivy-frontend.json (trivy image) was made on 2026-11-28, 65 days before the \
             scan's date 2027-02-01 (more than 45"
        ),
        "{stderr}"
    );
    let (_, _, stderr) = scan("2026-12-05", &["--vulns", &report("trivy-k8s.json")]);
    assert!(stderr.contains("does not say when it was made"), "{stderr}");
}

#[test]
fn malformed_reports_stop_the_scan_with_the_file_and_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Vulnerabilities": [{"VulnerabilityID": 7}]}]}"#,
    )
    .unwrap();
    let (code, json, stderr) = scan("2026-12-05", &["--vulns", bad.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(json, Value::Null, "no report is written");
    assert!(
        stderr.contains("bad.json: at Results[0].Vulnerabilities[0].")
            && stderr.contains("Severity: missing or empty"),
        "{stderr}"
    );
    let (code, _, stderr) = scan("2026-12-05", &["--vulns", "no/such/report.json"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("no/such/report.json: cannot read"),
        "{stderr}"
    );
}

#[test]
fn without_reports_img005_is_not_judged() {
    let (code, json, stderr) = scan("2026-12-05", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(img005(&json).is_empty());
    let text = json.to_string();
    assert!(
        text.contains("no image vulnerability report was given (`--vulns FILE`)"),
        "the coverage says why IMG005 judged nothing: {text}"
    );
}

/// A scan of the shop with `config` as its `--config` file (in `dir`).
fn scan_with_config(config: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    let output = aksguard("2026-12-05")
        .args(["scan", SHOP, "--config"])
        .arg(config)
        .args(["--select", "IMG005", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code(), json, stderr)
}

#[test]
fn config_reports_are_relative_to_the_file_and_the_flag_adds_to_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("reports")).unwrap();
    std::fs::copy(
        workspace_root().join(report("trivy-frontend.json")),
        dir.path().join("reports/frontend.json"),
    )
    .unwrap();
    let config = dir.path().join("aksguard.toml");
    // Relative to the file, not to the directory the scan runs in (the workspace root).
    std::fs::write(&config, "vulns = [\"reports/frontend.json\"]\n").unwrap();
    let (code, json, stderr) = scan_with_config(&config, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let names: Vec<String> = img005(&json).into_iter().map(|(name, ..)| name).collect();
    assert_eq!(names, ["frontend"], "{stderr}");
    // `--vulns` adds a report to the file's.
    let (code, json, stderr) = scan_with_config(&config, &["--vulns", &report("grype-cart.json")]);
    assert_eq!(code, Some(1), "{stderr}");
    let names: Vec<String> = img005(&json).into_iter().map(|(name, ..)| name).collect();
    assert_eq!(names, ["cart", "frontend"], "{stderr}");
}

#[test]
fn a_config_report_that_does_not_exist_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("aksguard.toml");
    std::fs::write(&config, "vulns = [\"reports/missing.json\"]\n").unwrap();
    let (code, json, stderr) = scan_with_config(&config, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(json, Value::Null, "no report: {json}");
    assert!(
        stderr.contains("reports/missing.json: cannot read"),
        "{stderr}"
    );
    // An empty entry is an error naming the file and line.
    std::fs::write(&config, "select = [\"IMG005\"]\nvulns = [\"\"]\n").unwrap();
    let (code, _, stderr) = scan_with_config(&config, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("`vulns`: empty path"), "{stderr}");
    assert!(stderr.contains("aksguard.toml:2: "), "{stderr}");
}

/// A workload nothing routes to from outside is still raised when its own identity reaches
/// a crown jewel (the attack-path graph's reach): the cart's pods run as the namespace's
/// `default` ServiceAccount, token mounted, and a ClusterRoleBinding makes it cluster-admin.
#[test]
fn a_workload_whose_identity_reaches_cluster_admin_is_raised() {
    let dir = tempfile::tempdir().unwrap();
    let shop = std::fs::read_to_string(workspace_root().join(SHOP)).unwrap();
    let binding = "\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n\
                   metadata:\n  name: cart-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  \
                   kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  \
                   name: default\n  namespace: shop\n";
    let manifest = dir.path().join("shop.yaml");
    std::fs::write(&manifest, format!("{shop}{binding}")).unwrap();
    let output = aksguard("2026-12-05")
        .args(["scan", manifest.to_str().unwrap(), "--no-config"])
        .args(["--select", "IMG005", "--format", "json", "--vulns"])
        .arg(report("grype-cart.json"))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = img005(&json);
    let (name, severity, message) = &findings[0];
    assert_eq!(
        (name.as_str(), severity.as_str()),
        ("cart", "critical"),
        "{message}"
    );
    assert!(
        message.ends_with(
            "severity raised because the workload is exposed: from it, an attacker reaches \
             cluster-admin (see `aksguard paths`)"
        ),
        "{message}"
    );
}
