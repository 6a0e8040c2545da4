//! Building Azure model values for unit tests of the rules about a cluster's surroundings:
//! clusters from az-shaped YAML through the loader, surrounding resources in Rust.

use std::sync::Arc;

use aksguard_load::{Limits, load_text_all};
use aksguard_model::azure::{AzureFormat, AzureResources, Link, ResourceKey, ResourceMeta, Subnet};
use aksguard_model::{Inventory, Pos, Severity, Source};

use crate::{Checker, Rule, RuleSettings};

/// The Azure resources of az-shaped YAML (`az aks show` output as YAML).
pub(crate) fn cluster_yaml(text: &str) -> AzureResources {
    let loaded = load_text_all("test.az.yaml", text, &Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert!(!loaded.azure.clusters.is_empty(), "no cluster in {text}");
    loaded.azure
}

/// Where a resource built here was found: line 1 of `surroundings.az.json`, named by `id`.
pub(crate) fn meta(name: &str, id: &str) -> ResourceMeta {
    ResourceMeta {
        name: name.into(),
        key: ResourceKey::from_id(id),
        pos: Pos::new(1, 1),
        source: Arc::new(Source {
            path: "surroundings.az.json".into(),
        }),
        format: AzureFormat::AzCli,
    }
}

pub(crate) fn subnet(
    name: &str,
    id: &str,
    nsg: Link,
    route_table: Link,
    associations_elsewhere: bool,
) -> Subnet {
    Subnet {
        meta: meta(name, id),
        nsg,
        route_table,
        associations_elsewhere,
    }
}

/// Finding type: line, severity override, message.
pub(crate) type Found = Vec<(u32, Option<Severity>, String)>;

/// Runs `rule` over `azure` (and `objects`), with `--complete` when `complete`: its findings
/// and the reasons it gave for targets it could not judge.
pub(crate) fn run(rule: &Rule, azure: AzureResources, complete: bool) -> (Found, Vec<String>) {
    run_with(
        rule,
        azure,
        Vec::new(),
        RuleSettings {
            complete,
            ..RuleSettings::default()
        },
    )
}

pub(crate) fn run_with(
    rule: &Rule,
    azure: AzureResources,
    objects: Vec<aksguard_model::Object>,
    settings: RuleSettings,
) -> (Found, Vec<String>) {
    let inventory = Inventory::new(objects).with_azure(azure);
    let mut checker = Checker::new(&settings, &inventory);
    rule.run_inventory(&inventory, &mut checker);
    let found = checker
        .take()
        .into_iter()
        .map(|v| (v.pos.line, v.severity, v.message))
        .collect();
    (found, checker.take_undecided())
}
