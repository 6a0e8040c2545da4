use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, KubeLinter},
    ROLE_KINDS, same,
};
use crate::rbac::helpers::{ItemFinding, check_role_rules, join_words};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC002",
    slug: "wildcard-in-role",
    title: "Role uses a wildcard in verbs, resources or apiGroups",
    family: Family::Rbac,
    severity: Severity::High,
    checks: "Every `rules[]` item of every Role and ClusterRole whose `verbs`, `resources` or \
             `apiGroups` contain the entry `*`; one finding per item, at the item, naming the \
             wildcarded fields. Only the whole-entry `*` counts: subresource patterns such as \
             `pods/*` or `*/scale` are narrower and left to the rules about what they reach \
             (RBAC005, RBAC006), and `nonResourceURLs: [\"*\"]` (read-only discovery \
             endpoints for most verbs) is not reported. The message lists the subjects bound \
             to the role (directly, or through an aggregated ClusterRole that picks it up by \
             label); severity is raised to critical when a ClusterRoleBinding grants it \
             cluster-wide to a subject other than a system component (the platform binds those on purpose). Kubernetes' own default roles (label \
             `kubernetes.io/bootstrapping: rbac-defaults`, e.g. `cluster-admin`) are skipped: \
             the API server reconciles them; who is bound to them is RBAC001's business.",
    rationale: "A wildcard grants every current and future verb, resource or API group: a role \
                written for today's needs silently gains access to new resources, CRDs added by \
                AKS add-ons or operators, and verbs such as `escalate`, `impersonate` or \
                `deletecollection`. Least privilege on AKS means listing exactly what the \
                subject needs.",
    remediation: "Replace `*` with the explicit verbs, resources and API groups the subject \
                  needs; split the rule when different resources need different verbs.",
    references: &[
        Reference::CisAks("4.1.3"),
        guides::AKS_IDENTITY_BEST_PRACTICES,
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
        Reference::Peer(same(Checkov, "CKV_K8S_49")),
        Reference::Peer(same(KubeLinter, "wildcard-in-rules").judging(ROLE_KINDS)),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    check_role_rules(inventory, out, true, |_, _, rule| {
        let fields: Vec<String> = [
            ("verbs", &rule.verbs),
            ("resources", &rule.resources),
            ("apiGroups", &rule.api_groups),
        ]
        .into_iter()
        .filter(|(_, values)| values.iter().any(|v| v == "*"))
        .map(|(name, _)| format!("`{name}`"))
        .collect();
        (!fields.is_empty()).then(|| ItemFinding {
            message: format!("uses `*` in {}", join_words(&fields)),
            severity: RULE.severity,
        })
    });
}
