use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{az_aks_update, clusters, node_flag, pos_of, report};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS028",
    slug: "pod-identity-enabled",
    title: "Deprecated Microsoft Entra pod-managed identity is enabled",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "The cluster's `podIdentityProfile.enabled` (the AKS-managed pod identity add-on): \
             reported when it is true. Not set means false. Pod identity objects in \
             manifests (AzureIdentity, `aadpodidbinding` labels) are IDN001's.",
    rationale: "Pod-managed identity was deprecated in October 2022 and its open-source \
                project archived in 2023: it receives no fixes. Its NMI DaemonSet intercepts \
                every pod's calls to the instance metadata endpoint, and a pod able to reach \
                IMDS directly or to spoof the binding label can obtain identities meant for \
                other workloads.",
    remediation: "Migrate the workloads to Microsoft Entra Workload ID, then disable pod \
                  identity with `az aks update --disable-pod-identity` (aks-preview \
                  extension) or ARM `podIdentityProfile.enabled: false`.",
    references: &[
        Reference::Guide(
            "Use Microsoft Entra pod-managed identities in AKS (deprecated)",
            "https://learn.microsoft.com/azure/aks/use-azure-ad-pod-identity",
        ),
        guides::WORKLOAD_IDENTITY_OVERVIEW,
    ],
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const PATH: &str = "podIdentityProfile.enabled";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        if cluster.settings.get(PATH).node().and_then(node_flag) != Some(true) {
            continue;
        }
        let message = format!(
            "podIdentityProfile.enabled is true: the deprecated, unmaintained pod-managed \
             identity add-on is running. Migrate the workloads to Microsoft Entra Workload ID, \
             then `{}` (aks-preview extension); ARM `podIdentityProfile.enabled: false`.",
            az_aks_update(cluster, "--disable-pod-identity"),
        );
        report(out, cluster, pos_of(cluster, PATH), message);
    }
}
