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

/// `storefront.yaml` has one high, two medium and two low findings and nothing critical.
const STOREFRONT: &str = "examples/store/storefront.yaml";

/// The severities of a JSON scan's findings, and its exit code.
fn severities(args: &[&str]) -> (Vec<String>, i32) {
    let output = aksguard()
        .args(["scan", STOREFRONT, "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let severities = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap().to_owned())
        .collect();
    (severities, output.status.code().unwrap())
}

#[test]
fn fail_on_sets_the_exit_code() {
    let (all, _) = severities(&[]);
    assert!(all.iter().any(|s| s == "high") && !all.iter().any(|s| s == "critical"));
    for (fail_on, code) in [("low", 1), ("medium", 1), ("high", 1), ("critical", 0)] {
        assert_eq!(
            severities(&["--fail-on", fail_on]).1,
            code,
            "--fail-on {fail_on}"
        );
    }
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
fn min_severity_reports_only_findings_at_or_above_it() {
    let (all, _) = severities(&[]);
    let (shown, _) = severities(&["--min-severity", "medium"]);
    assert!(
        shown.iter().all(|s| s == "medium" || s == "high"),
        "{shown:?}"
    );
    let expected = all.iter().filter(|s| *s != "low").count();
    assert!(expected > 0 && expected < all.len(), "{all:?}");
    assert_eq!(shown.len(), expected);
    // Hidden findings do not count for the exit code either.
    let (shown, code) = severities(&["--min-severity", "critical", "--fail-on", "medium"]);
    assert!(shown.is_empty());
    assert_eq!(code, 0);
    let (shown, code) = severities(&["--min-severity", "high", "--fail-on", "medium"]);
    assert_eq!(shown, ["high"]);
    assert_eq!(code, 1);
}

#[test]
fn rules_lists_every_rule() {
    let output = aksguard().arg("rules").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let registered: Vec<&str> = aksguard_rules::all_rules().iter().map(|r| r.id).collect();
    assert_eq!(aksguard_rules_ids(&text), registered);
    insta::assert_snapshot!("rules_table", text);
}

/// The rule IDs (`POD001`, `NS001`, `RBAC012`) that start the lines of `aksguard rules`.
fn aksguard_rules_ids(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| {
            let digits = w.trim_start_matches(|c: char| c.is_ascii_uppercase());
            digits.len() == 3 && w.len() > 3 && digits.chars().all(|c| c.is_ascii_digit())
        })
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
    // The `az` command is in the fix, with the cluster's real group and name, not in the
    // message; the Terraform finding names the attribute the user wrote.
    assert!(
        cluster_finding["fix"]["commands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().contains(
                "az aks update --resource-group rg-store --name aks-store --disable-local-accounts"
            )),
        "{cluster_finding}"
    );
    assert!(
        !cluster_finding["message"]
            .as_str()
            .unwrap()
            .contains("az aks"),
        "{cluster_finding}"
    );
    assert_eq!(
        cluster_finding["fix"]["iac"][0]["language"], "terraform",
        "{cluster_finding}"
    );
}
