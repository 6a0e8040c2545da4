//! Kubernetes NetworkPolicies (`networking.k8s.io/v1`) as rules reason about them: which pods
//! a policy selects, for which directions (with the API server's `policyTypes` defaulting),
//! and what its rules allow, with CIDR arithmetic (`ipnet`) for `ipBlock` peers.
//!
//! Semantics follow the Kubernetes API:
//! - Policies are additive. A pod is isolated for a direction once any policy selecting it has
//!   that direction in `policyTypes`; then traffic is allowed only if some rule of some such
//!   policy allows it. A pod selected by no policy for a direction is not isolated for it.
//! - `policyTypes` absent or empty defaults to `Ingress`, plus `Egress` when `spec.egress` is a
//!   non-empty list (as the API server's defaulting does: `egress: []` alone does not make a
//!   policy an egress policy).
//! - A rule's `from`/`to` absent or empty matches every peer; `ports` absent or empty matches
//!   every port; a port entry's `protocol` defaults to TCP and an absent `port` matches every
//!   port of that protocol.
//! - A peer is an `ipBlock` (addresses in `cidr` but in no `except` range), or pods chosen by
//!   `podSelector` and/or `namespaceSelector`. A pod peer never matches an address outside the
//!   cluster, such as the Azure instance metadata endpoint.
//!
//! Malformed input is never guessed at: a selector the API server would reject selects
//! nothing, a peer the API server would reject (no peer field, an `ipBlock` combined with a
//! selector, an unparsable `cidr`) matches nothing, an unparsable `except` entry excludes
//! nothing, and a `from`/`to`/`ports` of the wrong type is treated as absent.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;

use crate::inventory::{Inventory, UNSPECIFIED_NAMESPACE};
use crate::node::{Node, Pos};
use crate::object::Object;
use crate::selector::LabelSelector;

/// The Azure Instance Metadata Service (IMDS) endpoint, reachable from every VM (and, unless
/// blocked, every pod) of an AKS node.
pub const IMDS_ADDRESS: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);
/// IMDS serves plain HTTP.
pub const IMDS_PORT: u16 = 80;

/// One parsed NetworkPolicy.
#[derive(Clone, Debug)]
pub struct NetworkPolicy<'a> {
    pub object: &'a Object,
    /// `metadata.namespace`, or [`UNSPECIFIED_NAMESPACE`].
    pub namespace: &'a str,
    /// `spec.podSelector`: absent or null selects every pod of the namespace (the Go zero
    /// value); `None` when malformed (selects nothing).
    pub pod_selector: Option<LabelSelector>,
    /// The `spec.podSelector` node, when present.
    pub pod_selector_node: Option<&'a Node>,
    pub policy_types: PolicyTypes,
    pub ingress: Vec<TrafficRule<'a>>,
    pub egress: Vec<TrafficRule<'a>>,
}

/// The directions a policy isolates the pods it selects for (after defaulting).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PolicyTypes {
    pub ingress: bool,
    pub egress: bool,
    /// Whether `spec.policyTypes` was given (a non-empty list) rather than defaulted.
    pub explicit: bool,
}

/// One ingress or egress rule.
#[derive(Clone, Debug)]
pub struct TrafficRule<'a> {
    /// The rule item (`spec.ingress[i]` / `spec.egress[i]`).
    pub node: &'a Node,
    pub index: usize,
    /// `from` (ingress) or `to` (egress); empty when absent or empty, which matches every peer.
    pub peers: Vec<Peer<'a>>,
    /// `ports`; empty matches every port.
    pub ports: Vec<PortRange>,
}

