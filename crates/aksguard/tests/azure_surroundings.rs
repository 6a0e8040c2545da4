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

mod arm_cli;
use arm_cli::{Scan, scan};

const TOKEN: &str = "eyJhbGciOi.SURROUNDINGS-SECRET.sig";

fn data(part: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/subscription")
        .join(part)
        .to_string_lossy()
        .into_owned()
}

fn aksguard(arm: Option<&FakeArm>) -> Command {
    arm_cli::aksguard(arm, TOKEN)
}

/// (rule ID, object kind/name), sorted, once per finding (a rule may find several things
/// on one object: AKS043 one per privileged assignment, pool rules one per pool).
fn findings(scan: &Scan) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = scan.report["findings"]
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
        .collect();
    found.sort();
    found
}

const CLUSTER: &str = "ManagedCluster/aks-prod";

/// The findings of the subscription as of 2026-12-01. The surroundings' (see its README):
/// AKS043 three times (the subscription Owner, the cluster-admin group, the workload
/// identity's Contributor on the cluster's resource group; critical: local accounts are
/// on), AKS044 (the pod security baseline only audited), AKS040 (`ContainerSensor` off),
/// NET014 (SSH from the Internet on the node subnet's NSG), NET015 (the WAF policy in
/// Detection mode), IDN005 (the workload identity's Contributor), AKS047 (own subnet with a
/// system-assigned control-plane identity). Passing: AKS025 (egress to a virtual
/// appliance), AKS042 (AcrPull only), AKS045 (fresh node images), AKS048 (a log alert on
/// the workspace and a security contact). The rest are the cluster's own settings.
const EXPECTED: &[(&str, &str)] = &[
    ("ACR004", "ContainerRegistry/acrprod"),
    ("AKS003", CLUSTER),
    ("AKS012", CLUSTER),
    ("AKS014", CLUSTER),
    ("AKS016", CLUSTER),
    ("AKS017", CLUSTER),
    ("AKS021", CLUSTER),
    ("AKS021", CLUSTER),
    ("AKS023", CLUSTER),
    ("AKS023", CLUSTER),
    ("AKS024", CLUSTER),
    ("AKS024", CLUSTER),
    ("AKS027", CLUSTER),
    ("AKS031", CLUSTER),
    ("AKS032", CLUSTER),
    ("AKS035", CLUSTER),
    ("AKS037", CLUSTER),
    ("AKS037", CLUSTER),
    ("AKS038", CLUSTER),
    ("AKS039", CLUSTER),
    ("AKS040", CLUSTER),
    ("AKS041", CLUSTER),
    ("AKS043", CLUSTER),
    ("AKS043", CLUSTER),
    ("AKS043", CLUSTER),
    ("AKS044", CLUSTER),
    ("AKS047", CLUSTER),
    ("IDN005", "ManagedIdentity/id-payments"),
    ("NET014", CLUSTER),
    ("NET015", CLUSTER),
];

fn expected() -> Vec<(String, String)> {
    let mut expected: Vec<(String, String)> = EXPECTED
        .iter()
        .map(|(rule, object)| ((*rule).to_owned(), (*object).to_owned()))
        .collect();
    expected.sort();
    expected
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
fn azure_alone_judges_azure_and_leaves_the_clusters_kinds_unread() {
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
    // Every finding of the subscription is there without the cluster's objects, but
    // IDN005: which identity a workload uses comes from its ServiceAccount, not read here.
    let found: BTreeSet<(String, String)> = findings(&live).into_iter().collect();
    let expected: BTreeSet<(String, String)> = expected()
        .into_iter()
        .filter(|(rule, _)| rule != "IDN005")
        .collect();
    assert_eq!(
        (
            found.difference(&expected).collect::<Vec<_>>(),
            expected.difference(&found).collect::<Vec<_>>()
        ),
        (Vec::new(), Vec::new())
    );
}
