//! What a scan could judge, end to end: rules that judged nothing are listed with the reason
//! (table, JSON), az JSON alone does not judge AKS016/AKS035 until the cluster's `az`
//! diagnostic-settings / maintenance-configuration lists are scanned with it, and compliance
//! controls none of whose rules judged anything are "not assessed" and out of the score.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const AZ: &str = "crates/aksguard/tests/fixtures/az";

fn aksguard() -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", "2026-11-24");
    cmd
}

fn az(files: &[&str]) -> Vec<String> {
    files.iter().map(|f| format!("{AZ}/{f}")).collect()
}

fn json_of(args: &[String]) -> (Option<i32>, Value, String) {
    let output = aksguard().args(args).output().unwrap();
    let value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (
        output.status.code(),
        value,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn scan_json(files: &[&str], extra: &[&str]) -> (Value, String) {
    let mut args = vec!["scan".to_owned()];
    args.extend(az(files));
    args.extend(
        ["--select", "AKS016,AKS035", "--format", "json"]
            .iter()
            .chain(extra)
            .map(|s| (*s).to_owned()),
    );
    let (code, report, stderr) = json_of(&args);
    assert_ne!(code, Some(2), "{files:?}: {stderr}");
    (report, stderr)
}

fn rule_ids(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn az_show_alone_does_not_judge_diagnostic_settings_or_maintenance() {
    let (report, _) = scan_json(&["aks-show.json"], &[]);
    assert!(rule_ids(&report, "findings").is_empty());
    assert_eq!(rule_ids(&report, "not_judged"), ["AKS016", "AKS035"]);
    let reason = report["not_judged"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("never hold diagnostic settings")
            && reason.contains("az monitor diagnostic-settings list"),
        "{reason}"
    );
    assert_eq!(report["summary"]["rules"], 2);
    assert_eq!(report["summary"]["rules_not_judged"], 2);
    // The table says so too.
    let output = aksguard()
        .arg("scan")
        .args(az(&["aks-show.json"]))
        .args(["--select", "AKS016,AKS035"])
        .output()
        .unwrap();
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        table.contains("not judged: AKS016 (1 rule): `az aks show`"),
        "{table}"
    );
    assert!(table.contains("not judged: AKS035 (1 rule)"), "{table}");
}

#[test]
fn az_show_with_an_auditing_diagnostic_setting_and_a_maintenance_window_passes() {
    let (report, stderr) = scan_json(
        &["aks-show.json", "diag-kube-audit.json", "maintenance.json"],
        &[],
    );
    assert!(rule_ids(&report, "findings").is_empty(), "{report}");
    assert!(rule_ids(&report, "not_judged").is_empty(), "{report}");
    assert!(!stderr.contains("note:"), "{stderr}");
}

#[test]
fn a_diagnostic_setting_without_audit_categories_fires_at_its_line() {
    // The older `{"value": [...]}` shape of `az monitor diagnostic-settings list`.
    let (report, _) = scan_json(&["aks-show.json", "diag-no-audit.json"], &[]);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    let finding = &findings[0];
    assert_eq!(finding["rule_id"], "AKS016");
    assert_eq!(finding["object"]["kind"], "ManagedCluster");
    assert_eq!(finding["object"]["name"], "aks-shop-prod");
    assert_eq!(
        finding["location"]["path"],
        format!("{AZ}/diag-no-audit.json")
    );
    assert_eq!(finding["location"]["line"], 3);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("(aks-metrics)")
    );
    // Maintenance was not given: still not judged.
    assert_eq!(rule_ids(&report, "not_judged"), ["AKS035"]);
}

#[test]
fn a_list_for_a_cluster_outside_the_scan_is_a_note_not_a_silent_drop() {
    let (report, stderr) = scan_json(&["aks-show.json", "maintenance-other-cluster.json"], &[]);
    assert!(
        stderr.contains(&format!(
            "note: {AZ}/maintenance-other-cluster.json:2: lists maintenance configurations of cluster \
             `/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-shop-test/\
             providers/Microsoft.ContainerService/managedClusters/aks-shop-test`, which is not in \
             the scan"
        )),
        "{stderr}"
    );
    // It did not count for the scanned cluster.
    assert_eq!(rule_ids(&report, "not_judged"), ["AKS016", "AKS035"]);
}

#[test]
fn complete_makes_the_absence_conclusive_for_az_input() {
    let (report, _) = scan_json(&["aks-show.json"], &["--complete"]);
    assert_eq!(rule_ids(&report, "findings"), ["AKS016", "AKS035"]);
    assert!(rule_ids(&report, "not_judged").is_empty());
}

#[test]
fn the_shared_corpus_rest_bodies_no_longer_fire_aks016_or_aks035() {
    let corpus = workspace_root().join("../shared/corpus/aks/rest-api-examples");
    if !corpus.is_dir() {
        assert!(
            std::env::var_os("AKSGUARD_REQUIRE_SHARED").is_none(),
            "AKSGUARD_REQUIRE_SHARED is set but {} is missing",
            corpus.display()
        );
        eprintln!("skipped: {} not found", corpus.display());
        return;
    }
    let (_, report, _) = json_of(&[
        "scan".to_owned(),
        corpus.display().to_string(),
        "--select".to_owned(),
        "AKS016,AKS035".to_owned(),
        "--format".to_owned(),
        "json".to_owned(),
    ]);
    assert!(report["summary"]["objects"].as_u64().unwrap() > 0);
    assert!(rule_ids(&report, "findings").is_empty(), "{report}");
    assert_eq!(rule_ids(&report, "not_judged"), ["AKS016", "AKS035"]);
}

/// The controls of the one framework of a `--framework` JSON report.
fn controls(report: &Value) -> &Vec<Value> {
    report["frameworks"][0]["controls"].as_array().unwrap()
}

fn status_of<'a>(report: &'a Value, id: &str) -> &'a Value {
    controls(report)
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}"))
}

