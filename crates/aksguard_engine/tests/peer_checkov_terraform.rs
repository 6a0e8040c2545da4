//! Agreement with checkov's AKS checks on its own Terraform fixtures
//! (`../shared/corpus/peers/checkov/terraform/<Check>/main.tf`, verdicts in `expected.json`).
//!
//! [`MAPPINGS`] pairs each checkov Terraform check that means the same as one of our rules
//! with that rule. Verdicts are per resource: `expected.json` lists `passing_resources` /
//! `failing_resources` for some checks; for the others the fixtures follow checkov's naming
//! convention (`pass*`, `fail*`, `ckv_unittest_pass*`, `ckv_unittest_fail*`), which is used
//! instead. Our findings are matched to resources by line: a finding belongs to the resource
//! block (cluster or node pool) whose lines contain it. Every difference must be listed, with
//! its reason, in [`DISAGREEMENTS`]; an entry that no longer disagrees fails too. A mapped rule
//! that is not registered yet prints "pending". Run with `--nocapture` for the per-resource
//! verdicts and the agreement rate.
//!
//! The corpus is not part of the repository. When it is absent the test prints why and passes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aksguard_engine::evaluate;
use aksguard_load::{Limits, load_text_all};
use aksguard_model::{Inventory, Severity};
use aksguard_rules::{RuleSettings, find_rule};
use serde_json::Value;

/// checkov Terraform check (its fixture folder) → our rule with the same meaning.
const MAPPINGS: &[(&str, &str)] = &[
    ("AKSApiServerAuthorizedIpRanges", "AKS005"),
    ("AKSDashboardDisabled", "AKS030"),
    ("AKSEncryptionAtHostEnabled", "AKS023"),
    ("AKSEphemeralOSDisks", "AKS041"),
    ("AKSIsPaidSku", "AKS036"),
    ("AKSLocalAdminDisabled", "AKS003"),
    ("AKSNodePublicIpDisabled", "AKS020"),
    ("AKSOnlyCriticalPodsOnSystemNodes", "AKS038"),
    ("AKSSecretStoreRotation", "AKS013"),
    ("AKSUpgradeChannel", "AKS018"),
    ("KubernetesClusterHTTPApplicationRouting", "AKS029"),
];

/// checkov Terraform checks with no rule of ours, and why.
const UNMAPPED: &[(&str, &str)] = &[
    (
        "AKSMaxPodsMinimum",
        "CKV_AZURE_168 wants max_pods >= 50 per node pool: a capacity/IP-planning choice, not a \
         security control in the AKS security guidance RULES.md follows; no AKS rule has it",
    ),
    (
        "AKSPoolTypeIsScaleSet",
        "CKV_AZURE_169 wants VirtualMachineScaleSets pools: AvailabilitySet pools are retired \
         and cannot be created on current API versions, so it is no longer a configuration \
         choice; no AKS rule has it",
    ),
];

/// (checkov check, resource address, why we differ from checkov's verdict).
const DISAGREEMENTS: &[(&str, &str, &str)] = &[
    (
        "AKSEncryptionAtHostEnabled",
        "azurerm_kubernetes_cluster_node_pool.fail_new",
        "the pool's `kubernetes_cluster_id` is `azurerm_kubernetes_cluster.example.id` and no \
         cluster `example` is declared: the pool joins no cluster, and findings are reported \
         on clusters (checkov judges the pool resource alone)",
    ),
    (
        "AKSEncryptionAtHostEnabled",
        "azurerm_kubernetes_cluster_node_pool.fail1",
        "the pool's `kubernetes_cluster_id` is `azurerm_kubernetes_cluster.example.id` and no \
         cluster `example` is declared: the pool joins no cluster, and findings are reported \
         on clusters (checkov judges the pool resource alone)",
    ),
    (
        "AKSEncryptionAtHostEnabled",
        "azurerm_kubernetes_cluster_node_pool.fail2",
        "the pool's `kubernetes_cluster_id` is `azurerm_kubernetes_cluster.example.id` and no \
         cluster `example` is declared: the pool joins no cluster, and findings are reported \
         on clusters (checkov judges the pool resource alone)",
    ),
    (
        "AKSOnlyCriticalPodsOnSystemNodes",
        "azurerm_kubernetes_cluster.pass",
        "the CriticalAddonsOnly taint is set, but `node_count` is not (azurerm creates one \
         node): AKS038 also requires at least 3 system nodes, which CKV_AZURE_232 does not check",
    ),
    (
        "AKSOnlyCriticalPodsOnSystemNodes",
        "azurerm_kubernetes_cluster.fail3",
        "no `default_node_pool` block (required by azurerm, so the configuration is invalid): \
         there is no system pool to judge; checkov fails on absence",
    ),
    (
        "AKSOnlyCriticalPodsOnSystemNodes",
        "azurerm_kubernetes_cluster.fail4",
        "`only_critical_addons_enabled` written on the cluster, where azurerm has no such \
         attribute, and no `default_node_pool` block: there is no system pool to judge",
    ),
    (
        "AKSSecretStoreRotation",
        "azurerm_kubernetes_cluster.fail",
        "no `key_vault_secrets_provider` block: the Key Vault CSI add-on is off, so there is \
         nothing to rotate; AKS012 reports the missing add-on, AKS013 only an add-on without \
         rotation",
    ),
];

fn corpus_dir() -> Option<PathBuf> {
    aksguard_testkit::shared_path("corpus/peers/checkov/terraform/expected.json")
        .and_then(|expected| expected.parent().map(Path::to_path_buf))
}

