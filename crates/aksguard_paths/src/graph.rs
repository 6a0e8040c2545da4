//! The security graph: nodes (the internet, entry points, workloads, identities,
//! permissions, nodes, Azure roles, registries, Key Vaults) and the directed edges an attacker can
//! follow between them, each with the findings that create it, a reason and its fix.

use std::collections::HashMap;

use serde::Serialize;

/// What one graph node stands for, with the object it names in reports.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NodeRef {
    /// `Service`, `Deployment`, `ServiceAccount`, … for Kubernetes objects; `Internet`,
    /// `ApiServer`, `Node`, `InstanceMetadata`, `KubeletIdentity`, `ManagedIdentity`,
    /// `AzureRole`, `Registry`, `KeyVault`, `Permission`, `Group` for the rest.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl NodeRef {
    pub fn new(kind: &str, namespace: Option<&str>, name: &str) -> NodeRef {
        NodeRef {
            kind: kind.to_owned(),
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
        }
    }

    /// `Service/shop/frontend`, `Node/aks1`, `internet`.
    pub fn label(&self) -> String {
        if self.kind == INTERNET {
            return "internet".to_owned();
        }
        match &self.namespace {
            Some(namespace) => format!("{}/{namespace}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }
}

pub const INTERNET: &str = "Internet";

/// Where a node's object is defined (a file and line, or a live URI), for SARIF.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Place {
    pub path: String,
    pub line: u32,
}

/// A crown jewel: what an attacker wants, with how bad reaching it is (0–10, see the crate
/// docs for the table).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Jewel {
    /// `cluster-admin`, `node/host`, `Azure subscription role`, `secrets`, `registry push`,
    /// `Key Vault secrets`.
    pub category: &'static str,
    pub impact: f64,
}

#[derive(Clone, Debug)]
pub struct GraphNode {
    pub object: NodeRef,
    pub place: Option<Place>,
    /// Set on crown jewels.
    pub jewel: Option<Jewel>,
    /// Set on entry points: how likely an attacker on the internet is to use it (0–1).
    pub likelihood: Option<f64>,
}

/// How an attacker moves from one node to the next.
#[derive(Clone, Debug)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// Indexes (into the findings the graph was built from) of the findings that create
    /// this edge; their rule IDs are what reports show.
    pub findings: Vec<usize>,
    /// Rule IDs of those findings, sorted and unique.
    pub rules: Vec<&'static str>,
    pub reason: String,
    /// The change that removes this edge, and how hard it is (see [`crate::cost`]); `None`
    /// when the edge is how the platform works (a node holds its kubelet identity).
    pub fix: Option<EdgeFix>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EdgeFix {
    pub summary: String,
    /// 1 (a safe one-line change) to 5 (a cluster rebuild).
    pub cost: u8,
}

/// The graph. Nodes are unique by [`NodeRef`]; edges by (from, to) — a second reason for the
/// same move merges into the first.
#[derive(Clone, Debug, Default)]
pub struct SecurityGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<Edge>,
    /// Outgoing edge indexes per node.
    pub outgoing: Vec<Vec<usize>>,
    index: HashMap<NodeRef, usize>,
    edge_index: HashMap<(usize, usize), usize>,
}

impl SecurityGraph {
    /// The internet is always node 0.
    pub fn new() -> SecurityGraph {
        let mut graph = SecurityGraph::default();
        graph.node(NodeRef::new(INTERNET, None, "internet"), None);
        graph
    }

    pub const INTERNET: usize = 0;

    /// The node for `object`, created on first use.
    pub fn node(&mut self, object: NodeRef, place: Option<Place>) -> usize {
        if let Some(&index) = self.index.get(&object) {
            if self.nodes[index].place.is_none() {
                self.nodes[index].place = place;
            }
            return index;
        }
        let index = self.nodes.len();
        self.index.insert(object.clone(), index);
        self.nodes.push(GraphNode {
            object,
            place,
            jewel: None,
            likelihood: None,
        });
        self.outgoing.push(Vec::new());
        index
    }

    pub fn find(&self, object: &NodeRef) -> Option<usize> {
        self.index.get(object).copied()
    }

    pub fn mark_jewel(&mut self, node: usize, category: &'static str, impact: f64) {
        let current = &mut self.nodes[node].jewel;
        if current.as_ref().is_none_or(|j| j.impact < impact) {
            *current = Some(Jewel { category, impact });
        }
    }

    /// Adds the edge, or merges its findings into the existing one (the first reason and fix
    /// stay; a cheaper fix wins).
    pub fn edge(
        &mut self,
        from: usize,
        to: usize,
        findings: Vec<usize>,
        rules: Vec<&'static str>,
        reason: impl Into<String>,
        fix: Option<EdgeFix>,
    ) -> usize {
        if let Some(&index) = self.edge_index.get(&(from, to)) {
            let edge = &mut self.edges[index];
            edge.findings.extend(findings);
            edge.findings.sort_unstable();
            edge.findings.dedup();
            edge.rules.extend(rules);
            edge.rules.sort_unstable();
            edge.rules.dedup();
            if let Some(new) = fix
                && edge.fix.as_ref().is_some_and(|old| new.cost < old.cost)
            {
                edge.fix = Some(new);
            }
            return index;
        }
        let mut rules = rules;
        rules.sort_unstable();
        rules.dedup();
        let mut findings = findings;
        findings.sort_unstable();
        findings.dedup();
        let index = self.edges.len();
        self.edges.push(Edge {
            from,
            to,
            findings,
            rules,
            reason: reason.into(),
            fix,
        });
        self.edge_index.insert((from, to), index);
        self.outgoing[from].push(index);
        index
    }
}