#[derive(Clone, Debug)]
pub struct Peer<'a> {
    /// The peer item (`from[i]` / `to[i]`).
    pub node: &'a Node,
    pub kind: PeerKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PeerKind {
    IpBlock(IpBlock),
    /// Pods chosen by selectors; `None` means the selector is absent. With only a
    /// `podSelector`, pods of the policy's own namespace; with only a `namespaceSelector`, every
    /// pod of the namespaces it selects; with both, the pods matching both.
    Pods {
        pod_selector: Option<LabelSelector>,
        namespace_selector: Option<LabelSelector>,
    },
    /// A peer the API server would reject; matches nothing.
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpBlock {
    pub cidr: IpNet,
    /// Parsable `except` ranges (unparsable ones are dropped: they exclude nothing).
    pub except: Vec<IpNet>,
}

/// One `ports` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortRange {
    /// `TCP`, `UDP` or `SCTP` as written (defaults to `TCP`).
    pub protocol: String,
    pub port: Port,
    /// `endPort`: with a numeric `port`, the rule covers `port..=endPort`.
    pub end_port: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Port {
    /// No `port`: every port of the protocol.
    Any,
    Number(i64),
    /// A named container port; resolved per pod by the network plugin, so it is never taken
    /// to match a given number here.
    Named(String),
}

/// Whether pods may send traffic to a destination, given the policies that select them.
#[derive(Clone, Copy, Debug)]
pub enum EgressVerdict<'p, 'a> {
    /// No policy selects the pods for Egress: all egress is allowed.
    Unrestricted,
    /// An egress rule allows it; `peer` is the `to` entry that matches (`None`: the rule has
    /// no `to`, so it allows every destination).
    Allowed {
        policy: &'p NetworkPolicy<'a>,
        rule: &'p TrafficRule<'a>,
        peer: Option<&'p Peer<'a>>,
    },
    /// Some policy isolates the pods for Egress and no rule allows the destination.
    Denied,
}

impl EgressVerdict<'_, '_> {
    pub fn is_allowed(&self) -> bool {
        !matches!(self, EgressVerdict::Denied)
    }
}

/// Whether `object` is a Kubernetes NetworkPolicy (not a Calico or Cilium one, which share
/// the kind name but not the schema).
pub fn is_network_policy(object: &Object) -> bool {
    object.kind == "NetworkPolicy"
        && (object.api_version.starts_with("networking.k8s.io/")
            || object.api_version.starts_with("extensions/"))
}

/// Every Kubernetes NetworkPolicy of the scan, in load order.
pub fn policies(inventory: &Inventory) -> Vec<NetworkPolicy<'_>> {
    inventory
        .of_kind("NetworkPolicy")
        .filter_map(NetworkPolicy::parse)
        .collect()
}

/// The NetworkPolicies of one namespace ([`UNSPECIFIED_NAMESPACE`] for those without one).
/// A policy only ever selects pods of its own namespace.
pub fn policies_in<'a>(inventory: &'a Inventory, namespace: &str) -> Vec<NetworkPolicy<'a>> {
    inventory
        .in_namespace(namespace)
        .filter_map(NetworkPolicy::parse)
        .collect()
}

/// Whether `policy` selects pods with these labels (`None` = no labels). The caller matches
/// namespaces (see [`policies_in`]).
pub fn selects(policy: &NetworkPolicy<'_>, labels: Option<&Node>) -> bool {
    policy.selects(labels)
}

/// Whether pods selected by `policies` (the policies of their namespace that select them; only
/// those with Egress in `policyTypes` count) may send `protocol` traffic to `address:port`.
pub fn egress_to<'p, 'a>(
    policies: impl IntoIterator<Item = &'p NetworkPolicy<'a>>,
    address: IpAddr,
    protocol: &str,
    port: u16,
) -> EgressVerdict<'p, 'a>
where
    'a: 'p,
{
    let mut isolated = false;
    for policy in policies.into_iter().filter(|p| p.policy_types.egress) {
        isolated = true;
        for rule in &policy.egress {
            if !rule.allows_port(protocol, port) {
                continue;
            }
            if rule.peers.is_empty() {
                return EgressVerdict::Allowed {
                    policy,
                    rule,
                    peer: None,
                };
            }
            if let Some(peer) = rule.peers.iter().find(|p| p.contains_address(address)) {
                return EgressVerdict::Allowed {
                    policy,
                    rule,
                    peer: Some(peer),
                };
            }
        }
    }
    if isolated {
        EgressVerdict::Denied
    } else {
        EgressVerdict::Unrestricted
    }
}

