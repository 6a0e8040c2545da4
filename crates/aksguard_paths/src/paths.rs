//! Attack paths through the graph: bounded enumeration from the internet to crown jewels,
//! the risk of each, its cheapest cut, and the fixes that remove the most paths.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use serde::Serialize;

use crate::graph::{Jewel, NodeRef, Place, SecurityGraph};

/// How many partial paths may be extended through any one node (the most likely entry, then
/// the shortest, first). At most this many paths end at each crown jewel, and the search
/// does O(K·(V+E)) work however dense the RBAC graph is.
pub const PATHS_PER_NODE: usize = 5;

/// Paths longer than this many moves are not followed (no real chain needs more).
pub const MAX_MOVES: usize = 10;

/// One node of a path, with the move that reached it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hop {
    pub object: NodeRef,
    /// Rule IDs of the findings that create the move into this hop (empty for the first hop
    /// and for moves that are how the platform works).
    pub via: Vec<&'static str>,
    /// Why the attacker can make the move ("" for the first hop).
    pub reason: String,
    #[serde(skip)]
    pub place: Option<Place>,
}

/// A move of a path that a fix can remove.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cut {
    /// Index in `hops` of the hop the move leads to.
    pub hop: usize,
    pub fix: String,
    /// 1 (a safe one-line change) to 5 (a cluster rebuild); see the crate docs.
    pub cost: u8,
    pub via: Vec<&'static str>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AttackPath {
    /// likelihood × impact, 0–10, one decimal.
    pub risk: f64,
    pub likelihood: f64,
    pub impact: f64,
    /// The crown jewel's category (`cluster-admin`, `node/host`, …).
    pub target: &'static str,
    pub hops: Vec<Hop>,
    /// Every move a fix can remove, cheapest first: `cuts[0]` is the cheapest cut.
    pub cuts: Vec<Cut>,
    #[serde(skip)]
    pub edges: Vec<usize>,
}

impl AttackPath {
    /// `internet → Service/shop/web (NET006, NET010) → …`.
    pub fn chain(&self) -> String {
        let mut text = String::new();
        for (i, hop) in self.hops.iter().enumerate() {
            if i > 0 {
                text.push_str(" → ");
            }
            text.push_str(&hop.object.label());
            if !hop.via.is_empty() {
                text.push_str(&format!(" ({})", hop.via.join(", ")));
            }
        }
        text
    }
}

/// A fix and how many of the paths it removes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RankedFix {
    pub fix: String,
    pub cost: u8,
    pub via: Vec<&'static str>,
    /// The move it removes.
    pub from: NodeRef,
    pub to: NodeRef,
    pub paths_removed: usize,
}

/// A partial path: the node it ends at, its parent label and the edge taken.
struct Label {
    node: usize,
    parent: Option<usize>,
    edge: Option<usize>,
    moves: usize,
    likelihood: f64,
}

