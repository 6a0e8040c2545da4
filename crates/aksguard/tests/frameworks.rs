//! Compliance frameworks end to end: `aksguard frameworks`, `scan --framework` (rules limited
//! to the framework, per-control results and score in table and JSON), and fail-closed
//! framework IDs.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

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

fn json_of(args: &[&str]) -> (Option<i32>, Value) {
    let output = aksguard().args(args).output().unwrap();
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (output.status.code(), value)
}

/// The rule IDs `aksguard frameworks --format json` lists for one framework.
fn framework_rules(id: &str) -> HashSet<String> {
    let (code, list) = json_of(&["frameworks", "--format", "json"]);
    assert_eq!(code, Some(0));
    let framework = list
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no framework {id}"));
    framework["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["rules"].as_array().unwrap().iter())
        .map(|r| r.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn frameworks_lists_the_four_with_controls_and_rules() {
    let output = aksguard().arg("frameworks").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    for id in ["cis-aks", "pss-baseline", "pss-restricted", "aks-practices"] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{id}  "))),
            "{id} missing:\n{text}"
        );
    }
    assert!(text.contains("CIS Azure Kubernetes Service (AKS) Benchmark v1.7.0"));
    assert!(text.contains("4.2.1: Minimize the admission of privileged containers [POD001]"));

    let (_, list) = json_of(&["frameworks", "--format", "json"]);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["cis-aks", "pss-baseline", "pss-restricted", "aks-practices"]
    );
    for framework in list.as_array().unwrap() {
        for control in framework["controls"].as_array().unwrap() {
            assert!(control["id"].is_string() && control["title"].is_string());
            assert!(!control["rules"].as_array().unwrap().is_empty());
        }
    }
}

#[test]
fn every_rule_belongs_to_aks_practices() {
    let (_, rules) = json_of(&["rules", "--format", "json"]);
    let practices = framework_rules("aks-practices");
    for rule in rules.as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        assert!(practices.contains(id), "{id} is in no AKS practice");
    }
}

#[test]
fn pss_baseline_scan_reports_only_its_rules_and_a_weighted_score() {
    let (code, report) = json_of(&[
        "scan",
        "examples/",
        "--framework",
        "pss-baseline",
        "--format",
        "json",
    ]);
    assert_eq!(
        code,
        Some(1),
        "the examples break baseline with high findings"
    );
    let allowed = framework_rules("pss-baseline");
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        let rule = finding["rule_id"].as_str().unwrap();
        assert!(allowed.contains(rule), "{rule} is not a PSS baseline rule");
    }
    let frameworks = report["frameworks"].as_array().expect("frameworks present");
    assert_eq!(frameworks.len(), 1);
    let result = &frameworks[0];
    assert_eq!(result["id"], "pss-baseline");
    let controls = result["controls"].as_array().unwrap();
    assert!(!controls.is_empty());
    // The documented formula: 100 × Σ weight(passing) / Σ weight(all), one decimal.
    let (mut passing, mut total) = (0.0, 0.0);
    for control in controls {
        let weight = control["weight"].as_f64().unwrap();
        let failed_by: usize = findings
            .iter()
            .filter(|f| control["rules"].as_array().unwrap().contains(&f["rule_id"]))
            .count();
        assert_eq!(control["findings"].as_u64().unwrap() as usize, failed_by);
        // Every baseline control has a workload to judge in the examples.
        assert_eq!(
            control["status"],
            if failed_by == 0 { "pass" } else { "fail" }
        );
        assert_eq!(control["passed"].as_bool().unwrap(), failed_by == 0);
        total += weight;
        if failed_by == 0 {
            passing += weight;
        }
    }
    let expected = (1000.0 * passing / total).round() / 10.0;
    assert_eq!(result["score"].as_f64().unwrap(), expected);
    assert!(expected > 0.0 && expected < 100.0);
}

#[test]
fn pss_baseline_table_lists_controls_and_the_score() {
    let output = aksguard()
        .args(["scan", "examples/", "--framework", "pss-baseline"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    insta::assert_snapshot!("scan_examples_pss_baseline_table", text);
}

#[test]
fn json_has_no_frameworks_field_without_the_flag() {
    let (_, report) = json_of(&["scan", "examples/", "--format", "json"]);
    assert!(report.get("frameworks").is_none());
}

#[test]
fn framework_intersects_with_select() {
    let (code, report) = json_of(&[
        "scan",
        "examples/",
        "--framework",
        "cis-aks",
        "--select",
        "POD001,IMG001",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1));
    let rules: HashSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        HashSet::from(["POD001"]),
        "IMG001 maps to no CIS control"
    );
    // Every control is listed; only 4.2.1 has a selected rule, the rest are not assessed.
    let controls = report["frameworks"][0]["controls"].as_array().unwrap();
    let assessed: Vec<&Value> = controls
        .iter()
        .filter(|c| c["status"] != "not-assessed")
        .collect();
    assert_eq!(assessed.len(), 1);
    assert_eq!(assessed[0]["id"], "4.2.1");
    assert_eq!(assessed[0]["status"], "fail");
    assert_eq!(assessed[0]["passed"], false);
    for control in controls.iter().filter(|c| c["id"] != "4.2.1") {
        assert!(
            control["reason"]
                .as_str()
                .unwrap()
                .ends_with("was selected"),
            "{control}"
        );
    }
    assert_eq!(report["frameworks"][0]["assessed"], 1);
    assert_eq!(report["frameworks"][0]["score"].as_f64(), Some(0.0));
}

#[test]
fn unknown_framework_exits_2_naming_it() {
    let output = aksguard()
        .args(["scan", "examples/", "--framework", "nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown framework `nope`"), "{stderr}");
    assert!(stderr.contains("pss-restricted"), "{stderr}");
    assert!(output.stdout.is_empty(), "no report for a usage error");
}

#[test]
fn framework_with_no_selected_rule_exits_2() {
    let output = aksguard()
        .args([
            "scan",
            "examples/",
            "--framework",
            "pss-baseline",
            "--select",
            "IMG",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("pss-baseline"), "{stderr}");
}

#[test]
fn rule_explanation_names_cis_and_pss_controls() {
    let output = aksguard().args(["rule", "POD001"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains(
        "CIS AKS Benchmark v1.7.0 4.2.1: Minimize the admission of privileged containers"
    ));
    assert!(text.contains("Pod Security Standards (baseline): Privileged Containers"));
    let output = aksguard()
        .args(["rule", "POD001", "--format", "markdown"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains(
        "- [Pod Security Standards (baseline): Privileged Containers](https://kubernetes.io/docs/concepts/security/pod-security-standards/)"
    ));
}
