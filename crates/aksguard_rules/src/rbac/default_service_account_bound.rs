use aksguard_model::{DEFAULT_SERVICE_ACCOUNT, Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    BINDING_KINDS,
    PeerTool::{Checkov, Kubescape},
    narrower, same,
};
use crate::rbac::helpers::{binding_of, binding_scope, role_ref_display};

pub(crate) static RULE: Rule = Rule {
    id: "RBAC008",
    slug: "default-service-account-bound",
    title: "Binding grants a role to a namespace's default ServiceAccount",
    family: Family::Rbac,
    severity: Severity::Medium,
    checks: "Every RoleBinding or ClusterRoleBinding with a subject that is the `default` \
             ServiceAccount of any namespace: `kind: ServiceAccount, name: default` (its \
             namespace defaulting to the binding's), or `kind: User` named \
             `system:serviceaccount:<namespace>:default`. One finding per such subject, at \
             the subject, whatever the role (even read-only) and in every namespace, \
             kube-system included. Groups that contain it (`system:serviceaccounts`, \
             `system:serviceaccounts:<namespace>`) are not reported here.",
    rationale: "Every pod that names no ServiceAccount runs as its namespace's `default` \
                account, and its token is mounted unless automounting is turned off. \
                Permissions granted to `default` therefore go to every such pod, present and \
                future, including ones deployed by people who never asked for them.",
    remediation: "Create a dedicated ServiceAccount for the workload that needs the \
                  permissions, bind the role to it and set `serviceAccountName` on that \
                  workload; leave `default` without bindings.",
    references: &[
        Reference::CisAks("4.1.5"),
        guides::AKS_IDENTITY_BEST_PRACTICES,
        Reference::Peer(same(Checkov, "CKV_K8S_42")),
        Reference::Peer(
            narrower(
                Kubescape,
                "ensure-default-service-accounts-has-only-default-roles",
                "kubescape exempts bindings labelled `kubernetes.io/bootstrapping: \
             rbac-defaults`; RBAC008 reports every binding of a `default` ServiceAccount",
            )
            .judging(BINDING_KINDS),
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    let Some(binding) = binding_of(object) else {
        return;
    };
    for subject in &binding.subjects {
        let namespace = match subject.kind.as_str() {
            "ServiceAccount" if subject.name == DEFAULT_SERVICE_ACCOUNT => subject
                .namespace
                .clone()
                .unwrap_or_else(|| "(unspecified)".into()),
            "User" => match subject
                .name
                .strip_prefix("system:serviceaccount:")
                .and_then(|rest| rest.split_once(':'))
            {
                Some((namespace, DEFAULT_SERVICE_ACCOUNT)) => namespace.to_owned(),
                _ => continue,
            },
            _ => continue,
        };
        out.report(Violation::at(
            subject.pos,
            format!(
                "{} grants {} {} to the default ServiceAccount of namespace {namespace}",
                binding.display(),
                role_ref_display(&binding),
                binding_scope(&binding)
            ),
        ));
    }
}
