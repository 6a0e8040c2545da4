use aksguard_model::{Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::namespace::{
    PSA_BASELINE_APPLIED, PSA_ENFORCE_LABEL, PSA_RESTRICTED_APPLIED, core_namespace,
    is_system_namespace,
};
use crate::patch;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "NS002",
    slug: "permissive-pod-security-level",
    title: "Namespace enforces a permissive Pod Security level",
    family: Family::Namespace,
    severity: Severity::High,
    checks: "Every Namespace object (kind `Namespace`, apiVersion `v1`) whose \
             `pod-security.kubernetes.io/enforce` label is `privileged` (severity high) or \
             `baseline` (severity low: it blocks the known privilege escalations but still \
             admits root containers, privilege escalation and the default capabilities); \
             reported at the label. `restricted` passes; a \
             missing or invalid label is NS001's. The Kubernetes and AKS system namespaces \
             (kube-system, kube-public, kube-node-lease, gatekeeper-system, calico-system, \
             tigera-operator, aks-command, app-routing-system, aks-istio-system/-ingress/ \
             -egress) are exempt: AKS runs privileged platform pods there.",
    rationale: "`privileged` turns Pod Security Admission off for the namespace while looking \
                deliberate: privileged containers, host namespaces and hostPath mounts are all \
                admitted, and any of them can take over the AKS node and its kubelet identity. \
                `baseline` still admits containers that run as root, allow privilege \
                escalation and keep the runtime's default capabilities, which the restricted \
                profile forbids.",
    remediation: "Set `pod-security.kubernetes.io/enforce: restricted`; move the few workloads \
                  that truly need privileges into a dedicated, tightly controlled namespace.",
    references: &[
        guides::USE_PSA,
        Reference::Guide(
            "Kubernetes: Pod Security Standards",
            "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        ),
        PSA_BASELINE_APPLIED,
        PSA_RESTRICTED_APPLIED,
    ],
    fix: crate::RuleFix::REVIEW,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if !core_namespace(object) {
        return;
    }
    let name = object.name.as_deref().unwrap_or("<unnamed>");
    if is_system_namespace(name) {
        return;
    }
    let Some(level) = object
        .metadata()
        .and_then(|m| m.get("labels"))
        .and_then(|l| l.get(PSA_ENFORCE_LABEL))
    else {
        return;
    };
    let (severity, effect) = match level.as_str() {
        Some("privileged") => (
            Severity::High,
            "admits privileged, host-namespace and hostPath pods",
        ),
        Some("baseline") => (
            Severity::Low,
            "admits containers that run as root, allow privilege escalation or keep their \
             capabilities (restricted does not)",
        ),
        _ => return,
    };
    out.report(
        Violation::at(
            level.pos,
            format!(
                "Namespace `{name}` enforces Pod Security level `{}`, which {effect}",
                level.as_str().unwrap_or_default()
            ),
        )
        .with_severity(severity)
        .with_fix(patch::set(
            &format!("Set `{PSA_ENFORCE_LABEL}: restricted`."),
            FixSafety::Review,
            patch::object_path("metadata.labels", &[PSA_ENFORCE_LABEL]),
            "restricted",
        )),
    );
}
