//! Users' policies through the real binary are treated like built-in rules: a baseline
//! written from a scan suppresses their findings, `--fail-on` judges their severity, and
//! `scan --store` keeps them (listed by `history`, fixed in `diff`).

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// A deny constraint: its findings are high.
const POLICY: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8snoprivileged
spec:
  crd:
    spec:
      names:
        kind: K8sNoPrivileged
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8snoprivileged
        violation[{"msg": msg}] {
          c := input.review.object.spec.containers[_]
          c.securityContext.privileged
          msg := sprintf("container %v is privileged", [c.name])
        }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNoPrivileged
metadata:
  name: no-privileged
spec:
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod"]}]
"#;

fn pod(privileged: bool) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  \
         containers:\n    - name: app\n      image: nginx:1.27\n      securityContext:\n        \
         privileged: {privileged}\n"
    )
}

const RULE: &str = "GK.K8sNoPrivileged";

/// A directory with `policies/no-privileged.yaml` and `k8s/pod.yaml`.
fn workspace(privileged: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::create_dir(dir.path().join("k8s")).unwrap();
    std::fs::write(dir.path().join("policies/no-privileged.yaml"), POLICY).unwrap();
    std::fs::write(dir.path().join("k8s/pod.yaml"), pod(privileged)).unwrap();
    dir
}

/// The binary in `dir`, with a pinned "today" and a data directory of its own.
fn aksguard(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", "2026-12-05")
        .env("XDG_DATA_HOME", dir.join("data"))
        .env_remove("AKSGUARD_STORE")
        .timeout(std::time::Duration::from_secs(120));
    cmd
}

/// `scan k8s --policy policies --select GK --format json` plus `extra`, in `dir`.
fn scan(dir: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    let output = aksguard(dir)
        .args([
            "scan",
            "k8s",
            "--no-config",
            "--policy",
            "policies",
            "--select",
            "GK",
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

fn rules(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_policy_finding_is_judged_by_fail_on_at_its_severity() {
    let dir = workspace(true);
    let (code, json, stderr) = scan(dir.path(), &["--fail-on", "high"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(rules(&json["findings"]), [RULE], "{json}");
    assert_eq!(json["findings"][0]["severity"], "high", "{json}");
    // Reported, but below the bar.
    let (code, json, stderr) = scan(dir.path(), &["--fail-on", "critical"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(rules(&json["findings"]), [RULE], "{json}");
}

#[test]
fn a_baseline_suppresses_policy_findings() {
    let dir = workspace(true);
    let (code, _, stderr) = scan(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(code, Some(1), "{stderr}");
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(rules(&baseline["findings"]), [RULE], "{baseline}");
    let (code, json, stderr) = scan(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(rules(&json["findings"]), Vec::<String>::new(), "{json}");
    assert_eq!(json["summary"]["suppressed"], 1, "{json}");
    assert!(
        json["suppressed"].to_string().contains(RULE),
        "{}",
        json["suppressed"]
    );
}

#[test]
fn scan_store_keeps_policy_findings_and_diff_sees_them_fixed() {
    let dir = workspace(true);
    let store = format!("sqlite://{}", dir.path().join("history.sqlite3").display());
    let store_flag = format!("--store={store}");
    let stored = ["--target-name", "policies", store_flag.as_str()];
    let (code, _, stderr) = scan(dir.path(), &stored);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("1 new, 0 resolved"), "{stderr}");

    let history = |args: &[&str]| -> Value {
        let output = aksguard(dir.path())
            .args(args)
            .args(["--store", &store, "--format", "json"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let runs = history(&["history", "--target", "policies"]);
    assert_eq!(runs["runs"][0]["counts"]["high"], 1, "{runs}");
    assert_eq!(runs["runs"][0]["new"], 1, "{runs}");

    // The pod is fixed: the policy ran and judged it, so its finding is resolved.
    std::fs::write(dir.path().join("k8s/pod.yaml"), pod(false)).unwrap();
    let (code, _, stderr) = scan(dir.path(), &stored);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("0 new, 1 resolved"), "{stderr}");
    let diff = history(&["diff", "--target", "policies"]);
    assert_eq!(rules(&diff["fixed"]), [RULE], "{diff}");
    assert_eq!(rules(&diff["new"]), Vec::<String>::new(), "{diff}");
    let runs = history(&["history", "--target", "policies"]);
    assert_eq!(runs["runs"][0]["counts"]["high"], 0, "{runs}");
    assert_eq!(runs["runs"][0]["resolved"], 1, "{runs}");
}
