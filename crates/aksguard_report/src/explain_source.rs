//! `aksguard explain-source` output: per cluster, where each setting the AKS/ACR rules read
//! came from. The values are already redacted by the model
//! ([`aksguard_model::explain_source`]); this module only lays them out.
//!
//! JSON (a contract, documented in the README): one pretty-printed object
//! `{"clusters": [{"name", "form", "file", "line", "settings": [...], "node_pools": [{"name",
//! "file", "line", "settings": [...]}]}]}`, each setting `{"path", "state": "known", "value",
//! "redacted", "file", "line", "rules"}`, `{"path", "state": "unknown", "reason", "rules"}` or
//! `{"path", "state": "absent", "rules"}`; settings sorted by path, `value` compact JSON text.

use std::fmt::Write;

use aksguard_model::explain_source::{SettingSource, SettingState, SourceExplanation};

/// The whole document, ending with a newline.
pub fn json(explanation: &SourceExplanation) -> String {
    let mut text = serde_json::to_string_pretty(explanation).unwrap_or_default();
    text.push('\n');
    text
}

/// For people: a block per cluster, then one per node pool, one line per setting.
pub fn table(explanation: &SourceExplanation) -> String {
    let mut out = String::new();
    for (i, cluster) in explanation.clusters.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "ManagedCluster {} ({}) defined at {}:{}",
            cluster.name, cluster.form, cluster.file, cluster.line
        );
        settings(&mut out, &cluster.settings, &cluster.file, "  ");
        for pool in &cluster.node_pools {
            let _ = writeln!(
                out,
                "  node pool {} defined at {}:{}",
                pool.name, pool.file, pool.line
            );
            settings(&mut out, &pool.settings, &pool.file, "    ");
        }
    }
    out
}

/// One line per setting; a value's place is `line N` in the resource's own file (`home`),
/// `file:N` elsewhere.
fn settings(out: &mut String, settings: &[SettingSource], home: &str, indent: &str) {
    if settings.is_empty() {
        let _ = writeln!(out, "{indent}(no setting read by the rules)");
        return;
    }
    let width = settings.iter().map(|s| s.path.len()).max().unwrap_or(0);
    for setting in settings {
        let (state, detail) = match &setting.state {
            SettingState::Known {
                value, file, line, ..
            } if file == home => ("known", format!("{value} at line {line}")),
            SettingState::Known {
                value, file, line, ..
            } => ("known", format!("{value} at {file}:{line}")),
            SettingState::Unknown { reason } => ("unknown", reason.clone()),
            SettingState::Absent => ("absent", "not set: the API default applies".to_owned()),
        };
        let _ = writeln!(
            out,
            "{indent}{state:<7}  {:<width$}  {detail}  [{}]",
            setting.path,
            setting.rules.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksguard_model::explain_source::{ClusterSource, PoolSource};

    fn sample() -> SourceExplanation {
        SourceExplanation {
            clusters: vec![ClusterSource {
                name: "aks1".into(),
                form: "bicep",
                file: "main.bicep".into(),
                line: 3,
                settings: vec![
                    SettingSource {
                        path: "enableRBAC".into(),
                        state: SettingState::Known {
                            value: "true".into(),
                            redacted: false,
                            file: "main.bicep".into(),
                            line: 7,
                        },
                        rules: vec!["AKS001"],
                    },
                    SettingSource {
                        path: "sku.tier".into(),
                        state: SettingState::Unknown {
                            reason: "parameter `tier` has no default value".into(),
                        },
                        rules: vec!["AKS036"],
                    },
                    SettingSource {
                        path: "disableLocalAccounts".into(),
                        state: SettingState::Absent,
                        rules: vec!["AKS003", "AKS004"],
                    },
                ],
                node_pools: vec![PoolSource {
                    name: "sys".into(),
                    file: "main.bicep".into(),
                    line: 12,
                    settings: Vec::new(),
                }],
            }],
        }
    }

    #[test]
    fn table_lists_each_setting_with_state_origin_and_rules() {
        let text = table(&sample());
        assert_eq!(
            text,
            "ManagedCluster aks1 (bicep) defined at main.bicep:3\n\
             \x20 known    enableRBAC            true at line 7  [AKS001]\n\
             \x20 unknown  sku.tier              parameter `tier` has no default value  [AKS036]\n\
             \x20 absent   disableLocalAccounts  not set: the API default applies  [AKS003, AKS004]\n\
             \x20 node pool sys defined at main.bicep:12\n\
             \x20   (no setting read by the rules)\n"
        );
    }

    #[test]
    fn json_keys_are_the_documented_contract() {
        let value: serde_json::Value = serde_json::from_str(&json(&sample())).unwrap();
        let cluster = &value["clusters"][0];
        assert_eq!(cluster["name"], "aks1");
        assert_eq!(cluster["form"], "bicep");
        assert_eq!(cluster["file"], "main.bicep");
        assert_eq!(cluster["line"], 3);
        let known = &cluster["settings"][0];
        assert_eq!(known["state"], "known");
        assert_eq!(known["value"], "true");
        assert_eq!(known["redacted"], false);
        assert_eq!(known["line"], 7);
        assert_eq!(known["rules"][0], "AKS001");
        assert_eq!(cluster["settings"][1]["state"], "unknown");
        assert!(cluster["settings"][1]["reason"].is_string());
        assert_eq!(cluster["settings"][2]["state"], "absent");
        assert_eq!(cluster["node_pools"][0]["name"], "sys");
        assert_eq!(cluster["node_pools"][0]["line"], 12);
    }
}