/// Queue order: most likely entry first, then fewest moves, then first made.
#[derive(PartialEq, Eq)]
struct Key {
    likelihood: u32,
    moves: usize,
    label: usize,
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.likelihood
            .cmp(&other.likelihood)
            .then_with(|| other.moves.cmp(&self.moves))
            .then_with(|| other.label.cmp(&self.label))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Every path the bounded search finds, ranked by risk (then fewer moves, then the chain's
/// text, so the order is stable).
pub fn enumerate(graph: &SecurityGraph) -> Vec<AttackPath> {
    let mut labels = vec![Label {
        node: SecurityGraph::INTERNET,
        parent: None,
        edge: None,
        moves: 0,
        likelihood: 1.0,
    }];
    let mut queue = BinaryHeap::new();
    queue.push(Key {
        likelihood: u32::MAX,
        moves: 0,
        label: 0,
    });
    let mut extended = vec![0usize; graph.nodes.len()];
    let mut found = Vec::new();
    while let Some(Key { label, .. }) = queue.pop() {
        let (node, moves, chance) = {
            let l = &labels[label];
            (l.node, l.moves, l.likelihood)
        };
        if extended[node] >= PATHS_PER_NODE {
            continue;
        }
        extended[node] += 1;
        if node != SecurityGraph::INTERNET && graph.nodes[node].jewel.is_some() {
            found.push(label);
        }
        if moves >= MAX_MOVES {
            continue;
        }
        for &edge in &graph.outgoing[node] {
            let next = graph.edges[edge].to;
            if extended[next] >= PATHS_PER_NODE || on_path(&labels, label, next) {
                continue;
            }
            let likelihood = if node == SecurityGraph::INTERNET {
                graph.nodes[next].likelihood.unwrap_or(0.0)
            } else {
                chance
            };
            labels.push(Label {
                node: next,
                parent: Some(label),
                edge: Some(edge),
                moves: moves + 1,
                likelihood,
            });
            queue.push(Key {
                likelihood: (likelihood * 1000.0) as u32,
                moves: moves + 1,
                label: labels.len() - 1,
            });
        }
    }
    let mut paths: Vec<AttackPath> = found
        .into_iter()
        .map(|label| path_of(graph, &labels, label))
        .collect();
    paths.sort_by(|a, b| {
        b.risk
            .total_cmp(&a.risk)
            .then_with(|| a.hops.len().cmp(&b.hops.len()))
            .then_with(|| a.chain().cmp(&b.chain()))
    });
    paths
}

fn on_path(labels: &[Label], mut label: usize, node: usize) -> bool {
    loop {
        if labels[label].node == node {
            return true;
        }
        match labels[label].parent {
            Some(parent) => label = parent,
            None => return false,
        }
    }
}

fn path_of(graph: &SecurityGraph, labels: &[Label], last: usize) -> AttackPath {
    let mut chain = vec![last];
    let mut current = last;
    while let Some(parent) = labels[current].parent {
        chain.push(parent);
        current = parent;
    }
    chain.reverse();
    let mut hops = Vec::with_capacity(chain.len());
    let mut edges = Vec::new();
    let mut cuts = Vec::new();
    for (position, &label) in chain.iter().enumerate() {
        let node = &graph.nodes[labels[label].node];
        let (via, reason) = match labels[label].edge {
            Some(edge) => {
                edges.push(edge);
                let edge = &graph.edges[edge];
                if let Some(fix) = &edge.fix {
                    cuts.push(Cut {
                        hop: position,
                        fix: fix.summary.clone(),
                        cost: fix.cost,
                        via: edge.rules.clone(),
                    });
                }
                (edge.rules.clone(), edge.reason.clone())
            }
            None => (Vec::new(), String::new()),
        };
        hops.push(Hop {
            object: node.object.clone(),
            via,
            reason,
            place: node.place.clone(),
        });
    }
    // Cheapest first; among equals the one nearest the entry (it also stops what follows).
    cuts.sort_by(|a, b| a.cost.cmp(&b.cost).then_with(|| a.hop.cmp(&b.hop)));
    let target = graph.nodes[labels[last].node]
        .jewel
        .as_ref()
        .expect("paths end at crown jewels");
    let likelihood = labels[last].likelihood;
    AttackPath {
        risk: round1(likelihood * target.impact),
        likelihood,
        impact: target.impact,
        target: target.category,
        hops,
        cuts,
        edges,
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Fixes ranked by how many of `paths` they remove, then by cost. Moves with the same fix
/// (one cluster setting cuts every pod's move to IMDS) count as one fix; a path counts once.
pub fn rank_fixes(graph: &SecurityGraph, paths: &[AttackPath]) -> Vec<RankedFix> {
    let mut by_fix: HashMap<&str, (usize, Vec<usize>)> = HashMap::new();
    for (number, path) in paths.iter().enumerate() {
        for &edge in &path.edges {
            let Some(fix) = &graph.edges[edge].fix else {
                continue;
            };
            let entry = by_fix
                .entry(fix.summary.as_str())
                .or_insert((edge, Vec::new()));
            if entry.1.last() != Some(&number) {
                entry.1.push(number);
            }
        }
    }
    let mut fixes: Vec<RankedFix> = by_fix
        .into_values()
        .filter_map(|(edge, paths)| {
            let edge = &graph.edges[edge];
            let fix = edge.fix.as_ref()?;
            Some(RankedFix {
                fix: fix.summary.clone(),
                cost: fix.cost,
                via: edge.rules.clone(),
                from: graph.nodes[edge.from].object.clone(),
                to: graph.nodes[edge.to].object.clone(),
                paths_removed: paths.len(),
            })
        })
        .collect();
    fixes.sort_by(|a, b| {
        b.paths_removed
            .cmp(&a.paths_removed)
            .then_with(|| a.cost.cmp(&b.cost))
            .then_with(|| a.fix.cmp(&b.fix))
    });
    fixes
}

/// For every node that can reach a crown jewel by some chain of moves (from any start, not
/// only the internet), the worst jewel it reaches: one backwards walk from the jewels in
/// falling impact, each node taken by the first (worst) walk that meets it, so O(V+E).
pub fn jewel_reach(graph: &SecurityGraph) -> HashMap<NodeRef, Jewel> {
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for edge in &graph.edges {
        incoming[edge.to].push(edge.from);
    }
    let impact = |node: usize| graph.nodes[node].jewel.as_ref().map_or(0.0, |j| j.impact);
    let mut jewels: Vec<usize> = (0..graph.nodes.len())
        .filter(|&n| graph.nodes[n].jewel.is_some())
        .collect();
    jewels.sort_by(|&a, &b| impact(b).total_cmp(&impact(a)).then(a.cmp(&b)));
    let mut reached: Vec<Option<usize>> = vec![None; graph.nodes.len()];
    for jewel in jewels {
        if reached[jewel].is_some() {
            continue;
        }
        reached[jewel] = Some(jewel);
        let mut queue = std::collections::VecDeque::from([jewel]);
        while let Some(node) = queue.pop_front() {
            for &from in &incoming[node] {
                if reached[from].is_none() {
                    reached[from] = Some(jewel);
                    queue.push_back(from);
                }
            }
        }
    }
    reached
        .into_iter()
        .enumerate()
        .filter_map(|(node, jewel)| {
            let jewel = graph.nodes[jewel?].jewel.clone()?;
            Some((graph.nodes[node].object.clone(), jewel))
        })
        .collect()
}
