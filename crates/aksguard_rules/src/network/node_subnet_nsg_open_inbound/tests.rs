//! NET014 on model values built here (the az loaders for subnets and NSGs live elsewhere).

use super::*;
use crate::test_azure::{Found, cluster_yaml, meta, run, subnet};

const SUBNET: &str = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes";
const NSG: &str = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nodes-nsg";

fn rule(name: &str, line: u32, fields: (&str, &str, i64, &str, &[&str], &[&str])) -> SecurityRule {
    let (direction, access, priority, protocol, sources, ports) = fields;
    SecurityRule {
        name: name.into(),
        pos: aksguard_model::Pos::new(line, 1),
        direction: Some(direction.into()),
        access: Some(access.into()),
        priority: Some(priority),
        protocol: Some(protocol.into()),
        sources: Some(sources.iter().map(|s| (*s).to_owned()).collect()),
        ports: Some(ports.iter().map(|s| (*s).to_owned()).collect()),
    }
}

fn nsg(rules: Vec<SecurityRule>) -> NetworkSecurityGroup {
    NetworkSecurityGroup {
        meta: meta("nodes-nsg", NSG),
        rules,
        rules_unknown: None,
    }
}

/// Findings (line, severity, message) and undecided reasons of NET014 over one cluster on
/// the node subnet with `nsg` (none when `None`).
fn judge(nsg_link: Link, nsgs: Vec<NetworkSecurityGroup>, complete: bool) -> (Found, Vec<String>) {
    let mut azure = cluster_yaml(&format!(
        "- name: aks1\n  resourceGroup: rg1\n  type: Microsoft.ContainerService/ManagedClusters\n  \
         agentPoolProfiles:\n    - name: system\n      vnetSubnetID: {SUBNET}\n    - name: user\n      \
         vnetSubnetID: {}\n",
        SUBNET.to_ascii_uppercase()
    ));
    azure
        .subnets
        .push(subnet("nodes", SUBNET, nsg_link, Link::Absent, false));
    azure.nsgs.extend(nsgs);
    run(&RULE, azure, complete)
}

fn open_nsg(rules: Vec<SecurityRule>) -> (Found, Vec<String>) {
    judge(Link::To(Ref::literal(NSG)), vec![nsg(rules)], false)
}

use aksguard_model::azure::Ref;

#[test]
fn an_internet_allow_to_ssh_fires_naming_the_rule_priority_ports_and_fix() {
    let (found, undecided) = open_nsg(vec![rule(
        "allow-ssh",
        7,
        ("Inbound", "Allow", 100, "Tcp", &["Internet"], &["22"]),
    )]);
    assert!(undecided.is_empty());
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, severity, message) = &found[0];
    assert_eq!((*line, *severity), (7, None));
    for part in [
        "NSG `nodes-nsg`",
        "node subnet `nodes`",
        "pools `system`, `user`",
        "from `Internet` to port 22 (SSH)",
        "rule `allow-ssh` (priority 100)",
        "`az network nsg rule update -g rg-net --nsg-name nodes-nsg -n allow-ssh --access Deny`",
    ] {
        assert!(message.contains(part), "{part} not in {message}");
    }
}

#[test]
fn every_open_source_and_port_form_fires() {
    for (sources, ports, expected) in [
        (
            &["*"][..],
            &["*"][..],
            "every port (22 (SSH), 3389 (RDP), 10250 (kubelet API), 10255 (kubelet read-only API) among them)",
        ),
        (&["0.0.0.0/0"], &["0-65535"], "every port (22 (SSH)"),
        (
            &["Any"],
            &["10000-10300"],
            "ports 10250 (kubelet API), 10255 (kubelet read-only API)",
        ),
        (&["10.0.0.0/8", "::/0"], &["3389"], "port 3389 (RDP)"),
    ] {
        let (found, _) = open_nsg(vec![rule(
            "open",
            3,
            ("Inbound", "Allow", 200, "*", sources, ports),
        )]);
        assert_eq!(found.len(), 1, "{sources:?} {ports:?}");
        assert!(
            found[0].2.contains(expected),
            "{expected} not in {}",
            found[0].2
        );
    }
}

#[test]
fn private_sources_other_ports_outbound_udp_and_deny_rules_pass() {
    for fields in [
        (
            "Inbound",
            "Allow",
            100,
            "Tcp",
            &["10.0.0.0/8"][..],
            &["22"][..],
        ),
        ("Inbound", "Allow", 100, "Tcp", &["VirtualNetwork"], &["*"]),
        (
            "Inbound",
            "Allow",
            100,
            "Tcp",
            &["Internet"],
            &["443", "80"],
        ),
        ("Outbound", "Allow", 100, "Tcp", &["*"], &["22"]),
        ("Inbound", "Deny", 100, "Tcp", &["*"], &["22"]),
        ("Inbound", "Allow", 100, "Udp", &["*"], &["22"]),
        ("Inbound", "Allow", 100, "Icmp", &["*"], &["*"]),
    ] {
        let (found, undecided) = open_nsg(vec![rule("r", 3, fields)]);
        assert!(found.is_empty(), "{fields:?}: {found:?}");
        assert!(undecided.is_empty());
    }
}

