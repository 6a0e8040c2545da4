//! Shared by the scenario and corpus tests: run the one scan pipeline over inputs.

#![allow(dead_code)]

use std::path::PathBuf;

use aksguard_config::{CliOverrides, ConfigSource, parse_date};
use aksguard_load::{LoadOptions, load_inputs_with};
use aksguard_model::{Finding, Inventory};
use aksguard_paths::AttackPaths;
use aksguard_scan::{Pipeline, ScanSettings, SettingsRequest};

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Loads `inputs` and runs every rule over them, as `scan` does.
pub fn scan(inputs: &[PathBuf]) -> (Inventory, Vec<Finding>) {
    scan_with(inputs, true)
}

fn scan_with(inputs: &[PathBuf], strict: bool) -> (Inventory, Vec<Finding>) {
    let settings = ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: CliOverrides::default(),
        as_of: Some(parse_date("2026-12-06").unwrap()),
        baseline: None,
        write_baseline: None,
    })
    .unwrap();
    let rules = settings.effective.rules.clone();
    let pipeline = Pipeline::new(&rules, &settings);
    let args: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    let mut loaded = load_inputs_with(&args, &options, &mut std::io::empty(), &|object| {
        pipeline.on_object(object)
    });
    if strict {
        assert!(
            loaded.errors.is_empty(),
            "fixtures load: {:?}",
            loaded.errors
        );
    }
    let inventory = Inventory::new(std::mem::take(&mut loaded.objects))
        .with_azure(std::mem::take(&mut loaded.azure));
    let outcome = pipeline.finish(&inventory, loaded.findings, Vec::new(), "fixture");
    if strict {
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    }
    (inventory, outcome.findings)
}

/// Paths, their moves and cuts, and the fixes, as stable text for snapshots.
pub fn describe(analysis: &AttackPaths) -> String {
    let mut out = format!("{} path(s)\n", analysis.paths.len());
    for path in &analysis.paths {
        out.push_str(&format!(
            "\nrisk {:.1} {} (likelihood {:.1} × impact {:.0})\n  {}\n",
            path.risk,
            path.target,
            path.likelihood,
            path.impact,
            path.chain()
        ));
        for hop in path.hops.iter().skip(1) {
            out.push_str(&format!("    → {}: {}\n", hop.object.label(), hop.reason));
        }
        for cut in &path.cuts {
            out.push_str(&format!("  cut (cost {}): {}\n", cut.cost, cut.fix));
        }
    }
    out.push_str("\nfixes:\n");
    for fix in &analysis.fixes {
        out.push_str(&format!(
            "  {} path(s), cost {}: {} [{}]\n",
            fix.paths_removed,
            fix.cost,
            fix.fix,
            fix.via.join(", ")
        ));
    }
    out
}

/// [`scan`] for corpora: load errors (a few files of a real corpus are broken on purpose)
/// are allowed.
pub fn scan_lenient(inputs: &[PathBuf]) -> (Inventory, Vec<Finding>) {
    scan_with(inputs, false)
}