/// Whether pods selected by `policies` may reach the instance metadata endpoint
/// (`169.254.169.254`, TCP port 80). See [`egress_to`].
pub fn imds_egress<'p, 'a>(
    policies: impl IntoIterator<Item = &'p NetworkPolicy<'a>>,
) -> EgressVerdict<'p, 'a>
where
    'a: 'p,
{
    egress_to(policies, IpAddr::V4(IMDS_ADDRESS), "TCP", IMDS_PORT)
}

impl<'a> NetworkPolicy<'a> {
    /// Parses a Kubernetes NetworkPolicy; `None` for any other object.
    pub fn parse(object: &'a Object) -> Option<Self> {
        if !is_network_policy(object) {
            return None;
        }
        let spec = object.root.get("spec").filter(|s| s.is_map());
        let field = |key: &str| spec.and_then(|s| s.get(key)).filter(|n| !n.is_null());
        let pod_selector_node = field("podSelector");
        let pod_selector = match pod_selector_node {
            None => Some(LabelSelector::default()),
            Some(node) => LabelSelector::parse(node),
        };
        let ingress = rules(field("ingress"), "from");
        let egress = rules(field("egress"), "to");
        let declared: Vec<&str> = field("policyTypes")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let policy_types = if declared.is_empty() {
            PolicyTypes {
                ingress: true,
                egress: field("egress").is_some_and(|e| !e.items().is_empty()),
                explicit: false,
            }
        } else {
            PolicyTypes {
                ingress: declared.contains(&"Ingress"),
                egress: declared.contains(&"Egress"),
                explicit: true,
            }
        };
        Some(NetworkPolicy {
            object,
            namespace: object.namespace.as_deref().unwrap_or(UNSPECIFIED_NAMESPACE),
            pod_selector,
            pod_selector_node,
            policy_types,
            ingress,
            egress,
        })
    }

    /// Whether the policy selects pods with these labels (`None` = no labels).
    pub fn selects(&self, labels: Option<&Node>) -> bool {
        self.pod_selector
            .as_ref()
            .is_some_and(|s| s.matches(labels))
    }

    /// `podSelector: {}` (or absent): every pod of the namespace.
    pub fn selects_all_pods(&self) -> bool {
        self.pod_selector
            .as_ref()
            .is_some_and(LabelSelector::selects_all)
    }

    /// Where `spec.podSelector` is (or the object's first line).
    pub fn pod_selector_pos(&self) -> Pos {
        self.pod_selector_node
            .map_or_else(|| self.object.locate("spec.podSelector"), |n| n.pos)
    }

    pub fn name(&self) -> &'a str {
        self.object.name.as_deref().unwrap_or("<unnamed>")
    }
}

fn rules<'a>(list: Option<&'a Node>, peers_key: &str) -> Vec<TrafficRule<'a>> {
    list.map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, node)| TrafficRule {
            node,
            index,
            peers: node
                .get(peers_key)
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .map(Peer::parse)
                .collect(),
            ports: node
                .get("ports")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .map(PortRange::parse)
                .collect(),
        })
        .collect()
}

impl TrafficRule<'_> {
    /// No `from`/`to` (or an empty one): every source or destination.
    pub fn allows_all_peers(&self) -> bool {
        self.peers.is_empty()
    }

    /// No `ports` (or an empty list): every port.
    pub fn allows_all_ports(&self) -> bool {
        self.ports.is_empty()
    }

    /// Whether the rule's ports admit `protocol` traffic to `port`.
    pub fn allows_port(&self, protocol: &str, port: u16) -> bool {
        self.ports.is_empty() || self.ports.iter().any(|p| p.matches(protocol, port))
    }
}