#[test]
fn a_higher_priority_deny_shadows_the_allow_but_a_lower_one_does_not() {
    let allow = rule(
        "allow-ssh",
        9,
        ("Inbound", "Allow", 200, "Tcp", &["Internet"], &["22"]),
    );
    let (found, _) = open_nsg(vec![
        allow.clone(),
        rule("deny-all", 4, ("Inbound", "Deny", 100, "*", &["*"], &["*"])),
    ]);
    assert!(found.is_empty(), "{found:?}");
    let (found, _) = open_nsg(vec![
        allow.clone(),
        rule(
            "deny-late",
            4,
            ("Inbound", "Deny", 300, "*", &["*"], &["*"]),
        ),
    ]);
    assert_eq!(found.len(), 1);
    // A deny for IPv4 only leaves IPv6 internet traffic of `Internet` through.
    let (found, _) = open_nsg(vec![
        allow.clone(),
        rule(
            "deny-v4",
            4,
            ("Inbound", "Deny", 100, "Tcp", &["0.0.0.0/0"], &["22"]),
        ),
    ]);
    assert_eq!(found.len(), 1);
    // A deny of other ports leaves 22 open; one for UDP only does not block TCP.
    let (found, _) = open_nsg(vec![
        allow.clone(),
        rule(
            "deny-rdp",
            4,
            ("Inbound", "Deny", 100, "Tcp", &["Internet"], &["3389"]),
        ),
        rule(
            "deny-udp",
            5,
            ("Inbound", "Deny", 110, "Udp", &["Internet"], &["22"]),
        ),
    ]);
    assert_eq!(found.len(), 1);
    // An any-port allow whose sensitive ports are denied first still opens every other port.
    let (found, _) = open_nsg(vec![
        rule(
            "allow-all",
            9,
            ("Inbound", "Allow", 200, "*", &["*"], &["*"]),
        ),
        rule(
            "deny",
            4,
            (
                "Inbound",
                "Deny",
                100,
                "*",
                &["Internet"],
                &["22", "3389", "10250-10255"],
            ),
        ),
    ]);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].2.contains("to every port by rule"),
        "{}",
        found[0].2
    );
}

#[test]
fn unknowns_stay_silent_and_say_why() {
    let allow = rule(
        "allow-ssh",
        9,
        ("Inbound", "Allow", 200, "Tcp", &["Internet"], &["22"]),
    );
    let mut unclear = rule(
        "maybe-deny",
        4,
        ("Inbound", "Deny", 100, "*", &["*"], &["*"]),
    );
    unclear.sources = None;
    let (found, undecided) = open_nsg(vec![allow.clone(), unclear]);
    assert!(found.is_empty());
    assert_eq!(undecided.len(), 1);
    assert!(undecided[0].contains("maybe-deny"), "{undecided:?}");

    let mut dynamic = nsg(vec![allow.clone()]);
    dynamic.rules_unknown = Some("a dynamic block".into());
    let (found, undecided) = judge(Link::To(Ref::literal(NSG)), vec![dynamic], false);
    assert!(found.is_empty());
    assert!(undecided[0].contains("a dynamic block"), "{undecided:?}");

    // The NSG is not in the scan, or the link is unresolvable.
    let (found, undecided) = judge(Link::To(Ref::literal(NSG)), Vec::new(), false);
    assert!(found.is_empty());
    assert!(undecided[0].contains("not in the scan"), "{undecided:?}");
    let (found, undecided) = judge(Link::Unknown("var.nsg".into()), Vec::new(), false);
    assert!(found.is_empty());
    assert_eq!(undecided.len(), 1);

    // An allow whose own ports are unresolvable is not judged to fire.
    let mut vague = allow;
    vague.ports = None;
    let (found, undecided) = open_nsg(vec![vague]);
    assert!(found.is_empty() && undecided.is_empty());
}

#[test]
fn a_node_subnet_without_nsg_is_low_when_the_source_could_show_one() {
    let (found, undecided) = judge(Link::Absent, Vec::new(), false);
    assert!(undecided.is_empty());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, Some(Severity::Low));
    assert!(
        found[0].2.contains(
            "`az network vnet subnet update -g rg-net --vnet-name vnet -n nodes \
             --network-security-group nodes-nsg`"
        ),
        "{}",
        found[0].2
    );
}

