//! `terraform show -json` plan and state files: `planned_values` (plan) or `values` (state)
//! `root_module` and `child_modules` resources, with `resource_changes[].change.after_unknown`
//! marking values known only after apply. Values are already resolved; positions are the
//! lines of the JSON file.

use std::collections::HashMap;
use std::sync::Arc;

use aksguard_model::azure::AzureResources;
use aksguard_model::{Node, Source, Value};

use super::{Attr, Obj, Resource, Val, map};

/// A `terraform show -json` document: `format_version` plus planned or prior values.
pub(crate) fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && ["planned_values", "values", "resource_changes"]
            .iter()
            .any(|k| root.get(k).is_some_and(Node::is_map) || root.get(k).is_some_and(Node::is_seq))
}

pub(crate) fn from_plan(root: &Node, source: &Arc<Source>) -> AzureResources {
    let changes: HashMap<&str, &Node> = root
        .get("resource_changes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| Some((c.get("address")?.as_str()?, c.get("change")?)))
        .collect();
    let mut references = HashMap::new();
    let mut expressions = HashMap::new();
    if let Some(config) = root.at("configuration.root_module") {
        config_references(config, "", &mut references);
        config_expressions(config, "", &mut expressions);
    }
    let values = root
        .at("planned_values.root_module")
        .or_else(|| root.at("values.root_module"));
    let mut resources = Vec::new();
    if let Some(module) = values {
        collect(module, "", source, &changes, &references, &mut resources);
    }
    // Values known only after apply are followed by the reference the configuration
    // writes (`azurerm_subnet.nodes.id`), as in `.tf`.
    for resource in &mut resources {
        let address = format!("{}{}", resource.module, resource.reference());
        if let Some(written) = expressions.get(&address) {
            for (key, attr) in &mut resource.body.attrs {
                if attr.text.is_none()
                    && matches!(attr.val, Val::Unknown(_))
                    && let Some(reference) = written.get(key.as_str())
                {
                    attr.text = Some(reference.clone());
                }
            }
        }
    }
    let names = Arc::new(super::symbols::Names::build(resources.iter(), Vec::new()));
    for resource in &mut resources {
        resource.names = names.clone();
    }
    // A child with no resolvable reference joins the only cluster of its module.
    let clusters: Vec<(String, String)> = resources
        .iter()
        .filter(|r| r.kind == map::CLUSTER)
        .map(|r| (r.module.clone(), r.reference()))
        .collect();
    for child in resources.iter_mut().filter(|r| map::is_cluster_child(r)) {
        if child.cluster_ref.is_none() && child.id.is_none() {
            let mut same = clusters.iter().filter(|(m, _)| *m == child.module);
            if let (Some((_, label)), None) = (same.next(), same.next()) {
                child.cluster_ref = Some(label.clone());
            }
        }
    }
    let mut out = AzureResources::default();
    let (clusters, rest): (Vec<Resource>, Vec<Resource>) =
        resources.into_iter().partition(|r| r.kind == map::CLUSTER);
    let (children, others): (Vec<Resource>, Vec<Resource>) =
        rest.into_iter().partition(map::is_cluster_child);
    for other in &others {
        map::push_other(other, &mut out);
    }
    map::push_clusters(&clusters, &children, &[], &mut out);
    out
}

/// `module.a[0].module.b["x"]` → `module.a.module.b.` (configuration has no instance keys).
fn module_prefix(address: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in address.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    if out.is_empty() { out } else { out + "." }
}

/// `configuration` resources' `kubernetes_cluster_id` / `target_resource_id` references:
/// `module.prefix.type.name` → the referenced cluster label.
fn config_references(module: &Node, prefix: &str, out: &mut HashMap<String, String>) {
    for resource in module.get("resources").map(Node::items).unwrap_or_default() {
        let Some(address) = resource.get("address").and_then(Node::as_str) else {
            continue;
        };
        for key in ["kubernetes_cluster_id", "target_resource_id"] {
            let refs = resource
                .at("expressions")
                .and_then(|e| e.get(key))
                .and_then(|e| e.get("references"))
                .map(Node::items)
                .unwrap_or_default();
            let label = refs.iter().filter_map(Node::as_str).find_map(|r| {
                let rest = r.strip_prefix(map::CLUSTER)?.strip_prefix('.')?;
                let label = rest.split(['.', '[']).next()?;
                Some(format!("{}.{label}", map::CLUSTER))
            });
            if let Some(label) = label {
                out.insert(format!("{prefix}{address}"), label);
            }
        }
    }
    for (name, call) in module
        .get("module_calls")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .map(|e| (&e.key, &e.value))
    {
        if let Some(child) = call.get("module") {
            config_references(child, &format!("{prefix}module.{name}."), out);
        }
    }
}

/// The one resource attribute each top-level expression of a configuration resource
/// references (`"references": ["azurerm_subnet.nodes.id", "azurerm_subnet.nodes"]` →
/// `azurerm_subnet.nodes.id`), by module-qualified address; an expression naming several
/// resources is left out.
fn config_expressions(
    module: &Node,
    prefix: &str,
    out: &mut HashMap<String, HashMap<String, String>>,
) {
    for resource in module.get("resources").map(Node::items).unwrap_or_default() {
        let Some(address) = resource.get("address").and_then(Node::as_str) else {
            continue;
        };
        let mut written = HashMap::new();
        for entry in resource
            .get("expressions")
            .map(Node::entries)
            .unwrap_or_default()
        {
            let refs: Vec<&str> = entry
                .value
                .get("references")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            // Terraform lists the attribute first, then what holds it.
            let Some(first) = refs.first() else {
                continue;
            };
            if refs.iter().all(|r| first.starts_with(r)) {
                written.insert(entry.key.to_string(), (*first).to_owned());
            }
        }
        if !written.is_empty() {
            out.insert(format!("{prefix}{address}"), written);
        }
    }
    for entry in module
        .get("module_calls")
        .map(Node::entries)
        .unwrap_or_default()
    {
        if let Some(child) = entry.value.get("module") {
            config_expressions(child, &format!("{prefix}module.{}.", entry.key), out);
        }
    }
}

fn collect(
    module: &Node,
    prefix: &str,
    source: &Arc<Source>,
    changes: &HashMap<&str, &Node>,
    references: &HashMap<String, String>,
    out: &mut Vec<Resource>,
) {
    for node in module.get("resources").map(Node::items).unwrap_or_default() {
        if node.get("mode").and_then(Node::as_str) == Some("data") {
            continue;
        }
        let (Some(kind), Some(label), Some(values)) = (
            node.get("type").and_then(Node::as_str),
            node.get("name").and_then(Node::as_str),
            node.get("values").filter(|v| v.is_map()),
        ) else {
            continue;
        };
        if !map::is_mapped(kind) {
            continue;
        }
        let mut body = obj(values);
        body.pos = node.pos;
        let address = node.get("address").and_then(Node::as_str).unwrap_or("");
        if let Some(unknown) = changes.get(address).and_then(|c| c.get("after_unknown")) {
            mark_unknown(&mut body, unknown);
        }
        let value_of = |key: &str| values.get(key).and_then(Node::as_str).map(str::to_owned);
        let id = if kind == map::CLUSTER {
            value_of("id")
        } else {
            value_of("kubernetes_cluster_id").or_else(|| value_of("target_resource_id"))
        };
        let config_address = format!("{prefix}{kind}.{label}");
        out.push(Resource {
            kind: kind.to_owned(),
            label: label.to_owned(),
            instance: String::new(),
            conditional: false,
            module: prefix.to_owned(),
            caller: None,
            body,
            source: source.clone(),
            cluster_ref: references.get(&config_address).cloned(),
            id,
            names: Default::default(),
        });
    }
    for child in module
        .get("child_modules")
        .map(Node::items)
        .unwrap_or_default()
    {
        let address = child.get("address").and_then(Node::as_str).unwrap_or("");
        collect(
            child,
            &module_prefix(address),
            source,
            changes,
            references,
            out,
        );
    }
}

/// Plan values → a body: lists of objects are nested blocks, everything else attributes.
fn obj(values: &Node) -> Obj {
    let mut out = Obj {
        pos: values.pos,
        ..Obj::default()
    };
    for entry in values.entries() {
        let items = entry.value.items();
        if entry.value.is_seq() && !items.is_empty() && items.iter().all(Node::is_map) {
            for item in items {
                out.blocks.push((entry.key.to_string(), obj(item)));
            }
        } else {
            out.attrs.push((
                entry.key.to_string(),
                Attr {
                    val: val(&entry.value),
                    pos: entry.key_pos,
                    text: None,
                    items: Vec::new(),
                },
            ));
        }
    }
    out
}

fn val(node: &Node) -> Val {
    match &node.value {
        Value::Scalar { .. } if node.is_null() => Val::Null,
        Value::Scalar { text, plain: true } => match node.as_bool() {
            Some(b) if text == "true" || text == "false" => Val::Bool(b),
            _ => Val::Num(text.to_string()),
        },
        Value::Scalar { text, .. } => Val::Str(text.to_string()),
        Value::Seq(items) => Val::List(items.iter().map(val).collect()),
        Value::Map(entries) => Val::Map(
            entries
                .iter()
                .map(|e| (e.key.to_string(), val(&e.value)))
                .collect(),
        ),
    }
}

/// Applies `after_unknown` (`true` for an unknown attribute; nested lists for blocks).
fn mark_unknown(obj: &mut Obj, unknown: &Node) {
    for entry in unknown.entries() {
        if entry.value.as_bool() == Some(true) {
            let attr = Attr {
                val: Val::Unknown("known only after apply".into()),
                pos: obj.pos,
                text: None,
                items: Vec::new(),
            };
            obj.attrs.retain(|(k, _)| *k != entry.key);
            obj.attrs.push((entry.key.to_string(), attr));
        } else if entry.value.is_seq() {
            let mut blocks = obj.blocks.iter_mut().filter(|(k, _)| *k == entry.key);
            for item in entry.value.items() {
                let Some((_, block)) = blocks.next() else {
                    break;
                };
                if item.is_map() {
                    mark_unknown(block, item);
                }
            }
        }
    }
}