impl<'a> Peer<'a> {
    fn parse(node: &'a Node) -> Self {
        let field = |key: &str| node.get(key).filter(|n| !n.is_null());
        let kind = match (
            field("ipBlock"),
            field("podSelector"),
            field("namespaceSelector"),
        ) {
            (Some(block), None, None) => {
                IpBlock::parse(block).map_or(PeerKind::Invalid, PeerKind::IpBlock)
            }
            (None, None, None) | (Some(_), _, _) => PeerKind::Invalid,
            (None, pods, namespaces) => {
                let pod_selector = pods.map(LabelSelector::parse);
                let namespace_selector = namespaces.map(LabelSelector::parse);
                if matches!(pod_selector, Some(None)) || matches!(namespace_selector, Some(None)) {
                    PeerKind::Invalid
                } else {
                    PeerKind::Pods {
                        pod_selector: pod_selector.flatten(),
                        namespace_selector: namespace_selector.flatten(),
                    }
                }
            }
        };
        Peer { node, kind }
    }

    /// Whether this peer matches an address outside the cluster (only `ipBlock`s can).
    pub fn contains_address(&self, address: IpAddr) -> bool {
        matches!(&self.kind, PeerKind::IpBlock(block) if block.contains(address))
    }

    /// An `ipBlock` of `0.0.0.0/0` or `::/0` (whatever its `except` list), or a
    /// `namespaceSelector: {}` whose `podSelector` is absent or empty (every pod of every
    /// namespace).
    pub fn is_everything(&self) -> bool {
        match &self.kind {
            PeerKind::IpBlock(block) => block.covers_all_addresses(),
            PeerKind::Pods {
                pod_selector,
                namespace_selector: Some(namespaces),
            } => {
                namespaces.selects_all()
                    && pod_selector.as_ref().is_none_or(LabelSelector::selects_all)
            }
            _ => false,
        }
    }

    /// Where the peer's `ipBlock` is, else the peer item.
    pub fn pos(&self) -> Pos {
        self.node.get("ipBlock").map_or(self.node.pos, |n| n.pos)
    }
}

impl IpBlock {
    /// Parses `{cidr, except}`; `None` without a parsable `cidr`.
    pub fn parse(node: &Node) -> Option<Self> {
        let cidr = parse_cidr(node.get("cidr")?.as_str()?)?;
        let except = node
            .get("except")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| parse_cidr(n.as_str()?))
            .collect();
        Some(IpBlock { cidr, except })
    }

    /// In `cidr` and in no `except` range. An IPv6 block never contains an IPv4 address.
    pub fn contains(&self, address: IpAddr) -> bool {
        self.cidr.contains(&address) && !self.except.iter().any(|e| e.contains(&address))
    }

    /// A `/0` block: the whole IPv4 or IPv6 address space.
    pub fn covers_all_addresses(&self) -> bool {
        self.cidr.prefix_len() == 0
    }
}

/// A CIDR as the API server accepts it (`10.0.0.0/8`, `fd00::/8`; host bits may be set).
pub fn parse_cidr(text: &str) -> Option<IpNet> {
    text.trim().parse().ok()
}

impl PortRange {
    fn parse(node: &Node) -> Self {
        let protocol = node
            .get("protocol")
            .and_then(Node::as_str)
            .unwrap_or("TCP")
            .to_owned();
        let port = match node.get("port") {
            None => Port::Any,
            Some(n) if n.is_null() => Port::Any,
            Some(n) => match n.as_i64().or_else(|| n.as_str()?.trim().parse().ok()) {
                Some(number) => Port::Number(number),
                None => Port::Named(n.as_str().unwrap_or_default().to_owned()),
            },
        };
        PortRange {
            protocol,
            port,
            end_port: node.get("endPort").and_then(Node::as_i64),
        }
    }

