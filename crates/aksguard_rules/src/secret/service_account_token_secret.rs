use aksguard_model::{Object, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::secret::{SA_TOKEN_TYPE, core_secret};

pub(crate) static RULE: Rule = Rule {
    id: "SEC004",
    slug: "long-lived-service-account-token",
    title: "Long-lived service account token Secret",
    family: Family::Secret,
    severity: Severity::Medium,
    checks: "A `Secret` (kind `Secret`, apiVersion `v1`) whose `type` is exactly \
             `kubernetes.io/service-account-token`, with or without data: reported at \
             `type`, naming the ServiceAccount from the \
             `kubernetes.io/service-account.name` annotation. Other Secret types and other \
             kinds do not fire. \
             Files only: a live scan (`--cluster`) never lists Secrets, because a list returns \
             their values, so this rule judges manifests and never a running cluster.",
    rationale: "A service-account-token Secret holds a token that never expires and is valid \
                until the Secret is deleted: copied out of the cluster, it keeps working from \
                anywhere the API server is reachable. Kubernetes has stopped creating them by \
                default (1.24) in favour of bound, short-lived tokens from the TokenRequest \
                API, which projected volumes rotate automatically; for Azure access, workload \
                identity exchanges those short-lived tokens for Entra ID tokens.",
    remediation: "Delete the Secret and use projected service account tokens (the default \
                  mount, or a `serviceAccountToken` projected volume with an audience and \
                  expiry), or `kubectl create token` for short-lived external access.",
    references: &[
        guides::WORKLOAD_IDENTITY_OVERVIEW,
        Reference::Guide(
            "Kubernetes: Configure Service Accounts for Pods",
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
        ),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Delete the Secret and use projected service account tokens (or `kubectl create token` for short-lived external access).",
        ),
        ..crate::RuleFix::MANUAL
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

fn check(object: &Object, out: &mut Checker<'_>) {
    if !core_secret(object) {
        return;
    }
    let Some(kind) = object.root.get("type") else {
        return;
    };
    if kind.as_str() != Some(SA_TOKEN_TYPE) {
        return;
    }
    let account = object
        .annotation("kubernetes.io/service-account.name")
        .map(|name| format!(" for ServiceAccount `{name}`"))
        .unwrap_or_default();
    out.report(Violation::at(
        kind.pos,
        format!(
            "Secret `{}` is a long-lived service account token{account}; use bound, \
             short-lived tokens instead",
            object.name.as_deref().unwrap_or("<unnamed>"),
        ),
    ));
}
