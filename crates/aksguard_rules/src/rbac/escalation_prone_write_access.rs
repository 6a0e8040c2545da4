use aksguard_model::{Inventory, PolicyRule, RoleKind, Severity};

use crate::checker::Checker;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{Checkov, Kubescape},
    RBAC_KINDS, different_unit, narrower,
};
use crate::rbac::helpers::{Grants, ItemFinding, RoleContext, check_role_rules, verbs_text};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC012",
    slug: "escalation-prone-write-access",
    title: "Role can rewrite CoreDNS, create PVs, approve CSRs or set Service status",
    family: Family::Rbac,
    severity: Severity::Medium,
    checks: "Every `rules[]` item of a Role or ClusterRole that grants: `create`, `update` or \
             `patch` on `configmaps` where they reach `kube-system` (a Role in kube-system, \
             or a ClusterRole bound cluster-wide or by a RoleBinding in kube-system; an \
             unbound ClusterRole is not reported for this); `create` on `persistentvolumes`; \
             `update` or `patch` on `certificatesigningrequests/approval` when the same role \
             also grants `approve` on `signers` (`certificates.k8s.io`; approving takes both, \
             reported at the approval item); `update` or `patch` on `services/status`. \
             Wildcards in verbs, resources and apiGroups count. PersistentVolumes, CSRs and \
             signers are cluster-scoped, so those parts only fire on ClusterRoles. One \
             finding per item listing the subjects bound to the role; raised to high when a \
             ClusterRoleBinding grants it cluster-wide to a subject other than a system component. Kubernetes' own default roles are skipped.",
    rationale: "Each is a known escalation path on AKS: the `coredns` and `coredns-custom` \
                ConfigMaps in kube-system configure cluster DNS, so writing them redirects any \
                service name to an attacker; a PersistentVolume can be a `hostPath` onto the \
                node's disk, mountable through a claim; approving CertificateSigningRequests \
                issues client certificates for any user or group the signer allows; and \
                writing `services/status` sets a LoadBalancer ingress IP that kube-proxy \
                routes to (CVE-2020-8554).",
    remediation: "Drop these permissions from roles that do not strictly need them; keep CSR \
                  approval with the control plane, PersistentVolume creation with the CSI \
                  driver, and kube-system ConfigMaps with cluster operators.",
    references: &[
        guides::KUBERNETES_RBAC_GOOD_PRACTICES,
        Reference::Guide(
            "Customize CoreDNS with Azure Kubernetes Service",
            "https://learn.microsoft.com/azure/aks/coredns-custom",
        ),
        Reference::Cve("CVE-2020-8554"),
        Reference::Peer(narrower(
            Checkov,
            "CKV_K8S_156",
            "CSR approval only; RBAC012 also CoreDNS, PersistentVolumes and Service \
             status",
        )),
        Reference::Peer(
            narrower(
                Kubescape,
                "rule-can-approve-cert-signing-request",
                "CSR approval only; RBAC012 also CoreDNS, PersistentVolumes and Service \
             status",
            )
            .judging(RBAC_KINDS),
        ),
        Reference::Peer(different_unit(
            Checkov,
            "CKV2_K8S_4",
            "checkov judges each RoleBinding or ClusterRoleBinding of a ServiceAccount or \
             Node to a role that grants it; we judge the role, whoever it is bound to",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const CONFIGMAP_WRITES: &[&str] = &["create", "update", "patch"];

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    check_role_rules(inventory, out, true, |context, index, rule| {
        let found = granted(context, index, rule);
        (!found.is_empty()).then(|| ItemFinding {
            message: format!("allows {}", found.text()),
            severity: RULE.severity,
        })
    });
}

fn granted(context: &RoleContext<'_>, index: usize, rule: &PolicyRule) -> Grants {
    let mut found = Grants::default();
    let mut add = |verbs: &[&str], group: &str, resource: &str, suffix: &str| {
        let allowed: Vec<&str> = verbs
            .iter()
            .copied()
            .filter(|verb| rule.allows(verb, group, resource))
            .collect();
        if !allowed.is_empty() {
            found.add(verbs_text(rule, &allowed), format!("`{resource}`{suffix}"));
        }
    };
    let reaches_kube_system = match context.role.kind {
        RoleKind::Role => context.role.namespace.as_deref() == Some("kube-system"),
        RoleKind::ClusterRole => context.granted_in("kube-system"),
    };
    if reaches_kube_system {
        add(
            CONFIGMAP_WRITES,
            "",
            "configmaps",
            " in kube-system (CoreDNS configuration)",
        );
    }
    if context.can_grant_cluster_scoped() {
        add(&["create"], "", "persistentvolumes", "");
        // Approving takes both grants; report the approval one, naming where `approve` is.
        let signer_item = context
            .role
            .rules
            .iter()
            .position(|r| r.allows("approve", "certificates.k8s.io", "signers"));
        if let Some(item) = signer_item {
            add(
                &["update", "patch"],
                "certificates.k8s.io",
                "certificatesigningrequests/approval",
                &if item == index {
                    " (and `approve` on `signers`)".to_owned()
                } else {
                    format!(" (with `approve` on `signers` in rules[{item}])")
                },
            );
        }
    }
    add(&["update", "patch"], "", "services/status", "");
    found
}
