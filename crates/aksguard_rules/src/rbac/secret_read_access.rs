use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    BINDING_KINDS,
    PeerTool::{Checkov, KubeLinter, Kubescape},
    RBAC_KINDS, different_unit, same,
};
use crate::rbac::helpers::{
    ItemFinding, check_role_rules, granted_verbs, names_restriction, verbs_text,
};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC003",
    slug: "secret-read-access",
    title: "Role can read Secrets",
    family: Family::Rbac,
    severity: Severity::High,
    checks: "Every `rules[]` item of a Role or ClusterRole that grants `get`, `list` or \
             `watch` on `secrets` of the core API group: by name or through `*` in verbs, \
             resources or apiGroups. One finding per item, listing the subjects bound to the \
             role. Severity: high; critical when a ClusterRoleBinding grants it cluster-wide \
             (directly or through an aggregated ClusterRole) to a subject other than a \
             system component, since that reads every \
             namespace's Secrets; a Role, or a ClusterRole bound only by RoleBindings, stays \
             high. An item restricted by `resourceNames` is far narrower (only the named \
             Secrets, and `list`/`watch` then only through a matching field selector): it \
             still fires, says so, at low severity (medium when cluster-wide). Kubernetes' \
             own default roles (`kubernetes.io/bootstrapping: rbac-defaults`) are skipped.",
    rationale: "Secrets hold database passwords, TLS keys, registry credentials and \
                ServiceAccount tokens; reading them usually means acting as whatever they \
                unlock. Listing Secrets cluster-wide on AKS exposes every namespace's \
                credentials, including tokens of privileged ServiceAccounts in kube-system, \
                and `list`/`watch` return the values just like `get`. Prefer Azure Key Vault \
                with the Secrets Store CSI driver and keep Kubernetes Secret access narrow.",
    remediation: "Grant Secret access only in the namespace that needs it, with `resourceNames` \
                  naming the Secrets; prefer Azure Key Vault through the Secrets Store CSI \
                  driver and workload identity.",
    references: &[
        Reference::CisAks("4.1.2"),
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
        guides::CSI_SECRETS_STORE_DRIVER,
        Reference::Peer(same(Kubescape, "rule-can-list-get-secrets-v1").judging(RBAC_KINDS)),
        Reference::Peer(same(KubeLinter, "access-to-secrets").judging(BINDING_KINDS)),
        Reference::Peer(different_unit(
            Checkov,
            "CKV2_K8S_5",
            "checkov judges each RoleBinding or ClusterRoleBinding of a ServiceAccount or \
             Node to a role that grants it; we judge the role, whoever it is bound to",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const READ_VERBS: &[&str] = &["get", "list", "watch"];

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    check_role_rules(inventory, out, true, |_, _, rule| {
        let verbs = granted_verbs(rule, READ_VERBS, "", "secrets");
        if verbs.is_empty() {
            return None;
        }
        let how = if rule.resources.iter().any(|r| r == "secrets") {
            ""
        } else {
            " (through `*` resources)"
        };
        let verbs = verbs_text(rule, &verbs);
        Some(match names_restriction(rule) {
            Some(names) => ItemFinding {
                message: format!("allows {verbs} on `secrets`{how}, {names}"),
                severity: Severity::Low,
            },
            None => ItemFinding {
                message: format!("allows {verbs} on `secrets`{how}"),
                severity: RULE.severity,
            },
        })
    });
}
