//! `--k8s-version` reaches REL001 (API versions removed in the target Kubernetes version)
//! through the real binary, and a malformed version is a usage error.

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

const CRONJOB: &str = "\
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: nightly
  namespace: shop
spec:
  schedule: \"0 1 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              image: myacr.azurecr.io/jobs/nightly:1.0
";

fn cronjob_dir() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join("cronjob.yaml"), CRONJOB).expect("write");
    dir
}

/// `aksguard scan cronjob.yaml --select REL001 --format json EXTRA…` → (exit code, report).
fn scan_rel001(dir: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    let output = assert_cmd::cargo::cargo_bin_cmd!("aksguard")
        .current_dir(dir)
        .args([
            "scan",
            "cronjob.yaml",
            "--select",
            "REL001",
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .expect("aksguard runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code(), report, stderr)
}

fn rel001_findings(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings[] in {report:#}"))
        .iter()
        .filter(|f| f["rule_id"] == "REL001")
        .collect()
}

#[test]
fn cronjob_v1beta1_passes_before_1_25() {
    let dir = cronjob_dir();
    let (code, report, stderr) = scan_rel001(dir.path(), &["--k8s-version", "1.15"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(rel001_findings(&report).is_empty(), "{report:#}");
}

#[test]
fn cronjob_v1beta1_fails_from_1_25() {
    let dir = cronjob_dir();
    for version in ["1.25", "v1.25.3"] {
        let (code, report, stderr) = scan_rel001(dir.path(), &["--k8s-version", version]);
        // REL001 is medium; the default --fail-on is high.
        assert_eq!(code, Some(0), "{version}: {stderr}");
        let findings = rel001_findings(&report);
        assert_eq!(findings.len(), 1, "{version}: {report:#}");
        let finding = findings[0];
        assert_eq!(finding["object"]["kind"], "CronJob");
        assert_eq!(finding["location"]["line"], 1, "reported at apiVersion");
        let message = finding["message"].as_str().unwrap();
        assert!(
            message.contains("removed in Kubernetes 1.25 (target 1.25)")
                && message.contains("batch/v1"),
            "{message}"
        );
    }
    let (code, _, stderr) = scan_rel001(
        dir.path(),
        &["--k8s-version", "1.25", "--fail-on", "medium"],
    );
    assert_eq!(code, Some(1), "--fail-on medium fails the build: {stderr}");
}

#[test]
fn default_target_is_the_newest_known_version() {
    let dir = cronjob_dir();
    let (_, report, _) = scan_rel001(dir.path(), &[]);
    assert_eq!(rel001_findings(&report).len(), 1, "{report:#}");
}

#[test]
fn malformed_k8s_version_is_a_usage_error() {
    let dir = cronjob_dir();
    let (code, _, stderr) = scan_rel001(dir.path(), &["--k8s-version", "banana"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("banana"), "names the bad value: {stderr}");
}
