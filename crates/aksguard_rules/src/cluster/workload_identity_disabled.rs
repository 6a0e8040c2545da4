use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pos_of};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS022",
    slug: "workload-identity-disabled",
    title: "Workload identity or the OIDC issuer is not enabled on the cluster",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "The cluster's `securityProfile.workloadIdentity.enabled` and \
             `oidcIssuerProfile.enabled`: reported when either is false or not set (both \
             default to false). One finding per cluster naming what is missing, at the first \
             missing setting's line (or the resource's first line). Unresolvable values are \
             not reported.",
    rationale: "Microsoft Entra Workload ID lets pods obtain Entra tokens through federated \
                Kubernetes service account tokens, so applications need no client secrets, \
                storage keys or connection strings in Kubernetes Secrets, and no node-wide \
                managed identity that every pod on the node can use. It needs the cluster's \
                OIDC issuer and the workload identity webhook; without them teams fall back to \
                long-lived secrets or the deprecated pod identity.",
    remediation: "Enable both with `az aks update --enable-oidc-issuer \
                  --enable-workload-identity`, ARM `oidcIssuerProfile.enabled: true` and \
                  `securityProfile.workloadIdentity.enabled: true`, or Terraform \
                  `oidc_issuer_enabled = true` and `workload_identity_enabled = true`.",
    references: &[
        guides::WORKLOAD_IDENTITY_OVERVIEW,
        Reference::Guide(
            "Deploy and configure workload identity on an AKS cluster",
            "https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster",
        ),
    ],
    fix: crate::RuleFix {
        summary: Some("Enable the OIDC issuer and Microsoft Entra Workload ID."),
        safety: aksguard_model::FixSafety::Safe,
        commands: &["az aks update {cluster-args} --enable-oidc-issuer --enable-workload-identity"],
        iac: &[
            crate::IacSetting::new(
                "oidcIssuerProfile.enabled",
                "true",
                "oidc_issuer_enabled",
                "true",
            ),
            crate::IacSetting::new(
                "securityProfile.workloadIdentity.enabled",
                "true",
                "workload_identity_enabled",
                "true",
            ),
        ],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const WORKLOAD_IDENTITY: &str = "securityProfile.workloadIdentity.enabled";
const OIDC_ISSUER: &str = "oidcIssuerProfile.enabled";

/// `Some(description)` when the setting is known to be off.
fn off(cluster: &ManagedCluster, path: &str) -> Option<String> {
    match cluster.settings.get(path) {
        Lookup::Absent => Some(format!("{path} is not set (defaults to false)")),
        lookup if lookup.node().and_then(node_flag) == Some(false) => {
            Some(format!("{path} is false"))
        }
        _ => None,
    }
}

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let missing: Vec<(&str, String)> = [WORKLOAD_IDENTITY, OIDC_ISSUER]
        .into_iter()
        .filter_map(|path| off(cluster, path).map(|state| (path, state)))
        .collect();
    let Some((first, _)) = missing.first() else {
        return;
    };
    let states: Vec<&str> = missing.iter().map(|(_, state)| state.as_str()).collect();
    let message = format!(
        "{}: pods cannot use Microsoft Entra Workload ID and fall back to stored secrets or \
         node-wide identities.",
        states.join("; "),
    );
    out.report(Violation::at(pos_of(cluster, first), message));
}
