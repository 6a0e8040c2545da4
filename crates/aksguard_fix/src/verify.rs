//! Checks an edited text before it may be written: it still parses into the same objects,
//! the scan pipeline (`aksguard_scan`, the one every scan uses) no longer reports the
//! finding and reports nothing new, and nothing in the objects changed but the patched
//! paths (parsed trees compared with those paths masked).

use std::collections::{BTreeMap, BTreeSet};

use aksguard_load::Limits;
use aksguard_model::azure::AzureResources;
use aksguard_model::{Finding, Object, PatchOp, PathSegment};
use aksguard_rules::Rule;
use aksguard_scan::ScanSettings;
use serde_json::Value as Json;

/// What identifies a finding across edits of its file: the rule, the object and the
/// container (lines move, messages may change wording).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingKey {
    pub rule_id: &'static str,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub container: Option<String>,
}

impl FindingKey {
    pub fn of(finding: &Finding) -> FindingKey {
        FindingKey {
            rule_id: finding.rule_id,
            kind: finding.object.kind.to_string(),
            namespace: finding.object.namespace.as_ref().map(|n| n.to_string()),
            name: finding.object.name.to_string(),
            container: finding.container.as_ref().map(|c| c.to_string()),
        }
    }
}

impl std::fmt::Display for FindingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} on {}/", self.rule_id, self.kind)?;
        if let Some(namespace) = &self.namespace {
            write!(f, "{namespace}/")?;
        }
        write!(f, "{}", self.name)?;
        if let Some(container) = &self.container {
            write!(f, " (container {container})")?;
        }
        Ok(())
    }
}

/// One file scanned alone, in memory.
pub struct Scanned {
    pub objects: Vec<Object>,
    pub findings: BTreeSet<FindingKey>,
    /// How many findings share each key: a rule may report one object and container more
    /// than once (two unsafe sysctls of a pod, two duplicated env vars), and a fix of one of
    /// them must take one away without the others counting as "still reported".
    pub counts: BTreeMap<FindingKey, usize>,
}

impl Scanned {
    /// How many findings have `key`.
    pub fn count(&self, key: &FindingKey) -> usize {
        self.counts.get(key).copied().unwrap_or(0)
    }
}

