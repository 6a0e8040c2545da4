//! One Kubernetes object as loaded from a manifest, with where it came from.

use std::sync::Arc;

use crate::finding::ObjectRef;
use crate::node::{CompactString, Node, Pos, Value};
use crate::pod_spec::PodSpecView;

/// The stream an object was read from: a file path, `<stdin>`, or a rendered directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The path as shown to users (relative as given on the command line).
    pub path: Arc<str>,
}

#[derive(Clone, Debug)]
pub struct Object {
    pub source: Arc<Source>,
    /// The Helm chart template this object was rendered from (`# Source:` comment).
    pub template: Option<Arc<str>>,
    pub api_version: String,
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub root: Node,
    /// What findings on this object name, shared by all of them.
    pub reference: Arc<ObjectRef>,
}

impl Object {
    /// Builds an object from a mapping that has string `apiVersion` and `kind`; `None` for
    /// anything else (values files, config files, fragments).
    pub fn from_node(root: Node, source: Arc<Source>, template: Option<Arc<str>>) -> Option<Self> {
        let api_version = root.get("apiVersion")?.as_str()?.to_owned();
        let kind = root.get("kind")?.as_str()?.to_owned();
        if api_version.is_empty() || kind.is_empty() {
            return None;
        }
        let metadata = root.get("metadata");
        let text = |key: &str| {
            metadata
                .and_then(|m| m.get(key))
                .and_then(Node::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let name = text("name").or_else(|| text("generateName"));
        let namespace = text("namespace");
        let reference = Arc::new(ObjectRef {
            api_version: api_version.as_str().into(),
            kind: kind.as_str().into(),
            namespace: namespace.as_deref().map(Into::into),
            name: name.as_deref().unwrap_or("<unnamed>").into(),
        });
        Some(Object {
            name,
            namespace,
            reference,
            source,
            template,
            api_version,
            kind,
            root,
        })
    }

    pub fn pos(&self) -> Pos {
        self.root.pos
    }

    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }

    /// An annotation of the object itself.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata()?.get("annotations")?.get(key)?.as_str()
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.metadata()?.get("labels")?.get(key)?.as_str()
    }

    /// `kind namespace/name` for messages.
    pub fn display_name(&self) -> String {
        let name = self.name.as_deref().unwrap_or("<unnamed>");
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{name}", self.kind),
            None => format!("{} {name}", self.kind),
        }
    }

    /// The line of the deepest node that exists along a dotted path with optional indexes
    /// (`spec.template.spec.containers[1].securityContext.privileged`), so a finding about a
    /// missing field still points at its nearest present parent.
    pub fn locate(&self, path: &str) -> Pos {
        let mut node = &self.root;
        let mut pos = node.pos;
        for segment in path.split('.').filter(|s| !s.is_empty()) {
            let (key, indexes) = match segment.find('[') {
                Some(i) => (&segment[..i], &segment[i..]),
                None => (segment, ""),
            };
            if !key.is_empty() {
                match node.entry(key) {
                    Some(entry) => {
                        pos = entry.key_pos;
                        node = &entry.value;
                    }
                    None => return pos,
                }
            }
            for index in indexes
                .split(['[', ']'])
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse::<usize>().ok())
            {
                match node.items().get(index) {
                    Some(item) => {
                        node = item;
                        pos = item.pos;
                    }
                    None => return pos,
                }
            }
        }
        pos
    }

    /// Drops what no cross-object rule reads, once the rules that need only this object have
    /// seen it: `status`, `metadata.managedFields`, the last-applied-configuration
    /// annotation's value, CustomResourceDefinition schemas (group, names and scope stay),
    /// the values of ConfigMap and Secret data (keys and positions stay), every container
    /// field but `name`, `env` and `envFrom`, and the spec of custom resources other than
    /// [`CUSTOM_KINDS_READ_ACROSS`] but for pod templates, pod labels, selectors and replicas. These are most of
    /// the bytes of real manifests (CRD schemas alone are 70% of our corpus), and dropping
    /// them keeps a scan's memory bounded by what cross-resource analysis needs.
    pub fn shed_bulk(&mut self) {
        if let Some(view) = PodSpecView::of(self) {
            let spec_path = view.spec_path;
            if let Some(spec) = self.root.at_mut(spec_path) {
                shed_containers(spec);
            }
        }
        let is_crd = self.kind == "CustomResourceDefinition";
        let custom =
            self.is_custom_resource() && !CUSTOM_KINDS_READ_ACROSS.contains(&self.kind.as_str());
        let holds_data = matches!(self.kind.as_str(), "ConfigMap" | "Secret");
        let Value::Map(entries) = &mut self.root.value else {
            return;
        };
        entries.retain(|e| e.key != "status");
        entries.shrink_to_fit();
        for entry in entries.iter_mut() {
            match entry.key.as_str() {
                "metadata" => shed_metadata(&mut entry.value),
                "spec" if is_crd => shed_crd_spec(&mut entry.value),
                "spec" if custom => shed_custom_spec(&mut entry.value),
                "data" | "stringData" | "binaryData" if holds_data => {
                    blank_values(&mut entry.value)
                }
                _ => {}
            }
        }
        // Rebuilt compactly: what is left of a big object sits scattered among the freed
        // parts; a fresh copy lets the allocator reuse whole pages (10% less peak memory on
        // large scans).
        self.root = self.root.clone();
    }

    /// An object of a custom resource: its API group is neither core nor a Kubernetes one
    /// (`*.k8s.io`; `*.x-k8s.io` SIG projects such as LeaderWorkerSet are custom).
    pub fn is_custom_resource(&self) -> bool {
        let group = self.api_version.rsplit_once('/').map_or("", |(g, _)| g);
        group.contains('.') && !group.ends_with(".k8s.io")
    }
}

