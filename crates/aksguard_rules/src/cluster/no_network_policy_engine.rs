use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::attr_pos;
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

const POLICY: &str = "networkProfile.networkPolicy";
const DATAPLANE: &str = "networkProfile.networkDataplane";
const PLUGIN: &str = "networkProfile.networkPlugin";

pub(crate) static RULE: Rule = Rule {
    id: "AKS008",
    slug: "no-network-policy-engine",
    title: "No network policy engine on the AKS cluster (NetworkPolicies not enforced)",
    family: Family::Cluster,
    severity: Severity::High,
    checks: "Every managed cluster: fires when `networkProfile.networkPolicy` (Terraform \
             `network_profile.network_policy`) is absent (the default is none), empty or \
             `none`, unless `networkProfile.networkDataplane` is `cilium` (Azure CNI Powered by \
             Cilium enforces NetworkPolicies itself). `azure`, `calico` and `cilium` pass. An \
             unresolvable policy or data plane never fires. Reported at `networkPolicy`, else \
             at its enclosing object when that is written, else at the cluster's first line. \
             The fix names Calico, the engine kubenet supports too; for Azure CNI the message \
             also offers Azure NPM and Cilium.",
    rationale: "Without a network policy engine, Kubernetes NetworkPolicy objects are accepted \
                but silently not enforced: every pod can reach every other pod and namespace, \
                so one compromised workload reaches databases and internal APIs cluster-wide, \
                whatever the manifests say.",
    remediation: "Install a network policy engine (`az aks update --network-policy calico` or \
                  `azure`, or move to Azure CNI Powered by Cilium with `--network-dataplane \
                  cilium`; ARM `networkProfile.networkPolicy`; Terraform \
                  `network_profile { network_policy = ... }`); enabling it re-images every \
                  node pool.",
    references: &[
        Reference::CisAks("5.4.4"),
        guides::USE_NETWORK_POLICIES,
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
        Reference::Peer(same(Checkov, "CKV_AZURE_7")),
    ],
    fix: crate::RuleFix {
        summary: Some("Install a network policy engine (Calico, Azure or Cilium)."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --network-policy calico"],
        iac: &[crate::IacSetting::new(
            "networkProfile.networkPolicy",
            "\"calico\"",
            "network_profile.network_policy",
            "\"calico\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let state = match cluster.settings.get(POLICY) {
        Lookup::Unknown(_) => return,
        Lookup::Absent => "`networkProfile.networkPolicy` not set; the default is none".to_owned(),
        Lookup::Known(node) => match node.as_str().map(str::trim) {
            Some(policy) if policy.is_empty() || policy.eq_ignore_ascii_case("none") => {
                format!("`networkProfile.networkPolicy: {policy}`")
            }
            _ => return,
        },
    };
    match cluster.settings.get(DATAPLANE) {
        Lookup::Unknown(_) => return,
        Lookup::Known(node)
            if node
                .as_str()
                .is_some_and(|d| d.trim().eq_ignore_ascii_case("cilium")) =>
        {
            return;
        }
        _ => {}
    }
    let kubenet = cluster
        .settings
        .get(PLUGIN)
        .as_str()
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("kubenet"));
    let alternatives = if kubenet {
        " (kubenet supports only Calico)"
    } else {
        "; or `--network-policy azure`, or Azure CNI Powered by Cilium with \
         `--network-dataplane cilium`"
    };
    let message = format!(
        "No network policy engine ({state}): NetworkPolicies \
         are not enforced and every pod can reach every other pod. Enabling it re-images \
         every node pool{alternatives}."
    );
    out.report(Violation::at(attr_pos(cluster, POLICY), message));
}
