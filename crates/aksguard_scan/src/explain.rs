//! `aksguard explain-source`: which settings of each managed cluster (and node pool) the AKS
//! and ACR rules judged, and where each came from.
//!
//! The rules run exactly as a scan runs them (a [`Pipeline`] per rule, over an inventory of
//! the loaded Azure resources) while [`lookups::record`] notes every path
//! [`aksguard_model::azure::Settings::get`] is asked for. The recording is per thread, so the
//! rules run inside a one-thread rayon pool. Each lookup is then answered again, outside the
//! recording, to give its state: Known (value, file, line), Unknown (reason) or Absent. Values
//! of secret-like paths are never copied out ([`is_secret_path`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aksguard_model::Inventory;
use aksguard_model::azure::{
    AzureResources, Lookup, ManagedCluster, NodePool, Settings, SettingsId, lookups,
};
use aksguard_model::explain_source::{
    ClusterSource, PoolSource, REDACTED, SettingSource, SettingState, SourceExplanation,
    is_secret_key, is_secret_path,
};
use aksguard_model::{Pos, Source};
use aksguard_rules::{Family, Rule};
use serde_json::Value as Json;

use crate::pipeline::Pipeline;
use crate::settings::ScanSettings;

/// The rules whose lookups are recorded: every AKS (cluster) and ACR (registry) rule.
pub fn azure_rules() -> Vec<&'static Rule> {
    aksguard_rules::all_rules()
        .iter()
        .copied()
        .filter(|rule| matches!(rule.family, Family::Cluster | Family::Registry))
        .collect()
}

/// Explains the clusters of `azure` (only those named `name`, case-insensitively, when
/// given) under `rules`. Errors (the message to print): no cluster at all, or no cluster of
/// that name (listing the names found).
pub fn explain_sources(
    azure: AzureResources,
    rules: &[&'static Rule],
    settings: &ScanSettings,
    name: Option<&str>,
) -> Result<SourceExplanation, String> {
    if azure.clusters.is_empty() {
        return Err("no AKS managed cluster definition found in the given inputs".into());
    }
    if let Some(name) = name
        && !azure
            .clusters
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(name))
    {
        let found: BTreeSet<&str> = azure.clusters.iter().map(|c| c.name.as_str()).collect();
        let found: Vec<&str> = found.into_iter().collect();
        return Err(format!(
            "no managed cluster named `{name}`; the inputs define: {}",
            found.join(", ")
        ));
    }
    let inventory = Inventory::new(Vec::new()).with_azure(azure);
    let reads = record_reads(&inventory, rules, settings)?;
    let clusters = inventory
        .azure()
        .clusters
        .iter()
        .filter(|c| name.is_none_or(|n| c.name.eq_ignore_ascii_case(n)))
        .map(|cluster| explain_cluster(cluster, &reads))
        .collect();
    Ok(SourceExplanation { clusters })
}

/// Per settings, per path (lower-cased; the first spelling asked kept), the rules that read it.
type Reads = HashMap<SettingsId, BTreeMap<String, (String, BTreeSet<&'static str>)>>;

fn record_reads(
    inventory: &Inventory,
    rules: &[&'static Rule],
    settings: &ScanSettings,
) -> Result<Reads, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| format!("cannot start the rule thread: {e}"))?;
    let mut reads: Reads = HashMap::new();
    for &rule in rules {
        let pipeline = Pipeline::new(&[rule], settings);
        let ((), seen) = pool.install(|| {
            lookups::record(|| {
                let early = pipeline.judge_alone(inventory);
                let _ = pipeline.finish(inventory, early, Vec::new(), "explain-source");
            })
        });
        for (id, path) in seen {
            reads
                .entry(id)
                .or_default()
                .entry(path.to_ascii_lowercase())
                .or_insert_with(|| (path, BTreeSet::new()))
                .1
                .insert(rule.id);
        }
    }
    Ok(reads)
}

fn explain_cluster(cluster: &ManagedCluster, reads: &Reads) -> ClusterSource {
    ClusterSource {
        name: cluster.name.clone(),
        form: cluster.format.label(),
        file: cluster.source.path.to_string(),
        line: cluster.pos.line,
        settings: explain_settings(&cluster.settings, &cluster.source, cluster.pos, reads),
        node_pools: cluster
            .node_pools
            .iter()
            .map(|pool| explain_pool(pool, reads))
            .collect(),
    }
}

fn explain_pool(pool: &NodePool, reads: &Reads) -> PoolSource {
    PoolSource {
        name: pool.name.clone(),
        file: pool.source.path.to_string(),
        line: pool.pos.line,
        settings: explain_settings(&pool.settings, &pool.source, pool.pos, reads),
    }
}

fn explain_settings(
    settings: &Settings,
    source: &Source,
    resource: Pos,
    reads: &Reads,
) -> Vec<SettingSource> {
    let Some(paths) = reads.get(&SettingsId::of(settings)) else {
        return Vec::new();
    };
    paths
        .values()
        .map(|(path, rules)| SettingSource {
            path: path.clone(),
            state: match settings.get(path) {
                Lookup::Known(node) => {
                    let redacted = is_secret_path(path);
                    let value = if redacted {
                        REDACTED.to_owned()
                    } else {
                        let mut json = node.to_json();
                        redact(&mut json);
                        json.to_string()
                    };
                    let line = match node.pos.line {
                        0 => settings.pos_of(path, resource).line,
                        line => line,
                    };
                    SettingState::Known {
                        value,
                        redacted,
                        file: source.path.to_string(),
                        line,
                    }
                }
                Lookup::Unknown(reason) => SettingState::Unknown {
                    reason: reason.to_owned(),
                },
                Lookup::Absent => SettingState::Absent,
            },
            rules: rules.iter().copied().collect(),
        })
        .collect()
}

