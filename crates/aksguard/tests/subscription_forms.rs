//! The realistic subscription of `tests/data/subscription` in its two forms gives the same
//! findings on the cluster's Azure surroundings: `az … -o json` exports (`az/`) and the
//! Terraform configuration that deploys the same resources (`terraform/`, with its network in
//! a local module), where every ID that exists only after apply is named by reference
//! (`azurerm_user_assigned_identity.payments.principal_id`, `module.network.node_subnet_id`,
//! `data.azurerm_subscription.current.id`). Both are scanned with the cluster's
//! ServiceAccounts (`cluster/`), as a complete scan.
//!
//! Compared: the rules of RULES.md "Azure surroundings of the cluster" that both forms can
//! express (not AKS045: node image versions exist only once nodes run, so only `az` has them).

use std::path::PathBuf;

use aksguard_config::{CliOverrides, ConfigSource, parse_date};
use aksguard_load::{LoadOptions, load_inputs};
use aksguard_scan::{ScanSettings, SettingsRequest, scan_objects};

/// The rules compared.
const RULES: &[&str] = &[
    "AKS025", "AKS040", "AKS043", "AKS044", "AKS046", "AKS047", "AKS048", "IDN005", "NET014",
    "NET015", "NET016",
];

fn data(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/subscription")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

/// (rule, severity, object) of each finding of [`RULES`], sorted.
fn findings(inputs: &[String]) -> Vec<(String, String, String)> {
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    let loaded = load_inputs(inputs, &options, &mut std::io::empty());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let settings = ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: CliOverrides {
            complete: true,
            ..CliOverrides::default()
        },
        as_of: Some(parse_date("2026-12-01").unwrap()),
        baseline: None,
        write_baseline: None,
    })
    .unwrap();
    let rules = settings.effective.rules.clone();
    let (_, outcome) = scan_objects(loaded.objects, loaded.azure, &rules, &settings, "files");
    let mut keys: Vec<(String, String, String)> = outcome
        .findings
        .iter()
        .filter(|f| RULES.contains(&f.rule_id))
        .map(|f| {
            (
                f.rule_id.to_string(),
                f.severity.to_string(),
                format!("{} {}", f.object.kind, f.object.name),
            )
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn az_exports_and_terraform_give_the_same_surroundings_findings() {
    let accounts = data("cluster/service-accounts.yaml");
    let az = findings(&[data("az"), accounts.clone()]);
    // The root module alone: it follows `./network` (loading that directory too would read
    // the module's resources a second time, as a root of their own).
    let terraform = findings(&[data("terraform/main.tf"), accounts]);
    for line in &az {
        eprintln!("az        {line:?}");
    }
    for line in &terraform {
        eprintln!("terraform {line:?}");
    }
    // What the subscription holds: an Owner and a cluster admin outside the admin list and
    // the payments identity's Contributor (AKS043), that identity used by a workload
    // (IDN005), pod security only audited (AKS044), the sensor extension off (AKS040), SSH
    // open to the internet on the node subnet (NET014), a WAF policy that only detects
    // (NET015), and a system-assigned identity with the cluster's own VNet (AKS047).
    let rules: std::collections::BTreeSet<&str> = az.iter().map(|(r, _, _)| r.as_str()).collect();
    for rule in [
        "AKS040", "AKS043", "AKS044", "AKS047", "IDN005", "NET014", "NET015",
    ] {
        assert!(
            rules.contains(rule),
            "{rule} does not fire on the az exports: {az:?}"
        );
    }
    assert_eq!(az, terraform);
}