/// Loads `text` as the file `path` and runs the scan pipeline over its objects alone. A
/// text that no longer parses cleanly is an error.
pub fn scan_text(
    path: &str,
    text: &str,
    rules: &[&'static Rule],
    settings: &ScanSettings,
) -> Result<Scanned, String> {
    let loaded = aksguard_load::load_text_all(path, text, &Limits::default());
    if let Some(error) = loaded.errors.first() {
        return Err(format!("the edited text does not load: {}", error.message));
    }
    let objects = loaded.objects;
    let (_, outcome) = aksguard_scan::scan_objects(
        objects.clone(),
        AzureResources::default(),
        rules,
        settings,
        path,
    );
    let mut counts: BTreeMap<FindingKey, usize> = BTreeMap::new();
    for finding in &outcome.findings {
        *counts.entry(FindingKey::of(finding)).or_default() += 1;
    }
    Ok(Scanned {
        objects,
        findings: counts.keys().cloned().collect(),
        counts,
    })
}

/// Whether `after` (the text with one finding's fix) is a good replacement for `before`.
/// `object` is the index of the edited object in file order; `ops` the fix's operations.
pub fn check(
    before: &Scanned,
    after: &Scanned,
    target: &FindingKey,
    object: usize,
    ops: &[PatchOp],
) -> Result<(), String> {
    check_all(before, after, &[(target.clone(), object, ops.to_vec())])
}

/// [`check`] for several fixes applied together: each `(finding, object, ops)`.
pub fn check_all(
    before: &Scanned,
    after: &Scanned,
    fixes: &[(FindingKey, usize, Vec<PatchOp>)],
) -> Result<(), String> {
    // Each fix takes away one finding of its key (others of the same key may stay).
    let mut fixed: BTreeMap<&FindingKey, usize> = BTreeMap::new();
    for (target, _, _) in fixes {
        *fixed.entry(target).or_default() += 1;
    }
    if let Some((target, _)) = fixed
        .iter()
        .find(|(t, n)| after.count(t) + **n > before.count(t))
    {
        return Err(format!("{target} is still reported after the edit"));
    }
    if let Some((new, _)) = after.counts.iter().find(|(k, n)| **n > before.count(k)) {
        return Err(format!("the edit would add a finding: {new}"));
    }
    if before.objects.len() != after.objects.len() {
        return Err(format!(
            "the edit changes the number of objects ({} to {})",
            before.objects.len(),
            after.objects.len()
        ));
    }
    for (index, (was, is)) in before.objects.iter().zip(&after.objects).enumerate() {
        let (mut was, mut is) = (was.root.to_json(), is.root.to_json());
        for (_, object, ops) in fixes {
            if *object == index {
                for op in ops {
                    if let Some(path) = removed_item(op) {
                        // The item is gone from the edited text: take it out of the original
                        // only (masking by position would hit its successor there).
                        drop_item(&mut was, path);
                    } else {
                        mask(&mut was, op);
                        mask(&mut is, op);
                    }
                }
            }
        }
        if was != is {
            return Err(format!(
                "the edit changes more than the fix's fields of object #{}",
                index + 1
            ));
        }
    }
    Ok(())
}

/// The path of the list item `op` removes, when it removes one (by position or name).
fn removed_item(op: &PatchOp) -> Option<&[PathSegment]> {
    match op {
        PatchOp::Remove { path }
            if matches!(
                path.0.last(),
                Some(PathSegment::Index(_) | PathSegment::Named(_))
            ) =>
        {
            Some(&path.0)
        }
        _ => None,
    }
}

/// Removes the list item at `path` from `tree`, as the edit did from the text (the first
/// item of that name, as the editor resolves it). Nothing when the path does not lead to it.
fn drop_item(tree: &mut Json, path: &[PathSegment]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = tree;
    for segment in parents {
        let next = match (segment, node) {
            (PathSegment::Key(key), Json::Object(map)) => map.get_mut(key.as_str()),
            (PathSegment::Index(index), Json::Array(items)) => items.get_mut(*index as usize),
            (PathSegment::Named(name), Json::Array(items)) => items
                .iter_mut()
                .find(|i| i.get("name").and_then(Json::as_str) == Some(name.as_str())),
            _ => None,
        };
        let Some(next) = next else { return };
        node = next;
    }
    let Json::Array(items) = node else { return };
    let at = match last {
        PathSegment::Index(index) => Some(*index as usize).filter(|i| *i < items.len()),
        PathSegment::Named(name) => items
            .iter()
            .position(|i| i.get("name").and_then(Json::as_str) == Some(name.as_str())),
        PathSegment::Key(_) => None,
    };
    if let Some(at) = at {
        items.remove(at);
    }
}

/// Takes out of `tree` what `op` may change, so two trees that differ only there compare
/// equal. Mappings left empty on the way are taken out too (an inserted `securityContext`).
pub fn mask(tree: &mut Json, op: &PatchOp) {
    let (path, item) = match op {
        PatchOp::Set { path, .. } | PatchOp::Remove { path } => (&path.0, None),
        PatchOp::AddToList { path, value } | PatchOp::RemoveFromList { path, value } => {
            (&path.0, Some(value))
        }
    };
    mask_at(tree, path, item);
}

/// Returns whether `node` became empty and should go too.
fn mask_at(node: &mut Json, path: &[PathSegment], item: Option<&Json>) -> bool {
    let Some((first, rest)) = path.split_first() else {
        // The end of the path: a list loses the item, anything else goes.
        return match (node, item) {
            (Json::Array(items), Some(item)) => {
                items.retain(|i| !same_item(i, item));
                items.is_empty()
            }
            _ => true,
        };
    };
    match (first, node) {
        (PathSegment::Key(key), Json::Object(map)) => {
            let Some(child) = map.get_mut(key.as_str()) else {
                return map.is_empty();
            };
            if mask_at(child, rest, item) {
                map.remove(key.as_str());
            }
            map.is_empty()
        }
        (PathSegment::Index(index), Json::Array(items)) => {
            if let Some(child) = items.get_mut(*index as usize) {
                mask_at(child, rest, item);
            }
            false
        }
        (PathSegment::Named(name), Json::Array(items)) => {
            if let Some(child) = items
                .iter_mut()
                .find(|i| i.get("name").and_then(Json::as_str) == Some(name.as_str()))
            {
                mask_at(child, rest, item);
            }
            false
        }
        _ => false,
    }
}

/// List items compared as the YAML reader may type them (`"1"` and `1`).
fn same_item(a: &Json, b: &Json) -> bool {
    a == b || scalar_text(a).is_some_and(|t| Some(t) == scalar_text(b))
}

fn scalar_text(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Bool(_) | Json::Number(_) => Some(value.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use aksguard_model::FieldPath;
    use serde_json::json;

    use super::*;

    #[test]
    fn masking_ignores_the_patched_path_and_the_mappings_it_created() {
        let op = PatchOp::Set {
            path: FieldPath::default()
                .key("spec")
                .key("containers")
                .named("app")
                .key("securityContext")
                .key("privileged"),
            value: json!(false),
        };
        let mut before = json!({"spec": {"containers": [{"name": "app", "image": "x"}]}});
        let mut after = json!({"spec": {"containers": [{"name": "app", "image": "x",
            "securityContext": {"privileged": false}}]}});
        mask(&mut before, &op);
        mask(&mut after, &op);
        assert_eq!(before, after);
        let mut changed = json!({"spec": {"containers": [{"name": "app", "image": "y",
            "securityContext": {"privileged": false}}]}});
        mask(&mut changed, &op);
        assert_ne!(before, changed);
    }

    #[test]
    fn masking_a_list_takes_out_only_the_item() {
        let op = PatchOp::AddToList {
            path: FieldPath::default().key("drop"),
            value: json!("ALL"),
        };
        let mut before = json!({"drop": ["NET_RAW"]});
        let mut after = json!({"drop": ["NET_RAW", "ALL"]});
        mask(&mut before, &op);
        mask(&mut after, &op);
        assert_eq!(before, after);
    }
}
