//! One cluster written in every form aksguard reads it in (ARM JSON template, Terraform
//! azurerm, Bicep, Terraform azapi) gives the same settings for every path the AKS/ACR rules
//! read: the explanation `aksguard explain-source` builds (rules run with their lookups
//! recorded) is compared path by path, state and value, for the cluster and each node pool
//! (lines and files aside). The forms live in `tests/data/equivalence/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aksguard_config::{CliOverrides, ConfigSource};
use aksguard_load::{Limits, LoadOptions, load_inputs};
use aksguard_model::explain_source::{SettingSource, SettingState};
use aksguard_scan::explain::{azure_rules, explain_sources};
use aksguard_scan::{ScanSettings, SettingsRequest};

/// The forms of the cluster: file and the form it must read as (the first is the reference).
const FORMS: &[(&str, &str)] = &[
    ("cluster.json", "arm-template"),
    ("cluster.tf", "terraform"),
    ("cluster.bicep", "bicep"),
    ("cluster.azapi.tf", "terraform-azapi"),
];

fn data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/equivalence")
        .join(file)
}

/// What a setting reads as, places aside: `known <json>` (object keys sorted), `unknown`,
/// `absent`.
fn state(setting: &SettingSource) -> String {
    match &setting.state {
        SettingState::Known { value, .. } => {
            let value: serde_json::Value = serde_json::from_str(value).unwrap();
            format!("known {}", canonical(&value))
        }
        SettingState::Unknown { .. } => "unknown".into(),
        SettingState::Absent => "absent".into(),
    }
}

fn canonical(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<(&String, String)> =
                map.iter().map(|(k, v)| (k, canonical(v))).collect();
            entries.sort();
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k:?}:{v}"))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        serde_json::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

/// `cluster:<path>` / `pool <name>:<path>` → state, for the one cluster of `file`.
fn settings_of((file, form): (&str, &str)) -> (String, BTreeMap<String, String>) {
    // Each form alone in a directory of its own: Terraform reads whole directories.
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join(file);
    std::fs::copy(data(file), &path).unwrap();
    let options = LoadOptions {
        limits: Limits::default(),
        render: false,
        progress: None,
    };
    let loaded = load_inputs(
        &[path.display().to_string()],
        &options,
        &mut std::io::empty(),
    );
    assert!(loaded.errors.is_empty(), "{file}: {:?}", loaded.errors);
    let settings = ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: CliOverrides::default(),
        as_of: None,
        baseline: None,
        write_baseline: None,
    })
    .unwrap();
    let explanation = explain_sources(loaded.azure, &azure_rules(), &settings, None).unwrap();
    assert_eq!(explanation.clusters.len(), 1, "{file}");
    let cluster = &explanation.clusters[0];
    assert_eq!(cluster.form, form, "{file}");
    let mut out = BTreeMap::new();
    for setting in &cluster.settings {
        out.insert(format!("cluster:{}", setting.path), state(setting));
    }
    for pool in &cluster.node_pools {
        for setting in &pool.settings {
            out.insert(
                format!("pool {}:{}", pool.name, setting.path),
                state(setting),
            );
        }
    }
    (cluster.name.clone(), out)
}

#[test]
fn every_form_of_one_cluster_gives_the_same_settings() {
    let (reference_name, reference) = settings_of(FORMS[0]);
    assert_eq!(reference_name, "aks-eq");
    // The reference sets what it means to: a sample of its values.
    for (path, expected) in [
        ("cluster:disableLocalAccounts", "known true"),
        ("cluster:sku.tier", "known \"Standard\""),
        ("cluster:networkProfile.networkPolicy", "known \"calico\""),
        ("pool system:osDiskType", "known \"Ephemeral\""),
    ] {
        assert_eq!(
            reference.get(path).map(String::as_str),
            Some(expected),
            "{path}"
        );
    }
    let mut differences = Vec::new();
    for &(form, label) in &FORMS[1..] {
        let (name, settings) = settings_of((form, label));
        if name != reference_name {
            differences.push(format!("{form}: name `{name}`, not `{reference_name}`"));
        }
        let paths: std::collections::BTreeSet<&String> =
            reference.keys().chain(settings.keys()).collect();
        for path in paths {
            let want = reference.get(path).map_or("not read", String::as_str);
            let got = settings.get(path).map_or("not read", String::as_str);
            if want != got {
                differences.push(format!("{form}: {path}: {got} (in {}: {want})", FORMS[0].0));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
