use aksguard_model::azure::refs::{UNKNOWN_SEGMENT, id_parts};
use aksguard_model::azure::{
    AzureResources, Link, ManagedCluster, NetworkSecurityGroup, SecurityRule, Subnet, kinds,
};
use aksguard_model::{Inventory, Severity};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::clusters;
use crate::cluster::node_network::{
    NodeSubnet, name_word, node_subnets, quoted_list, resource_group_of,
};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{PeerTool::Checkov, different_unit};

pub(crate) static RULE: Rule = Rule {
    id: "NET014",
    slug: "node-subnet-nsg-open-inbound",
    title: "Node subnet's NSG lets the internet reach SSH, RDP or the kubelet",
    family: Family::Network,
    severity: Severity::High,
    checks: "The subnets the cluster's node pools sit in (`agentPoolProfiles[].vnetSubnetID`, \
             ARM `agentPools`, Terraform `vnet_subnet_id`), joined by resource ID to the \
             subnets, their network security groups and security rules in the scan (az \
             JSON, ARM/Bicep, Terraform including standalone `azurerm_network_security_rule` \
             and subnet associations). Fires (high) for each inbound `Allow` rule whose \
             sources include `Internet`, `*`, `Any`, `0.0.0.0/0` or `::/0`, whose protocol \
             carries TCP (`Tcp`, `*`) and whose destination ports include 22, 3389, 10250 or \
             10255, or every port (`*`, `0-65535`), unless inbound `Deny` rules of higher \
             priority (lower number) for the same internet traffic cover all of those ports. \
             Fires (low) when a node subnet in the scan has no NSG at all, provided the \
             source declares associations on the subnet itself or the scan is complete for \
             subnets and NSGs. Not judged (listed as such) when the node subnet or its NSG \
             is not in the scan, its rule list is unresolvable, or an earlier rule's fields \
             are. A cluster whose pools name no subnet (AKS-managed VNet) passes.",
    rationale: "Nodes in a subnet whose NSG admits the internet expose SSH or RDP, and the \
                kubelet API (10250, and the read-only 10255), to scanning and brute force \
                from anywhere: a kubelet reachable without the API server's authorization \
                lets an attacker list and exec into pods, and a node login is a short step \
                from every secret on it. The node subnet's NSG is the network boundary AKS \
                guidance expects to deny such traffic.",
    remediation: "Deny (or remove) the inbound rule, or narrow its source to the address \
                  ranges that need it (`az network nsg rule update -g <rg> --nsg-name <nsg> \
                  -n <rule> --access Deny`); reach nodes through Azure Bastion or `kubectl \
                  debug node/...` instead of SSH from the internet. A node subnet without an \
                  NSG should get one (`az network nsg create`, `az network vnet subnet update \
                  --network-security-group`).",
    references: &[
        Reference::Guide(
            "Network security groups (Azure Virtual Network)",
            "https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview",
        ),
        Reference::Guide(
            "Network concepts for applications in AKS: network security groups",
            "https://learn.microsoft.com/azure/aks/concepts-network#network-security-groups",
        ),
        guides::OPERATOR_BEST_PRACTICES_NETWORK,
        Reference::Peer(different_unit(
            Checkov,
            "CKV_AZURE_9",
            "checkov judges each NSG rule (Terraform `azurerm_network_security_rule`, ARM \
             security rules) for RDP (3389) open to the internet wherever the NSG is used, \
             without earlier deny rules; we judge the NSGs of the cluster's node subnets, for \
             SSH, RDP and the kubelet ports, after earlier denies",
        )),
        Reference::Peer(different_unit(
            Checkov,
            "CKV_AZURE_10",
            "checkov judges each NSG rule for SSH (22) open to the internet wherever the NSG \
             is used, without earlier deny rules; we judge the NSGs of the cluster's node \
             subnets, for SSH, RDP and the kubelet ports, after earlier denies",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Inventory(check),
};

/// Ports that must never be open to the internet on nodes, with what listens there.
const SENSITIVE_PORTS: &[(u32, &str)] = &[
    (22, "SSH"),
    (3389, "RDP"),
    (10250, "kubelet API"),
    (10255, "kubelet read-only API"),
];

/// An inclusive port range.
type Range = (u32, u32);

const ALL_PORTS: Range = (0, 65535);

/// Internet traffic by address family: a source admits, and a deny blocks, each on its own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family4or6 {
    V4,
    V6,
}

/// The internet families a source prefix admits (`None`: it is not an internet source).
fn internet_families(source: &str) -> &'static [Family4or6] {
    let source = source.trim();
    if ["*", "any", "internet"]
        .iter()
        .any(|s| source.eq_ignore_ascii_case(s))
    {
        &[Family4or6::V4, Family4or6::V6]
    } else if source == "0.0.0.0/0" {
        &[Family4or6::V4]
    } else if source == "::/0" {
        &[Family4or6::V6]
    } else {
        &[]
    }
}

fn is(value: Option<&str>, expected: &str) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

/// Whether a protocol carries TCP (`Tcp`, `*`, `Any`); `None` when unknown.
fn carries_tcp(protocol: Option<&str>) -> Option<bool> {
    let protocol = protocol?.trim();
    Some(
        ["tcp", "*", "any"]
            .iter()
            .any(|p| protocol.eq_ignore_ascii_case(p)),
    )
}

/// Parses destination port entries (`22`, `1000-2000`, `*`); `None` when any is malformed.
fn port_ranges(ports: &[String]) -> Option<Vec<Range>> {
    ports
        .iter()
        .map(|port| {
            let port = port.trim();
            if port == "*" {
                return Some(ALL_PORTS);
            }
            let (low, high) = port.split_once('-').unwrap_or((port, port));
            let low: u32 = low.trim().parse().ok()?;
            let high: u32 = high.trim().parse().ok()?;
            (low <= high && high <= 65535).then_some((low, high))
        })
        .collect()
}

/// `ranges` minus `removed`.
fn subtract(ranges: &[Range], removed: &[Range]) -> Vec<Range> {
    let mut left: Vec<Range> = ranges.to_vec();
    for &(cut_low, cut_high) in removed {
        left = left
            .into_iter()
            .flat_map(|(low, high)| {
                let mut pieces = Vec::new();
                if high < cut_low || low > cut_high {
                    pieces.push((low, high));
                } else {
                    if low < cut_low {
                        pieces.push((low, cut_low - 1));
                    }
                    if high > cut_high {
                        pieces.push((cut_high + 1, high));
                    }
                }
                pieces
            })
            .collect();
    }
    left
}

fn covers(ranges: &[Range], port: u32) -> bool {
    ranges
        .iter()
        .any(|&(low, high)| low <= port && port <= high)
}

/// One inbound allow rule that lets internet traffic reach sensitive ports.
struct Exposure<'a> {
    rule: &'a SecurityRule,
    sources: Vec<String>,
    /// Sensitive ports still reachable after the earlier deny rules.
    ports: Vec<u32>,
    /// The rule allows every port.
    every_port: bool,
}