/// A top-level `resource "<type>" "<name>" {` block: its address and line range.
struct Block {
    address: String,
    first: u32,
    last: u32,
}

fn resource_blocks(text: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("resource \"") else {
            continue;
        };
        let parts: Vec<&str> = rest.split('"').collect();
        if parts.len() < 3 {
            continue;
        }
        if let Some(previous) = blocks.last_mut() {
            previous.last = i as u32;
        }
        blocks.push(Block {
            address: format!("{}.{}", parts[0], parts[2]),
            first: i as u32 + 1,
            last: lines.len() as u32,
        });
    }
    blocks
}

/// checkov's verdict on one resource: from `expected.json`, else from its name.
fn verdict(check: &Value, address: &str) -> Option<bool> {
    let listed = |key: &str| {
        check
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let (failing, passing) = (listed("failing_resources"), listed("passing_resources"));
    if !failing.is_empty() || !passing.is_empty() {
        return if failing.contains(&address) {
            Some(true)
        } else if passing.contains(&address) {
            Some(false)
        } else {
            None
        };
    }
    let name = address.rsplit('.').next()?;
    let name = name.strip_prefix("ckv_unittest_").unwrap_or(name);
    if name.starts_with("fail") {
        Some(true)
    } else if name.starts_with("pass") {
        Some(false)
    } else {
        None
    }
}

#[test]
fn checkov_terraform_verdicts_agree() {
    let Some(dir) = corpus_dir() else {
        return;
    };
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json is readable"),
    )
    .expect("expected.json is JSON");
    let checks = expected.as_object().expect("expected.json maps checks");
    for check in checks.keys() {
        assert!(
            MAPPINGS.iter().any(|(c, _)| c == check) || UNMAPPED.iter().any(|(c, _)| c == check),
            "checkov Terraform check {check} is neither mapped nor listed as unmapped"
        );
    }
    for (check, why) in UNMAPPED {
        eprintln!("unmapped {check}: {why}");
    }
    let settings = RuleSettings::default();
    let (mut agreed, mut compared) = (0usize, 0usize);
    let mut per_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut listed_used = vec![false; DISAGREEMENTS.len()];
    for (check, rule_id) in MAPPINGS {
        let Some(rule) = find_rule(rule_id) else {
            eprintln!("pending {check} → {rule_id}: rule not registered yet");
            continue;
        };
        let path = dir.join(check).join("main.tf");
        let text = std::fs::read_to_string(&path).expect("fixture is readable");
        let loaded = load_text_all(&path.display().to_string(), &text, &Limits::default());
        assert!(
            loaded.errors.is_empty(),
            "{} does not load: {:?}",
            path.display(),
            loaded.errors
        );
        let inventory = Inventory::new(loaded.objects).with_azure(loaded.azure);
        let findings = evaluate(&inventory, &[rule], &settings, Severity::Info);
        let blocks = resource_blocks(&text);
        for block in &blocks {
            let Some(peer_fails) = verdict(&checks[*check], &block.address) else {
                continue;
            };
            let ours: Vec<String> = findings
                .iter()
                .filter(|f| f.rule_id == *rule_id)
                .filter(|f| (block.first..=block.last).contains(&f.location.line))
                .map(|f| format!("{}:{} {}", f.location.line, f.location.column, f.message))
                .collect();
            let fires = !ours.is_empty();
            let agrees = peer_fails == fires;
            compared += 1;
            let entry = per_rule.entry(rule_id).or_default();
            entry.1 += 1;
            if agrees {
                agreed += 1;
                entry.0 += 1;
            }
            let listed = DISAGREEMENTS
                .iter()
                .position(|(c, a, _)| c == check && *a == block.address);
            if let Some(i) = listed {
                listed_used[i] = true;
            }
            let peer = if peer_fails { "FAILED" } else { "PASSED" };
            let mark = if agrees { "agree   " } else { "DISAGREE" };
            let ours_verdict = if fires { "fires" } else { "silent" };
            eprintln!(
                "{mark} {check}/{}: checkov {peer}, {rule_id} {ours_verdict}",
                block.address
            );
            for line in &ours {
                eprintln!("           {line}");
            }
            if let Some(i) = listed {
                eprintln!("           listed: {}", DISAGREEMENTS[i].2);
            }
            match (agrees, listed) {
                (false, None) => problems.push(format!(
                    "{check}/{}: checkov says {peer}, {rule_id} {ours_verdict} — fix the rule or \
                     list it in DISAGREEMENTS with the reason",
                    block.address
                )),
                (true, Some(_)) => problems.push(format!(
                    "{check}/{} is listed in DISAGREEMENTS but now agrees: remove it",
                    block.address
                )),
                _ => {}
            }
        }
    }
    for (i, (check, address, _)) in DISAGREEMENTS.iter().enumerate() {
        let pending = MAPPINGS
            .iter()
            .any(|(c, r)| c == check && find_rule(r).is_none());
        if !listed_used[i] && !pending {
            problems.push(format!(
                "DISAGREEMENTS entry {check}/{address} matches no resource"
            ));
        }
    }
    for (rule, (ok, all)) in &per_rule {
        eprintln!("{rule}: {ok}/{all} agree");
    }
    if compared > 0 {
        eprintln!(
            "checkov Terraform agreement: {agreed}/{compared} resources ({:.0}%), {} listed \
             disagreements",
            100.0 * agreed as f64 / compared as f64,
            compared - agreed
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
