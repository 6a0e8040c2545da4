use aksguard_model::azure::Lookup;
use aksguard_model::{Inventory, Severity};

use crate::checker::Checker;
use crate::cluster::helpers::{az_aks_update, clusters, pos_of, report};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS025",
    slug: "unrestricted-egress",
    title: "Cluster egress goes straight out through the load balancer",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "The cluster's `networkProfile.outboundType`: reported when it is `loadBalancer` \
             (any case) or not set (the API default is `loadBalancer`). \
             `userDefinedRouting` (egress through a firewall or appliance), `none`, \
             `managedNATGateway` and `userAssignedNATGateway` pass. An unresolvable value is \
             not reported.",
    rationale: "With `loadBalancer` outbound, every node and pod reaches any internet \
                destination through the cluster's public outbound IPs with no filtering: a \
                compromised pod can download tooling and exfiltrate data freely. Routing \
                egress through Azure Firewall or another appliance (user-defined routing) \
                lets you allow only the FQDNs AKS and the workloads need, and log the rest.",
    remediation: "Route egress through a firewall: create a route table sending 0.0.0.0/0 to \
                  the firewall on the node subnet, allow the AKS required FQDNs, then set \
                  `az aks update --outbound-type userDefinedRouting`, ARM \
                  `networkProfile.outboundType: userDefinedRouting` or Terraform \
                  `network_profile { outbound_type = \"userDefinedRouting\" }`.",
    references: &[
        Reference::Guide(
            "Customize cluster egress with outbound types in AKS",
            "https://learn.microsoft.com/azure/aks/egress-outboundtype",
        ),
        Reference::Guide(
            "Limit network traffic with Azure Firewall in AKS",
            "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
        ),
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
    ],
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const PATH: &str = "networkProfile.outboundType";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    for cluster in clusters(inventory) {
        let state = match cluster.settings.get(PATH) {
            Lookup::Absent => "is not set (defaults to `loadBalancer`)".to_owned(),
            Lookup::Known(node) => match node.as_str() {
                Some(value) if value.eq_ignore_ascii_case("loadbalancer") => {
                    format!("is `{value}`")
                }
                _ => continue,
            },
            Lookup::Unknown(_) => continue,
        };
        let message = format!(
            "networkProfile.outboundType {state}: nodes and pods reach any internet \
             destination unfiltered through the cluster's outbound IPs. Fix: route egress \
             through a firewall (route table with 0.0.0.0/0 to it on the node subnet, AKS \
             required FQDNs allowed), then `{}`; ARM `networkProfile.outboundType: \
             userDefinedRouting`, Terraform `network_profile {{ outbound_type = \
             \"userDefinedRouting\" }}`.",
            az_aks_update(cluster, "--outbound-type userDefinedRouting"),
        );
        report(out, cluster, pos_of(cluster, PATH), message);
    }
}
