//! The real binary on the bundled examples: one snapshot per output format, plus the rule
//! catalogue commands and exit codes.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn aksguard() -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    // Pinned "today" so AKS017 (version support) snapshots do not change with the date.
    cmd.current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", "2026-11-24");
    cmd
}

#[test]
fn scan_examples_as_json() {
    let output = aksguard()
        .args(["scan", "examples/", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "the examples have high findings"
    );
    let mut report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!("scan_examples_json", report);
}

#[test]
fn scan_examples_as_table() {
    let output = aksguard().args(["scan", "examples/"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour when not a TTY");
    insta::assert_snapshot!("scan_examples_table", text);
}

#[test]
fn secret_values_never_reach_any_output() {
    for format in ["json", "table"] {
        let output = aksguard()
            .args(["scan", "examples/", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        for secret in [
            "Sup3r-S3cret-Passw0rd!",
            "ZmFrZS1leGFtcGxlLWtleS1ub3QtcmVhbC1mYWtlLWV4YW1wbGUta2V5LTAwMDA=",
            "ZmFrZS1zdHJpcGUta2V5",
        ] {
            assert!(
                !text.contains(secret),
                "{format} output leaks a secret value"
            );
        }
    }
}

#[test]
fn fail_on_and_min_severity_set_the_exit_code() {
    aksguard()
        .args(["scan", "examples/store/storefront.yaml", "--fail-on", "low"])
        .assert()
        .code(predicates::ord::le(1));
    aksguard()
        .args(["scan", "examples/", "--fail-on", "none"])
        .assert()
        .code(0);
    aksguard()
        .args([
            "scan",
            "examples/",
            "--select",
            "POD001",
            "--fail-on",
            "critical",
        ])
        .assert()
        .code(1);
}

#[test]
fn rules_lists_every_rule() {
    let output = aksguard().arg("rules").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for rule in aksguard_rules_ids(&text) {
        assert!(text.contains(&rule));
    }
    insta::assert_snapshot!("rules_table", text);
}

fn aksguard_rules_ids(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.len() == 6 && w.chars().skip(3).all(|c| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

#[test]
fn rule_explains_one_rule_by_id_or_slug() {
    let by_id = aksguard().args(["rule", "POD001"]).output().unwrap();
    let by_slug = aksguard()
        .args(["rule", "privileged-container"])
        .output()
        .unwrap();
    assert!(by_id.status.success());
    assert_eq!(by_id.stdout, by_slug.stdout);
    insta::assert_snapshot!("rule_pod001", String::from_utf8(by_id.stdout).unwrap());
    aksguard().args(["rule", "POD999"]).assert().code(2);
}

#[test]
fn one_scan_reports_manifests_and_cluster_configuration_together() {
    let output = aksguard()
        .args(["scan", "examples/", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let kinds: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object"]["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "Deployment",
        "CronJob",
        "ManagedCluster",
        "ContainerRegistry",
    ] {
        assert!(kinds.contains(kind), "no finding on a {kind}: {kinds:?}");
    }
    let cluster_finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "AKS003")
        .expect("AKS003 on the example cluster");
    assert_eq!(cluster_finding["location"]["path"], "examples/aks/main.tf");
    assert_eq!(cluster_finding["location"]["line"], 20);
    assert!(cluster_finding["message"].as_str().unwrap().contains(
        "az aks update --resource-group rg-store --name aks-store --disable-local-accounts"
    ));
}
