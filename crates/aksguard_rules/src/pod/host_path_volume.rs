use aksguard_model::{Node, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, KubeLinter, Kubescape, Polaris},
    narrower, same,
};
use crate::pod::helpers::is_true;

pub(crate) static RULE: Rule = Rule {
    id: "POD013",
    slug: "host-path-volume",
    title: "Pod mounts a hostPath volume from the node",
    family: Family::Pod,
    severity: Severity::High,
    checks: "Every entry of the pod's `volumes` with a `hostPath` mapping, one finding per \
             volume at its `hostPath.path` (container: null). The path is normalised first: \
             repeated `/` collapsed, trailing `/` stripped, `.` and `..` resolved (`..` stops \
             at `/`); a path that does not start with `/` (a Windows path such as `C:\\data`, \
             a relative path) is neither normalised nor sensitive. Severity is high, and \
             critical with its own message when the path exposes AKS node credentials \
             (`/etc/kubernetes` and anything under it, such as `/etc/kubernetes/azure.json`; \
             `/var/lib/kubelet` and anything under it), is a \
             container runtime socket (`docker.sock`, `containerd.sock`, `crio.sock` or \
             `cri-dockerd.sock` anywhere under `/var/run` or `/run`), or is one of `/`, `/etc`, \
             `/proc`, `/sys`, `/root`, `/var/run`, `/run`, or a parent of any of these paths or \
             of the runtime sockets' usual locations (`/var`, `/var/lib`, `/run/containerd`, \
             `/var/run/crio`). Paths below a sensitive directory other than the AKS credential \
             directories (`/etc/ssl`, `/proc/sys`) stay high. Severity is raised one step \
             (high to critical) when any container (init, regular or ephemeral) mounts the \
             volume through a `volumeMounts` entry without `readOnly: true`; a volume no \
             container mounts is not raised. Applies to Windows pods too.",
    rationale: "A hostPath volume gives the pod the node's file system: it breaks the isolation \
                between the workload and the node and every other pod on it, and survives the \
                pod on that node. On AKS, `/etc/kubernetes/azure.json` holds the credentials of \
                the cluster's identity (service principal secret or managed identity settings) \
                and `/var/lib/kubelet` holds the kubelet's client certificates and every pod's \
                secrets and service-account tokens; a runtime socket (`containerd.sock`) lets \
                the pod start privileged containers on the node. A writable mount lets the pod \
                plant binaries or configuration the node will run.",
    remediation: "Replace the `hostPath` volume with `emptyDir`, a `configMap`/`secret`/\
                  `projected` volume or a `persistentVolumeClaim`; for node agents that truly \
                  need host files, mount the narrowest path with `readOnly: true` in every \
                  `volumeMounts` entry and never mount `/etc/kubernetes`, `/var/lib/kubelet` or \
                  the container runtime socket.",
    references: &[
        Reference::Pss("baseline", "HostPath Volumes"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(same(Polaris, "hostPathSet")),
        Reference::Peer(narrower(
            KubeLinter,
            "sensitive-host-mounts",
            "kube-linter fails a list of sensitive host paths; POD013 any hostPath",
        )),
        Reference::Peer(narrower(
            KubeLinter,
            "writable-host-mount",
            "kube-linter fails writable hostPath mounts; POD013 any hostPath",
        )),
        Reference::Peer(narrower(
            KubeLinter,
            "docker-sock",
            "kube-linter fails the Docker socket only; POD013 any hostPath",
        )),
        Reference::Peer(narrower(
            Checkov,
            "CKV_K8S_27",
            "checkov fails the Docker socket only; POD013 any hostPath",
        )),
        Reference::Peer(same(Kubescape, "alert-any-hostpath")),
        Reference::Peer(narrower(
            Kubescape,
            "alert-rw-hostpath",
            "kubescape fails writable hostPath mounts; POD013 any hostPath",
        )),
        Reference::Peer(narrower(
            Kubescape,
            "alert-mount-potential-credentials-paths",
            "kubescape fails host paths that may hold credentials; POD013 any \
             hostPath",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

/// Host directories that expose AKS node credentials, with what they hold.
const AKS_CREDENTIALS: &[(&str, &str)] = &[
    (
        "/etc/kubernetes",
        "azure.json with the cluster identity's credentials, the kubelet's kubeconfig and \
         certificates",
    ),
    (
        "/var/lib/kubelet",
        "the kubelet's client certificates and every pod's secrets and service-account tokens",
    ),
];

/// Host paths whose mount (or a parent's) is critical.
const SENSITIVE: &[&str] = &[
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/var/lib/kubelet",
    "/root",
    "/var/run",
    "/run",
];

const RUNTIME_SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
];

/// Where the runtime sockets usually live, so their directories count as parents.
const SOCKET_LOCATIONS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
];

enum Exposure {
    AksCredentials(&'static str),
    RuntimeSocket,
    Sensitive,
    ParentOf(&'static str),
    Other,
}

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    let Some(volumes) = pod.get("volumes") else {
        return;
    };
    for (index, volume) in volumes.items().iter().enumerate() {
        let Some(host_path) = volume.get("hostPath").filter(|n| n.is_map()) else {
            continue;
        };
        let name = volume.get("name").and_then(Node::as_str);
        let path_node = host_path.get("path").filter(|n| !n.is_null());
        let field = pod.path(&format!("volumes[{index}].hostPath.path"));
        let label = name.unwrap_or("<unnamed>");
        let writers = name.map(|n| writable_mounts(pod, n)).unwrap_or_default();

        let (mut severity, mut message) = match path_node.and_then(Node::as_str) {
            None => (
                RULE.severity,
                format!("hostPath volume `{label}` mounts the node's file system ({field} unset)"),
            ),
            Some(raw) => {
                // Only absolute (Linux) paths are normalised and classified.
                let path = if raw.starts_with('/') {
                    normalise(raw)
                } else {
                    raw.to_owned()
                };
                let shown = if path == raw {
                    format!("`{raw}`")
                } else {
                    format!("`{raw}` (normalised `{path}`)")
                };
                let exposure = if path.starts_with('/') {
                    classify(&path)
                } else {
                    Exposure::Other
                };
                match exposure {
                    Exposure::AksCredentials(holds) => (
                        Severity::Critical,
                        format!(
                            "hostPath volume `{label}` mounts {shown} from the node ({field}), \
                             which exposes AKS node credentials ({holds})"
                        ),
                    ),
                    Exposure::RuntimeSocket => (
                        Severity::Critical,
                        format!(
                            "hostPath volume `{label}` mounts the container runtime socket \
                             {shown} ({field}), which gives control of every container on the \
                             node"
                        ),
                    ),
                    Exposure::Sensitive => (
                        Severity::Critical,
                        format!(
                            "hostPath volume `{label}` mounts sensitive host path {shown} \
                             ({field})"
                        ),
                    ),
                    Exposure::ParentOf(inner) => (
                        Severity::Critical,
                        format!(
                            "hostPath volume `{label}` mounts host path {shown}, which \
                             contains `{inner}` ({field})"
                        ),
                    ),
                    Exposure::Other => (
                        RULE.severity,
                        format!("hostPath volume `{label}` mounts host path {shown} ({field})"),
                    ),
                }
            }
        };
        if !writers.is_empty() {
            severity = severity.raised();
            let list = writers
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ");
            message.push_str(&format!("; mounted writable (no readOnly: true) by {list}"));
        }
        let pos = path_node.map_or(host_path.pos, |n| n.pos);
        let mut violation = Violation::at(pos, message);
        if severity != RULE.severity {
            violation = violation.with_severity(severity);
        }
        out.report(violation);
    }
}

/// Names of containers that mount `volume` without `readOnly: true`, in pod order.
fn writable_mounts<'a>(pod: &PodSpecView<'a>, volume: &str) -> Vec<&'a str> {
    let mut writers: Vec<&'a str> = Vec::new();
    for container in pod.containers() {
        let writable = container
            .get("volumeMounts")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .any(|m| {
                m.get("name").and_then(Node::as_str) == Some(volume) && !is_true(m.get("readOnly"))
            });
        if writable && !writers.contains(&container.name()) {
            writers.push(container.name());
        }
    }
    writers
}

/// An absolute path with `//`, trailing `/`, `.` and `..` resolved (`..` stops at `/`).
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// True when `path` is `inner` or a directory above it.
fn contains(path: &str, inner: &str) -> bool {
    path == "/" || inner == path || inner.starts_with(&format!("{path}/"))
}

fn classify(path: &str) -> Exposure {
    if let Some((_, holds)) = AKS_CREDENTIALS.iter().find(|(dir, _)| contains(dir, path)) {
        return Exposure::AksCredentials(holds);
    }
    let in_run = path.starts_with("/var/run/") || path.starts_with("/run/");
    let file = path.rsplit('/').next().unwrap_or_default();
    if in_run && RUNTIME_SOCKETS.contains(&file) {
        return Exposure::RuntimeSocket;
    }
    if SENSITIVE.contains(&path) {
        return Exposure::Sensitive;
    }
    SENSITIVE
        .iter()
        .chain(SOCKET_LOCATIONS)
        .find(|inner| contains(path, inner))
        .map_or(Exposure::Other, |inner| Exposure::ParentOf(inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_paths() {
        assert_eq!(normalise("/var//lib/./kubelet/"), "/var/lib/kubelet");
        assert_eq!(normalise("/etc/../etc/kubernetes/"), "/etc/kubernetes");
        assert_eq!(normalise("/../.."), "/");
    }

    #[test]
    fn classifies_paths() {
        assert!(matches!(
            classify("/etc/kubernetes/azure.json"),
            Exposure::AksCredentials(_)
        ));
        assert!(matches!(
            classify("/var/lib/kubelet/pods"),
            Exposure::AksCredentials(_)
        ));
        assert!(matches!(
            classify("/run/containerd/containerd.sock"),
            Exposure::RuntimeSocket
        ));
        assert!(matches!(
            classify("/var/run/docker.sock"),
            Exposure::RuntimeSocket
        ));
        assert!(matches!(classify("/proc"), Exposure::Sensitive));
        assert!(matches!(
            classify("/var"),
            Exposure::ParentOf("/var/lib/kubelet")
        ));
        assert!(matches!(classify("/var/lib"), Exposure::ParentOf(_)));
        assert!(matches!(classify("/run/containerd"), Exposure::ParentOf(_)));
        assert!(matches!(classify("/var/log"), Exposure::Other));
        assert!(matches!(classify("/etc/ssl/certs"), Exposure::Other));
        assert!(matches!(classify("/var/run/thing.sock"), Exposure::Other));
        assert!(matches!(classify("/home/docker.sock"), Exposure::Other));
    }
}
