use aksguard_model::{
    FixSafety, Inventory, Node, PodServiceAccount, PodSpecView, Severity, UNSPECIFIED_NAMESPACE,
};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::identity::{WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL, client_id, label};
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;

pub(crate) static RULE: Rule = Rule {
    id: "IDN002",
    slug: "half-configured-workload-identity",
    title: "Workload identity is only half configured",
    family: Family::Identity,
    severity: Severity::Medium,
    checks: "Each workload (any kind with a pod template, CronJobs included) is matched with \
             the ServiceAccount its pods run as (`serviceAccountName`, else the deprecated \
             `serviceAccount`, else `default`, in the workload's namespace; objects without a \
             namespace match accounts without one). At most one finding per workload, on the \
             workload. (1) The pod template is labelled `azure.workload.identity/use: \
             \"true\"` but the ServiceAccount, found in the scan, has no non-empty \
             `azure.workload.identity/client-id` annotation: reported at the label. A \
             ServiceAccount outside the scan says nothing (a missing one is IDN004's with \
             `--complete`), except that with `--complete` a missing `default` account counts \
             as unannotated, since Kubernetes creates it bare. Pods that may set \
             `AZURE_CLIENT_ID` themselves pass: a container `env` entry of that name, or an \
             `envFrom` ConfigMap/Secret holding the key (after its `prefix`) or, without \
             `--complete`, not in the scan. (2) The \
             reverse: the ServiceAccount has the client-id annotation but the pod template \
             lacks the `use` label (absent, or a value other than `true`; an explicit \
             `\"false\"` is a deliberate opt-out and passes): reported at the pod template's \
             labels (else its metadata, else the pod spec). (3) The `use` label sits on the \
             workload's own `metadata.labels` but not on its pod template (the webhook only \
             sees pods): reported at that label whatever the ServiceAccount says.",
    rationale: "Workload identity needs both halves: the `use` label makes the AKS mutating \
                webhook project a federated service-account token and set AZURE_CLIENT_ID, \
                AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE; the ServiceAccount annotation \
                says which Entra ID identity the token is exchanged for. With one half \
                missing, Azure SDK credentials fail at runtime, and teams commonly fall back \
                to connection strings, client secrets or the node's managed identity, which \
                are exactly what workload identity is meant to replace.",
    remediation: "Label the pod template (not the Deployment) with \
                  `azure.workload.identity/use: \"true\"` and annotate the ServiceAccount it \
                  runs as with `azure.workload.identity/client-id: <client ID of the managed \
                  identity or app registration>` that has a federated credential for \
                  `system:serviceaccount:<namespace>:<name>`.",
    references: &[
        Reference::CisAks("5.2.1"),
        guides::WORKLOAD_IDENTITY_OVERVIEW,
        Reference::Guide(
            "Deploy and configure workload identity on an AKS cluster",
            "https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster",
        ),
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Label the pod template `azure.workload.identity/use: \"true\"` and annotate its ServiceAccount with the client ID of a federated identity.",
        ),
        ..crate::RuleFix::REVIEW
    },
    linux_only: false,
    reads_other_objects: true,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    let inventory = out.inventory();
    let pod_labels = Inventory::pod_labels(pod);
    let use_label = label(pod_labels, WI_USE_LABEL);
    let account = PodServiceAccount::of(pod);
    // A duplicated account (two files define it) is annotated only if every definition is:
    // the finding holds for whichever one is applied last.
    let definitions = inventory.service_accounts(account.namespace, account.name);
    let found = definitions
        .clone()
        .find(|sa| client_id(sa).is_none())
        .or_else(|| definitions.clone().next());
    let annotated = found.and_then(client_id).is_some();
    let any_annotated = definitions.clone().any(|sa| client_id(sa).is_some());
    let sa = format!("ServiceAccount `{}`", account.display());

    // A naked Pod's template metadata is its own metadata.
    let template_is_own = pod
        .metadata
        .zip(pod.object.metadata())
        .is_some_and(|(template, own)| std::ptr::eq(template, own));
    if use_label.is_none()
        && !template_is_own
        && let Some(misplaced) = label(
            pod.object.metadata().and_then(|m| m.get("labels")),
            WI_USE_LABEL,
        )
        && misplaced.as_str() == Some("true")
    {
        out.report(
            Violation::at(
                misplaced.pos,
                format!(
                    "`{WI_USE_LABEL}: \"true\"` is on the {} itself, not on its pod template: \
                     the workload identity webhook only sees pod labels, so no token is injected",
                    pod.object.kind
                ),
            )
            .with_fix(label_pods(pod)),
        );
        return;
    }

    match use_label {
        Some(node) if node.as_str() == Some("true") => {
            if annotated || may_set_client_id(pod, out) {
                return;
            }
            let why = match found {
                Some(_) => format!("{sa} has no `{WI_CLIENT_ID_ANNOTATION}` annotation"),
                None if account.is_default()
                    && out.settings().complete_for(&["ServiceAccount"]) =>
                {
                    format!(
                        "it runs as {sa}, which is not in the inventory and so is the bare one \
                     Kubernetes creates, without `{WI_CLIENT_ID_ANNOTATION}`"
                    )
                }
                None => return,
            };
            out.report(
                Violation::at(
                    node.pos,
                    format!(
                        "pods are labelled `{WI_USE_LABEL}: \"true\"` but {why}, so they get a \
                         federated token but no Entra ID identity to exchange it for"
                    ),
                )
                // The client ID is the user's to choose.
                .with_fix(patch::manual(&format!(
                    "Annotate {sa} with `{WI_CLIENT_ID_ANNOTATION}: <client ID>` of an identity \
                     with a federated credential for it."
                ))),
            );
        }
        Some(node) if node.as_str() == Some("false") => {}
        other => {
            if !any_annotated {
                return;
            }
            let state = match other.and_then(Node::as_str) {
                Some(value) => format!("`{WI_USE_LABEL}: {value}` (not \"true\")"),
                None => format!("no `{WI_USE_LABEL}: \"true\"` label"),
            };
            let pos = other
                .or(pod_labels)
                .or(pod.metadata)
                .map_or(pod.spec.pos, |n| n.pos);
            out.report(
                Violation::at(
                    pos,
                    format!(
                        "{sa} is annotated with `{WI_CLIENT_ID_ANNOTATION}` but the pods have \
                         {state}: the webhook injects no federated token, so the workload \
                         cannot use that identity"
                    ),
                )
                .with_fix(label_pods(pod)),
            );
        }
    }
}

