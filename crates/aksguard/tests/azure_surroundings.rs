//! The realistic subscription of `tests/data/subscription` (one AKS cluster with its VNet,
//! node subnet, NSG, route table, Application Gateway and WAF policy, identities and a
//! federated credential, role and policy assignments, Defender plans and contact, alert
//! rules) gives the same findings, (rule ID, object) by (rule ID, object), whether it is
//! scanned as `az … -o json` exports, as a Terraform module, or read live from Resource
//! Manager (the local fake serving the same exports in REST shape). The expected findings
//! are written out below: each is a deliberate flaw of the subscription (its README).

use std::collections::BTreeSet;
use std::path::PathBuf;

use aksguard_arm::fake::FakeArm;
use aksguard_arm::fake::exports::world_from_az_exports;
use assert_cmd::Command;
use serde_json::Value;

const TOKEN: &str = "eyJhbGciOi.SURROUNDINGS-SECRET.sig";

fn data(part: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/subscription")
        .join(part)
        .to_string_lossy()
        .into_owned()
}

/// The binary with only the credential and endpoint given here in its environment.
fn aksguard(arm: Option<&FakeArm>) -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.env("NO_COLOR", "1").env("AKSGUARD_AS_OF", "2026-12-01");
    for var in [
        "AKSGUARD_ARM_TOKEN",
        "AKSGUARD_ARM_ENDPOINT",
        "AKSGUARD_ARM_MANAGED_IDENTITY",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "MSI_ENDPOINT",
    ] {
        cmd.env_remove(var);
    }
    if let Some(arm) = arm {
        cmd.env("AKSGUARD_ARM_ENDPOINT", arm.endpoint())
            .env("AKSGUARD_ARM_TOKEN", TOKEN);
    }
    cmd
}

struct Scan {
    code: Option<i32>,
    report: Value,
    stdout: String,
    stderr: String,
}

fn scan(mut cmd: Command, args: &[&str]) -> Scan {
    let output = cmd
        .args(["scan", "--no-config", "--format", "json"])
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    Scan {
        code: output.status.code(),
        report: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// (rule ID, object kind/name), each once.
fn findings(scan: &Scan) -> BTreeSet<(String, String)> {
    scan.report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("findings[]: {}\n{}", scan.stdout, scan.stderr))
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                format!(
                    "{}/{}",
                    f["object"]["kind"].as_str().unwrap(),
                    f["object"]["name"].as_str().unwrap()
                ),
            )
        })
        .collect()
}

/// The findings of the subscription (see its README for why each is a flaw).
const EXPECTED: &[(&str, &str)] = &[];

fn expected() -> BTreeSet<(String, String)> {
    EXPECTED
        .iter()
        .map(|(rule, object)| ((*rule).to_owned(), (*object).to_owned()))
        .collect()
}

fn assert_clean(scan: &Scan, what: &str) {
    assert_eq!(scan.code, Some(1), "{what}: {}", scan.stderr);
    assert!(
        scan.report["errors"].as_array().is_none_or(Vec::is_empty),
        "{what}: {}",
        scan.report["errors"]
    );
}

#[test]
fn az_exports_and_the_terraform_module_give_the_same_findings() {
    let az = scan(aksguard(None), &["--complete", &data("az"), &data("k8s")]);
    assert_clean(&az, "az");
    let terraform = scan(
        aksguard(None),
        &["--complete", &data("terraform"), &data("k8s")],
    );
    assert_clean(&terraform, "terraform");
    assert_eq!(findings(&az), expected(), "az exports");
    assert_eq!(findings(&terraform), expected(), "Terraform module");
}

#[test]
fn the_live_read_of_the_same_subscription_gives_the_same_findings() {
    let world = world_from_az_exports(PathBuf::from(data("az")).as_path(), TOKEN).unwrap();
    let arm = FakeArm::start(world);
    // The ServiceAccount comes from a file; --complete says the files are all of the
    // cluster's objects (the live read is complete for Azure by itself).
    let live = scan(
        aksguard(Some(&arm)),
        &["--azure", "--complete", &data("k8s")],
    );
    assert_clean(&live, "live");
    assert_eq!(findings(&live), expected());
    assert!(!live.stdout.contains(TOKEN) && !live.stderr.contains(TOKEN));
    for finding in live.report["findings"].as_array().unwrap() {
        let path = finding["location"]["path"].as_str().unwrap_or_default();
        assert!(
            path.starts_with("azure:///subscriptions/") || path.ends_with(".yaml"),
            "{finding}"
        );
    }
}

#[test]
fn azure_alone_judges_absence_in_azure_and_leaves_the_clusters_kinds_unread() {
    let world = world_from_az_exports(PathBuf::from(data("az")).as_path(), TOKEN).unwrap();
    let arm = FakeArm::start(world);
    let live = scan(aksguard(Some(&arm)), &["--azure"]);
    assert_clean(&live, "live");
    assert!(
        live.stderr
            .contains("--azure reads Azure, not the cluster's objects"),
        "{}",
        live.stderr
    );
    // Every Azure finding of the subscription is there without the cluster's objects.
    let found = findings(&live);
    let azure_only: BTreeSet<(String, String)> = expected()
        .into_iter()
        .filter(|(_, object)| !object.starts_with("ServiceAccount/"))
        .collect();
    assert!(found.is_subset(&expected()), "{found:?}");
    assert!(azure_only.is_subset(&found), "{found:?}");
}
