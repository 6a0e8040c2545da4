//! Hand-built scenarios (tests/fixtures/): the vulnerable store with its expected paths and
//! cuts as snapshots, and the cases that must produce no path. Each runs the one scan
//! pipeline (all rules, no configuration) over the fixture, as `aksguard paths` does.

mod common;

use aksguard_paths::{analyze, mark_findings, sort_by_risk};
use common::{describe, fixture, scan};

#[test]
fn vulnerable_store_paths_and_cuts() {
    let (inventory, findings) = scan(&[fixture("store")]);
    let analysis = analyze(&inventory, &findings);
    insta::assert_snapshot!(describe(&analysis));
}

#[test]
fn vulnerable_store_json() {
    let (inventory, findings) = scan(&[fixture("store")]);
    let analysis = analyze(&inventory, &findings);
    insta::assert_json_snapshot!(serde_json::to_value(&analysis).unwrap());
}

/// The chain from the issue: internet → public Service → privileged Deployment → node →
/// kubelet identity → registry push.
#[test]
fn store_reaches_the_registry_through_the_privileged_frontend() {
    let (inventory, findings) = scan(&[fixture("store")]);
    let analysis = analyze(&inventory, &findings);
    let chain = "internet → Service/shop/frontend-external (NET006, NET010) → \
                 Deployment/shop/frontend (NET004) → Node/aks-store (POD001) → \
                 KubeletIdentity/aks-store → Registry/contoso (AKS042)";
    let found = analysis.paths.iter().find(|p| p.chain() == chain);
    let path = found.unwrap_or_else(|| panic!("no path {chain}: {}", describe(&analysis)));
    assert_eq!(path.target, "registry push");
    assert_eq!(path.risk, 9.0);
    // Replacing AcrPush with AcrPull is among the cheapest cuts (cost 1, beside the safe
    // removal of `privileged: true`).
    assert_eq!(path.cuts[0].cost, 1);
    assert!(
        path.cuts
            .iter()
            .any(|cut| cut.cost == 1 && cut.fix.contains("AcrPull")),
        "{:?}",
        path.cuts
    );
}

#[test]
fn findings_on_paths_are_marked_and_sorted_first() {
    let (inventory, mut findings) = scan(&[fixture("store")]);
    let analysis = analyze(&inventory, &findings);
    mark_findings(&mut findings, &analysis);
    let marked: Vec<(&str, String)> = findings
        .iter()
        .filter(|f| f.on_attack_path)
        .map(|f| (f.rule_id, f.object.name.to_string()))
        .collect();
    let marked: Vec<(&str, &str)> = marked.iter().map(|(r, n)| (*r, n.as_str())).collect();
    let count = marked.len();
    assert!(marked.contains(&("POD001", "frontend")), "{marked:?}");
    assert!(
        marked.contains(&("NET010", "frontend-external")),
        "{marked:?}"
    );
    // The unexposed privileged DaemonSet is on no path.
    assert!(!marked.contains(&("POD001", "log-shipper")), "{marked:?}");
    drop(marked);
    sort_by_risk(&mut findings);
    let first_off = findings.iter().position(|f| !f.on_attack_path).unwrap();
    assert!(findings[first_off..].iter().all(|f| !f.on_attack_path));
    assert!(first_off >= count);
}

fn assert_no_path(name: &str) {
    let (inventory, findings) = scan(&[fixture(name)]);
    let analysis = analyze(&inventory, &findings);
    assert!(
        analysis.paths.is_empty(),
        "{name} must have no path:\n{}",
        describe(&analysis)
    );
    assert!(analysis.nodes > 1, "{name}: the graph was built");
}

/// A public LoadBalancer in front of a privileged pod, isolated by a default-deny ingress
/// policy.
#[test]
fn network_policy_isolation_cuts_the_entry() {
    assert_no_path("isolated");
}

/// A privileged pod nothing exposes and that holds no identity.
#[test]
fn unexposed_privileged_pod_has_no_path() {
    assert_no_path("unexposed");
}

/// An exposed workload whose workload identity is only Reader.
#[test]
fn reader_only_workload_identity_has_no_path() {
    assert_no_path("reader");
}

/// Issue 16's "Secrets and Key Vaults": internet → public Service → Deployment → its
/// ServiceAccount → the workload identity it federates to → the Key Vault its data-plane role
/// reads (one vault by name; every vault of a resource group by role definition ID).
#[test]
fn workload_identity_reaches_key_vault_secrets() {
    let (inventory, findings) = scan(&[fixture("vault")]);
    let analysis = analyze(&inventory, &findings);
    insta::assert_snapshot!(describe(&analysis));
    let chain = "internet → Service/pay/checkout (NET006, NET010) → Deployment/pay/checkout \
                 (NET004) → ServiceAccount/pay/checkout → ManagedIdentity/checkout-id → \
                 KeyVault/kv-shop";
    let found = analysis.paths.iter().find(|p| p.chain() == chain);
    let path = found.unwrap_or_else(|| panic!("no path {chain}: {}", describe(&analysis)));
    assert_eq!(path.target, "Key Vault secrets");
    assert_eq!(path.impact, 8.0);
    let last = path.hops.last().unwrap();
    assert_eq!(last.reason, "Key Vault Secrets User on vault kv-shop");
    assert!(
        path.cuts.iter().any(|cut| cut.fix
            == "remove the identity's Key Vault Secrets User assignment on vault `kv-shop`"),
        "{:?}",
        path.cuts
    );
    assert!(
        analysis.paths.iter().any(|p| p
            .chain()
            .ends_with("KeyVault/every Key Vault in resource group rg-pay")),
        "{}",
        describe(&analysis)
    );
}

/// The same workload identity with Key Vault Reader (metadata only) on the vault and its
/// resource group reaches no crown jewel.
#[test]
fn key_vault_reader_has_no_path() {
    assert_no_path("vault-reader");
}

/// What each workload reaches by any chain of moves, not only from the internet: IMG005 is
/// raised from it for workloads nothing routes to from outside.
#[test]
fn workloads_reach_their_worst_crown_jewel_whatever_the_entry() {
    let (inventory, findings) = scan(&[fixture("store")]);
    let analysis = analyze(&inventory, &findings);
    let reach = |name: &str| {
        analysis
            .reach_of("Deployment", Some("shop"), name)
            .map(|jewel| jewel.category)
    };
    assert_eq!(reach("admin-tool"), Some("cluster-admin"));
    // Privileged: the node, then the kubelet identity's AcrPush.
    assert_eq!(reach("frontend"), Some("registry push"));
    assert_eq!(
        analysis.reach_of("Deployment", Some("shop"), "absent"),
        None
    );

    // A reader-only workload identity reaches no crown jewel.
    let (inventory, findings) = scan(&[fixture("reader")]);
    let analysis = analyze(&inventory, &findings);
    let workloads: Vec<_> = analysis
        .reach
        .keys()
        .filter(|node| node.kind == "Deployment")
        .collect();
    assert!(workloads.is_empty(), "{workloads:?}");
}
