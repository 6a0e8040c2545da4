use aksguard_model::{Inventory, PolicyRule, Severity};

use crate::checker::Checker;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, Kubescape},
    RBAC_KINDS, narrower,
};
use crate::rbac::helpers::{Grants, ItemFinding, check_role_rules, names_restriction, verbs_text};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC010",
    slug: "admission-control-write-access",
    title: "Role can write admission webhooks or CRDs, or mint ServiceAccount tokens",
    family: Family::Rbac,
    severity: Severity::High,
    checks: "Every `rules[]` item of a Role or ClusterRole that grants a write verb (`create`, \
             `update`, `patch`, `delete`, `deletecollection`, or `*`) on \
             `mutatingwebhookconfigurations` or `validatingwebhookconfigurations` \
             (`admissionregistration.k8s.io`) or `customresourcedefinitions` \
             (`apiextensions.k8s.io`), or `create` on `serviceaccounts/token` (core). \
             Wildcards in verbs, resources and apiGroups count. The webhook and CRD grants \
             are cluster-scoped, so a namespaced Role only fires for `serviceaccounts/token`. \
             One finding per item listing the subjects bound to the role; raised to critical \
             when a ClusterRoleBinding grants it cluster-wide to a subject other than a system component. `resourceNames` restrictions are reported \
             as such but still fire (updating one's own webhook still intercepts every \
             matching request). Kubernetes' own default roles are skipped.",
    rationale: "A mutating admission webhook sees, and can rewrite, every object sent to the \
                AKS API server (including Secrets and pod specs, e.g. injecting a privileged \
                container); a validating one can block them. Whoever can write CRDs can \
                replace the schema of resources that operators trust. `serviceaccounts/token` \
                create mints a token for any ServiceAccount of the namespace, so it inherits \
                the permissions of the most privileged one, without a pod.",
    remediation: "Keep webhook configuration and CRD writes with cluster operators and the \
                  deployment pipeline; grant `serviceaccounts/token` create only with \
                  `resourceNames` for the accounts that need it.",
    references: &[
        guides::AKS_IDENTITY_BEST_PRACTICES,
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
        Reference::Peer(narrower(
            Checkov,
            "CKV_K8S_155",
            "admission webhook configurations only; RBAC010 also CRDs and \
             `serviceaccounts/token`",
        )),
        Reference::Peer(
            narrower(
                Kubescape,
                "rule-can-create-service-account-token",
                "`serviceaccounts/token` only; RBAC010 also admission webhooks and CRDs",
            )
            .judging(RBAC_KINDS),
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const WRITE_VERBS: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

/// `(verbs, group, resource, cluster-scoped)` grants that control admission or identity.
const GRANTS: &[(&[&str], &str, &str, bool)] = &[
    (
        WRITE_VERBS,
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        true,
    ),
    (
        WRITE_VERBS,
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        true,
    ),
    (
        WRITE_VERBS,
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        true,
    ),
    (&["create"], "", "serviceaccounts/token", false),
];

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    check_role_rules(inventory, out, true, |context, _, rule| {
        let found = granted(rule, context.can_grant_cluster_scoped());
        if found.is_empty() {
            return None;
        }
        let names = names_restriction(rule)
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        Some(ItemFinding {
            message: format!("allows {}{names}", found.text()),
            severity: RULE.severity,
        })
    });
}

fn granted(rule: &PolicyRule, cluster_scoped_effective: bool) -> Grants {
    let mut found = Grants::default();
    for (verbs, group, resource, cluster_scoped) in GRANTS {
        if *cluster_scoped && !cluster_scoped_effective {
            continue;
        }
        let allowed: Vec<&str> = verbs
            .iter()
            .copied()
            .filter(|verb| rule.allows(verb, group, resource))
            .collect();
        if !allowed.is_empty() {
            found.add(verbs_text(rule, &allowed), format!("`{resource}`"));
        }
    }
    found
}
