use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::attr_pos;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

const CLIENT_ID: &str = "servicePrincipalProfile.clientId";

pub(crate) static RULE: Rule = Rule {
    id: "AKS007",
    slug: "service-principal-identity",
    title: "AKS cluster uses a service principal instead of a managed identity",
    family: Family::Cluster,
    severity: Severity::Medium,
    checks: "Every managed cluster: fires when `servicePrincipalProfile.clientId` (Terraform \
             `service_principal.client_id`) is a known non-empty value other than `msi` (what \
             the API reports for managed-identity clusters) and the cluster has no managed \
             identity: `identity` absent, or `identity.type` known to be `None`. An \
             unresolvable client ID or identity never fires. Reported at `clientId`.",
    rationale: "A service principal's client secret is a long-lived credential stored on every \
                node (`/etc/kubernetes/azure.json`), expires after a year and must be rotated \
                by hand; a node compromise leaks it. Managed identities have no secret to \
                leak or rotate.",
    remediation: "Migrate the cluster to a managed identity (`az aks update \
                  --enable-managed-identity`; ARM `identity.type: SystemAssigned` or \
                  `UserAssigned` without `servicePrincipalProfile`; Terraform an `identity` block \
                  instead of `service_principal`).",
    references: &[
        Reference::Guide(
            "Use a managed identity in AKS",
            "https://learn.microsoft.com/azure/aks/use-managed-identity",
        ),
        guides::AKS_IDENTITY_BEST_PRACTICES,
    ],
    fix: crate::RuleFix {
        summary: Some("Migrate the cluster to a managed identity."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --enable-managed-identity"],
        iac: &[crate::IacSetting::new(
            "identity.type",
            "\"SystemAssigned\"",
            "identity.type",
            "\"SystemAssigned\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let Some(client_id) = cluster.settings.get(CLIENT_ID).as_str() else {
        return;
    };
    let client_id = client_id.trim();
    if client_id.is_empty() || client_id.eq_ignore_ascii_case("msi") {
        return;
    }
    let managed = match cluster.settings.get("identity") {
        Lookup::Unknown(_) => return,
        Lookup::Absent => false,
        Lookup::Known(_) => match cluster.settings.get("identity.type") {
            Lookup::Known(kind) => !kind
                .as_str()
                .is_some_and(|k| k.trim().eq_ignore_ascii_case("none")),
            // A present identity without a readable type: do not guess.
            _ => return,
        },
    };
    if managed {
        return;
    }
    let message = format!(
        "The cluster authenticates to Azure with a service principal (`clientId` \
         `{client_id}`) and has no managed identity: its secret sits on every node and \
         expires."
    );
    out.report(Violation::at(attr_pos(cluster, CLIENT_ID), message));
}
