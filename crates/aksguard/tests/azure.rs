//! `aksguard scan --azure` against the local Resource Manager of `aksguard_arm::fake`
//! (plain HTTP on 127.0.0.1 through `AKSGUARD_ARM_ENDPOINT`, a token through
//! `AKSGUARD_ARM_TOKEN`), serving the corpus's REST bodies: the same findings as scanning
//! those bodies as files (except where files cannot be conclusive), one scan with files,
//! faults as exit code 2 with not-conclusive notes, and no token anywhere in the output.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use aksguard_arm::fake::examples::{self, Examples, GROUP_A, MAIN_CLUSTER};
use aksguard_arm::fake::{FakeArm, Fault, FaultRule};
use assert_cmd::Command;
use serde_json::Value;

mod arm_cli;
use arm_cli::scan;

const TOKEN: &str = "eyJhbGciOi.CLI-SECRET-TOKEN.sig";

fn corpus() -> Option<Examples> {
    let dir = aksguard_testkit::shared_path("corpus/aks/rest-api-examples")?;
    Some(examples::examples(&dir, TOKEN).expect("the corpus's REST bodies"))
}

fn aksguard(arm: Option<&FakeArm>) -> Command {
    arm_cli::aksguard(arm, TOKEN)
}

type Key = (String, String, String);

fn keys(report: &Value) -> Vec<Key> {
    let mut keys: Vec<Key> = report["findings"]
        .as_array()
        .expect("findings[]")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["object"]["kind"].as_str().unwrap().to_owned(),
                f["object"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    keys.sort();
    keys
}

fn write_files(examples: &Examples) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in &examples.files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn path_of(dir: &Path) -> String {
    PathBuf::from(dir).to_string_lossy().into_owned()
}

#[test]
fn scan_azure_finds_what_scanning_the_same_bodies_as_files_finds() {
    let Some(examples) = corpus() else { return };
    let files = write_files(&examples);
    let arm = FakeArm::start(examples.world.clone());
    let live = scan(aksguard(Some(&arm)), &["--azure"]);
    assert_eq!(live.code, Some(1), "{}", live.stderr);
    assert!(
        live.report["errors"].as_array().is_none_or(Vec::is_empty),
        "{}",
        live.report["errors"]
    );
    let from_files = scan(aksguard(None), &[&path_of(files.path())]);
    let complete_files = scan(aksguard(None), &[&path_of(files.path()), "--complete"]);
    assert_eq!(from_files.code, Some(1), "{}", from_files.stderr);

    // Equal to the files taken as the whole subscription (NET016 judges neither: Azure
    // resources alone, even with `--complete`, hold no Kubernetes object of the mesh). The
    // plain file scan lacks only what files cannot prove absent.
    let live_set: BTreeSet<Key> = keys(&live.report).into_iter().collect();
    let complete_set: BTreeSet<Key> = keys(&complete_files.report).into_iter().collect();
    assert_eq!(live_set, complete_set);
    let file_set: BTreeSet<Key> = keys(&from_files.report).into_iter().collect();
    let differing: BTreeSet<&str> = live_set
        .difference(&file_set)
        .map(|k| k.0.as_str())
        .collect();
    assert!(file_set.is_subset(&live_set));
    // No diagnostic setting, maintenance configuration, alert rule or security contact: only
    // Resource Manager's answer proves it.
    assert_eq!(differing, BTreeSet::from(["AKS016", "AKS035", "AKS048"]));

    // Findings name the resources in Azure, and the fixes their real group and name.
    let findings = live.report["findings"].as_array().unwrap();
    for finding in findings {
        let path = finding["location"]["path"].as_str().unwrap();
        assert!(path.starts_with("azure:///subscriptions/"), "{path}");
    }
    let fix = format!("--resource-group {GROUP_A} --name {MAIN_CLUSTER}");
    assert!(
        findings.iter().any(|f| f["object"]["name"] == MAIN_CLUSTER
            && f["fix"]["commands"]
                .as_array()
                .is_some_and(|commands| commands
                    .iter()
                    .any(|c| c.as_str().unwrap().contains(&fix)))),
        "no `az aks` fix names {GROUP_A}/{MAIN_CLUSTER}"
    );
    assert!(
        live.stderr
            .contains("Azure: signed with a bearer token from AKSGUARD_ARM_TOKEN"),
        "{}",
        live.stderr
    );
    for text in [&live.stdout, &live.stderr] {
        assert!(!text.contains("CLI-SECRET-TOKEN"), "a token in the output");
    }
}

#[test]
fn files_and_azure_are_one_scan() {
    let Some(examples) = corpus() else { return };
    let arm = FakeArm::start(examples.world);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: app\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    securityContext:\n      privileged: true\n",
    )
    .unwrap();
    let both = scan(aksguard(Some(&arm)), &[&path_of(dir.path()), "--azure"]);
    assert_eq!(both.code, Some(1), "{}", both.stderr);
    let kinds: BTreeSet<String> = keys(&both.report).into_iter().map(|k| k.1).collect();
    assert!(
        kinds.contains("Pod") && kinds.contains("ManagedCluster"),
        "{kinds:?}"
    );
}

#[test]
fn a_forbidden_resource_type_exits_2_with_the_rules_it_leaves_not_conclusive() {
    let Some(mut examples) = corpus() else { return };
    examples.world.faults = vec![FaultRule {
        path_contains: "/providers/Microsoft.Insights/diagnosticSettings".into(),
        fault: Fault::Forbidden,
    }];
    let arm = FakeArm::start(examples.world);
    let live = scan(aksguard(Some(&arm)), &["--azure"]);
    assert_eq!(live.code, Some(2), "{}", live.stderr);
    let errors = live.report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 15, "one per cluster");
    assert!(
        errors[0]
            .to_string()
            .contains("Microsoft.Insights/diagnosticSettings/read")
    );
    assert!(
        live.stderr.contains("DiagnosticSetting not read"),
        "{}",
        live.stderr
    );
    // AKS016 could judge no cluster (each says so: undecided), the rest were judged.
    let rules: BTreeSet<String> = keys(&live.report).into_iter().map(|k| k.0).collect();
    assert!(
        !rules.contains("AKS016") && rules.contains("AKS035"),
        "{rules:?}"
    );
    let not_judged = live.report["not_judged"]
        .as_array()
        .expect("not_judged[]")
        .iter()
        .find(|c| c["rule_id"] == "AKS016")
        .expect("AKS016 is not judged");
    assert!(
        not_judged["reason"]
            .as_str()
            .unwrap()
            .contains("diagnostic settings"),
        "{not_judged}"
    );
}

#[test]
fn no_credential_or_a_refused_one_is_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    let mut cmd = aksguard(None);
    cmd.env("PATH", empty.path());
    let none = scan(cmd, &["--azure"]);
    assert_eq!(none.code, Some(2));
    assert!(
        none.stdout.contains("no Azure credential") || none.stderr.contains("no Azure credential")
    );
    let Some(examples) = corpus() else { return };
    let arm = FakeArm::start(examples.world);
    let mut cmd = aksguard(Some(&arm));
    cmd.env("AKSGUARD_ARM_TOKEN", "expired.OLD-SECRET.x");
    let refused = scan(cmd, &["--azure"]);
    assert_eq!(refused.code, Some(2));
    let errors = refused.report["errors"].to_string();
    assert!(errors.contains("401 Unauthorized"), "{errors}");
    assert!(!refused.stdout.contains("OLD-SECRET") && !refused.stderr.contains("OLD-SECRET"));
}
