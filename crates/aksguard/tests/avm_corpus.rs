//! The corpus's callers of the Azure Verified Module for managed clusters give findings at
//! their own lines (the module's source is never read). Findings checked by hand are pinned
//! here with the reason; the rest must fall inside the module call.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// `(rule, line)` of every finding on `file`, scanned alone.
fn findings(file: &Path) -> Vec<(String, u64)> {
    let output = Command::cargo_bin("aksguard")
        .expect("binary is built")
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", "2026-12-01")
        .args(["scan", "--no-config", "--format", "json"])
        .arg(file)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "{}: no JSON report\n{}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    report["findings"]
        .as_array()
        .expect("findings[]")
        .iter()
        .map(|f| {
            let location = &f["location"];
            assert_eq!(
                Path::new(location["path"].as_str().unwrap()),
                file,
                "a finding of {} is not on the caller's file",
                file.display()
            );
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                location["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Checks one caller: findings exist, all within `call` (first and last line of the
/// module call), and the hand-checked ones are there.
fn check(relative: &str, call: (u64, u64), pinned: &[(&str, u64, &str)]) {
    let Some(file) = aksguard_testkit::shared_path(relative) else {
        return;
    };
    let found = findings(&file);
    assert!(!found.is_empty(), "{relative}: no finding");
    for (rule, line) in &found {
        assert!(
            (call.0..=call.1).contains(line),
            "{relative}: {rule} at line {line}, outside the module call {call:?}"
        );
    }
    for (rule, line, why) in pinned {
        assert!(
            found.iter().any(|(r, l)| r == rule && l == line),
            "{relative}: expected {rule} at line {line} ({why}); found {found:?}"
        );
    }
}

#[test]
fn aks_store_demo_terraform_call() {
    check(
        "corpus/aks/aks-store-demo/infra/terraform/kubernetes.tf",
        (12, 92),
        &[
            (
                "AKS018",
                19,
                "`node_os_channel_upgrade` is not an attribute of auto_upgrade_profile: \
                 Terraform drops it and the type's default upgrade_channel = \"none\" applies",
            ),
            (
                "AKS010",
                12,
                "no addon_profile_azure_policy: the module's default is { enabled = false }",
            ),
            (
                "AKS023",
                45,
                "default_agent_pool sets no enable_encryption_at_host",
            ),
        ],
    );
}

#[test]
fn aks_store_demo_bicep_call() {
    check(
        "corpus/aks/aks-store-demo/infra/bicep/kubernetes.bicep",
        (15, 92),
        &[
            (
                "AKS031",
                15,
                "no disableRunCommand: the module's default is false, at the call",
            ),
            (
                "AKS023",
                20,
                "the pool sets no enableEncryptionAtHost: the module's pool default is false",
            ),
            (
                "AKS015",
                39,
                "configureMonitorSettings defaults to false, so the workspace is null and the \
                 module turns the OMS agent off; no container insights either",
            ),
        ],
    );
}

#[test]
fn landing_zone_private_cluster_bicep_call() {
    check(
        "corpus/aks/AKS-Landing-Zone-Accelerator/AKS-Secure-Baseline-PrivateCluster/Bicep/06-AKS-cluster/main.bicep",
        (89, 167),
        &[
            (
                "AKS013",
                89,
                "the Key Vault provider is on and enableSecretRotation is not given: the \
                 module's default is false",
            ),
            (
                "AKS019",
                89,
                "0.9.0's autoNodeOsUpgradeProfileUpgradeChannel defaults to Unmanaged",
            ),
            ("AKS038", 103, "the system pool's minCount: 1"),
        ],
    );
}

#[test]
fn landing_zone_cosmos_bicep_call() {
    check(
        "corpus/aks/AKS-Landing-Zone-Accelerator/CosmosDB-nosql-Resiliency/Bicep/03-AKSCluster-Region1/main.bicep",
        (8, 45),
        &[
            (
                "AKS003",
                8,
                "0.1.x leaves local accounts enabled by default (true only from 0.4.1)",
            ),
            (
                "AKS005",
                8,
                "publicNetworkAccess Enabled, not private, no authorizedIPRanges",
            ),
            (
                "AKS023",
                23,
                "0.1.x passes primaryAgentPoolProfile through: no encryption at host",
            ),
        ],
    );
}
