//! `aksguard paths [PATH… | --cluster | --azure]`: the scan pipeline (the same sources and
//! settings as `scan`), then the attack paths of [`aksguard_paths`], rendered by
//! [`aksguard_report::attack_paths`]. This file only maps arguments and prints.
//!
//! Exit 0 when it answered (with or without paths), 2 on errors (as `scan`: a scan of
//! nothing is an error, never an empty answer).

use std::io::Write;

use aksguard_report::ScanReport;
use aksguard_report::attack_paths::{self, Limited};
use aksguard_scan::Outcome;

use crate::cli::{FailOn, PathsArgs, PathsFormat, ScanArgs, ScanFormat, SortOrder};
use crate::commands::scan::{self, Scanned};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

pub fn run(args: &PathsArgs) -> u8 {
    let scan_args = scan_args(args);
    let Scanned {
        rules,
        files,
        inventory,
        outcome,
        coverage,
        ..
    } = match scan::collect(&scan_args) {
        Ok(scanned) => scanned,
        Err(code) => return code,
    };
    let Outcome {
        mut findings,
        suppressed,
        errors,
        notes: _,
    } = outcome;
    for error in &errors {
        eprintln!("error: {error}");
    }
    let analysis = aksguard_paths::analyze(&inventory, &findings);
    aksguard_paths::mark_findings(&mut findings, &analysis);
    aksguard_paths::sort_by_risk(&mut findings);
    let limit = usize::try_from(args.limit).unwrap_or(usize::MAX);
    let shown = Limited::new(&analysis, limit);
    let rendered = match args.format {
        PathsFormat::Table => attack_paths::table(&shown),
        PathsFormat::Json => attack_paths::json(&shown),
        PathsFormat::Sarif => attack_paths::sarif(&shown),
        PathsFormat::Html => {
            let report = ScanReport {
                findings,
                suppressed,
                errors: errors.clone(),
                files,
                objects: inventory.scanned_items(),
                rules,
                coverage,
                frameworks: Vec::new(),
                framework: None,
            };
            aksguard_report::html::render_with_attack_paths(&report, &shown)
        }
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, rendered.as_bytes()),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(rendered.as_bytes())
                .and_then(|()| out.flush())
        }
    };
    if let Err(err) = written {
        eprintln!("error: cannot write the paths: {err}");
        return EXIT_ERROR;
    }
    // The process exits next: freeing the tree nodes one by one would only delay it.
    std::mem::forget(inventory);
    if errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}

/// The `scan` arguments that read the same sources with the same settings.
fn scan_args(args: &PathsArgs) -> ScanArgs {
    ScanArgs {
        paths: args.paths.clone(),
        cluster: args.cluster,
        context: args.context.clone(),
        kubeconfig: args.kubeconfig.clone(),
        namespaces: args.namespaces.clone(),
        publish_policyreports: false,
        azure: args.azure,
        subscriptions: args.subscriptions.clone(),
        resource_group: args.resource_group.clone(),
        aks_name: args.aks_name.clone(),
        live_timeout: args.live_timeout,
        format: ScanFormat::Table,
        output: None,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        framework: None,
        fail_on: Some(FailOn::None),
        min_severity: None,
        config: args.config.clone(),
        no_config: args.no_config,
        show_suppressed: false,
        baseline: None,
        write_baseline: None,
        as_of: args.as_of,
        quiet: args.quiet,
        sort: SortOrder::Risk,
        allowed_registries: Vec::new(),
        no_render: args.no_render,
        max_file_size: 64 * 1024 * 1024,
        threads: args.threads,
        complete: args.complete,
        k8s_version: None,
        parse_only: false,
        store: None,
        target_name: None,
        // Policies' findings draw no edges; aksguard.toml's `policies` still load.
        policies: Vec::new(),
        // Vulnerabilities change no edge of the graph.
        vulns: Vec::new(),
        vulns_max_age_days: None,
    }
}
