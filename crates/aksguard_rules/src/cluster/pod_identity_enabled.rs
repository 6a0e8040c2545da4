use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pos_of};
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
    fix: crate::RuleFix {
        summary: Some("Move workloads to Workload ID, then disable pod identity."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --disable-pod-identity"],
        iac: &[crate::IacSetting::arm(
            "podIdentityProfile.enabled",
            "false",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const PATH: &str = "podIdentityProfile.enabled";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if cluster.settings.get(PATH).node().and_then(node_flag) != Some(true) {
        return;
    }
    let message = format!(
        "podIdentityProfile.enabled is true: the deprecated, unmaintained pod-managed \
         identity add-on is running."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