/// Replaces the value of every secret-like key inside a value read whole (a profile object).
fn redact(json: &mut Json) {
    match json {
        Json::Object(map) => {
            for (key, value) in map.iter_mut() {
                if is_secret_key(key) {
                    *value = Json::String(REDACTED.to_owned());
                } else {
                    redact(value);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aksguard_config::{CliOverrides, ConfigSource};
    use aksguard_model::azure::{AzureFormat, Holds};
    use aksguard_model::{Entry, Node, Value};

    use super::*;
    use crate::settings::SettingsRequest;

    fn settings() -> ScanSettings {
        ScanSettings::resolve(&SettingsRequest {
            source: ConfigSource::Disabled,
            overrides: CliOverrides::default(),
            as_of: None,
            baseline: None,
            write_baseline: None,
        })
        .unwrap()
    }

    fn map(entries: Vec<(&str, Node)>, line: u32) -> Node {
        Node {
            pos: Pos::new(line, 1),
            value: Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| Entry {
                        key: k.into(),
                        key_pos: v.pos,
                        value: v,
                    })
                    .collect(),
            ),
        }
    }

    fn cluster(name: &str, rbac: &str, line: u32) -> ManagedCluster {
        let source = Arc::new(Source {
            path: format!("{name}.json").into(),
        });
        let mut settings = Settings::new(map(
            vec![
                (
                    "enableRBAC",
                    Node::scalar(rbac, true, Pos::new(line + 1, 3)),
                ),
                (
                    "servicePrincipalProfile",
                    map(
                        vec![(
                            "secret",
                            Node::scalar("s3cr3t", false, Pos::new(line + 2, 5)),
                        )],
                        line + 2,
                    ),
                ),
            ],
            line,
        ));
        settings
            .unknown
            .insert("disableLocalAccounts".into(), "ARM expression `[x]`".into());
        ManagedCluster {
            name: name.into(),
            id: None,
            resource_group: None,
            location: None,
            pos: Pos::new(line, 1),
            source,
            format: AzureFormat::ArmTemplate,
            settings,
            node_pools: Vec::new(),
            diagnostic_settings: Vec::new(),
            maintenance_configurations: Vec::new(),
            refs: Default::default(),
            holds: Holds::EVERYTHING,
        }
    }

    fn resources() -> AzureResources {
        AzureResources {
            clusters: vec![cluster("one", "true", 10), cluster("two", "false", 20)],
            ..AzureResources::default()
        }
    }

    #[test]
    fn each_cluster_gets_its_own_lookups_states_and_rules() {
        let explanation = explain_sources(resources(), &azure_rules(), &settings(), None).unwrap();
        assert_eq!(explanation.clusters.len(), 2);
        for (cluster, value, line) in [
            (&explanation.clusters[0], "true", 11),
            (&explanation.clusters[1], "false", 21),
        ] {
            let rbac = cluster
                .settings
                .iter()
                .find(|s| s.path == "enableRBAC")
                .unwrap();
            assert_eq!(
                rbac.state,
                SettingState::Known {
                    value: value.into(),
                    redacted: false,
                    file: format!("{}.json", cluster.name),
                    line,
                }
            );
            assert!(rbac.rules.contains(&"AKS001"), "{:?}", rbac.rules);
            let local = cluster
                .settings
                .iter()
                .find(|s| s.path == "disableLocalAccounts")
                .unwrap();
            assert_eq!(
                local.state,
                SettingState::Unknown {
                    reason: "ARM expression `[x]`".into()
                }
            );
            assert!(
                cluster
                    .settings
                    .iter()
                    .any(|s| s.state == SettingState::Absent)
            );
            // Sorted by path, each path once.
            let paths: Vec<&str> = cluster.settings.iter().map(|s| s.path.as_str()).collect();
            let mut sorted = paths.clone();
            sorted.sort_by_key(|p| p.to_ascii_lowercase());
            sorted.dedup();
            assert_eq!(paths, sorted);
        }
    }

    #[test]
    fn a_name_picks_one_cluster_and_an_unknown_name_lists_those_found() {
        let one = explain_sources(resources(), &azure_rules(), &settings(), Some("TWO")).unwrap();
        assert_eq!(one.clusters.len(), 1);
        assert_eq!(one.clusters[0].name, "two");
        let err =
            explain_sources(resources(), &azure_rules(), &settings(), Some("three")).unwrap_err();
        assert_eq!(
            err,
            "no managed cluster named `three`; the inputs define: one, two"
        );
        let err = explain_sources(AzureResources::default(), &azure_rules(), &settings(), None)
            .unwrap_err();
        assert!(err.contains("no AKS managed cluster"), "{err}");
    }

    #[test]
    fn secrets_inside_a_value_read_whole_are_redacted() {
        let mut json: Json = serde_json::json!({"clientId": "id", "secret": "s", "ssh": {"keyData": "k"}, "x": [{"adminPassword": "p"}]});
        redact(&mut json);
        assert_eq!(
            json,
            serde_json::json!({"clientId": "id", "secret": REDACTED, "ssh": REDACTED, "x": [{"adminPassword": REDACTED}]})
        );
    }
}
