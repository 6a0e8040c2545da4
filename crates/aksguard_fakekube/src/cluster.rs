//! The objects a cluster holds, built from manifests: documents that are not Kubernetes
//! objects are skipped (with the reason), `List`s expanded, namespaced objects without a
//! namespace put in `default`, duplicates (same kind, namespace and name: a cluster cannot hold
//! two) kept once, built-in kinds only in a version a current cluster serves, a Namespace for
//! every namespace used and a CustomResourceDefinition for every custom resource kind.
//!
//! This is the *declared* state, what `kubectl apply` of the manifests leaves behind before the
//! server adds its fields and the controllers their objects ([`crate::store`] does both).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::catalog::{self, Catalog, Resource};

/// A document that was not kept, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub source: String,
    pub reason: String,
}

/// The declared objects of a cluster.
#[derive(Clone, Debug)]
pub struct Cluster {
    catalog: Catalog,
    /// Key (group, kind, namespace, name) → object, in insertion order of first sight.
    objects: Vec<Value>,
    keys: HashSet<(String, String, String, String)>,
    /// Objects dropped because an object with the same key came first ("kind ns/name (source)").
    pub duplicates: Vec<String>,
    pub skipped: Vec<Skipped>,
    /// Custom resource kinds seen before their CRD, resolved when the catalog is final.
    pending: Vec<(Value, String)>,
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::new()
    }
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

