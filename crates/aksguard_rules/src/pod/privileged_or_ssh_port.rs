use aksguard_model::{ContainerView, Node, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::KubeLinter, narrower};

pub(crate) static RULE: Rule = Rule {
    id: "POD029",
    slug: "privileged-or-ssh-port",
    title: "Container listens on a privileged port or exposes SSH",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "Each entry of a container's `ports` (init, regular or ephemeral container) whose \
             `containerPort` is an integer from 1 to 1023, or which is SSH: `containerPort: 22` \
             or a port `name` equal to `ssh` (case-insensitive). SSH gets its own message and \
             takes precedence, so port 22 gives one finding. Reported at `containerPort`, or \
             at the port entry when a port named `ssh` has no containerPort. Quoted or \
             out-of-range port numbers are ignored. Applies to Windows pods too (the SSH \
             part matters there, and a low port is reported although Windows does not \
             restrict binding it).",
    rationale: "Binding a port below 1024 on Linux needs root or CAP_NET_BIND_SERVICE unless \
                the runtime lowers `net.ipv4.ip_unprivileged_port_start`, so a workload \
                listening there usually runs with more privilege than it needs; listen on a \
                high port and let the Service map the public port. An SSH \
                server in a container is a standing remote shell with its own credentials, \
                outside Kubernetes RBAC and AKS audit logging; use `kubectl exec` or \
                `kubectl debug` instead.",
    remediation: "Change `containerPort` (and the application's listen port) to 1024 or above, \
                  for example `8080`, keeping the external port in the Service's `port`; \
                  remove SSH servers and their ports from containers.",
    references: &[
        guides::DEVELOPER_BEST_PRACTICES_POD_SECURITY,
        Reference::Peer(narrower(
            KubeLinter,
            "privileged-ports",
            "kube-linter fails ports below 1024 only; POD029 also SSH",
        )),
        Reference::Peer(narrower(
            KubeLinter,
            "ssh-port",
            "kube-linter fails SSH ports only; POD029 also ports below 1024",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Container(check),
};

fn check(container: &ContainerView<'_>, out: &mut Checker<'_>) {
    let Some(ports) = container.get("ports") else {
        return;
    };
    for (index, port) in ports.items().iter().enumerate() {
        let number_node = port.get("containerPort");
        let number = number_node.and_then(Node::as_i64);
        let named_ssh = port
            .get("name")
            .and_then(Node::as_str)
            .is_some_and(|name| name.trim().eq_ignore_ascii_case("ssh"));
        let pos = number_node.map_or(port.pos, |n| n.pos);
        let field = match number_node.and_then(Node::as_str) {
            Some(text) => format!("ports[{index}].containerPort: {text}"),
            None => format!("ports[{index}]"),
        };
        let message = if number == Some(22) || named_ssh {
            format!(
                "container `{}` exposes SSH ({field}{}); do not run SSH servers in containers",
                container.name(),
                if named_ssh { ", named ssh" } else { "" }
            )
        } else if number.is_some_and(|n| (1..1024).contains(&n)) {
            format!(
                "container `{}` listens on a privileged port below 1024 ({field})",
                container.name()
            )
        } else {
            continue;
        };
        out.report(Violation::in_container(container, pos, message));
    }
}
