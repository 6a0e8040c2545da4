use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, Kubescape},
    RBAC_KINDS, broader, different_unit,
};
use crate::rbac::helpers::{ItemFinding, check_role_rules, verbs_text};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC006",
    slug: "node-proxy-access",
    title: "ClusterRole allows nodes/proxy (direct kubelet API access)",
    family: Family::Rbac,
    severity: Severity::High,
    checks: "Every `rules[]` item of a ClusterRole that grants any verb on `nodes/proxy` of \
             the core group (named, or through `*`, `nodes/*` or `*/proxy` resources and `*` \
             apiGroups): even `get` reaches the kubelet API. One finding per item listing the \
             subjects bound to the role; raised to critical when a ClusterRoleBinding grants \
             it cluster-wide to a subject other than a system component. A namespaced Role is not reported: nodes are cluster-scoped, so a Role (or \
             a ClusterRole bound only by RoleBindings) grants nothing on them. Kubernetes' \
             own default roles are skipped.",
    rationale: "`nodes/proxy` forwards requests to the kubelet of every AKS node, bypassing \
                the API server's admission control and audit of what is done there: the \
                kubelet API runs commands in any pod on the node (`/exec`, `/run`), reads \
                their logs and lists them, so `get` on `nodes/proxy` is as good as exec into \
                every pod in the cluster.",
    remediation: "Remove `nodes/proxy`; monitoring agents need only `nodes/metrics` (and \
                  `nodes/stats`), which do not proxy arbitrary kubelet calls.",
    references: &[
        guides::AKS_IDENTITY_BEST_PRACTICES,
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
        Reference::Peer(
            broader(
                Kubescape,
                "rule-can-access-proxy-subresource",
                "kubescape also fails a namespaced Role, which grants nothing on nodes",
            )
            .judging(RBAC_KINDS),
        ),
        Reference::Peer(different_unit(
            Checkov,
            "CKV2_K8S_2",
            "checkov judges each RoleBinding or ClusterRoleBinding of a ServiceAccount or \
             Node to a role that grants it; we judge the role, whoever it is bound to",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    check_role_rules(inventory, out, true, |context, _, rule| {
        let verbs: Vec<&str> = rule
            .verbs
            .iter()
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .collect();
        if !context.can_grant_cluster_scoped()
            || !rule.allows_group("")
            || !rule.allows_resource("nodes/proxy")
            || verbs.is_empty()
        {
            return None;
        }
        let how = if rule.resources.iter().any(|r| r == "nodes/proxy") {
            String::new()
        } else {
            " (through a wildcard resource)".into()
        };
        Some(ItemFinding {
            message: format!("allows {} on `nodes/proxy`{how}", verbs_text(rule, &verbs)),
            severity: RULE.severity,
        })
    });
}
