use aksguard_model::azure::{AzureResources, Link, Lookup, ManagedCluster, Route, RouteTable};
use aksguard_model::{Fix, FixSafety, Inventory, Severity};

use crate::azure_fix::{AzureTarget, iac_for_file};
use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{clusters, pos_of, private_cluster};
use crate::cluster::node_network::{name_word, node_subnets, quoted_list, resource_group_of};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS025",
    slug: "unrestricted-egress",
    title: "Cluster egress reaches the internet without passing a firewall",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "The cluster's `networkProfile.outboundType`. Reported when it is \
             `loadBalancer` (any case) or not set (the API default is `loadBalancer`), or \
             `managedNATGateway` / `userAssignedNATGateway` (a NAT gateway translates \
             addresses but filters nothing): medium when the cluster is not private \
             (`apiServerAccessProfile.enablePrivateCluster` known false or not set), low \
             otherwise. `userDefinedRouting` is reported (low) when the route table of a node \
             subnet (`agentPoolProfiles[].vnetSubnetID`, joined by resource ID to a subnet \
             and its route table in the scan) has no `0.0.0.0/0` route with next hop \
             `VirtualAppliance`, at the route table; when the subnet or its route table is \
             not in the scan, or its routes are unresolvable, the cluster is listed as not \
             judged. `none` and `block` pass. An unresolvable value is not reported.",
    rationale: "With load balancer or NAT gateway outbound, every node and pod reaches any \
                internet destination through the cluster's public outbound IPs with no \
                filtering: a compromised pod can download tooling and exfiltrate data \
                freely. Routing egress through Azure Firewall or another appliance \
                (user-defined routing with a default route to it) lets you allow only the \
                FQDNs AKS and the workloads need, and log the rest. A public cluster is more \
                exposed still: its API server and workloads are reachable from the internet \
                the egress could report back to.",
    remediation: "Route egress through a firewall: create a route table sending 0.0.0.0/0 to \
                  the firewall (next hop `VirtualAppliance`) on the node subnet, allow the AKS \
                  required FQDNs, then set `az aks update --outbound-type \
                  userDefinedRouting`, ARM `networkProfile.outboundType: userDefinedRouting` \
                  or Terraform `network_profile { outbound_type = \"userDefinedRouting\" }`.",
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
    fix: crate::RuleFix {
        summary: Some(
            "Route egress through a firewall (0.0.0.0/0 to it on the node subnet, AKS required \
             FQDNs allowed), then set the outbound type to userDefinedRouting.",
        ),
        safety: aksguard_model::FixSafety::Manual,
        commands: &["az aks update {cluster-args} --outbound-type userDefinedRouting"],
        iac: &[crate::IacSetting::new(
            "networkProfile.outboundType",
            "\"userDefinedRouting\"",
            "network_profile.outbound_type",
            "\"userDefinedRouting\"",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

const PATH: &str = "networkProfile.outboundType";

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let azure = inventory.azure();
    for cluster in clusters(inventory) {
        let state = match cluster.settings.get(PATH) {
            Lookup::Absent => "is not set (defaults to `loadBalancer`)".to_owned(),
            Lookup::Known(node) => match node.as_str().map(str::trim) {
                Some(value) if value.eq_ignore_ascii_case("userDefinedRouting") => {
                    check_routes(azure, cluster, out);
                    continue;
                }
                Some(value)
                    if [
                        "loadBalancer",
                        "managedNATGateway",
                        "userAssignedNATGateway",
                    ]
                    .iter()
                    .any(|t| value.eq_ignore_ascii_case(t)) =>
                {
                    format!("is `{value}`")
                }
                _ => continue,
            },
            Lookup::Unknown(_) => continue,
        };
        let public = private_cluster(cluster) == Some(false);
        let exposure = if public {
            " The cluster is not private, which makes unfiltered egress the more dangerous."
        } else {
            ""
        };
        let message = format!(
            "networkProfile.outboundType {state}: nodes and pods reach any internet \
             destination unfiltered through the cluster's outbound IPs.{exposure}",
        );
        let mut violation = Violation::at(pos_of(cluster, PATH), message);
        if public {
            violation = violation.with_severity(Severity::Medium);
        }
        out.report_on(&RULE, &AzureTarget::Cluster(cluster), violation);
    }
}

/// Why a `userDefinedRouting` cluster is not judged.
const ROUTES_NOT_IN_SCAN: &str = "outbound type `userDefinedRouting`: the node subnet's route \
                                  table is not in the scan (or its routes are unresolvable), so \
                                  whether egress goes to an appliance is unknown: scan the \
                                  subnet and route table too (`az network vnet subnet show`, \
                                  `az network route-table show`)";

/// `userDefinedRouting`: each node subnet's route table must send `0.0.0.0/0` to an
/// appliance.
fn check_routes(azure: &AzureResources, cluster: &ManagedCluster, out: &mut Checker<'_>) {
    let subnets = node_subnets(cluster);
    let mut judged = false;
    let mut reported: Vec<&RouteTable> = Vec::new();
    for node_subnet in &subnets.known {
        let Some(subnet) = azure.subnet(&node_subnet.subnet) else {
            continue;
        };
        let Link::To(table_ref) = &subnet.route_table else {
            continue;
        };
        let Some(table) = azure.route_table(table_ref) else {
            continue;
        };
        if table.routes_unknown.is_some() {
            continue;
        }
        judged = true;
        if table.routes.iter().any(default_to_appliance)
            || reported.iter().any(|t| std::ptr::eq(*t, table))
        {
            continue;
        }
        reported.push(table);
        let default = table.routes.iter().find(|r| {
            r.address_prefix
                .as_deref()
                .is_some_and(|p| p.trim() == "0.0.0.0/0")
        });
        let found = match default {
            Some(route) => format!(
                "its default route `{}` (0.0.0.0/0) goes to next hop `{}`, not a virtual \
                 appliance",
                route.name,
                route.next_hop_type.as_deref().unwrap_or("<unresolved>")
            ),
            None => "it has no 0.0.0.0/0 route".to_owned(),
        };
        let group = resource_group_of(&table.meta);
        let name = name_word(&table.meta.name, "route-table");
        let message = format!(
            "networkProfile.outboundType is `userDefinedRouting`, but route table `{}` of node \
             subnet `{}` (pools {}) does not send internet egress to a firewall: {found}, so \
             egress is not filtered.",
            table.meta.name,
            subnet.meta.name,
            quoted_list(&node_subnet.pools),
        );
        let pos = default.map_or(table.meta.pos, |r| r.pos);
        let command = format!(
            "az network route-table route create -g {group} --route-table-name {name} -n \
             default-to-firewall --address-prefix 0.0.0.0/0 --next-hop-type VirtualAppliance \
             --next-hop-ip-address <firewall-private-ip>"
        );
        let mut fix = Fix::new(
            "Send the node subnet's default route (0.0.0.0/0) to a firewall appliance.",
            FixSafety::Manual,
        )
        .with_command(command);
        fix.iac.extend(iac_for_file(
            &table.meta.source.path,
            (
                "properties.routes[addressPrefix=0.0.0.0/0].nextHopType",
                "\"VirtualAppliance\"",
            ),
            ("route.next_hop_type", "\"VirtualAppliance\""),
        ));
        out.report(
            Violation::at(pos, message)
                .on_azure("ManagedCluster", &cluster.name, &table.meta.source)
                .with_fix(fix),
        );
    }
    if !judged {
        out.undecided(ROUTES_NOT_IN_SCAN);
    }
}

/// A `0.0.0.0/0` route to a virtual appliance (Azure Firewall or an NVA).
fn default_to_appliance(route: &Route) -> bool {
    route
        .address_prefix
        .as_deref()
        .is_some_and(|p| p.trim() == "0.0.0.0/0")
        && route
            .next_hop_type
            .as_deref()
            .is_some_and(|h| h.trim().eq_ignore_ascii_case("VirtualAppliance"))
}
