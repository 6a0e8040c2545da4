//! A world made of `az … -o json` exports: every resource of a directory of `az` output
//! (arrays, `{"value": [...]}` envelopes or single objects), turned back into the shape
//! Resource Manager returns, so the live read of that world and a scan of the same files can
//! be compared resource by resource.
//!
//! `az` prints a resource's `properties` flat beside `id`, `name` and `type`, adds
//! `resourceGroup`, and adds what Resource Manager does not return: `principalName` and
//! `roleDefinitionName` of role assignments (looked up in Microsoft Graph and the role
//! definitions). The REST shape moves every key but the envelope's (`id`, `name`, `type`,
//! `location`, `tags`, `etag`, `sku`, `identity`, `kind`, `zones`, `systemData`, …) under
//! `properties` (an Application Gateway's `sku` too: it is a property there), drops
//! `resourceGroup` and the Graph lookups, and does the same to the NSG rules, routes and VNet
//! subnets a resource holds.

use std::path::Path;

use serde_json::{Map, Value};

use super::ArmWorld;

/// Keys Resource Manager keeps outside `properties`.
const ENVELOPE: [&str; 13] = [
    "id",
    "name",
    "type",
    "location",
    "tags",
    "etag",
    "sku",
    "identity",
    "kind",
    "zones",
    "extendedLocation",
    "systemData",
    "managedBy",
];

/// Keys `az` adds that Resource Manager never returns.
const AZ_ONLY: [&str; 3] = ["resourceGroup", "principalName", "roleDefinitionName"];

/// Children a resource body holds as sub-resources (`{id, name, properties}` in REST).
const NESTED: [&str; 4] = ["securityRules", "defaultSecurityRules", "routes", "subnets"];

/// The world of the `az` exports in `dir`, served with `token`: its subscriptions are those
/// the resources' IDs name. `Err` names a file that cannot be read or parsed.
pub fn world_from_az_exports(dir: &Path, token: &str) -> Result<ArmWorld, String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut resources = Vec::new();
    for path in paths {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let document: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let items = match document {
            Value::Array(items) => items,
            Value::Object(mut object) if object.len() == 1 && object.contains_key("value") => {
                match object.remove("value") {
                    Some(Value::Array(items)) => items,
                    _ => Vec::new(),
                }
            }
            single => vec![single],
        };
        resources.extend(items.into_iter().map(|item| to_rest(item, true)));
    }
    let mut subscriptions: Vec<String> = Vec::new();
    for resource in &resources {
        let id = resource["id"].as_str().unwrap_or_default();
        let mut segments = id.split('/').skip(1);
        if let (Some(head), Some(subscription)) = (segments.next(), segments.next())
            && head.eq_ignore_ascii_case("subscriptions")
            && !subscriptions
                .iter()
                .any(|s| s.eq_ignore_ascii_case(subscription))
        {
            subscriptions.push(subscription.to_ascii_lowercase());
        }
    }
    Ok(ArmWorld {
        subscriptions,
        resources,
        token: token.into(),
        page_size: 2,
        faults: Vec::new(),
    })
}

/// One resource (or sub-resource) in REST shape; one already with `properties` is kept.
fn to_rest(item: Value, top_level: bool) -> Value {
    let Value::Object(object) = item else {
        return item;
    };
    if object.get("properties").is_some_and(Value::is_object) {
        return Value::Object(object);
    }
    // A reference (`{"id": …, "resourceGroup": …}` in an NSG's `subnets`) stays a reference.
    if !top_level && object.keys().all(|k| k == "id" || k == "resourceGroup") {
        let mut reference = Map::new();
        if let Some(id) = object.get("id") {
            reference.insert("id".into(), id.clone());
        }
        return Value::Object(reference);
    }
    let gateway = object
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Network/applicationGateways"));
    let mut envelope = Map::new();
    let mut properties = Map::new();
    for (key, value) in object {
        if AZ_ONLY.contains(&key.as_str()) {
            continue;
        }
        let stays_out = ENVELOPE.contains(&key.as_str()) && !(gateway && key == "sku");
        if stays_out {
            envelope.insert(key, value);
        } else if NESTED.contains(&key.as_str()) {
            let value = match value {
                Value::Array(items) => {
                    Value::Array(items.into_iter().map(|i| to_rest(i, false)).collect())
                }
                other => other,
            };
            properties.insert(key, value);
        } else if !value.is_null() {
            properties.insert(key, value);
        }
    }
    envelope.insert("properties".into(), Value::Object(properties));
    Value::Object(envelope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn az_output_moves_under_properties_and_loses_what_only_az_adds() {
        let nsg = to_rest(
            json!({"id": "/s/n", "name": "n", "type": "Microsoft.Network/networkSecurityGroups",
                "location": "westeurope", "resourceGroup": "rg", "etag": "e",
                "securityRules": [{"id": "/s/n/securityRules/r", "name": "r", "access": "Allow",
                    "resourceGroup": "rg", "destinationPortRange": null}],
                "subnets": [{"id": "/s/v/subnets/a", "resourceGroup": "rg"}]}),
            true,
        );
        assert_eq!(
            nsg,
            json!({"id": "/s/n", "name": "n", "type": "Microsoft.Network/networkSecurityGroups",
                "location": "westeurope", "etag": "e", "properties": {
                    "securityRules": [{"id": "/s/n/securityRules/r", "name": "r",
                        "properties": {"access": "Allow"}}],
                    "subnets": [{"id": "/s/v/subnets/a"}]}})
        );
        let gateway = to_rest(
            json!({"id": "/g", "type": "Microsoft.Network/applicationGateways",
                "sku": {"tier": "WAF_v2"}}),
            true,
        );
        assert_eq!(gateway["properties"]["sku"]["tier"], "WAF_v2");
        let assignment = to_rest(
            json!({"id": "/a", "type": "Microsoft.Authorization/roleAssignments",
                "principalName": "x@y", "roleDefinitionName": "Owner", "principalId": "p"}),
            true,
        );
        assert_eq!(
            assignment,
            json!({"id": "/a",
            "type": "Microsoft.Authorization/roleAssignments", "properties": {"principalId": "p"}})
        );
        let rest = json!({"id": "/r", "properties": {"a": 1}});
        assert_eq!(to_rest(rest.clone(), true), rest);
    }
}