/// Custom resources whose `spec` rules across objects read: KEDA autoscalers, the objects
/// that create Secrets, and Istio's PeerAuthentication (NET016 reads its mTLS mode).
const CUSTOM_KINDS_READ_ACROSS: &[&str] = &[
    "ScaledObject",
    "ExternalSecret",
    "SecretProviderClass",
    "SealedSecret",
    "PeerAuthentication",
];

/// Keeps of any other custom resource's spec what rules across objects read: an embedded pod
/// template (operators' workloads), the labels operators put on their pods, a selector and a
/// replica count.
fn shed_custom_spec(spec: &mut Node) {
    if let Value::Map(entries) = &mut spec.value {
        entries.retain(|e| {
            matches!(
                e.key.as_str(),
                "template" | "podMetadata" | "podTemplate" | "selector" | "replicas"
            )
        });
        entries.shrink_to_fit();
    }
}

/// Keeps of each container what rules across objects read: its name (and position) and its
/// environment (`env`, `envFrom`: references to ConfigMaps, Secrets, identities). Images,
/// commands, probes, resources and security contexts are checked while the file loads.
fn shed_containers(spec: &mut Node) {
    let Value::Map(fields) = &mut spec.value else {
        return;
    };
    for field in fields.iter_mut().filter(|f| {
        matches!(
            f.key.as_str(),
            "containers" | "initContainers" | "ephemeralContainers"
        )
    }) {
        if let Value::Seq(containers) = &mut field.value.value {
            for container in containers {
                if let Value::Map(entries) = &mut container.value {
                    entries.retain(|e| matches!(e.key.as_str(), "name" | "env" | "envFrom"));
                    entries.shrink_to_fit();
                }
            }
        }
    }
}

fn shed_metadata(metadata: &mut Node) {
    let Value::Map(entries) = &mut metadata.value else {
        return;
    };
    entries.retain(|e| e.key != "managedFields");
    entries.shrink_to_fit();
    for entry in entries.iter_mut().filter(|e| e.key == "annotations") {
        if let Value::Map(annotations) = &mut entry.value.value {
            for annotation in annotations
                .iter_mut()
                .filter(|a| a.key == "kubectl.kubernetes.io/last-applied-configuration")
            {
                blank(&mut annotation.value);
            }
        }
    }
}

/// Keeps a CRD's group, names, scope and version names; drops schemas and the rest.
fn shed_crd_spec(spec: &mut Node) {
    let Value::Map(entries) = &mut spec.value else {
        return;
    };
    entries.retain(|e| {
        matches!(
            e.key.as_str(),
            "group" | "names" | "scope" | "version" | "versions"
        )
    });
    for entry in entries.iter_mut().filter(|e| e.key == "versions") {
        if let Value::Seq(versions) = &mut entry.value.value {
            for version in versions {
                if let Value::Map(fields) = &mut version.value {
                    fields.retain(|f| matches!(f.key.as_str(), "name" | "served" | "storage"));
                }
            }
        }
    }
}

fn blank_values(data: &mut Node) {
    if let Value::Map(entries) = &mut data.value {
        for entry in entries {
            blank(&mut entry.value);
        }
    }
}

/// An empty string in place of the value, at the same position.
fn blank(node: &mut Node) {
    node.value = Value::Scalar {
        text: CompactString::default(),
        plain: false,
    };
}