/// Labels the pod template `use: "true"`: the half that is missing when the account is
/// annotated or the label sits on the workload. Review: the webhook then injects the token
/// and the `AZURE_*` variables, and the pods authenticate as the account's identity.
fn label_pods(pod: &PodSpecView<'_>) -> aksguard_model::Fix {
    patch::set(
        &format!("Label the pod template `{WI_USE_LABEL}: \"true\"`."),
        FixSafety::Review,
        patch::pod_metadata_path(pod, &["labels", WI_USE_LABEL]),
        "true",
    )
}

/// The variable through which a pod can pick its identity without the annotation.
const CLIENT_ID_ENV: &str = "AZURE_CLIENT_ID";

/// Whether a container may set `AZURE_CLIENT_ID` itself: an `env` entry of that name, or an
/// `envFrom` ConfigMap or Secret that holds the key (after its `prefix`) or, without
/// `--complete`, is not in the scan (its keys are unknown).
fn may_set_client_id(pod: &PodSpecView<'_>, out: &Checker<'_>) -> bool {
    let inventory = out.inventory();
    let namespace = pod
        .object
        .namespace
        .as_deref()
        .unwrap_or(UNSPECIFIED_NAMESPACE);
    pod.containers().any(|container| {
        let items = |key: &str| container.get(key).map(Node::items).unwrap_or_default();
        let named = items("env")
            .iter()
            .any(|var| var.get("name").and_then(Node::as_str) == Some(CLIENT_ID_ENV));
        named
            || items("envFrom").iter().any(|source| {
                let prefix = source.get("prefix").and_then(Node::as_str).unwrap_or("");
                let Some(key) = CLIENT_ID_ENV.strip_prefix(prefix) else {
                    return false;
                };
                [("configMapRef", "ConfigMap"), ("secretRef", "Secret")]
                    .iter()
                    .any(|(field, kind)| {
                        let Some(name) = source.at(&format!("{field}.name")).and_then(Node::as_str)
                        else {
                            return false;
                        };
                        match inventory
                            .of_kind_in(kind, namespace)
                            .find(|o| o.name.as_deref() == Some(name))
                        {
                            Some(object) => {
                                ["data", "stringData", "binaryData"].iter().any(|data| {
                                    object.root.at(data).and_then(|d| d.get(key)).is_some()
                                })
                            }
                            None => !out.settings().complete_for(&[kind]),
                        }
                    })
            })
    })
}
