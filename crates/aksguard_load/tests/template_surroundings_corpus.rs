//! Real templates from the shared corpus (`../shared/corpus/aks`): the cluster's surroundings
//! are read and joined by key, not only by hand-written fixtures. When the corpus is absent
//! (a plain clone) the test prints why and passes.

use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::azure::{AzureResources, Link};

fn load(relative: &str) -> Option<AzureResources> {
    let path = aksguard_testkit::shared_path(&format!("corpus/aks/{relative}"))?;
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    let loaded = load_inputs(
        &[path.display().to_string()],
        &options,
        &mut std::io::empty(),
    );
    assert!(loaded.errors.is_empty(), "{relative}: {:#?}", loaded.errors);
    Some(loaded.azure)
}

#[test]
fn the_baseline_spoke_subnets_join_their_nsgs_and_route_table() {
    let Some(azure) = load("aks-baseline/network-team/spoke-BU0001A0008.bicep") else {
        return;
    };
    let names: Vec<&str> = azure.subnets.iter().map(|s| s.meta.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "snet-clusternodes",
            "snet-clusteringressservices",
            "snet-applicationgateway",
            "snet-privatelinkendpoints",
            "snet-privatecluster"
        ]
    );
    for subnet in &azure.subnets {
        let Link::To(nsg) = &subnet.nsg else {
            panic!("{}: {:?}", subnet.meta.name, subnet.nsg);
        };
        assert!(azure.nsg(nsg).is_some(), "{}: {nsg:?}", subnet.meta.name);
    }
    let nodes = &azure.subnets[0];
    let table = azure
        .route_table(nodes.route_table.target().expect("node subnet route table"))
        .expect("the route table is in the template");
    assert!(
        table
            .routes
            .iter()
            .any(|r| r.address_prefix.as_deref() == Some("0.0.0.0/0")
                && r.next_hop_type.as_deref() == Some("VirtualAppliance")),
        "{:?}",
        table.routes
    );
}

#[test]
fn the_baseline_cluster_stamp_role_assignments_join_their_identities() {
    let Some(azure) = load("aks-baseline/workload-team/cluster-stamp.bicep") else {
        return;
    };
    let joined = azure
        .role_assignments
        .iter()
        .filter(|a| {
            a.principal
                .as_ref()
                .and_then(|p| azure.identity_by_principal(p))
                .is_some()
        })
        .count();
    println!(
        "{} role assignments, {joined} joined to one of {} identities; {} policy assignments, \
         {} alert rules",
        azure.role_assignments.len(),
        azure.identities.len(),
        azure.policy_assignments.len(),
        azure.alert_rules.len()
    );
    // Four through `reference(identity).principalId` by ID, five through a module parameter
    // carrying the control-plane identity, whose name is an unresolvable expression.
    assert_eq!(joined, 9);
    // The built-in pod security initiative is a tenant-level definition.
    assert!(azure.policy_assignments.iter().any(|p| p.definition.as_deref()
        == Some(
            "/providers/Microsoft.Authorization/policySetDefinitions/42b8ef37-b724-4e24-bbc8-7a7708edfe00"
        )));
}
