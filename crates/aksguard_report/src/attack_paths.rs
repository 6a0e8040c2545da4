//! `aksguard paths` output: the table, JSON, SARIF, and the HTML report's "Attack paths"
//! section (drawn as inline SVG by [`crate::html::render_with_attack_paths`]).
//!
//! JSON (the public contract, README "Attack paths"): `paths[]` with `risk`,
//! `likelihood`, `impact`, `target`, `hops[]` (`object` {kind, namespace, name}, `via` rule
//! IDs, `reason`) and `cuts[]` (cheapest first), then the ranked `fixes[]`, `total_paths`
//! (before `--limit`), `nodes` and `edges`.

use aksguard_paths::{AttackPath, AttackPaths, RankedFix};
use serde::Serialize;

use crate::{TOOL_NAME, TOOL_VERSION};

/// How many fixes the table and the HTML section list.
const FIXES_SHOWN: usize = 10;

/// The paths to show (the `--limit` highest) and the totals they come from.
#[derive(Clone, Debug, Serialize)]
pub struct Limited<'a> {
    pub paths: &'a [AttackPath],
    /// Ranked over every path, not only those shown.
    pub fixes: &'a [RankedFix],
    pub total_paths: usize,
    pub nodes: usize,
    pub edges: usize,
}

impl<'a> Limited<'a> {
    pub fn new(analysis: &'a AttackPaths, limit: usize) -> Limited<'a> {
        Limited {
            paths: &analysis.paths[..analysis.paths.len().min(limit)],
            fixes: &analysis.fixes,
            total_paths: analysis.paths.len(),
            nodes: analysis.nodes,
            edges: analysis.edges,
        }
    }
}

/// Each path as a chain, the reason for each move, the cheapest cut; then the fixes.
pub fn table(shown: &Limited<'_>) -> String {
    let mut out = String::new();
    if shown.total_paths == 0 {
        out.push_str(&format!(
            "No attack path from the internet to a crown jewel (graph: {} nodes, {} edges).\n",
            shown.nodes, shown.edges
        ));
        return out;
    }
    out.push_str(&format!(
        "{} attack path{} (showing {}; graph: {} nodes, {} edges)\n",
        shown.total_paths,
        if shown.total_paths == 1 { "" } else { "s" },
        shown.paths.len(),
        shown.nodes,
        shown.edges
    ));
    for (number, path) in shown.paths.iter().enumerate() {
        out.push_str(&format!(
            "\n{}. risk {:.1}  {}  (likelihood {:.1} × impact {:.0})\n   {}\n",
            number + 1,
            path.risk,
            path.target,
            path.likelihood,
            path.impact,
            path.chain()
        ));
        for hop in path.hops.iter().skip(1) {
            out.push_str(&format!("     → {}: {}\n", hop.object.label(), hop.reason));
        }
        match path.cuts.first() {
            Some(cut) => out.push_str(&format!(
                "   cheapest cut (cost {}): {}\n",
                cut.cost, cut.fix
            )),
            None => out.push_str("   no single fix cuts this path\n"),
        }
    }
    if !shown.fixes.is_empty() {
        out.push_str("\nFixes by paths removed:\n");
        for (number, fix) in shown.fixes.iter().take(FIXES_SHOWN).enumerate() {
            out.push_str(&format!(
                "{:>3}. removes {} path{}, cost {}: {}{}\n",
                number + 1,
                fix.paths_removed,
                if fix.paths_removed == 1 { "" } else { "s" },
                fix.cost,
                fix.fix,
                if fix.via.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", fix.via.join(", "))
                }
            ));
        }
    }
    out
}

pub fn json(shown: &Limited<'_>) -> String {
    let mut text = serde_json::to_string_pretty(shown).expect("paths serialise");
    text.push('\n');
    text
}

/// SARIF 2.1.0: one result per path (rule `attack-path`), located at the first hop defined
/// in a file, with the hops as a code flow.
pub fn sarif(shown: &Limited<'_>) -> String {
    let results: Vec<serde_json::Value> = shown.paths.iter().map(sarif_result).collect();
    let log = serde_json::json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": TOOL_NAME,
                "version": TOOL_VERSION,
                "informationUri": "https://github.com/aksguard/aksguard",
                "rules": [{
                    "id": "attack-path",
                    "name": "AttackPath",
                    "shortDescription": {"text": "Attack path from the internet to a crown jewel"},
                    "fullDescription": {"text": "A chain of exposure, workload, identity and permission weaknesses an attacker on the internet can follow to cluster-admin, a node, a privileged Azure role, secrets or registry push. Fix the cheapest cut to remove the path."},
                    "help": {"text": "Run `aksguard paths` for the chain, the cheapest cut and the fixes that remove the most paths."},
                    "defaultConfiguration": {"level": "error"},
                    "properties": {"tags": ["security", "attack-path"], "security-severity": "9.0"}
                }]
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    text.push('\n');
    text
}

fn sarif_location(hop: &aksguard_paths::Hop, text: &str) -> serde_json::Value {
    match &hop.place {
        Some(place) => {
            let live = aksguard_model::finding::is_live_path(&place.path);
            let uri = crate::location::live_uri(&place.path)
                .unwrap_or_else(|| crate::sarif::encode_path(place.path.trim_start_matches("./")));
            let mut physical = serde_json::json!({"artifactLocation": {"uri": uri}});
            if !live && place.line > 0 {
                physical["region"] = serde_json::json!({"startLine": place.line});
            }
            serde_json::json!({"physicalLocation": physical, "message": {"text": text}})
        }
        None => serde_json::json!({"message": {"text": text}}),
    }
}

