use aksguard_model::{Inventory, PolicyRule, Severity};

use crate::checker::Checker;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, Kubescape},
    RBAC_KINDS, different_unit, narrower,
};
use crate::rbac::helpers::{ItemFinding, check_role_rules, join_words};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC004",
    slug: "escalation-verbs-allowed",
    title: "Role allows the escalate, bind or impersonate verbs",
    family: Family::Rbac,
    severity: Severity::Critical,
    checks: "Every `rules[]` item of a Role or ClusterRole that names the verb `escalate`, \
             `bind` or `impersonate` (case-insensitive, whatever resources it lists), or that \
             grants them through `verbs: [\"*\"]` on a resource they apply to: `roles` or \
             `clusterroles` of `rbac.authorization.k8s.io` (escalate, bind), `users`, \
             `groups` or `serviceaccounts` of the core group, or `uids`/`userextras/<key>` \
             of `authentication.k8s.io` (impersonate); `*` resources and apiGroups count. One \
             finding per item naming the verbs and how they are granted, listing the subjects \
             bound to the role. Always critical. Kubernetes' own default roles \
             (`kubernetes.io/bootstrapping: rbac-defaults`) are skipped.",
    rationale: "These verbs bypass RBAC's own escalation checks: `escalate` lets a subject write \
                roles with permissions it does not hold, `bind` lets it bind any role (such as \
                cluster-admin) to itself, and `impersonate` lets it act as any user, group or \
                ServiceAccount, including `system:masters`. Each is a one-step path to \
                cluster-admin on AKS.",
    remediation: "Remove `escalate`, `bind` and `impersonate` (and `*` verbs on roles, \
                  clusterroles, users, groups and serviceaccounts); if a controller must bind \
                  roles, restrict `bind` with `resourceNames` to the roles it hands out.",
    references: &[
        guides::AKS_IDENTITY_BEST_PRACTICES,
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
        Reference::Peer(
            narrower(
                Kubescape,
                "rule-can-bind-escalate",
                "the bind and escalate verbs; RBAC004 also impersonate",
            )
            .judging(RBAC_KINDS),
        ),
        Reference::Peer(
            narrower(
                Kubescape,
                "rule-can-impersonate-users-groups-v1",
                "the impersonate verb; RBAC004 also bind and escalate",
            )
            .judging(RBAC_KINDS),
        ),
        Reference::Peer(narrower(
            Checkov,
            "CKV_K8S_157",
            "the bind verb; RBAC004 also escalate and impersonate",
        )),
        Reference::Peer(narrower(
            Checkov,
            "CKV_K8S_158",
            "the escalate verb; RBAC004 also bind and impersonate",
        )),
        Reference::Peer(different_unit(
            Checkov,
            "CKV2_K8S_3",
            "checkov judges each RoleBinding or ClusterRoleBinding of a ServiceAccount or \
             Node to a role that grants it; we judge the role, whoever it is bound to",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Each verb and the `(group, resource)` pairs it acts on.
const TARGETS: &[(&str, &[(&str, &str)])] = &[
    (
        "escalate",
        &[
            ("rbac.authorization.k8s.io", "roles"),
            ("rbac.authorization.k8s.io", "clusterroles"),
        ],
    ),
    (
        "bind",
        &[
            ("rbac.authorization.k8s.io", "roles"),
            ("rbac.authorization.k8s.io", "clusterroles"),
        ],
    ),
    (
        "impersonate",
        &[
            ("", "users"),
            ("", "groups"),
            ("", "serviceaccounts"),
            ("authentication.k8s.io", "uids"),
            ("authentication.k8s.io", "userextras"),
        ],
    ),
];

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    check_role_rules(inventory, out, false, |_, _, rule| {
        let found = describe(rule);
        (!found.is_empty()).then(|| ItemFinding {
            message: format!("allows {}", join_words(&found)),
            severity: RULE.severity,
        })
    });
}

/// `bind on roles`, and `` `*` verbs (so escalate, bind) on `roles` `` for the wildcard.
fn describe(rule: &PolicyRule) -> Vec<String> {
    let mut found = Vec::new();
    for (verb, targets) in TARGETS {
        if !rule.verbs.iter().any(|v| v.eq_ignore_ascii_case(verb)) {
            continue;
        }
        let reached = reached(rule, verb, targets);
        let on = match (reached.is_empty(), rule.resources.is_empty()) {
            (false, _) => format!(" on {}", join_words(&quoted(&reached))),
            (true, false) => format!(" on {}", join_words(&quoted(&rule.resources))),
            (true, true) => String::new(),
        };
        found.push(format!("`{verb}`{on}"));
    }
    if rule.verbs.iter().any(|v| v == "*") {
        let mut verbs = Vec::new();
        let mut resources: Vec<&str> = Vec::new();
        for (verb, targets) in TARGETS {
            let reached = reached(rule, verb, targets);
            if !reached.is_empty() {
                verbs.push(*verb);
            }
            for resource in reached {
                if !resources.contains(&resource) {
                    resources.push(resource);
                }
            }
        }
        if !verbs.is_empty() {
            found.push(format!(
                "`*` verbs (so {}) on {}",
                verbs.join(", "),
                join_words(&quoted(&resources))
            ));
        }
    }
    found
}

/// The target resources `verb` reaches through this rule (`userextras/<key>` counts as
/// `userextras`).
fn reached<'t>(rule: &PolicyRule, verb: &str, targets: &[(&str, &'t str)]) -> Vec<&'t str> {
    targets
        .iter()
        .filter(|(group, resource)| {
            rule.allows(verb, group, resource)
                || (rule.allows_verb(verb)
                    && rule.allows_group(group)
                    && rule
                        .resources
                        .iter()
                        .any(|r| r.strip_prefix(resource).is_some_and(|s| s.starts_with('/'))))
        })
        .map(|(_, resource)| *resource)
        .collect()
}

fn quoted<S: AsRef<str>>(items: &[S]) -> Vec<String> {
    items.iter().map(|s| format!("`{}`", s.as_ref())).collect()
}
