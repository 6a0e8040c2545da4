use aksguard_model::{Node, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::namespace::{
    PSA_BASELINE_APPLIED, PSA_ENFORCE_LABEL, PSA_RESTRICTED_APPLIED, core_namespace,
    is_namespace_name, is_system_namespace,
};
use crate::patch;
use crate::peer::{PeerTool::Kubescape, same};
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "NS001",
    slug: "missing-pod-security-enforce-label",
    title: "Namespace does not enforce a Pod Security Standard",
    family: Family::Namespace,
    severity: Severity::Medium,
    checks: "Every Namespace object (kind `Namespace`, apiVersion `v1`) in the scan whose \
             `metadata.labels` lack `pod-security.kubernetes.io/enforce` (absent or null), or \
             set it to something that is not a Pod Security level (`privileged`, `baseline`, \
             `restricted`, exact spelling; the API server rejects such a Namespace). Reported \
             at `metadata.labels`, else `metadata`. `audit` and `warn` labels do not count: \
             they never block a pod. Namespaces that are only referenced by other objects are \
             not reported (their labels are unknown), nor are names that are not valid namespace names \
             (unrendered template placeholders such as `${NAMESPACE}`). Exempt: the Kubernetes and AKS system \
             namespaces (kube-system, kube-public, kube-node-lease, gatekeeper-system, \
             calico-system, tigera-operator, aks-command, app-routing-system, \
             aks-istio-system/-ingress/-egress), which AKS creates and manages and whose \
             platform pods need privileges. Levels that are set but permissive are NS002's.",
    rationale: "Pod Security Admission is built into AKS, but AKS configures no cluster-wide \
                default level: a namespace without the `enforce` label admits privileged, \
                host-namespace and hostPath pods from anyone who can create pods in it. The \
                label is the only thing that turns the Pod Security Standards on for a \
                namespace.",
    remediation: "Label the Namespace with `pod-security.kubernetes.io/enforce: restricted` (or \
                  `baseline` where restricted is not yet possible), optionally pinned with \
                  `pod-security.kubernetes.io/enforce-version`.",
    references: &[
        guides::USE_PSA,
        Reference::Guide(
            "Kubernetes: Enforce Pod Security Standards with Namespace Labels",
            "https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/",
        ),
        Reference::Peer(
            same(Kubescape, "pod-security-admission-applied-1").judging(&["Namespace"]),
        ),
        PSA_BASELINE_APPLIED,
        PSA_RESTRICTED_APPLIED,
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

/// The levels Pod Security Admission accepts, spelled exactly.
const LEVELS: &[&str] = &["privileged", "baseline", "restricted"];

fn check(object: &Object, out: &mut Checker<'_>) {
    if !core_namespace(object) {
        return;
    }
    let name = object.name.as_deref().unwrap_or("<unnamed>");
    if is_system_namespace(name) || object.name.is_some() && !is_namespace_name(name) {
        return;
    }
    let metadata = object.metadata();
    let labels = metadata.and_then(|m| m.get("labels"));
    match labels
        .and_then(|l| l.get(PSA_ENFORCE_LABEL))
        .filter(|n| !n.is_null())
    {
        None => out.report(
            Violation::at(
                labels.or(metadata).map_or(object.pos(), |n: &Node| n.pos),
                format!(
                    "Namespace `{name}` has no `{PSA_ENFORCE_LABEL}` label: Pod Security \
                 Admission enforces nothing on its pods"
                ),
            )
            // `restricted`, not `baseline`: NS002 reports `baseline` (low), so a fix to it would
            // trade one finding for another. Review: pods that need more than restricted allows
            // are refused admission until they are changed or moved.
            .with_fix(patch::set(
                &format!("Label the Namespace `{PSA_ENFORCE_LABEL}: restricted`."),
                FixSafety::Review,
                patch::object_path("metadata.labels", &[PSA_ENFORCE_LABEL]),
                "restricted",
            )),
        ),
        Some(level) => {
            let text = level.as_str().unwrap_or_default();
            if !LEVELS.contains(&text) {
                let text = if text.is_empty() { "\"\"" } else { text };
                out.report(Violation::at(
                    level.pos,
                    format!(
                        "Namespace `{name}`: `{PSA_ENFORCE_LABEL}: {text}` is not a Pod \
                         Security level (privileged, baseline, restricted); the API server \
                         rejects the Namespace"
                    ),
                ));
            }
        }
    }
}
