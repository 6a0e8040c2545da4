use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster, NodePool};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::pool_pos_of;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS021",
    slug: "node-ssh-enabled",
    title: "SSH access to nodes is enabled on a node pool",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every Linux node pool of the cluster (pools with `osType: Windows` are skipped): \
             reported when `securityProfile.sshAccess` is `LocalUser` (any case) or not set, \
             since the API default is `LocalUser`, i.e. SSH enabled with the cluster's \
             `linuxProfile` key. `Disabled` passes; other values (and unresolvable ones) are \
             not reported. One finding per pool, naming it.",
    rationale: "An SSH daemon with an authorised key on every node is a standing path to root \
                on the nodes that bypasses Kubernetes RBAC and audit logging; a leaked key \
                gives node access to anyone who can reach the nodes. Node debugging works \
                without it (`kubectl debug node/…`).",
    remediation: "Disable SSH on the node pools (`az aks nodepool update --ssh-access \
                  disabled`, or `az aks update --ssh-access disabled` for all pools; these \
                  flags may need a recent Azure CLI or the aks-preview extension), or set the \
                  pool's ARM `securityProfile.sshAccess: Disabled` (azurerm has no attribute \
                  for it; use the azapi provider).",
    references: &[Reference::Guide(
        "Manage SSH for secure access to AKS nodes",
        "https://learn.microsoft.com/azure/aks/manage-ssh-node-access",
    )],
    fix: crate::RuleFix {
        summary: Some("Disable SSH access on the node pool."),
        safety: aksguard_model::FixSafety::Review,
        commands: &[
            "az aks nodepool update --resource-group {group} --cluster-name {cluster} --name {pool} --ssh-access disabled",
        ],
        iac: &[crate::IacSetting::arm(
            "securityProfile.sshAccess",
            "\"Disabled\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::NodePool(check),
};

const PATH: &str = "securityProfile.sshAccess";

fn check(_cluster: &ManagedCluster, pool: &NodePool, out: &mut Checker<'_>) {
    let windows = pool
        .settings
        .get("osType")
        .as_str()
        .is_some_and(|os| os.eq_ignore_ascii_case("windows"));
    if windows {
        return;
    }
    let state = match pool.settings.get(PATH) {
        Lookup::Absent => "is not set (defaults to `LocalUser`)".to_owned(),
        Lookup::Known(node) => match node.as_str() {
            Some(value) if value.eq_ignore_ascii_case("localuser") => {
                format!("is `{value}`")
            }
            _ => return,
        },
        Lookup::Unknown(_) => return,
    };
    let message = format!(
        "node pool `{}`: securityProfile.sshAccess {state}: its nodes accept SSH with \
         the cluster's key.",
        pool.name,
    );
    out.report(Violation::at(pool_pos_of(pool, PATH), message));
}
