use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::attr_pos;
use crate::cluster::node_network::{node_subnets, quoted_list};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

const IDENTITY_TYPE: &str = "identity.type";
const PRIVATE_DNS_ZONE: &str = "apiServerAccessProfile.privateDNSZone";

pub(crate) static RULE: Rule = Rule {
    id: "AKS047",
    slug: "system-identity-with-own-network",
    title: "Cluster with its own VNet or private DNS zone uses a system-assigned identity",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every managed cluster whose control-plane identity `identity.type` is known \
             `SystemAssigned` (any case; an absent or unresolvable identity is not judged): \
             fires when the cluster brings its own network, that is a node pool names a \
             subnet by resource ID (`agentPoolProfiles[].vnetSubnetID`, Terraform \
             `vnet_subnet_id`), or `apiServerAccessProfile.privateDNSZone` is the resource ID \
             of a private DNS zone. A subnet or zone written as an unresolvable expression \
             does not count. Reported at `identity.type`.",
    rationale: "A system-assigned identity exists only once the cluster does, so the roles it \
                needs on a subnet or DNS zone outside the cluster's resource groups (Network \
                Contributor, Private DNS Zone Contributor) can be granted only after creation: \
                deployments either grant broad roles up front to a service principal, or \
                race the cluster's first network operations. A user-assigned identity is \
                created and granted exactly those roles before the cluster, and survives it.",
    remediation: "Create a user-assigned identity, grant it Network Contributor on the node \
                  subnet (and Private DNS Zone Contributor on a custom zone), then switch the \
                  cluster to it (`az aks update --enable-managed-identity --assign-identity \
                  <identity resource id>`; ARM `identity.type: UserAssigned` with \
                  `userAssignedIdentities`; Terraform `identity { type = \"UserAssigned\", \
                  identity_ids = [...] }`).",
    references: &[
        Reference::Guide(
            "Use a managed identity in AKS",
            "https://learn.microsoft.com/azure/aks/use-managed-identity",
        ),
        Reference::Guide(
            "Configure Azure CNI networking in AKS (bring your own subnet)",
            "https://learn.microsoft.com/azure/aks/configure-azure-cni",
        ),
        guides::AKS_IDENTITY_BEST_PRACTICES,
    ],
    fix: crate::RuleFix {
        summary: Some("Give the cluster a user-assigned identity that holds its network roles."),
        safety: aksguard_model::FixSafety::Manual,
        commands: &[
            "az aks update {cluster-args} --enable-managed-identity --assign-identity <identity-resource-id>",
        ],
        iac: &[crate::IacSetting::new(
            "identity.type",
            "\"UserAssigned\"",
            "identity.type",
            "\"UserAssigned\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

/// What the cluster brings of its own, for the message; `None` when nothing known.
fn own_network(cluster: &ManagedCluster) -> Option<String> {
    let mut parts = Vec::new();
    let subnets = node_subnets(cluster);
    if !subnets.known.is_empty() {
        let ids: Vec<String> = subnets
            .known
            .iter()
            .map(|s| s.subnet.written.trim().to_owned())
            .collect();
        parts.push(format!("node subnet {}", quoted_list(&ids)));
    }
    if let Some(zone) = cluster.settings.get(PRIVATE_DNS_ZONE).as_str()
        && zone.trim().starts_with('/')
    {
        parts.push(format!("private DNS zone `{}`", zone.trim()));
    }
    (!parts.is_empty()).then(|| parts.join(" and "))
}

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let Lookup::Known(kind) = cluster.settings.get(IDENTITY_TYPE) else {
        return;
    };
    let Some(kind) = kind.as_str() else {
        return;
    };
    if !kind.trim().eq_ignore_ascii_case("SystemAssigned") {
        return;
    }
    let Some(own) = own_network(cluster) else {
        return;
    };
    let message = format!(
        "The cluster brings its own {own} but its control plane uses a system-assigned \
         identity (`identity.type: {kind}`): the roles it needs there can be granted only \
         after the cluster exists. Create a user-assigned identity, grant it Network \
         Contributor on the subnet (Private DNS Zone Contributor on the zone) first."
    );
    out.report(Violation::at(attr_pos(cluster, IDENTITY_TYPE), message));
}