#[test]
fn cis_on_manifests_only_marks_cluster_controls_not_assessed_and_scores_the_rest() {
    // Manifests only: no cluster configuration, so no AKS rule judges anything.
    let (_, report, _) = json_of(&[
        "scan".to_owned(),
        "examples/store".to_owned(),
        "--framework".to_owned(),
        "cis-aks".to_owned(),
        "--format".to_owned(),
        "json".to_owned(),
    ]);
    let framework = &report["frameworks"][0];
    let all = controls(&report);
    for id in [
        "5.1.3", "5.3.1", "5.4.1", "5.4.3", "5.4.4", "5.5.1", "5.5.2",
    ] {
        let control = status_of(&report, id);
        assert_eq!(control["status"], "not-assessed", "{id}: {control}");
        assert_eq!(control["passed"], false);
        assert_eq!(control["weight"], 0.0);
        assert!(
            control["reason"]
                .as_str()
                .unwrap()
                .contains("no AKS cluster configuration in the scan"),
            "{control}"
        );
    }
    let assessed = all.iter().filter(|c| c["status"] != "not-assessed").count();
    assert_eq!(framework["assessed"].as_u64().unwrap() as usize, assessed);
    assert!(assessed > 0 && assessed < all.len());
    // The score counts assessed controls only: pass and excepted over pass, fail, excepted.
    let (mut passing, mut total) = (0.0, 0.0);
    for control in all {
        let weight = control["weight"].as_f64().unwrap();
        match control["status"].as_str().unwrap() {
            "pass" | "excepted" => {
                passing += weight;
                total += weight;
            }
            "fail" => total += weight,
            "not-assessed" => assert_eq!(weight, 0.0),
            other => panic!("unknown status {other}"),
        }
    }
    assert_eq!(
        framework["score"].as_f64().unwrap(),
        (1000.0 * passing / total).round() / 10.0
    );
    // The table's score line states the coverage.
    let output = aksguard()
        .args(["scan", "examples/store", "--framework", "cis-aks"])
        .output()
        .unwrap();
    let table = String::from_utf8(output.stdout).unwrap();
    let line = format!(
        "cis-aks score: {:.1}/100 ({assessed} of {} controls assessed: ",
        framework["score"].as_f64().unwrap(),
        all.len()
    );
    assert!(table.contains(&line), "{line}\n{table}");
    assert!(
        table.contains("  not assessed  5.3.1: Ensure Kubernetes Secrets are encrypted [AKS014]"),
        "{table}"
    );
}

#[test]
fn cis_on_the_examples_assesses_the_cluster_controls_from_the_bundled_cluster() {
    let (_, report, _) = json_of(&[
        "scan".to_owned(),
        "examples/".to_owned(),
        "--framework".to_owned(),
        "cis-aks".to_owned(),
        "--format".to_owned(),
        "json".to_owned(),
    ]);
    // examples/aks holds a cluster: its controls are judged.
    assert_ne!(status_of(&report, "5.4.1")["status"], "not-assessed");
    // No Ingress in the examples: TLS on ingress is not assessed.
    let tls = status_of(&report, "5.4.5");
    assert_eq!(tls["status"], "not-assessed");
    assert_eq!(tls["reason"], "NET008: no Ingress in the scan");
}

#[test]
fn a_control_whose_findings_are_all_excepted_is_excepted_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("aksguard.toml"),
        "[[exception]]\nrules = [\"POD001\"]\nreason = \"vendor agent needs it\"\nexpires = \"2099-12-31\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: agent, namespace: ops}\nspec:\n  containers:\n  - name: agent\n    image: contoso.azurecr.io/agent:1.0\n    securityContext: {privileged: true}\n",
    )
    .unwrap();
    let output = aksguard()
        .current_dir(dir.path())
        .args([
            "scan",
            "pod.yaml",
            "--framework",
            "pss-baseline",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let privileged = status_of(&report, "Privileged Containers");
    assert_eq!(privileged["status"], "excepted", "{privileged}");
    assert_eq!(privileged["passed"], false);
    assert_eq!(privileged["findings"], 0);
    let exception = &privileged["exceptions"][0];
    assert_eq!(exception["rule_id"], "POD001");
    assert_eq!(exception["kind"], "exception");
    assert_eq!(exception["reason"], "vendor agent needs it");
    assert_eq!(exception["expires"], "2099-12-31");
    assert_eq!(exception["findings"], 1);
    let table = aksguard()
        .current_dir(dir.path())
        .args(["scan", "pod.yaml", "--framework", "pss-baseline"])
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("  excepted      Privileged Containers:")
            && table.contains(
                "suppressed by exception \"vendor agent needs it\" until 2099-12-31 (POD001, 1 finding)"
            ),
        "{table}"
    );
}
