use aksguard_model::{ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use crate::peer::{
    PeerTool::{Checkov, Kubescape, Polaris},
    same,
};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "POD014",
    slug: "host-port",
    title: "Container binds a port on the node (hostPort)",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "Every entry of a container's `ports` (init, regular or ephemeral container) whose \
             `hostPort` is an integer other than 0, one finding per port at its `hostPort`. \
             `hostPort: 0` and an absent `hostPort` mean none; a non-integer value is invalid \
             and ignored. The hostPort the API server fills in for pods with `hostNetwork: true` \
             is not written in manifests and is POD003's concern. Applies to Windows pods too.",
    rationale: "A hostPort publishes the container on that port of every node it runs on, \
                bypassing the Service and load balancer a network policy and AKS's network \
                security groups are designed around; it exposes the pod on the node's IP in the \
                AKS virtual network, ties the pod to nodes where the port is free, and lets the \
                pod intercept traffic meant for a node service on that port.",
    remediation: "Remove `hostPort` from the container's `ports` and expose the pod through a \
                  Service (ClusterIP, or an internal LoadBalancer or ingress when it must be \
                  reached from outside the cluster).",
    references: &[
        Reference::Pss("baseline", "Host Ports"),
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(same(Polaris, "hostPortSet")),
        Reference::Peer(same(Checkov, "CKV_K8S_26")),
        Reference::Peer(same(Kubescape, "container-hostPort")),
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let ports = container.get("ports").map(Node::items).unwrap_or_default();
    for (index, port) in ports.iter().enumerate() {
        let Some(host_port) = port.get("hostPort") else {
            continue;
        };
        let Some(number) = host_port.as_i64().filter(|n| *n != 0) else {
            continue;
        };
        let target = port
            .get("containerPort")
            .and_then(Node::as_str)
            .map(|p| format!(" to containerPort {p}"))
            .unwrap_or_default();
        out.report(
            Violation::in_container(
                container,
                host_port.pos,
                format!(
                    "container `{}` maps node port {number}{target} ({}.ports[{index}].hostPort)",
                    container.name(),
                    container.path()
                ),
            )
            .with_fix(patch::remove(
                &format!("Remove `hostPort: {number}`; reach the pod through a Service."),
                FixSafety::Review,
                patch::container_path(container, &["ports"])
                    .index(u32::try_from(index).unwrap_or(u32::MAX))
                    .key("hostPort"),
            )),
        );
    }
}