impl Cluster {
    pub fn new() -> Cluster {
        Cluster {
            catalog: Catalog::builtin(),
            objects: Vec::new(),
            keys: HashSet::new(),
            duplicates: Vec::new(),
            skipped: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Loads every `.yaml`, `.yml` and `.json` file under `path` (a file or a folder, sorted,
    /// recursively). Unreadable files are errors; documents that are not objects are skipped.
    pub fn load_path(&mut self, path: &Path) -> Result<(), String> {
        let mut files = Vec::new();
        collect_files(path, &mut files)?;
        for file in files {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            self.add_yaml(&text, &file.display().to_string());
        }
        Ok(())
    }

    /// Adds the documents of a YAML (or JSON) text; `source` names it in skip reasons. The
    /// text is read by aksguard's own loader and each object turned into JSON as kubectl sends
    /// it: plain `yes`/`no`/`on`/`off` are the YAML 1.1 booleans Kubernetes accepts, quoted
    /// ones stay strings.
    pub fn add_yaml(&mut self, text: &str, source: &str) {
        let (objects, errors) =
            aksguard_load::load_text(source, text, &aksguard_load::Limits::default());
        for error in errors {
            let at = error.line.map(|l| format!(":{l}")).unwrap_or_default();
            self.skip(&format!("{source}{at}"), error.message);
        }
        for object in objects {
            let line = object.root.pos.line;
            self.add(object.root.to_json(), &format!("{source}:{line}"));
        }
    }

    fn skip(&mut self, source: &str, reason: String) {
        self.skipped.push(Skipped {
            source: source.to_owned(),
            reason,
        });
    }

    /// Adds one object (a `List` adds its items).
    pub fn add(&mut self, value: Value, source: &str) {
        let Some(map) = value.as_object() else {
            if !value.is_null() {
                self.skip(source, "not a mapping".into());
            }
            return;
        };
        let (Some(api_version), Some(kind)) = (
            map.get("apiVersion").and_then(Value::as_str),
            map.get("kind").and_then(Value::as_str),
        ) else {
            self.skip(source, "no apiVersion or kind".into());
            return;
        };
        if kind.ends_with("List") && map.get("items").is_some_and(Value::is_array) {
            let Value::Object(mut map) = value else {
                unreachable!("checked above")
            };
            if let Some(Value::Array(items)) = map.remove("items") {
                for (i, item) in items.into_iter().enumerate() {
                    self.add(item, &format!("{source} items[{i}]"));
                }
            }
            return;
        }
        let (group, version) = catalog::split_api_version(api_version);
        let (group, version, kind) = (group.to_owned(), version.to_owned(), kind.to_owned());
        if text(&value, "/metadata/name").is_none_or(str::is_empty) {
            self.skip(source, format!("{kind} without metadata.name"));
            return;
        }
        if group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition" {
            self.register_crd(&value);
        }
        if catalog::is_builtin_group(&group) {
            if self.catalog.by_kind(&group, &version, &kind).is_none() {
                self.skip(
                    source,
                    format!("{kind} {api_version} is not served by a current cluster"),
                );
                return;
            }
            self.keep(value, source);
        } else {
            self.pending.push((value, source.to_owned()));
        }
    }

    /// A CRD among the manifests names its kind's plural and scope.
    fn register_crd(&mut self, crd: &Value) {
        let (Some(group), Some(kind), Some(plural)) = (
            text(crd, "/spec/group"),
            text(crd, "/spec/names/kind"),
            text(crd, "/spec/names/plural"),
        ) else {
            return;
        };
        let namespaced = text(crd, "/spec/scope") != Some("Cluster");
        let singular = text(crd, "/spec/names/singular")
            .map(str::to_owned)
            .unwrap_or_else(|| kind.to_ascii_lowercase());
        let versions: Vec<String> = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .map(|vs| {
                vs.iter()
                    .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        for version in versions {
            self.catalog.insert(Resource {
                group: group.to_owned(),
                version,
                kind: kind.to_owned(),
                plural: plural.to_owned(),
                singular: singular.clone(),
                namespaced,
                short_names: Vec::new(),
                builtin: false,
            });
        }
    }

    fn resource_of(&self, value: &Value) -> Option<Resource> {
        let (group, version) = catalog::split_api_version(text(value, "/apiVersion")?);
        self.catalog
            .by_kind(group, version, text(value, "/kind")?)
            .cloned()
    }

    /// Namespace defaulting, duplicate check, then the object is kept.
    fn keep(&mut self, mut value: Value, source: &str) {
        let Some(resource) = self.resource_of(&value) else {
            return;
        };
        let metadata = value
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
            .expect("metadata.name was checked");
        if resource.namespaced {
            if metadata
                .get("namespace")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                metadata.insert("namespace".into(), json!("default"));
            }
        } else {
            metadata.remove("namespace");
        }
        let key = (
            resource.group.clone(),
            resource.kind.clone(),
            text(&value, "/metadata/namespace").unwrap_or("").to_owned(),
            text(&value, "/metadata/name").unwrap_or("").to_owned(),
        );
        if !self.keys.insert(key.clone()) {
            let namespace = if key.2.is_empty() {
                String::new()
            } else {
                format!("{}/", key.2)
            };
            self.duplicates
                .push(format!("{} {namespace}{} ({source})", key.1, key.3));
            return;
        }
        self.objects.push(value);
    }

    /// Resolves custom resources (their CRDs are known now, or one is made up), adds a
    /// Namespace for every namespace used and returns the declared state.
    pub fn finish(mut self) -> Declared {
        // Kinds whose objects embed a pod template: their made-up CRD declares it.
        let with_template: HashSet<(String, String)> = self
            .pending
            .iter()
            .filter(|(v, _)| {
                [
                    "/spec/template/spec/containers",
                    "/spec/template/spec/initContainers",
                ]
                .iter()
                .any(|p| v.pointer(p).is_some_and(Value::is_array))
            })
            .map(|(v, _)| {
                (
                    text(v, "/apiVersion").unwrap_or("").to_owned(),
                    text(v, "/kind").unwrap_or("").to_owned(),
                )
            })
            .collect();
        for (value, source) in std::mem::take(&mut self.pending) {
            let (group, version) =
                catalog::split_api_version(text(&value, "/apiVersion").unwrap_or(""));
            let kind = text(&value, "/kind").unwrap_or("").to_owned();
            if self.catalog.by_kind(group, version, &kind).is_none() {
                let resource = Resource {
                    group: group.to_owned(),
                    version: version.to_owned(),
                    plural: catalog::plural_of(&kind),
                    singular: kind.to_ascii_lowercase(),
                    // Without a CRD, the convention: `Cluster*` kinds are cluster-scoped.
                    namespaced: !kind.starts_with("Cluster"),
                    short_names: Vec::new(),
                    builtin: false,
                    kind,
                };
                let pod_template = with_template.contains(&(
                    text(&value, "/apiVersion").unwrap_or("").to_owned(),
                    resource.kind.clone(),
                ));
                let crd = catalog::crd_for(&resource, pod_template);
                self.catalog.insert(resource);
                self.keep(crd, "(made up: the CRD of a custom resource)");
            }
            self.keep(value, &source);
        }
        let namespaces: BTreeSet<String> = self
            .objects
            .iter()
            .filter_map(|o| text(o, "/metadata/namespace").map(str::to_owned))
            .collect();
        for namespace in namespaces {
            let key = (
                String::new(),
                "Namespace".to_owned(),
                String::new(),
                namespace.clone(),
            );
            if self.keys.contains(&key) {
                continue;
            }
            self.keep(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}),
                "(made up: every namespace used exists)",
            );
        }
        Declared {
            catalog: self.catalog,
            objects: self.objects,
            duplicates: self.duplicates,
            skipped: self.skipped,
        }
    }
}

/// The declared state: the served resources and the objects as applied.
#[derive(Clone, Debug)]
pub struct Declared {
    pub catalog: Catalog,
    pub objects: Vec<Value>,
    pub duplicates: Vec<String>,
    pub skipped: Vec<Skipped>,
}

impl Declared {
    /// Objects per kind, for reports and assertions.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for object in &self.objects {
            *counts
                .entry(text(object, "/kind").unwrap_or("").to_owned())
                .or_insert(0) += 1;
        }
        counts
    }

    /// Writes every object as one YAML file `<n>-<kind>-<name>.yaml` under `dir` (for scanning
    /// the same objects as files).
    pub fn write_yaml(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (i, object) in self.objects.iter().enumerate() {
            let kind = text(object, "/kind")
                .unwrap_or("object")
                .to_ascii_lowercase();
            let name: String = text(object, "/metadata/name")
                .unwrap_or("")
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .take(60)
                .collect();
            let path = dir.join(format!("{i:06}-{kind}-{name}.yaml"));
            let yaml =
                yaml_serde::to_string(object).map_err(|e| format!("{}: {e}", path.display()))?;
            std::fs::write(&path, yaml).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }
}

fn collect_files(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        files.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_files(&entry, files)?;
        } else if entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            files.push(entry);
        }
    }
    Ok(())
}

/// A mapping's key, for code that builds objects.
pub(crate) fn object_mut<'a>(value: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    let map = value.as_object_mut().expect("an object");
    let entry = map.entry(key.to_owned()).or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    entry.as_object_mut().expect("just made an object")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_expand_namespaces_default_and_duplicates_are_kept_once() {
        let mut cluster = Cluster::new();
        cluster.add_yaml(
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: default}}\n---\n- not an object\n---\napiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\n",
            "test.yaml",
        );
        let declared = cluster.finish();
        let counts = declared.counts();
        assert_eq!(counts["Pod"], 1);
        assert_eq!(counts["Rollout"], 1);
        assert_eq!(counts["CustomResourceDefinition"], 1);
        assert_eq!(counts["Namespace"], 1);
        assert_eq!(declared.duplicates, vec!["Pod default/a (test.yaml:5)"]);
        assert_eq!(declared.skipped.len(), 1, "{:?}", declared.skipped);
        assert!(
            declared
                .catalog
                .by_kind("argoproj.io", "v1alpha1", "Rollout")
                .unwrap()
                .namespaced
        );
    }
}
