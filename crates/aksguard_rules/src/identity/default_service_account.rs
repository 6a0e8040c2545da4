use aksguard_model::{PodServiceAccount, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::KubeLinter, WORKLOAD_KINDS, same};

pub(crate) static RULE: Rule = Rule {
    id: "IDN003",
    slug: "default-service-account",
    title: "Workload runs as its namespace's default ServiceAccount",
    family: Family::Identity,
    severity: Severity::Low,
    checks: "Every workload (any kind with a pod template, CronJobs included) whose pods run \
             as the `default` ServiceAccount: neither `serviceAccountName` nor the deprecated \
             `serviceAccount` names a non-empty account, or the one named is `default`. \
             Reported at the naming field, else at the pod spec. It fires whether or not the \
             token is automounted (that is POD016's): the account's identity (image pull \
             secrets, workload identity annotation, RBAC granted to it later) is still shared \
             with every other pod of the namespace that names none. No namespace is exempt.",
    rationale: "Every pod that names no ServiceAccount shares the namespace's `default` \
                account, so any permission granted to it (RBAC bindings, a workload identity \
                client-id annotation and the Azure roles behind it) is granted to all of them \
                at once, and audit logs cannot tell the workloads apart. AKS guidance is one \
                dedicated, least-privilege ServiceAccount per workload, which is also what a \
                workload identity federated credential is bound to.",
    remediation: "Create a dedicated ServiceAccount for the workload (with \
                  `automountServiceAccountToken: false` unless it calls the Kubernetes API) \
                  and set `serviceAccountName` in the pod template.",
    references: &[
        Reference::CisAks("4.1.5"),
        guides::WORKLOAD_IDENTITY_OVERVIEW,
        Reference::Guide(
            "Kubernetes: Configure Service Accounts for Pods",
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
        ),
        Reference::Peer(same(KubeLinter, "default-service-account").judging(WORKLOAD_KINDS)),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    let account = PodServiceAccount::of(pod);
    if !account.is_default() {
        return;
    }
    let how = match account.field {
        Some((key, _)) => format!("{}: default", pod.path(key)),
        None => "no serviceAccountName".to_owned(),
    };
    out.report(Violation::at(
        account.pos(pod),
        format!(
            "pods run as the namespace's `default` ServiceAccount ({how}); give the workload \
             its own ServiceAccount"
        ),
    ));
}