#[test]
fn a_missing_association_declared_elsewhere_needs_a_complete_scan() {
    let judge_elsewhere = |complete| {
        let mut azure = cluster_yaml(&format!(
            "- name: aks1\n  type: Microsoft.ContainerService/ManagedClusters\n  \
             agentPoolProfiles:\n    - name: system\n      vnetSubnetID: {SUBNET}\n"
        ));
        azure
            .subnets
            .push(subnet("nodes", SUBNET, Link::Absent, Link::Absent, true));
        run(&RULE, azure, complete)
    };
    let (found, undecided) = judge_elsewhere(false);
    assert!(found.is_empty());
    assert_eq!(undecided.len(), 1);
    let (found, undecided) = judge_elsewhere(true);
    assert_eq!(found.len(), 1);
    assert!(undecided.is_empty());
}

#[test]
fn clusters_without_own_subnets_pass_and_unscanned_subnets_are_not_judged() {
    let azure = cluster_yaml(
        "- name: aks1\n  type: Microsoft.ContainerService/ManagedClusters\n  \
         agentPoolProfiles:\n    - name: system\n",
    );
    assert_eq!(run(&RULE, azure, false), (Vec::new(), Vec::new()));
    let azure = cluster_yaml(&format!(
        "- name: aks1\n  type: Microsoft.ContainerService/ManagedClusters\n  \
         agentPoolProfiles:\n    - name: system\n      vnetSubnetID: {SUBNET}\n"
    ));
    let (found, undecided) = run(&RULE, azure, true);
    assert!(found.is_empty());
    assert!(undecided[0].contains("node subnet is not in the scan"));
}

#[test]
fn port_ranges_parse_and_subtract() {
    assert_eq!(
        port_ranges(&["22".into(), "1000-2000".into(), "*".into()]),
        Some(vec![(22, 22), (1000, 2000), ALL_PORTS])
    );
    assert_eq!(port_ranges(&["22-x".into()]), None);
    assert_eq!(port_ranges(&["70000".into()]), None);
    assert_eq!(port_ranges(&["30-20".into()]), None);
    assert_eq!(
        subtract(&[ALL_PORTS], &[(0, 100), (200, 65535)]),
        vec![(101, 199)]
    );
    assert!(subtract(&[(22, 22)], &[ALL_PORTS]).is_empty());
}

#[test]
fn terraform_subnets_named_by_symbol_join_their_nsg() {
    // `vnet_subnet_id = azurerm_subnet.nodes.id`: the settings hold Unknown, the cluster's
    // refs the symbol; the subnet and NSG are known by their symbols only.
    let mut azure = cluster_yaml(
        "- name: aks1\n  type: Microsoft.ContainerService/ManagedClusters\n  \
         agentPoolProfiles:\n    - name: system\n",
    );
    let symbol = "tf:main.tf#azurerm_subnet.nodes";
    azure.clusters[0].refs.subnets.push((
        "system".into(),
        Ref::resolved("azurerm_subnet.nodes.id", symbol),
    ));
    let mut nodes = subnet(
        "nodes",
        SUBNET,
        Link::To(Ref::resolved(
            "azurerm_network_security_group.nodes.id",
            "tf:main.tf#azurerm_network_security_group.nodes",
        )),
        Link::Absent,
        true,
    );
    nodes.meta.key = aksguard_model::azure::ResourceKey {
        id: None,
        symbols: vec![symbol.into()],
    };
    azure.subnets.push(nodes);
    let mut group = nsg(vec![rule(
        "ssh",
        5,
        ("Inbound", "Allow", 100, "Tcp", &["*"], &["22"]),
    )]);
    group.meta.key = aksguard_model::azure::ResourceKey {
        id: None,
        symbols: vec!["tf:main.tf#azurerm_network_security_group.nodes".into()],
    };
    azure.nsgs.push(group);
    let (found, undecided) = run(&RULE, azure, false);
    assert!(undecided.is_empty(), "{undecided:?}");
    assert_eq!(found.len(), 1);
    // The group is not in the ID: the fix keeps a placeholder.
    assert!(
        found[0]
            .2
            .contains("-g <resource-group> --nsg-name nodes-nsg"),
        "{}",
        found[0].2
    );

    // An opaque reference (`var.subnet_id`) is Unknown: not judged.
    let mut azure = cluster_yaml(
        "- name: aks1\n  type: Microsoft.ContainerService/ManagedClusters\n  \
         agentPoolProfiles:\n    - name: system\n",
    );
    azure.clusters[0]
        .refs
        .subnets
        .push(("system".into(), Ref::opaque("var.subnet_id")));
    let (found, undecided) = run(&RULE, azure, true);
    assert!(found.is_empty());
    assert!(undecided[0].contains("`system`"), "{undecided:?}");
}