/// What an NSG's inbound rules let in from the internet; `Err` with the reason when an
/// unresolvable field could change the answer.
fn exposures(nsg: &NetworkSecurityGroup) -> Result<Vec<Exposure<'_>>, String> {
    if let Some(why) = &nsg.rules_unknown {
        return Err(format!(
            "the rule list of NSG `{}` is unresolvable ({why})",
            nsg.meta.name
        ));
    }
    let mut found = Vec::new();
    for rule in &nsg.rules {
        if !is(rule.direction.as_deref(), "Inbound") || !is(rule.access.as_deref(), "Allow") {
            continue;
        }
        let (Some(priority), Some(sources), Some(ports)) =
            (rule.priority, &rule.sources, &rule.ports)
        else {
            continue;
        };
        if carries_tcp(rule.protocol.as_deref()) != Some(true) {
            continue;
        }
        let open: Vec<&String> = sources
            .iter()
            .filter(|s| !internet_families(s).is_empty())
            .collect();
        let Some(allowed) = port_ranges(ports) else {
            continue;
        };
        if open.is_empty() {
            continue;
        }
        let every_port = subtract(&[ALL_PORTS], &allowed).is_empty();
        if !every_port && !SENSITIVE_PORTS.iter().any(|(p, _)| covers(&allowed, *p)) {
            continue;
        }
        // Internet traffic this rule admits, per family, minus what earlier denies block.
        let mut reachable: Vec<Range> = Vec::new();
        for family in [Family4or6::V4, Family4or6::V6] {
            if !open.iter().any(|s| internet_families(s).contains(&family)) {
                continue;
            }
            let denied = earlier_denies(nsg, rule, priority, family)?;
            reachable.extend(subtract(&allowed, &denied));
        }
        let exposed: Vec<u32> = SENSITIVE_PORTS
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| covers(&reachable, *p))
            .collect();
        let every_port = every_port && !reachable.is_empty();
        if exposed.is_empty() && !every_port {
            continue;
        }
        found.push(Exposure {
            rule,
            sources: open.into_iter().cloned().collect(),
            ports: exposed,
            every_port,
        });
    }
    Ok(found)
}

