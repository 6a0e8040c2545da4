//! What the API server serves, asked before anything is listed (`/api`, `/apis`, then the
//! group versions of the table): a resource the server does not serve (AAD pod identity on a
//! cluster that never had it) is simply not listed, and its absence is conclusive. The
//! table's version is listed when served, otherwise the group's preferred version.

use std::collections::HashMap;

use serde_json::Value;

use crate::crd::ListTarget;
use crate::fetch::{Failure, Http};
use crate::resources::Resource;

/// The outcome of discovery.
#[derive(Debug, Default)]
pub struct Served {
    /// What to list, in the version to list.
    pub targets: Vec<ListTarget>,
    /// Resources of the table the server does not serve.
    pub absent: Vec<String>,
    /// Resources whose group version could not be read (not 404): (resource, why).
    pub unknown: Vec<(ListTarget, String)>,
    /// Resources listed in another version than the table's: (resource, version).
    pub other_version: Vec<(String, String)>,
}

/// What made discovery impossible: the scan cannot go on.
pub type Fatal = String;

/// Asks the server which of `table` it serves. Fails only when the server cannot be reached,
/// rejects the credentials (401) or refuses discovery itself.
pub async fn discover(http: &Http, server: &str, table: &[Resource]) -> Result<Served, Fatal> {
    let fatal = |what: &str, failure: Failure| match failure {
        Failure::Unauthorized => format!(
            "credentials rejected by {server} (401 Unauthorized): the token or client \
             certificate is expired or invalid"
        ),
        other => format!("cannot read {what} from {server}: {}", other.describe()),
    };
    let core = get_json(http, "/api")
        .await
        .map_err(|f| fatal("the API discovery (/api)", f))?;
    let groups = get_json(http, "/apis")
        .await
        .map_err(|f| fatal("the API discovery (/apis)", f))?;
    let core_versions = strings(core.get("versions"));
    let groups = group_versions(&groups);

    let mut served = Served::default();
    // Resources of each group version, fetched once.
    let mut resource_lists: HashMap<String, Result<Vec<String>, String>> = HashMap::new();
    for entry in table {
        let target = ListTarget::from_table(entry);
        let version = if entry.group.is_empty() {
            core_versions
                .iter()
                .any(|v| v == entry.version)
                .then(|| entry.version.to_owned())
        } else {
            groups.get(entry.group).map(|(versions, preferred)| {
                if versions.iter().any(|v| v == entry.version) {
                    entry.version.to_owned()
                } else {
                    preferred.clone()
                }
            })
        };
        let Some(version) = version else {
            served.absent.push(target.qualified_name());
            continue;
        };
        let target = ListTarget { version, ..target };
        let group_version = target.api_version();
        if !resource_lists.contains_key(&group_version) {
            let path = if entry.group.is_empty() {
                format!("/api/{group_version}")
            } else {
                format!("/apis/{group_version}")
            };
            let listed = match get_json(http, &path).await {
                Ok(list) => Ok(listable_resources(&list)),
                Err(Failure::NotFound) => Ok(Vec::new()),
                Err(Failure::Unauthorized) => return Err(fatal(&path, Failure::Unauthorized)),
                Err(failure) => Err(format!("cannot read {path}: {}", failure.describe())),
            };
            resource_lists.insert(group_version.clone(), listed);
        }
        match &resource_lists[&group_version] {
            Ok(names) if names.contains(&target.resource) => {
                if target.version != entry.version {
                    served
                        .other_version
                        .push((target.qualified_name(), target.version.clone()));
                }
                served.targets.push(target);
            }
            Ok(_) => served.absent.push(target.qualified_name()),
            Err(why) => served.unknown.push((target, why.clone())),
        }
    }
    Ok(served)
}

async fn get_json(http: &Http, path: &str) -> Result<Value, Failure> {
    let body = http.get(path).await?;
    serde_json::from_slice(&body).map_err(|e| Failure::Transport(format!("{path}: not JSON: {e}")))
}

fn strings(node: Option<&Value>) -> Vec<String> {
    node.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Each group of an `APIGroupList`: its versions and its preferred version.
fn group_versions(list: &Value) -> HashMap<&str, (Vec<String>, String)> {
    let mut groups = HashMap::new();
    for group in list
        .get("groups")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let Some(name) = group.get("name").and_then(Value::as_str) else {
            continue;
        };
        let versions: Vec<String> = group
            .get("versions")
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .filter_map(|v| v.get("version")?.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let preferred = group
            .get("preferredVersion")
            .and_then(|p| p.get("version"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| versions.first().cloned());
        if let Some(preferred) = preferred {
            groups.insert(name, (versions, preferred));
        }
    }
    groups
}

/// The resources of an `APIResourceList` that can be listed (subresources such as
/// `pods/log` excluded).
fn listable_resources(list: &Value) -> Vec<String> {
    list.get("resources")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|r| {
            r.get("verbs")
                .and_then(Value::as_array)
                .is_none_or(|verbs| verbs.iter().any(|v| v.as_str() == Some("list")))
        })
        .filter_map(|r| r.get("name")?.as_str())
        .filter(|name| !name.contains('/'))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_keep_their_versions_and_preference() {
        let list = json!({"kind": "APIGroupList", "groups": [
            {"name": "external-secrets.io",
             "versions": [{"groupVersion": "external-secrets.io/v1beta1", "version": "v1beta1"}],
             "preferredVersion": {"groupVersion": "external-secrets.io/v1beta1", "version": "v1beta1"}},
            {"name": "apps", "versions": [{"version": "v1"}]},
            {"versions": []}
        ]});
        let groups = group_versions(&list);
        assert_eq!(groups["external-secrets.io"].1, "v1beta1");
        assert_eq!(groups["apps"], (vec!["v1".to_owned()], "v1".to_owned()));
        assert_eq!(groups.len(), 2);
    }

    #[test]
    fn subresources_and_unlistable_resources_are_left_out() {
        let list = json!({"resources": [
            {"name": "pods", "verbs": ["get", "list", "watch"]},
            {"name": "pods/log", "verbs": ["get"]},
            {"name": "bindings", "verbs": ["create"]},
            {"name": "configmaps"}
        ]});
        assert_eq!(listable_resources(&list), ["pods", "configmaps"]);
    }
}
