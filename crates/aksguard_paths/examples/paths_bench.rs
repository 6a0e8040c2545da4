//! Benchmark: graph building and path enumeration beside the scan they follow, on a
//! generated corpus (`bench/gen_corpus.py`, the generator of the scan benchmarks).
//!
//! ```text
//! python3 bench/gen_corpus.py ../shared/corpus/real /tmp/paths-10k --objects 10000
//! cargo run --release -p aksguard_paths --example paths_bench -- /tmp/paths-10k
//! ```
//!
//! Prints the time of the scan (load + every rule), of the graph and of the paths, and the
//! peak resident memory of the scan and the extra peak of the graph and paths (Linux:
//! `VmHWM` from /proc/self/status, reset through /proc/self/clear_refs between the two).

use std::time::Instant;

use aksguard_config::{CliOverrides, ConfigSource};
use aksguard_load::{LoadOptions, load_inputs_with};
use aksguard_model::Inventory;
use aksguard_scan::{Pipeline, ScanSettings, SettingsRequest};

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "n/a".to_owned(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

fn main() {
    let inputs: Vec<String> = std::env::args().skip(1).collect();
    if inputs.is_empty() {
        eprintln!("usage: paths_bench DIR…");
        std::process::exit(2);
    }
    let settings = ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: CliOverrides::default(),
        as_of: None,
        baseline: None,
        write_baseline: None,
    })
    .unwrap_or_else(|e| panic!("settings: {e}"));
    let rules = settings.effective.rules.clone();
    let pipeline = Pipeline::new(&rules, &settings);
    let started = Instant::now();
    let mut loaded = load_inputs_with(
        &inputs,
        &LoadOptions {
            render: false,
            ..LoadOptions::default()
        },
        &mut std::io::empty(),
        &|object| pipeline.on_object(object),
    );
    let inventory = Inventory::new(std::mem::take(&mut loaded.objects))
        .with_azure(std::mem::take(&mut loaded.azure));
    let outcome = pipeline.finish(&inventory, loaded.findings, Vec::new(), "bench");
    let scan_time = started.elapsed();
    let scan_peak = status_kib("VmHWM:");
    let rss_before = status_kib("VmRSS:");
    // Reset the peak so the next reading is the graph's and the paths' own.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();

    let started = Instant::now();
    let graph = aksguard_paths::graph(&inventory, &outcome.findings);
    let graph_time = started.elapsed();
    let started = Instant::now();
    let paths = aksguard_paths::paths::enumerate(&graph);
    let fixes = aksguard_paths::paths::rank_fixes(&graph, &paths);
    let paths_time = started.elapsed();
    let peak_after = status_kib("VmHWM:");

    println!(
        "objects {} findings {} | graph {} nodes {} edges | paths {} fixes {}",
        inventory.len(),
        outcome.findings.len(),
        graph.nodes.len(),
        graph.edges.len(),
        paths.len(),
        fixes.len()
    );
    println!(
        "time: scan {:.3}s, graph {:.3}s ({:.2}% of scan), paths {:.3}s ({:.2}% of scan)",
        scan_time.as_secs_f64(),
        graph_time.as_secs_f64(),
        100.0 * graph_time.as_secs_f64() / scan_time.as_secs_f64(),
        paths_time.as_secs_f64(),
        100.0 * paths_time.as_secs_f64() / scan_time.as_secs_f64()
    );
    let extra = match (reset, peak_after, rss_before) {
        (true, Some(peak), Some(before)) => Some(peak.saturating_sub(before)),
        _ => None,
    };
    println!(
        "memory: scan peak {}, graph + paths extra peak {}",
        mib(scan_peak),
        mib(extra)
    );
    std::mem::forget(inventory);
}