/// The port ranges inbound deny rules evaluated before `rule` (lower priority number) block
/// for internet traffic of `family`; `Err` when such a rule's fields are unresolvable.
fn earlier_denies(
    nsg: &NetworkSecurityGroup,
    rule: &SecurityRule,
    priority: i64,
    family: Family4or6,
) -> Result<Vec<Range>, String> {
    let mut denied = Vec::new();
    for other in &nsg.rules {
        if std::ptr::eq(other, rule) {
            continue;
        }
        let unclear = || {
            format!(
                "rule `{}` of NSG `{}` may deny before rule `{}` but has unresolvable fields",
                other.name, nsg.meta.name, rule.name
            )
        };
        // Known not to matter: outbound, allow, or evaluated later.
        if other
            .direction
            .as_deref()
            .is_some_and(|d| !is(Some(d), "Inbound"))
            || other
                .access
                .as_deref()
                .is_some_and(|a| !is(Some(a), "Deny"))
            || other.priority.is_some_and(|p| p >= priority)
        {
            continue;
        }
        let (Some(_), Some(_), Some(_), Some(sources), Some(ports)) = (
            other.direction.as_ref(),
            other.access.as_ref(),
            other.priority,
            &other.sources,
            &other.ports,
        ) else {
            return Err(unclear());
        };
        let Some(tcp) = carries_tcp(other.protocol.as_deref()) else {
            return Err(unclear());
        };
        let Some(ranges) = port_ranges(ports) else {
            return Err(unclear());
        };
        if tcp
            && sources
                .iter()
                .any(|s| internet_families(s).contains(&family))
        {
            denied.extend(ranges);
        }
    }
    Ok(denied)
}

/// How one node subnet was judged.
enum Judged {
    Yes,
    No(String),
}

fn check(inventory: &Inventory, out: &mut Checker<'_>) {
    let azure = inventory.azure();
    let complete = out.settings().complete_for(&[kinds::SUBNET, kinds::NSG]);
    for cluster in clusters(inventory) {
        let subnets = node_subnets(cluster);
        if subnets.known.is_empty() && subnets.unknown_pools.is_empty() {
            // AKS-managed VNet: the managed NSG admits only load-balanced traffic.
            continue;
        }
        let mut reason = None;
        let mut judged = false;
        if !subnets.unknown_pools.is_empty() {
            reason = Some(format!(
                "the subnet of node pools {} is unresolvable",
                quoted_list(&subnets.unknown_pools)
            ));
        }
        for node_subnet in &subnets.known {
            match judge_subnet(azure, cluster, node_subnet, complete, out) {
                Judged::Yes => judged = true,
                Judged::No(why) => {
                    reason.get_or_insert(why);
                }
            }
        }
        if !judged {
            out.undecided(reason.unwrap_or_else(|| "no node subnet could be judged".to_owned()));
        }
    }
}

