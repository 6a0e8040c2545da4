use aksguard_model::{Inventory, PolicyRule, Severity};

use crate::checker::Checker;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    BINDING_KINDS,
    PeerTool::{Checkov, KubeLinter, Kubescape, Polaris},
    RBAC_KINDS, different_unit, narrower,
};
use crate::rbac::helpers::{Grants, ItemFinding, check_role_rules, verbs_text};

/// How Polaris's five exec/attach checks differ from RBAC005.
const EXEC_ATTACH_ONLY: &str = "exec and attach only; RBAC005 also port-forward, ephemeral \
                                containers and creating pods or workloads";

pub(crate) static RULE: Rule = Rule {
    id: "RBAC005",
    slug: "workload-creation-allowed",
    title: "Role can create pods or workloads, or exec into pods",
    family: Family::Rbac,
    severity: Severity::Medium,
    checks: "Every `rules[]` item of a Role or ClusterRole that grants `create` on `pods` or a \
             workload kind (`deployments`, `daemonsets`, `statefulsets`, `replicasets` of \
             `apps`; `jobs`, `cronjobs` of `batch`; core `replicationcontrollers`; \
             `deployments`, `daemonsets`, `replicasets` of the legacy `extensions` group), \
             `create` or `get` on `pods/exec`, `pods/attach` or `pods/portforward` (kubectl \
             opens these streams with either verb over WebSocket), or `update`/`patch` on \
             `pods/ephemeralcontainers` (adds a debug container to a running pod, as good as \
             exec). Wildcards in verbs, resources, apiGroups and subresource patterns \
             (`pods/*`) count. One finding per item naming what it grants, listing the \
             subjects bound to the role; severity raised to high when a ClusterRoleBinding \
             grants it cluster-wide to a subject other than a system component. `update`/`patch` on workloads is not reported (it is \
             usually paired with create). Kubernetes' own default roles are skipped.",
    rationale: "Whoever can create a pod can run it with any ServiceAccount of the namespace \
                (and read that account's token and mounted Secrets), mount Secrets and \
                ConfigMaps, and, where Pod Security Admission does not stop it, run it \
                privileged or with host paths to take over the AKS node and its kubelet \
                identity. Exec, attach and port-forward reach into running pods and their \
                credentials the same way.",
    remediation: "Let a deployment pipeline or GitOps controller create workloads instead of \
                  people; grant `create` on pods and `pods/exec` only in the namespaces that \
                  need it, and enforce Pod Security Admission there.",
    references: &[
        Reference::CisAks("4.1.4"),
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
        guides::USE_PSA,
        Reference::Peer(
            narrower(
                Kubescape,
                "exec-into-container-v1",
                "exec only; RBAC005 also attach, port-forward, ephemeral containers and \
             creating pods or workloads",
            )
            .judging(RBAC_KINDS),
        ),
        Reference::Peer(
            narrower(
                Kubescape,
                "rule-can-portforward-v1",
                "port-forward only; RBAC005 also exec, attach, ephemeral containers and \
             creating pods or workloads",
            )
            .judging(RBAC_KINDS),
        ),
        Reference::Peer(
            narrower(
                KubeLinter,
                "access-to-create-pods",
                "creating pods only; RBAC005 also workloads, exec, attach, port-forward \
             and ephemeral containers",
            )
            .judging(BINDING_KINDS),
        ),
        Reference::Peer(narrower(
            Polaris,
            "clusterrolePodExecAttach",
            EXEC_ATTACH_ONLY,
        )),
        Reference::Peer(narrower(Polaris, "rolePodExecAttach", EXEC_ATTACH_ONLY)),
        Reference::Peer(narrower(
            Polaris,
            "clusterrolebindingPodExecAttach",
            EXEC_ATTACH_ONLY,
        )),
        Reference::Peer(narrower(
            Polaris,
            "rolebindingClusterRolePodExecAttach",
            EXEC_ATTACH_ONLY,
        )),
        Reference::Peer(narrower(
            Polaris,
            "rolebindingRolePodExecAttach",
            EXEC_ATTACH_ONLY,
        )),
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

/// `(verbs, group, resource)` grants that let a subject run code in pods.
const GRANTS: &[(&[&str], &str, &str)] = &[
    (&["create"], "", "pods"),
    (&["create"], "apps", "deployments"),
    (&["create"], "apps", "daemonsets"),
    (&["create"], "apps", "statefulsets"),
    (&["create"], "apps", "replicasets"),
    (&["create"], "batch", "jobs"),
    (&["create"], "batch", "cronjobs"),
    (&["create"], "", "replicationcontrollers"),
    (&["create"], "extensions", "deployments"),
    (&["create"], "extensions", "daemonsets"),
    (&["create"], "extensions", "replicasets"),
    (&["create", "get"], "", "pods/exec"),
    (&["create", "get"], "", "pods/attach"),
    (&["create", "get"], "", "pods/portforward"),
    (&["update", "patch"], "", "pods/ephemeralcontainers"),
];

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    check_role_rules(inventory, out, true, |_, _, rule| {
        let found = granted(rule);
        (!found.is_empty()).then(|| ItemFinding {
            message: format!("allows {}", found.text()),
            severity: RULE.severity,
        })
    });
}

/// What the rule grants of [`GRANTS`] (a kind granted in both `apps` and the legacy
/// `extensions` group is named once).
fn granted(rule: &PolicyRule) -> Grants {
    let mut found = Grants::default();
    for (verbs, group, resource) in GRANTS {
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