    /// Whether this entry admits `protocol` traffic to `port`.
    pub fn matches(&self, protocol: &str, port: u16) -> bool {
        if !self.protocol.eq_ignore_ascii_case(protocol) {
            return false;
        }
        let port = i64::from(port);
        match &self.port {
            Port::Any => true,
            Port::Number(start) => match self.end_port {
                Some(end) => (*start..=end).contains(&port),
                None => *start == port,
            },
            Port::Named(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::test_support::node;

    fn object(json: Json) -> Object {
        crate::test_support::objects("t", &[json]).remove(0)
    }

    fn netpol(namespace: Option<&str>, spec: Json) -> Object {
        let mut metadata = json!({"name": "p"});
        if let Some(ns) = namespace {
            metadata["namespace"] = json!(ns);
        }
        object(json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": metadata,
            "spec": spec,
        }))
    }

    fn parsed(object: &Object) -> NetworkPolicy<'_> {
        NetworkPolicy::parse(object).unwrap()
    }

    /// The IMDS verdict for a pod selected by every policy built from these specs.
    fn imds(specs: &[Json]) -> String {
        let objects: Vec<Object> = specs.iter().map(|s| netpol(None, s.clone())).collect();
        let policies: Vec<NetworkPolicy<'_>> = objects.iter().map(parsed).collect();
        match imds_egress(&policies) {
            EgressVerdict::Unrestricted => "unrestricted".into(),
            EgressVerdict::Denied => "denied".into(),
            EgressVerdict::Allowed { rule, peer, .. } => {
                let index = policies
                    .iter()
                    .position(|p| p.egress.iter().any(|r| std::ptr::eq(r, rule)))
                    .unwrap();
                format!(
                    "allowed by policy {index} rule {} {}",
                    rule.index,
                    if peer.is_some() { "peer" } else { "without to" }
                )
            }
        }
    }

    fn egress_only(rules: Json) -> Json {
        json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": rules})
    }

    #[test]
    fn policy_types_default_like_the_api_server() {
        let types = |spec: Json| parsed(&netpol(None, spec)).policy_types;
        let ingress_only = types(json!({"podSelector": {}}));
        assert!(ingress_only.ingress && !ingress_only.egress && !ingress_only.explicit);
        let both = types(json!({"podSelector": {}, "egress": [{}]}));
        assert!(both.ingress && both.egress);
        // `egress: []` has length 0, so defaulting does not add Egress.
        let empty_egress = types(json!({"podSelector": {}, "egress": []}));
        assert!(empty_egress.ingress && !empty_egress.egress);
        let explicit = types(json!({"podSelector": {}, "policyTypes": ["Egress"]}));
        assert!(!explicit.ingress && explicit.egress && explicit.explicit);
        // An empty policyTypes list is defaulted too.
        let defaulted = types(json!({"policyTypes": [], "egress": [{"to": []}]}));
        assert!(defaulted.ingress && defaulted.egress && !defaulted.explicit);
    }

