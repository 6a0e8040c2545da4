//! The real corpora (`../shared/corpus/real` manifests, `../shared/corpus/aks` cluster
//! definitions): the graph builds and paths enumerate without a panic; the path count and
//! the top paths are printed (`cargo test -p aksguard_paths --test corpus -- --nocapture`).
//! Skips with a message when `../shared` is absent; fails then under
//! `AKSGUARD_REQUIRE_SHARED=1`.

mod common;

use aksguard_paths::analyze;
use common::scan_lenient;

fn run(relative: &str) {
    let Some(dir) = aksguard_testkit::shared_path(relative) else {
        return;
    };
    let (inventory, findings) = scan_lenient(&[dir]);
    let analysis = analyze(&inventory, &findings);
    println!(
        "{relative}: {} objects, {} findings → graph {} nodes, {} edges; {} attack paths, {} fixes",
        inventory.len(),
        findings.len(),
        analysis.nodes,
        analysis.edges,
        analysis.paths.len(),
        analysis.fixes.len()
    );
    for path in analysis.paths.iter().take(5) {
        println!("  risk {:.1} {}: {}", path.risk, path.target, path.chain());
        for hop in path.hops.iter().skip(1) {
            println!(
                "      → {} [{}]: {}",
                hop.object.label(),
                hop.place
                    .as_ref()
                    .map_or(String::new(), |p| format!("{}:{}", p.path, p.line)),
                hop.reason
            );
        }
        if let Some(cut) = path.cuts.first() {
            println!("    cheapest cut (cost {}): {}", cut.cost, cut.fix);
        }
    }
    for fix in analysis.fixes.iter().take(5) {
        println!(
            "  fix: removes {} path(s), cost {}: {}",
            fix.paths_removed, fix.cost, fix.fix
        );
    }
    // Every path starts at the internet and ends at a crown jewel, within the bound.
    for path in &analysis.paths {
        assert_eq!(path.hops[0].object.kind, "Internet");
        assert!(path.hops.len() <= aksguard_paths::MAX_MOVES + 1);
        assert!(path.risk > 0.0 && path.risk <= 10.0);
    }
}

#[test]
fn real_manifests() {
    run("corpus/real");
}

#[test]
fn aks_definitions() {
    run("corpus/aks");
}
