use aksguard_model::{Node, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "POD016",
    slug: "automounted-service-account-token",
    title: "Pod automounts its service-account token",
    family: Family::Pod,
    severity: Severity::Low,
    checks: "Every pod template whose `automountServiceAccountToken` is not `false`: absent, \
             null, `true` or not a boolean; one finding per pod template (container: null) at \
             the field, or at the pod spec when it is absent. For now only the pod field is \
             read: a ServiceAccount with `automountServiceAccountToken: false` is honoured (an \
             unset pod field then passes) once the cluster-wide inventory lands; an explicit \
             `true` on the pod overrides the ServiceAccount and always fires. Tokens mounted on \
             purpose through a `projected` volume's `serviceAccountToken` source are not \
             reported. Applies to Windows pods too.",
    rationale: "By default every container gets a token for the pod's ServiceAccount under \
                /var/run/secrets/kubernetes.io/serviceaccount. Most workloads never call the \
                Kubernetes API, yet anyone who compromises the container can use the token \
                against the AKS API server with whatever RBAC the ServiceAccount holds, \
                including the namespace `default` account's; Azure access should come from \
                Microsoft Entra Workload ID, which mounts its own projected token.",
    remediation: "Set `automountServiceAccountToken: false` in the pod spec (or on its \
                  ServiceAccount); workloads that call the Kubernetes API should use a dedicated \
                  ServiceAccount with least-privilege RBAC and mount its token explicitly.",
    references: &[
        Reference::Guide(
            "Best practices for cluster security and upgrades in AKS",
            "https://learn.microsoft.com/azure/aks/operator-best-practices-cluster-security",
        ),
        Reference::Peer("polaris", "automountServiceAccountToken"),
        Reference::Peer("checkov", "CKV_K8S_38"),
        Reference::Peer("kubescape", "automount-service-account"),
    ],
    linux_only: false,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    let field = pod.get("automountServiceAccountToken");
    if field.and_then(Node::as_bool) == Some(false) {
        return;
    }
    let account = ["serviceAccountName", "serviceAccount"]
        .iter()
        .find_map(|key| pod.get(key).and_then(Node::as_str))
        .filter(|name| !name.is_empty())
        .unwrap_or("default");
    let path = pod.path("automountServiceAccountToken");
    let state = match field {
        None => format!("{path} is not set"),
        Some(node) if node.as_bool() == Some(true) => format!("{path}: true"),
        Some(node) if node.is_null() => format!("{path} is null"),
        Some(_) => format!("{path} is not a boolean"),
    };
    out.report(Violation::at(
        field.map_or(pod.spec.pos, |n| n.pos),
        format!("pod automounts the token of ServiceAccount `{account}` ({state})"),
    ));
}
