//! The real binary: `aksguard paths` over the vulnerable-store fixture in every format
//! (table snapshot, JSON shape, SARIF against the official schema, HTML with inline SVG and
//! its CSP), a fixture with no path, and `scan --sort risk`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const STORE: &str = "crates/aksguard_paths/tests/fixtures/store";

fn aksguard() -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", "2026-12-06");
    cmd
}

fn run(args: &[&str]) -> String {
    let output = aksguard().args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn table_prints_each_path_as_a_chain() {
    let table = run(&["paths", STORE, "--no-config", "-q"]);
    assert!(
        table.contains(
            "internet → Service/shop/frontend-external (NET006, NET010) → Deployment/shop/frontend (NET004) → Node/aks-store (POD001) → KubeletIdentity/aks-store → Registry/contoso (AKS042)"
        ),
        "{table}"
    );
    assert!(table.contains("cheapest cut (cost 1)"), "{table}");
    assert!(table.contains("Fixes by paths removed:"), "{table}");
    insta::assert_snapshot!(table);
}

#[test]
fn json_has_paths_hops_cuts_and_fixes() {
    let text = run(&["paths", STORE, "--no-config", "-q", "--format", "json"]);
    let json: Value = serde_json::from_str(&text).unwrap();
    let paths = json["paths"].as_array().unwrap();
    assert!(!paths.is_empty());
    let first = &paths[0];
    assert!(first["risk"].as_f64().unwrap() > 0.0);
    let hop = &first["hops"][1];
    assert!(hop["object"]["kind"].is_string() && hop["object"]["name"].is_string());
    assert!(hop["via"].is_array() && hop["reason"].is_string());
    assert!(first["cuts"][0]["fix"].is_string());
    assert!(json["fixes"][0]["paths_removed"].as_u64().unwrap() >= 1);
    assert!(json["total_paths"].as_u64().unwrap() >= paths.len() as u64);
    // --limit bounds the paths shown, not the total.
    let limited: Value = serde_json::from_str(&run(&[
        "paths",
        STORE,
        "--no-config",
        "-q",
        "--format",
        "json",
        "--limit",
        "1",
    ]))
    .unwrap();
    assert_eq!(limited["paths"].as_array().unwrap().len(), 1);
    assert_eq!(limited["total_paths"], json["total_paths"]);
}

#[test]
fn sarif_is_valid_with_one_result_per_path() {
    let text = run(&["paths", STORE, "--no-config", "-q", "--format", "sarif"]);
    let document: Value = serde_json::from_str(&text).unwrap();
    let results = document["runs"][0]["results"].as_array().unwrap();
    let json: Value = serde_json::from_str(&run(&[
        "paths",
        STORE,
        "--no-config",
        "-q",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(results.len(), json["paths"].as_array().unwrap().len());
    for result in results {
        assert!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
        assert!(result["codeFlows"][0]["threadFlows"][0]["locations"].is_array());
    }
    let Some(path) = aksguard_testkit::shared_path("schemas/sarif-schema-2.1.0.json") else {
        return;
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn html_draws_attack_paths_as_inline_svg() {
    let html = run(&["paths", STORE, "--no-config", "-q", "--format", "html"]);
    assert!(html.contains("<h2>Attack paths</h2>"));
    assert!(html.contains("class=\"path-chart\""));
    assert!(html.contains("Content-Security-Policy"));
    assert!(!html.contains("<script src"), "no external scripts");
    assert!(
        !html.contains("style=\""),
        "no inline style attributes (CSP)"
    );
    // Names are escaped like every other value.
    assert!(
        html.contains("internet → Service/shop/frontend-external")
            || html.contains("internet → Service&#x2f;shop&#x2f;frontend-external"),
        "the chain, escaped"
    );
}

#[test]
fn no_path_is_said_and_exits_zero() {
    let table = run(&[
        "paths",
        "crates/aksguard_paths/tests/fixtures/unexposed",
        "--no-config",
        "-q",
    ]);
    assert!(table.starts_with("No attack path"), "{table}");
}

#[test]
fn nothing_to_scan_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = aksguard()
        .args(["paths", dir.path().to_str().unwrap(), "--no-config", "-q"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn every_scan_marks_attack_path_findings_and_sort_risk_puts_them_first() {
    let scan = |sort: Option<&str>| -> Vec<Value> {
        let mut args = vec!["scan", STORE, "--no-config", "-q", "--format", "json"];
        if let Some(sort) = sort {
            args.extend(["--sort", sort]);
        }
        let output = aksguard().args(&args).output().unwrap();
        let json: Value = serde_json::from_slice(&output.stdout).unwrap();
        json["findings"].as_array().unwrap().clone()
    };
    let default = scan(None);
    let marked = |findings: &[Value]| -> Vec<String> {
        let mut ids: Vec<String> = findings
            .iter()
            .filter(|f| f["on_attack_path"] == Value::Bool(true))
            .map(|f| f["fingerprint"].to_string())
            .collect();
        ids.sort();
        ids
    };
    assert!(
        !marked(&default).is_empty(),
        "every scan marks the findings on a path, whatever the order"
    );
    let risk = scan(Some("risk"));
    assert_eq!(
        marked(&risk),
        marked(&default),
        "the same findings are marked"
    );
    assert_eq!(risk.len(), default.len());
    let on_path = risk
        .iter()
        .take_while(|f| f["on_attack_path"] == Value::Bool(true))
        .count();
    assert!(on_path > 0);
    assert!(
        risk[on_path..]
            .iter()
            .all(|f| f.get("on_attack_path").is_none())
    );
    assert_eq!(scan(Some("report")), default);
}
