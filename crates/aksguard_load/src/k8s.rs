//! Kubernetes objects from a manifest stream: documents that are mappings with `apiVersion`
//! and `kind`, with `kind: List` (and `*List`) wrappers unpacked.

use std::sync::Arc;

use aksguard_model::azure::AzureResources;
use aksguard_model::{LoadError, Node, Object, Source};
use rayon::prelude::*;

use crate::limits::Limits;
use crate::split::{Chunk, split_documents};
use crate::yaml::parse_documents;

/// Streams with at least this many documents are parsed on several threads.
const PARALLEL_DOCUMENTS: usize = 64;

#[derive(Debug, Default)]
pub struct StreamResult {
    pub objects: Vec<Object>,
    pub errors: Vec<LoadError>,
    /// Azure resources found in documents that are not Kubernetes objects.
    pub azure: AzureResources,
    /// What the stream holds that is not judged, said once (a Terraform registry module, a
    /// Bicep registry module or syntax the Bicep grammar cannot read outside what is judged).
    pub notices: Vec<String>,
}

/// Parses a whole manifest stream (one file or stdin).
pub fn load_stream(text: &str, source: &Arc<Source>, limits: &Limits) -> StreamResult {
    let chunks = split_documents(text);
    let parse = |chunk: &Chunk<'_>| load_chunk(chunk, source, limits);
    let results: Vec<StreamResult> = if chunks.len() >= PARALLEL_DOCUMENTS {
        chunks.par_iter().map(parse).collect()
    } else {
        chunks.iter().map(parse).collect()
    };
    let mut out = StreamResult::default();
    for result in results {
        out.objects.extend(result.objects);
        out.errors.extend(result.errors);
        out.azure.extend(result.azure);
    }
    out
}

fn load_chunk(chunk: &Chunk<'_>, source: &Arc<Source>, limits: &Limits) -> StreamResult {
    let mut out = StreamResult::default();
    let template: Option<Arc<str>> = chunk.template.map(Arc::from);
    match parse_documents(chunk.text, chunk.first_line, limits) {
        Ok(documents) => {
            for root in documents.into_iter().flatten() {
                if is_kubernetes_document(&root) {
                    push_objects(root, source, &template, &mut out.objects);
                } else if let Some(resources) = crate::azure::from_document(&root, source) {
                    out.azure.extend(resources);
                }
            }
        }
        Err(err) => out.errors.push(LoadError::new(
            source.path.to_string(),
            Some(err.line),
            format!("invalid YAML: {}", err.message),
        )),
    }
    out
}

/// A mapping with `apiVersion` and `kind` (objects and `List`s).
pub(crate) fn is_kubernetes_document(root: &Node) -> bool {
    root.get("apiVersion").is_some() && root.get("kind").is_some()
}

pub(crate) fn push_objects(
    root: Node,
    source: &Arc<Source>,
    template: &Option<Arc<str>>,
    out: &mut Vec<Object>,
) {
    if is_list(&root) {
        let Some(items) = take_items(root) else {
            return;
        };
        for item in items {
            push_objects(item, source, template, out);
        }
        return;
    }
    if let Some(object) = Object::from_node(root, source.clone(), template.clone()) {
        out.push(object);
    }
}

/// `kind: List`, `PodList`, … with an `items` sequence (and no `spec`, so a custom resource
/// whose kind merely ends in "List" is left alone).
fn is_list(root: &Node) -> bool {
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    kind.ends_with("List")
        && root.get("items").is_some_and(Node::is_seq)
        && root.get("spec").is_none()
        && root.get("apiVersion").is_some()
}

fn take_items(root: Node) -> Option<Vec<Node>> {
    let aksguard_model::Value::Map(entries) = root.value else {
        return None;
    };
    let items = entries.into_iter().rev().find(|e| e.key == "items")?.value;
    match items.value {
        aksguard_model::Value::Seq(items) => Some(items),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> StreamResult {
        let source = Arc::new(Source {
            path: "t.yaml".into(),
        });
        load_stream(text, &source, &Limits::default())
    }

    #[test]
    fn list_wrappers_are_unpacked() {
        let r = load(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n",
        );
        let kinds: Vec<&str> = r.objects.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds, vec!["Pod", "Service"]);
        assert_eq!(r.objects[0].pos().line, 4);
    }

    #[test]
    fn one_bad_document_does_not_hide_the_next() {
        let r = load(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n",
        );
        assert_eq!(r.objects.len(), 1);
        assert_eq!(r.errors.len(), 1);
        assert!(r.errors[0].line.unwrap() <= 4);
    }

    #[test]
    fn non_objects_are_skipped() {
        let r = load("replicaCount: 1\nimage: nginx\n");
        assert!(r.objects.is_empty());
        assert!(r.errors.is_empty());
    }

    #[test]
    fn json_manifests_load_with_positions() {
        let r = load(
            "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"x\"}\n}\n",
        );
        assert_eq!(r.objects.len(), 1);
        assert_eq!(r.objects[0].locate("metadata.name").line, 4);
    }
}