fn judge_subnet(
    azure: &AzureResources,
    cluster: &ManagedCluster,
    node_subnet: &NodeSubnet,
    complete: bool,
    out: &mut Checker<'_>,
) -> Judged {
    let Some(subnet) = azure.subnet(&node_subnet.subnet) else {
        return Judged::No(
            "the node subnet is not in the scan: scan it and its NSG too (`az network vnet \
             subnet show`, `az network nsg show`)"
                .to_owned(),
        );
    };
    match &subnet.nsg {
        Link::To(reference) => match azure.nsg(reference) {
            Some(nsg) => match exposures(nsg) {
                Ok(found) => {
                    for exposure in found {
                        report_exposure(out, cluster, node_subnet, subnet, nsg, &exposure);
                    }
                    Judged::Yes
                }
                Err(why) => Judged::No(why),
            },
            None => Judged::No(format!(
                "NSG `{}` of the node subnet is not in the scan",
                reference.written
            )),
        },
        Link::Absent if !subnet.associations_elsewhere || complete => {
            report_no_nsg(out, cluster, node_subnet, subnet);
            Judged::Yes
        }
        Link::Absent => Judged::No(
            "the node subnet's NSG association is declared apart from the subnet and none is \
             in the scan (pass --complete if the scan holds every association)"
                .to_owned(),
        ),
        Link::Unknown(why) => Judged::No(format!("the node subnet's NSG is unresolvable ({why})")),
    }
}

fn report_exposure(
    out: &mut Checker<'_>,
    cluster: &ManagedCluster,
    node_subnet: &NodeSubnet,
    subnet: &Subnet,
    nsg: &NetworkSecurityGroup,
    exposure: &Exposure<'_>,
) {
    let rule = exposure.rule;
    let named: Vec<String> = SENSITIVE_PORTS
        .iter()
        .filter(|(p, _)| exposure.ports.contains(p))
        .map(|(p, what)| format!("{p} ({what})"))
        .collect();
    let ports = match (exposure.every_port, named.len()) {
        (true, 0) => "every port".to_owned(),
        (true, _) => format!("every port ({} among them)", named.join(", ")),
        (false, 1) => format!("port {}", named[0]),
        (false, _) => format!("ports {}", named.join(", ")),
    };
    let message = format!(
        "NSG `{}` on node subnet `{}` (pools {}) allows inbound traffic from {} to {ports} by \
         rule `{}` (priority {}): the nodes are reachable from the internet there. Fix: `az \
         network nsg rule update -g {} --nsg-name {} -n {} --access Deny` (or narrow its \
         source to the admin ranges that need it); in ARM/Bicep set the rule's `access: \
         Deny`; in Terraform `access = \"Deny\"`.",
        nsg.meta.name,
        subnet.meta.name,
        quoted_list(&node_subnet.pools),
        quoted_list(&exposure.sources),
        rule.name,
        rule.priority.unwrap_or_default(),
        resource_group_of(&nsg.meta),
        name_word(&nsg.meta.name, "nsg"),
        name_word(&rule.name, "rule"),
    );
    out.report(Violation::at(rule.pos, message).on_azure(
        "ManagedCluster",
        &cluster.name,
        &nsg.meta.source,
    ));
}

fn report_no_nsg(
    out: &mut Checker<'_>,
    cluster: &ManagedCluster,
    node_subnet: &NodeSubnet,
    subnet: &Subnet,
) {
    let group = resource_group_of(&subnet.meta);
    let vnet = subnet
        .meta
        .key
        .id
        .as_deref()
        .and_then(id_parts)
        .and_then(|parts| parts.provider_path)
        .and_then(|path| {
            let segments: Vec<&str> = path.split('/').collect();
            match segments.as_slice() {
                [_, kind, vnet, _, _] if kind.eq_ignore_ascii_case("virtualNetworks") => {
                    Some(*vnet)
                }
                _ => None,
            }
        })
        .filter(|vnet| *vnet != UNKNOWN_SEGMENT)
        .map_or_else(|| "<vnet>".to_owned(), |vnet| name_word(vnet, "vnet"));
    let name = name_word(&subnet.meta.name, "subnet");
    let message = format!(
        "node subnet `{}` (pools {}) has no network security group: nothing at the subnet \
         filters what reaches the nodes. Fix: `az network nsg create -g {group} -n {name}-nsg` \
         then `az network vnet subnet update -g {group} --vnet-name {vnet} -n {name} \
         --network-security-group {name}-nsg`; in ARM/Bicep set the subnet's \
         `networkSecurityGroup.id`; in Terraform an \
         `azurerm_subnet_network_security_group_association`.",
        subnet.meta.name,
        quoted_list(&node_subnet.pools),
    );
    out.report(
        Violation::at(subnet.meta.pos, message)
            .on_azure("ManagedCluster", &cluster.name, &subnet.meta.source)
            .with_severity(Severity::Low),
    );
}

#[cfg(test)]
mod tests;
