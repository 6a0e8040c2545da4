//! The same resources judged live and from files give the same findings (rule, cluster),
//! except where files cannot be conclusive: a file scan does not know a cluster has no
//! diagnostic setting or maintenance configuration (the `az` lists are separate files, and
//! their absence proves nothing), so AKS016 and AKS035 (and AKS048: no alert rule or
//! security contact) stay undecided there for the
//! clusters without any, while Resource Manager, which returns everything that exists,
//! decides them. With `--complete` (the user's word that the files hold everything) the two
//! scans agree exactly.

use std::collections::BTreeSet;
use std::time::Duration;

use aksguard_arm::fake::FakeArm;
use aksguard_arm::fake::examples::{self, GROUP_A, MAIN_CLUSTER};
use aksguard_arm::{AzureRequest, Choice, Credential, read_azure};
use aksguard_config::{CliOverrides, ConfigSource, parse_date};
use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::Finding;
use aksguard_model::azure::AzureResources;
use aksguard_scan::{ScanSettings, SettingsRequest, scan_objects};

const TOKEN: &str = "equivalence-token";

fn settings(complete: bool) -> ScanSettings {
    ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: CliOverrides {
            complete,
            ..CliOverrides::default()
        },
        as_of: Some(parse_date("2026-12-01").unwrap()),
        baseline: None,
        write_baseline: None,
    })
    .unwrap()
}

fn judge(azure: AzureResources, complete: bool) -> Vec<Finding> {
    let settings = settings(complete);
    let rules = settings.effective.rules.clone();
    let (_, outcome) = scan_objects(Vec::new(), azure, &rules, &settings, "azure");
    outcome.findings
}

type Key = (String, String, String);

fn keys(findings: &[Finding]) -> Vec<Key> {
    let mut keys: Vec<Key> = findings
        .iter()
        .map(|f| {
            (
                f.rule_id.to_owned(),
                f.object.kind.to_string(),
                f.object.name.to_string(),
            )
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn live_and_file_scans_of_the_same_resources_agree_except_where_files_cannot_conclude() {
    let Some(dir) = aksguard_testkit::shared_path("corpus/aks/rest-api-examples") else {
        return;
    };
    let examples = examples::examples(&dir, TOKEN).unwrap();
    let files = tempfile::tempdir().unwrap();
    for (name, text) in &examples.files {
        std::fs::write(files.path().join(name), text).unwrap();
    }
    let arm = FakeArm::start(examples.world.clone());
    let request = AzureRequest {
        endpoint: Some(arm.endpoint()),
        timeout: Duration::from_secs(60),
        ..AzureRequest::default()
    };
    let credential = Credential::from_choice(Choice::Token(TOKEN.into())).unwrap();
    let listing = read_azure(&request, &credential, &|_| {}).unwrap();
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    // A live read is complete for what it read (`scan --azure` sets --complete).
    let live = judge(listing.azure, true);

    let loaded = load_inputs(
        &[files.path().to_string_lossy().into_owned()],
        &LoadOptions::default(),
        &mut std::io::empty(),
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.azure.clusters.len(), examples.clusters.len());
    let from_files = judge(loaded.azure.clone(), false);
    let from_complete_files = judge(loaded.azure, true);

    let live_keys = keys(&live);
    assert!(!live_keys.is_empty());
    assert_eq!(
        live_keys,
        keys(&from_complete_files),
        "with --complete the files are the whole subscription, as Resource Manager is"
    );
    let live_set: BTreeSet<Key> = live_keys.iter().cloned().collect();
    let file_set: BTreeSet<Key> = keys(&from_files).into_iter().collect();
    assert!(
        file_set.is_subset(&live_set),
        "{:?}",
        file_set.difference(&live_set).collect::<Vec<_>>()
    );
    let expected_extra: BTreeSet<Key> = examples
        .without_diagnostics
        .iter()
        .map(|c| ("AKS016".to_owned(), "ManagedCluster".to_owned(), c.clone()))
        .chain(
            examples
                .without_maintenance
                .iter()
                .map(|c| ("AKS035".to_owned(), "ManagedCluster".to_owned(), c.clone())),
        )
        // No alert rule and no security contact in the subscription: AKS048 everywhere.
        .chain(
            examples
                .clusters
                .iter()
                .map(|c| ("AKS048".to_owned(), "ManagedCluster".to_owned(), c.clone())),
        )
        .collect();
    let extra: BTreeSet<Key> = live_set.difference(&file_set).cloned().collect();
    assert_eq!(extra, expected_extra);
    assert_eq!(
        (expected_extra.len(), examples.without_diagnostics.len()),
        (42, 13)
    );

    // Live findings point at the resources in Azure, and their fixes at the real names.
    for finding in &live {
        assert!(
            finding.location.path.starts_with("azure:///subscriptions/"),
            "{:?}",
            finding.location
        );
    }
    // The `az` commands are in each finding's fix, with the cluster's real group and name.
    let main_fixes: Vec<(&Finding, &str)> = live
        .iter()
        .filter(|f| f.object.name == MAIN_CLUSTER)
        .flat_map(|f| {
            f.fix
                .iter()
                .flat_map(|fix| fix.commands.iter())
                .filter(|c| c.contains("az aks "))
                .map(move |c| (f, c.as_str()))
        })
        .collect();
    assert!(!main_fixes.is_empty());
    for (finding, command) in main_fixes {
        assert!(
            command.contains(&format!("--resource-group {GROUP_A} --name {MAIN_CLUSTER}"))
                || command.contains(&format!(
                    "--resource-group {GROUP_A} --cluster-name {MAIN_CLUSTER}"
                )),
            "{}: {command}",
            finding.rule_id
        );
    }
    // The rules that need the registries and the kubelet identity's assignments fired.
    let rules: BTreeSet<&str> = live.iter().map(|f| f.rule_id).collect();
    assert!(
        rules.contains("AKS042"),
        "kubelet identity holds AcrPush: {rules:?}"
    );
    assert!(
        rules.contains("AKS040"),
        "Defender for Containers on Free: {rules:?}"
    );
}
