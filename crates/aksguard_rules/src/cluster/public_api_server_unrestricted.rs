use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{attr_pos, private_cluster};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, same};

/// Ranges that admit every address, so authorize nothing.
const OPEN_RANGES: &[&str] = &["0.0.0.0/0", "0.0.0.0", "::/0", "*"];

pub(crate) static RULE: Rule = Rule {
    id: "AKS005",
    slug: "public-api-server-unrestricted",
    title: "Public AKS API server with no authorized IP ranges",
    family: Family::Cluster,
    severity: Severity::High,
    checks: "Every managed cluster whose API server is public: \
             `apiServerAccessProfile.enablePrivateCluster` (Terraform \
             `private_cluster_enabled`) known false or absent (the default is a public API \
             server). Fires when `apiServerAccessProfile.authorizedIPRanges` (Terraform \
             `api_server_access_profile.authorized_ip_ranges`) is absent or empty, or lists a \
             range admitting every address (`0.0.0.0/0`, `0.0.0.0`, `::/0`): that authorizes \
             the whole internet, so it counts as none. An unresolvable private-cluster flag or \
             range list never fires. Reported at the open range, else the (empty) range list, \
             else the cluster's first line.",
    rationale: "A public AKS API server with no authorized ranges accepts connections from the \
                whole internet: every API server vulnerability, leaked kubeconfig or \
                credential-stuffing attempt is exploitable from anywhere. Authorized IP ranges \
                or a private cluster limit who can even reach the control plane.",
    remediation: "Restrict the API server to your egress CIDRs (`az aks update \
                  --api-server-authorized-ip-ranges <cidrs>`; ARM \
                  `apiServerAccessProfile.authorizedIPRanges`; Terraform \
                  `api_server_access_profile { authorized_ip_ranges = [...] }`), or make the \
                  cluster private (`enablePrivateCluster: true`, which needs re-creation unless \
                  the cluster uses API Server VNet Integration).",
    references: &[
        Reference::CisAks("5.4.1"),
        Reference::Guide(
            "Secure access to the API server using authorized IP address ranges in AKS",
            "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
        ),
        Reference::Guide(
            "Create a private AKS cluster",
            "https://learn.microsoft.com/azure/aks/private-clusters",
        ),
        guides::AKS_CLUSTER_SECURITY_BEST_PRACTICES,
        Reference::Peer(same(Checkov, "CKV_AZURE_6")),
    ],
    fix: crate::RuleFix {
        summary: Some("Restrict the API server to your egress CIDRs, or make the cluster private."),
        safety: aksguard_model::FixSafety::Manual,
        commands: &["az aks update {cluster-args} --api-server-authorized-ip-ranges <cidrs>"],
        iac: &[crate::IacSetting::new(
            "apiServerAccessProfile.authorizedIPRanges",
            "[\"<cidr>\"]",
            "api_server_access_profile.authorized_ip_ranges",
            "[\"<cidr>\"]",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

const RANGES: &str = "apiServerAccessProfile.authorizedIPRanges";

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    if private_cluster(cluster) != Some(false) {
        return;
    }
    let (pos, state) = match cluster.settings.get(RANGES) {
        Lookup::Unknown(_) => return,
        Lookup::Absent => (
            attr_pos(cluster, RANGES),
            "no authorized IP ranges (`authorizedIPRanges` not set)".to_owned(),
        ),
        Lookup::Known(ranges) if ranges.is_seq() => {
            let open = ranges.items().iter().find(|range| {
                range
                    .as_str()
                    .is_some_and(|r| OPEN_RANGES.contains(&r.trim()))
            });
            match open {
                Some(range) => (
                    range.pos,
                    format!(
                        "authorized IP range `{}`, which admits every address",
                        range.as_str().unwrap_or_default().trim()
                    ),
                ),
                None if ranges.items().is_empty() => (
                    ranges.pos,
                    "no authorized IP ranges (`authorizedIPRanges` is empty)".to_owned(),
                ),
                None => return,
            }
        }
        // A single string is not the API's shape; do not guess.
        Lookup::Known(_) => return,
    };
    let message = format!(
        "The API server is public (not a private cluster) with {state}: the Kubernetes API \
         is reachable from the whole internet. Making the cluster private instead \
         (`enablePrivateCluster: true`, Terraform `private_cluster_enabled = true`) needs \
         re-creation unless it uses API Server VNet Integration."
    );
    out.report(Violation::at(pos, message));
}
