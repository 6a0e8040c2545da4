use aksguard_model::Severity;
use aksguard_model::azure::ManagedCluster;

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, flag};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

pub(crate) static RULE: Rule = Rule {
    id: "AKS001",
    slug: "kubernetes-rbac-disabled",
    title: "Kubernetes RBAC disabled on the AKS cluster",
    family: Family::Cluster,
    severity: Severity::Critical,
    checks: "Every managed cluster: fires when `enableRBAC` (az: `enableRbac`; Terraform \
             `role_based_access_control_enabled`) is known to be false. Absent passes: AKS \
             enables Kubernetes RBAC by default. An unresolvable value (template expression, \
             Terraform variable without default) never fires. Reported at the `enableRBAC` line.",
    rationale: "Without Kubernetes RBAC the API server authorizes every authenticated request: any \
                kubeconfig, service account token or Entra ID user can read every Secret and \
                change every workload. Entra ID integration and Azure RBAC for Kubernetes \
                both require RBAC, so none of AKS's access controls apply.",
    remediation: "Kubernetes RBAC cannot be turned on for an existing cluster: re-create the \
                  cluster with RBAC enabled (the default; drop `--disable-rbac`, set \
                  `enableRBAC: true` or `role_based_access_control_enabled = true`) and move \
                  the workloads.",
    references: &[
        guides::AKS_IDENTITY_BEST_PRACTICES,
        Reference::Guide(
            "Access and identity options for AKS",
            "https://learn.microsoft.com/azure/aks/concepts-identity",
        ),
        Reference::Peer(same(Checkov, "CKV_AZURE_5")),
    ],
    fix: crate::RuleFix {
        summary: Some("Re-create the cluster with Kubernetes RBAC enabled and move the workloads."),
        safety: aksguard_model::FixSafety::Manual,
        commands: &["az aks create {cluster-args} <other options of the cluster>"],
        iac: &[crate::IacSetting::new(
            "enableRBAC",
            "true",
            "role_based_access_control_enabled",
            "true",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if flag(cluster, "enableRBAC", true) != Some(false) {
        return;
    }
    let message = format!(
        "Kubernetes RBAC is disabled (`enableRBAC: false`): every authenticated caller is \
         authorized for everything. AKS cannot enable it in place: the cluster must be \
         re-created."
    );
    out.report(Violation::at(attr_pos(cluster, "enableRBAC"), message));
}
