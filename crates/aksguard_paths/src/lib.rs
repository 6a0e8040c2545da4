//! The security graph (internet, entry points, workloads, identities, RBAC permissions,
//! nodes, Azure roles, secrets, registries) built from one scan's inventory and findings, and
//! the ranked attack paths through it with their cheapest cuts.
//!
//! # The graph
//! Nodes: the internet; entry points (LoadBalancer Services without
//! `loadBalancerSourceRanges` and not internal, Ingresses and the Services they route to,
//! NodePort Services when node pools have public IPs, a public API server without
//! authorized ranges); workloads; the ServiceAccounts whose credential a pod holds (token
//! mounted, or workload identity); RBAC permissions (cluster-admin, read secrets, create
//! pods / exec, escalate/bind/impersonate, nodes/proxy) per namespace or cluster-wide; the
//! groups bindings name (`system:serviceaccounts…`, `system:authenticated`, anonymous); the
//! node/host; the instance metadata endpoint; the kubelet identity and the user-assigned
//! identities ServiceAccounts federate to; their Azure roles, registries and the Key Vaults
//! their data-plane Key Vault roles read.
//!
//! Edges carry the findings (rule IDs) that create them, a reason and the fix that removes
//! them (`None` for moves that are how the platform works, such as a node holding its
//! kubelet identity). See [`build`] for what creates each edge.
//!
//! # Paths and ranking
//! Paths run from the internet to a crown jewel. The search is best-first (most likely
//! entry, then fewest moves) and extends at most [`PATHS_PER_NODE`] (5) partial paths
//! through any node, so at most 5 paths end at each jewel and the work is O(K·(V+E)) even on
//! a dense RBAC graph; paths longer than [`MAX_MOVES`] (10) moves are dropped.
//!
//! **risk = likelihood(entry) × impact(target)**, 0–10, one decimal; ties go to the path
//! with fewer moves. Likelihood ([`cost::likelihood`]): public LoadBalancer without source
//! ranges 1.0, Ingress without WAF 0.9, other Ingress 0.7, NodePort on public nodes 0.8,
//! public API server without authorized ranges 0.6. Impact ([`cost::impact`]):
//! cluster-admin 10, privileged Azure role on a subscription 10 / resource group 9 / resource
//! 7, registry push 9, node/host 8, every Secret 8, Key Vault secrets 8, one namespace's
//! Secrets 6.
//!
//! # Cuts and fixes
//! Each fixable move has a cost from 1 (a safe one-line change) to 5 (a cluster rebuild):
//! the edge kind's default, lowered by the cheapest rule on the edge ([`cost::rule_cost`]),
//! then set by the safety of the findings' own fixes when they carry one (`safe` → 1,
//! `manual` → at least 4). A path's cuts are listed cheapest first (ties: nearest the
//! entry); the overall fixes are ranked by how many paths they remove, then by cost.

pub mod azure;
pub mod build;
pub mod cost;
pub mod graph;
pub mod paths;

use std::collections::{BTreeSet, HashMap};

use aksguard_model::{Finding, Inventory};
use serde::Serialize;

pub use graph::{Edge, GraphNode, Jewel, NodeRef, SecurityGraph};
pub use paths::{AttackPath, Cut, Hop, MAX_MOVES, PATHS_PER_NODE, RankedFix};

/// The graph's size and the paths through it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AttackPaths {
    /// Ranked, highest risk first.
    pub paths: Vec<AttackPath>,
    /// Fixes ranked by how many paths each removes.
    pub fixes: Vec<RankedFix>,
    pub nodes: usize,
    pub edges: usize,
    /// Indexes of the findings that create a move on some path.
    #[serde(skip)]
    pub findings_on_paths: BTreeSet<usize>,
    /// Every node from which some crown jewel can be reached, whatever the entry (a
    /// workload through its ServiceAccount, the node it can take or IMDS), with the worst
    /// jewel it reaches.
    #[serde(skip)]
    pub reach: HashMap<NodeRef, Jewel>,
}

impl AttackPaths {
    /// The worst crown jewel reachable from the workload `kind` `namespace`/`name`, if any.
    pub fn reach_of(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Jewel> {
        self.reach.get(&NodeRef::new(kind, namespace, name))
    }
}

/// Builds the graph of `inventory` and `findings` (the scan's active findings).
pub fn graph(inventory: &Inventory, findings: &[Finding]) -> SecurityGraph {
    build::Builder::new(inventory, findings).build()
}

/// The graph, its ranked paths and fixes.
pub fn analyze(inventory: &Inventory, findings: &[Finding]) -> AttackPaths {
    let graph = graph(inventory, findings);
    let paths = paths::enumerate(&graph);
    let fixes = paths::rank_fixes(&graph, &paths);
    let findings_on_paths = paths
        .iter()
        .flat_map(|p| p.edges.iter())
        .flat_map(|&e| graph.edges[e].findings.iter().copied())
        .collect();
    AttackPaths {
        paths,
        fixes,
        nodes: graph.nodes.len(),
        edges: graph.edges.len(),
        findings_on_paths,
        reach: paths::jewel_reach(&graph),
    }
}

/// Sets `on_attack_path` on the findings (the same slice [`analyze`] saw) that lie on a path.
pub fn mark_findings(findings: &mut [Finding], analysis: &AttackPaths) {
    for &index in &analysis.findings_on_paths {
        if let Some(finding) = findings.get_mut(index) {
            finding.on_attack_path = true;
        }
    }
}

/// `scan --sort risk`: findings on an attack path first, then by severity (highest first);
/// otherwise the report order is kept (the sort is stable).
pub fn sort_by_risk(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.on_attack_path
            .cmp(&a.on_attack_path)
            .then_with(|| b.severity.cmp(&a.severity))
    });
}
