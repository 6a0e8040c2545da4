use aksguard_model::{PodServiceAccount, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{KubeLinter, Kubescape},
    WORKLOAD_KINDS, same,
};

pub(crate) static RULE: Rule = Rule {
    id: "IDN004",
    slug: "missing-service-account",
    title: "Workload names a ServiceAccount that is not in the inventory",
    family: Family::Identity,
    severity: Severity::Info,
    checks: "Only with `--complete` (the scan is the whole cluster state; without it a \
             missing account may simply live in other files, so nothing is reported). Every \
             workload (any kind with a pod template, CronJobs included) whose \
             `serviceAccountName` (else deprecated `serviceAccount`) names an account other \
             than `default` that has no ServiceAccount object of that name in the workload's \
             namespace (objects without a namespace match accounts without one). Reported at \
             the naming field. `default` is never reported: Kubernetes creates it in every \
             namespace.",
    rationale: "A pod whose ServiceAccount does not exist is rejected by the ServiceAccount \
                admission controller, so the workload never starts; and if someone later \
                creates an account of that name, the pods silently inherit whatever RBAC and \
                workload identity it carries. A dangling name usually means a renamed or \
                forgotten account.",
    remediation: "Add the ServiceAccount manifest to the deployment (with least-privilege RBAC \
                  and, for Azure access, the workload identity client-id annotation), or fix \
                  the name in `serviceAccountName`.",
    references: &[
        crate::guides::WORKLOAD_IDENTITY_OVERVIEW,
        Reference::Guide(
            "Kubernetes: Configure Service Accounts for Pods",
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
        ),
        Reference::Peer(
            same(KubeLinter, "non-existent-service-account")
                .judging(WORKLOAD_KINDS)
                .complete(),
        ),
        Reference::Peer(same(Kubescape, "non-existent-service-account").complete()),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: true,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    if !out.settings().complete_for(&["ServiceAccount"]) {
        return;
    }
    let account = PodServiceAccount::of(pod);
    let Some((key, node)) = account.field else {
        return;
    };
    if account.is_default()
        || out
            .inventory()
            .service_account(account.namespace, account.name)
            .is_some()
    {
        return;
    }
    out.report(Violation::at(
        node.pos,
        format!(
            "{}: ServiceAccount `{}` is not in the inventory (--complete): the pods cannot be \
             admitted until it exists",
            pod.path(key),
            account.display()
        ),
    ));
}
