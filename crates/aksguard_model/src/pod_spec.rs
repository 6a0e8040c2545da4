//! One view over the pod template of every workload kind, so rules never care whether a
//! container sits in a Pod, a CronJob or an Argo Rollout.

use crate::node::Node;
use crate::object::Object;

/// Fields that exist in both pod and container `securityContext`; the container's value
/// overrides the pod's (Kubernetes "effective security context").
pub const OVERRIDABLE_SECURITY_FIELDS: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seccompProfile",
    "appArmorProfile",
    "seLinuxOptions",
    "windowsOptions",
];

#[derive(Clone, Copy, Debug)]
pub struct PodSpecView<'a> {
    pub object: &'a Object,
    /// The pod spec mapping.
    pub spec: &'a Node,
    /// Dotted path from the object root to `spec`, e.g. `spec.template.spec`.
    pub spec_path: &'static str,
    /// The pod template's metadata (for pod annotations such as legacy seccomp).
    pub metadata: Option<&'a Node>,
}

/// Where the pod spec lives for each kind of workload.
fn pod_spec_paths(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Pod" => ("spec", "metadata"),
        "PodTemplate" => ("template.spec", "template.metadata"),
        "CronJob" => (
            "spec.jobTemplate.spec.template.spec",
            "spec.jobTemplate.spec.template.metadata",
        ),
        // DeploymentConfig (OpenShift) embeds a core PodTemplateSpec at the same place as a
        // Deployment, so it is as recognisable as one.
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController"
        | "DeploymentConfig" => ("spec.template.spec", "spec.template.metadata"),
        _ => return None,
    })
}

/// The pod-spec fields that hold containers.
const CONTAINER_FIELDS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

impl<'a> PodSpecView<'a> {
    /// The pod template of a workload, or of a custom resource that embeds one
    /// (`spec.template.spec.containers`: Argo Rollouts, Knative).
    ///
    /// A workload kind's pod spec is judged even when it lists no containers (a partial
    /// manifest, or one a patch completes): its pod-level values such as `hostNetwork` are
    /// known all the same, and container rules simply see no container. A custom resource is
    /// taken for a pod template only when it has a container field (even null or empty):
    /// `spec.template.spec` alone also describes non-pod things (a KubeVirt virtual machine).
    pub fn of(object: &'a Object) -> Option<Self> {
        let known_kind = pod_spec_paths(&object.kind);
        let (spec_path, metadata_path) =
            known_kind.unwrap_or(("spec.template.spec", "spec.template.metadata"));
        let spec = object.root.at(spec_path)?;
        if !spec.is_map() {
            return None;
        }
        let has_container_field = CONTAINER_FIELDS.iter().any(|key| {
            spec.get(key)
                .is_some_and(|node| node.is_seq() || node.is_null())
        });
        if known_kind.is_none() && !has_container_field {
            return None;
        }
        Some(PodSpecView {
            object,
            spec,
            spec_path,
            metadata: object.root.at(metadata_path),
        })
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.spec.get(key)
    }

    pub fn security_context(&self) -> Option<&'a Node> {
        self.spec.get("securityContext")
    }

    /// A field of the pod-level `securityContext`.
    pub fn security(&self, key: &str) -> Option<&'a Node> {
        self.security_context()?.get(key)
    }

    /// A pod-template annotation (falls back to nothing for kinds without template metadata).
    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.annotation_node(key)?.as_str()
    }

    /// The node of a pod-template annotation, for reporting at its line.
    pub fn annotation_node(&self, key: &str) -> Option<&'a Node> {
        self.metadata?.get("annotations")?.get(key)
    }

    /// Windows pods are exempt from Linux-only rules: `spec.os.name: windows` or a Windows
    /// node selector.
    pub fn is_windows(&self) -> bool {
        let os_name = self.spec.at("os.name").and_then(Node::as_str);
        let selector = self.spec.get("nodeSelector");
        let selected_os = ["kubernetes.io/os", "beta.kubernetes.io/os"]
            .iter()
            .find_map(|key| selector?.get(key)?.as_str());
        os_name.or(selected_os) == Some("windows")
    }

    /// Every container: init, regular, then ephemeral.
    pub fn containers(&self) -> impl Iterator<Item = ContainerView<'a>> + '_ {
        let pod = *self;
        ContainerKind::ALL.into_iter().flat_map(move |kind| {
            pod.spec
                .get(kind.field())
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .filter(|(_, node)| node.is_map())
                .map(move |(index, node)| ContainerView {
                    pod,
                    node,
                    kind,
                    index,
                })
        })
    }

    /// The dotted path of a pod-spec field, for locating and messages.
    pub fn path(&self, field: &str) -> String {
        format!("{}.{field}", self.spec_path)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub const ALL: [ContainerKind; 3] = [
        ContainerKind::Init,
        ContainerKind::Regular,
        ContainerKind::Ephemeral,
    ];

    /// The pod-spec field that holds this kind of container.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct ContainerView<'a> {
    pub pod: PodSpecView<'a>,
    pub node: &'a Node,
    pub kind: ContainerKind,
    pub index: usize,
}

impl<'a> ContainerView<'a> {
    pub fn name(&self) -> &'a str {
        self.node
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("<unnamed>")
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.get("securityContext")
    }

    /// A field of the container's own `securityContext` (no pod fallback).
    pub fn security(&self, key: &str) -> Option<&'a Node> {
        self.security_context()?.get(key)
    }

    /// The effective value of a security-context field: the container's own value, else the
    /// pod's for fields that exist at both levels. Null values count as unset.
    pub fn effective(&self, key: &str) -> Option<&'a Node> {
        let own = self.security(key).filter(|n| !n.is_null());
        if own.is_some() || !OVERRIDABLE_SECURITY_FIELDS.contains(&key) {
            return own;
        }
        self.pod.security(key).filter(|n| !n.is_null())
    }

    /// The position to report a field of this container at: the field if present, else the
    /// container itself.
    pub fn pos_of(&self, node: Option<&Node>) -> crate::Pos {
        node.map_or(self.node.pos, |n| n.pos)
    }

    /// Dotted path to this container, e.g. `spec.template.spec.initContainers[0]`.
    pub fn path(&self) -> String {
        format!(
            "{}.{}[{}]",
            self.pod.spec_path,
            self.kind.field(),
            self.index
        )
    }
}