    #[test]
    fn selectors_choose_pods() {
        let labels = |json: Json| node(&json);
        let web = labels(json!({"app": "web", "tier": "front"}));
        let db = labels(json!({"app": "db"}));
        let absent = netpol(None, json!({}));
        assert!(parsed(&absent).selects(None) && parsed(&absent).selects_all_pods());
        let expressions = netpol(
            None,
            json!({"podSelector": {"matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["front", "edge"]},
                {"key": "legacy", "operator": "DoesNotExist"}
            ]}}),
        );
        assert!(selects(&parsed(&expressions), Some(&web)));
        assert!(!selects(&parsed(&expressions), Some(&db)));
        let malformed = netpol(None, json!({"podSelector": {"matchLabels": "app=web"}}));
        assert!(!parsed(&malformed).selects(Some(&web)));
        assert!(!parsed(&malformed).selects_all_pods());
    }

    #[test]
    fn policies_are_per_namespace_and_calico_is_ignored() {
        let calico = object(json!({
            "apiVersion": "projectcalico.org/v3",
            "kind": "NetworkPolicy",
            "metadata": {"name": "calico", "namespace": "shop"},
            "spec": {"selector": "all()"},
        }));
        let inventory = Inventory::new(vec![
            netpol(Some("shop"), json!({})),
            netpol(Some("billing"), json!({})),
            netpol(None, json!({})),
            calico,
        ]);
        assert_eq!(policies(&inventory).len(), 3);
        assert_eq!(policies_in(&inventory, "shop").len(), 1);
        let unspecified = policies_in(&inventory, UNSPECIFIED_NAMESPACE);
        assert_eq!(unspecified.len(), 1);
        assert_eq!(unspecified[0].namespace, UNSPECIFIED_NAMESPACE);
    }

    #[test]
    fn imds_is_reachable_without_an_egress_policy() {
        assert_eq!(imds(&[]), "unrestricted");
        // An ingress-only policy does not isolate egress.
        assert_eq!(imds(&[json!({"podSelector": {}})]), "unrestricted");
        assert_eq!(
            imds(&[json!({"podSelector": {}, "egress": []})]),
            "unrestricted"
        );
    }

    #[test]
    fn default_deny_egress_without_allow_is_safe() {
        assert_eq!(imds(&[egress_only(json!(null))]), "denied");
        assert_eq!(imds(&[egress_only(json!([]))]), "denied");
        assert_eq!(
            imds(&[json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})]),
            "denied"
        );
    }

    #[test]
    fn rules_without_to_allow_every_destination() {
        assert_eq!(
            imds(&[egress_only(json!([{}]))]),
            "allowed by policy 0 rule 0 without to"
        );
        assert_eq!(
            imds(&[egress_only(json!([{"to": []}]))]),
            "allowed by policy 0 rule 0 without to"
        );
        // Defaulted Egress from a non-empty egress list.
        assert_eq!(
            imds(&[json!({"podSelector": {}, "egress": [{"ports": [{"port": 80}]}]})]),
            "allowed by policy 0 rule 0 without to"
        );
    }

    #[test]
    fn ip_blocks_and_except_lists() {
        let block = |cidr: &str, except: Json| {
            egress_only(json!([{"to": [{"ipBlock": {"cidr": cidr, "except": except}}]}]))
        };
        let allowed = "allowed by policy 0 rule 0 peer";
        assert_eq!(imds(&[block("0.0.0.0/0", json!(null))]), allowed);
        assert_eq!(imds(&[block("0.0.0.0/0", json!(["10.0.0.0/8"]))]), allowed);
        assert_eq!(imds(&[block("169.254.169.254/32", json!([]))]), allowed);
        // Host bits set, as the API server accepts.
        assert_eq!(imds(&[block("169.254.1.1/16", json!([]))]), allowed);
        assert_eq!(
            imds(&[block("169.254.0.0/16", json!(["169.254.169.254/32"]))]),
            "denied"
        );
        assert_eq!(
            imds(&[block("0.0.0.0/0", json!(["169.254.0.0/16", "10.0.0.0/8"]))]),
            "denied"
        );
        // An except entry that does not cover the endpoint leaves it allowed.
        assert_eq!(
            imds(&[block("169.254.0.0/16", json!(["169.254.169.0/25"]))]),
            allowed
        );
        // An unparsable except entry excludes nothing.
        assert_eq!(imds(&[block("0.0.0.0/0", json!(["169.254.0.0"]))]), allowed);
        assert_eq!(imds(&[block("10.0.0.0/8", json!([]))]), "denied");
        // IPv6 blocks never cover the IPv4 endpoint, not even ::/0 or the mapped range.
        assert_eq!(imds(&[block("::/0", json!([]))]), "denied");
        assert_eq!(imds(&[block("::ffff:0:0/96", json!([]))]), "denied");
        // A cidr the API server rejects makes an invalid peer that matches nothing.
        assert_eq!(imds(&[block("169.254.169.254", json!([]))]), "denied");
    }

    #[test]
    fn pod_and_namespace_peers_never_match_imds() {
        let peers = json!([
            {"podSelector": {}},
            {"namespaceSelector": {}},
            {"namespaceSelector": {}, "podSelector": {}},
            {"ipBlock": {"cidr": "0.0.0.0/0"}, "podSelector": {}},
            {}
        ]);
        assert_eq!(imds(&[egress_only(json!([{"to": peers}]))]), "denied");
    }

    #[test]
    fn ports_restrict_rules() {
        let rule_with_ports = |ports: Json| egress_only(json!([{"ports": ports}]));
        let allowed = "allowed by policy 0 rule 0 without to";
        assert_eq!(imds(&[rule_with_ports(json!([{"port": 443}]))]), "denied");
        assert_eq!(
            imds(&[rule_with_ports(json!([{"protocol": "UDP"}]))]),
            "denied"
        );
        assert_eq!(
            imds(&[rule_with_ports(json!([{"protocol": "UDP", "port": 80}]))]),
            "denied"
        );
        assert_eq!(
            imds(&[rule_with_ports(json!([{"port": "http"}]))]),
            "denied"
        );
        assert_eq!(
            imds(&[rule_with_ports(json!([{"port": 443}, {"port": 80}]))]),
            allowed
        );
        assert_eq!(imds(&[rule_with_ports(json!([{}]))]), allowed);
        assert_eq!(
            imds(&[rule_with_ports(json!([{"protocol": "TCP"}]))]),
            allowed
        );
        assert_eq!(imds(&[rule_with_ports(json!([{"port": "80"}]))]), allowed);
        assert_eq!(
            imds(&[rule_with_ports(json!([{"port": 1, "endPort": 1024}]))]),
            allowed
        );
        assert_eq!(
            imds(&[rule_with_ports(json!([{"port": 81, "endPort": 1024}]))]),
            "denied"
        );
        assert_eq!(imds(&[rule_with_ports(json!([]))]), allowed);
    }

    #[test]
    fn egress_policies_are_additive() {
        let dns = egress_only(json!([{
            "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
            "ports": [{"protocol": "UDP", "port": 53}]
        }]));
        let internet = egress_only(json!([{
            "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.0.0/16"]}}]
        }]));
        let imds_https = egress_only(json!([{
            "to": [{"ipBlock": {"cidr": "169.254.169.254/32"}}],
            "ports": [{"port": 443}]
        }]));
        let open_http = egress_only(json!([
            {"to": [{"podSelector": {}}]},
            {"ports": [{"port": 80}]}
        ]));
        let ingress_only = json!({"podSelector": {}, "ingress": [{}]});
        assert_eq!(
            imds(&[dns.clone(), internet.clone(), imds_https.clone()]),
            "denied"
        );
        assert_eq!(
            imds(&[dns, internet, ingress_only, imds_https, open_http]),
            "allowed by policy 4 rule 1 without to"
        );
    }

    #[test]
    fn everything_peers() {
        let policy = netpol(
            None,
            json!({"ingress": [{"from": [
                {"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}},
                {"ipBlock": {"cidr": "::/0"}},
                {"namespaceSelector": {}},
                {"namespaceSelector": {}, "podSelector": {}},
                {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "x"}}},
                {"podSelector": {}},
                {"ipBlock": {"cidr": "10.0.0.0/8"}},
                {"namespaceSelector": {"matchLabels": {"team": "a"}}}
            ]}]}),
        );
        let policy = parsed(&policy);
        let everything: Vec<bool> = policy.ingress[0]
            .peers
            .iter()
            .map(Peer::is_everything)
            .collect();
        assert_eq!(
            everything,
            [true, true, true, true, false, false, false, false]
        );
        assert!(!policy.ingress[0].allows_all_peers());
    }

    #[test]
    fn odd_input_does_not_panic() {
        for spec in [
            json!(null),
            json!("text"),
            json!({"podSelector": [], "policyTypes": "Egress", "egress": {"to": 1}}),
            json!({"egress": [null, 3, {"to": [null, "x", {"ipBlock": null}], "ports": [null, {"port": {}}]}]}),
        ] {
            let object = netpol(None, spec);
            let policy = parsed(&object);
            let _ = imds_egress([&policy]);
        }
    }
}