fn sarif_result(path: &AttackPath) -> serde_json::Value {
    let level = if path.risk >= 8.0 {
        "error"
    } else if path.risk >= 5.0 {
        "warning"
    } else {
        "note"
    };
    let cut = path.cuts.first().map_or_else(
        || "no single fix cuts it".to_owned(),
        |c| format!("cheapest cut: {}", c.fix),
    );
    let steps: Vec<serde_json::Value> = path
        .hops
        .iter()
        .map(|hop| {
            let text = if hop.reason.is_empty() {
                hop.object.label()
            } else {
                format!("{}: {}", hop.object.label(), hop.reason)
            };
            serde_json::json!({"location": sarif_location(hop, &text)})
        })
        .collect();
    let anchor = path.hops.iter().find(|h| h.place.is_some());
    let mut result = serde_json::json!({
        "ruleId": "attack-path",
        "ruleIndex": 0,
        "level": level,
        "message": {"text": format!("risk {:.1} ({}): {}; {}", path.risk, path.target, path.chain(), cut)},
        "codeFlows": [{"threadFlows": [{"locations": steps}]}],
        "partialFingerprints": {"aksguard/v1": fingerprint(&path.chain())},
        "properties": {"risk": path.risk, "target": path.target},
    });
    if let Some(hop) = anchor {
        result["locations"] = serde_json::json!([sarif_location(hop, &hop.object.label())]);
    }
    result
}

/// A path's identity across runs: SHA-256 of its chain, cut to 64 bits (hex).
fn fingerprint(chain: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(chain.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the HTML template draws for one path: boxes and arrows, geometry computed here (SVG
/// attributes, no inline style, so the page's CSP holds).
#[derive(Serialize)]
pub(crate) struct PathView {
    number: usize,
    risk: String,
    target: &'static str,
    chain: String,
    width: usize,
    hops: Vec<HopView>,
    cut: Option<String>,
}

#[derive(Serialize)]
struct HopView {
    x: usize,
    text_x: usize,
    /// Where the arrow into the next hop starts and ends.
    arrow_from: usize,
    arrow_to: usize,
    last: bool,
    kind: String,
    short: String,
    title: String,
    fill: &'static str,
}

#[derive(Serialize)]
pub(crate) struct FixView {
    fix: String,
    cost: u8,
    paths_removed: usize,
    via: String,
}

#[derive(Serialize)]
pub(crate) struct SectionView {
    total: usize,
    shown: usize,
    nodes: usize,
    edges: usize,
    paths: Vec<PathView>,
    fixes: Vec<FixView>,
}

const BOX_WIDTH: usize = 170;
const BOX_GAP: usize = 36;
/// Characters of a name that fit in a box (the full name is the box's tooltip).
const SHORT_NAME: usize = 24;

pub(crate) fn section(shown: &Limited<'_>) -> SectionView {
    SectionView {
        total: shown.total_paths,
        shown: shown.paths.len(),
        nodes: shown.nodes,
        edges: shown.edges,
        paths: shown
            .paths
            .iter()
            .enumerate()
            .map(|(i, p)| path_view(i + 1, p))
            .collect(),
        fixes: shown
            .fixes
            .iter()
            .take(FIXES_SHOWN)
            .map(|f| FixView {
                fix: f.fix.clone(),
                cost: f.cost,
                paths_removed: f.paths_removed,
                via: f.via.join(", "),
            })
            .collect(),
    }
}

fn path_view(number: usize, path: &AttackPath) -> PathView {
    let count = path.hops.len();
    let hops = path
        .hops
        .iter()
        .enumerate()
        .map(|(i, hop)| {
            let x = 4 + i * (BOX_WIDTH + BOX_GAP);
            let name = match &hop.object.namespace {
                Some(ns) => format!("{ns}/{}", hop.object.name),
                None => hop.object.name.clone(),
            };
            let short = if name.chars().count() > SHORT_NAME {
                let mut cut: String = name.chars().take(SHORT_NAME - 1).collect();
                cut.push('…');
                cut
            } else {
                name
            };
            let mut title = hop.object.label();
            if !hop.via.is_empty() {
                title.push_str(&format!(" ({})", hop.via.join(", ")));
            }
            if !hop.reason.is_empty() {
                title.push_str(&format!(": {}", hop.reason));
            }
            HopView {
                x,
                text_x: x + 8,
                arrow_from: x + BOX_WIDTH,
                arrow_to: x + BOX_WIDTH + BOX_GAP - 6,
                last: i + 1 == count,
                kind: if hop.object.kind == aksguard_paths::graph::INTERNET {
                    "internet".to_owned()
                } else if hop.via.is_empty() {
                    hop.object.kind.clone()
                } else {
                    format!("{} · {}", hop.object.kind, hop.via.join(", "))
                },
                short,
                title,
                fill: if i == 0 {
                    "#fde2e1"
                } else if i + 1 == count {
                    "#f8d7a8"
                } else {
                    "#eef1f6"
                },
            }
        })
        .collect();
    PathView {
        number,
        risk: format!("{:.1}", path.risk),
        target: path.target,
        chain: path.chain(),
        width: 8 + count * BOX_WIDTH + count.saturating_sub(1) * BOX_GAP,
        hops,
        cut: path
            .cuts
            .first()
            .map(|c| format!("{} (cost {})", c.fix, c.cost)),
    }
}
