use aksguard_model::{Inventory, Object, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::identity::label;
use crate::meta::{Check, Family, Reference, Rule};
use crate::patch;
use aksguard_model::FixSafety;

pub(crate) static RULE: Rule = Rule {
    id: "IDN001",
    slug: "deprecated-pod-identity",
    title: "Workload uses deprecated Microsoft Entra pod identity",
    family: Family::Identity,
    severity: Severity::Medium,
    checks: "Two signs of AAD (Microsoft Entra) pod identity, each reported on its own \
             object: a workload (any kind with a pod template, CronJobs included) whose pod \
             template carries the `aadpodidbinding` label (any value), reported at the label; \
             and an `AzureIdentity`, `AzureIdentityBinding` or `AzurePodIdentityException` \
             object of the `aadpodidentity.k8s.io` API group, reported at its `kind`. The label \
             on a workload's own metadata rather than its pod template is not reported (NMI \
             matches pod labels only, so it does nothing). `AzureAssignedIdentity` objects \
             are created by the pod identity controller, not written by users, and are not \
             reported.",
    rationale: "AAD pod identity was deprecated in October 2022 and its open-source project \
                archived. It hands pods Azure tokens by intercepting their calls to the \
                instance metadata endpoint (IMDS) through the NMI DaemonSet, a host-network \
                component with node-level access; on kubenet clusters the interception is open \
                to ARP spoofing by pods with NET_RAW. Microsoft Entra Workload ID replaces it \
                with federated, short-lived, audience-bound tokens and no node-level proxy.",
    remediation: "Migrate to Microsoft Entra Workload ID: create a federated identity \
                  credential for the managed identity, annotate a dedicated ServiceAccount \
                  with `azure.workload.identity/client-id`, label the pod template \
                  `azure.workload.identity/use: \"true\"`, then delete the AzureIdentity, \
                  AzureIdentityBinding and `aadpodidbinding` labels and disable the pod \
                  identity add-on.",
    references: &[
        Reference::CisAks("5.2.1"),
        guides::WORKLOAD_IDENTITY_OVERVIEW,
        Reference::Guide(
            "Migrate from pod managed identity to workload identity",
            "https://learn.microsoft.com/azure/aks/workload-identity-migrate-from-pod-identity",
        ),
        Reference::Guide(
            "Use Microsoft Entra pod-managed identities in AKS (deprecated)",
            "https://learn.microsoft.com/azure/aks/use-azure-ad-pod-identity",
        ),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

/// Pod identity's own kinds that users write.
const POD_IDENTITY_KINDS: &[&str] = &[
    "AzureIdentity",
    "AzureIdentityBinding",
    "AzurePodIdentityException",
];

/// The pod label NMI matches against AzureIdentityBinding selectors.
const BINDING_LABEL: &str = "aadpodidbinding";

fn check(object: &Object, out: &mut Checker<'_>) {
    let group = object.api_version.split('/').next().unwrap_or_default();
    if group == "aadpodidentity.k8s.io" && POD_IDENTITY_KINDS.contains(&object.kind.as_str()) {
        out.report(Violation::at(
            object.locate("kind"),
            format!(
                "{} `{}` configures deprecated AAD pod identity; use Microsoft Entra Workload \
                 ID instead",
                object.kind,
                object.name.as_deref().unwrap_or("<unnamed>")
            ),
        ));
        return;
    }
    let Some(pod) = PodSpecView::of(object) else {
        return;
    };
    if let Some(binding) = label(Inventory::pod_labels(&pod), BINDING_LABEL) {
        out.report(Violation::at(
            binding.pos,
            format!(
                "pods carry the `{BINDING_LABEL}: {}` label of deprecated AAD pod identity; use \
                 Microsoft Entra Workload ID instead",
                binding.as_str().filter(|v| !v.is_empty()).unwrap_or("\"\"")
            ),
        )
        .with_fix(patch::remove(
            &format!("Remove the `{BINDING_LABEL}` label from the pod template and bind a workload identity instead."),
            FixSafety::Review,
            patch::object_path(pod.spec_path.trim_end_matches(".spec").trim_end_matches("spec"), &[])
                .key("metadata")
                .key("labels")
                .key(BINDING_LABEL),
        )));
    }
}
