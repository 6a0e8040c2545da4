//! `aksguard explain-source PATH… [--name CLUSTER] [--format table|json]`: for each managed
//! cluster of the inputs (or the one named), where each setting the AKS/ACR rules judged came
//! from. The explanation is built by `aksguard_scan::explain` (the rules run as a scan runs
//! them, their lookups recorded) and rendered by `aksguard_report::explain_source`; this file
//! reads the arguments and inputs and prints.
//!
//! Exit 0 when it explained; 2 on load errors (the explanation is still printed), on no
//! cluster at all, or on a `--name` no cluster has (the error lists the names found).

use std::io::Write;

use aksguard_config::{CliOverrides, ConfigSource};
use aksguard_load::{Limits, LoadOptions, load_inputs};
use aksguard_report::explain_source;
use aksguard_scan::explain::{azure_rules, explain_sources};
use aksguard_scan::{ScanSettings, SettingsRequest};

use crate::cli::{ExplainSourceArgs, ExplainSourceFormat};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

pub fn run(args: &ExplainSourceArgs) -> u8 {
    // No aksguard.toml: the explanation shows what every AKS/ACR rule reads, whatever a
    // configuration selects; only "today" (AKSGUARD_AS_OF or the clock) matters.
    let request = SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: CliOverrides::default(),
        as_of: None,
        baseline: None,
        write_baseline: None,
    };
    let settings = match ScanSettings::resolve(&request) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let options = LoadOptions {
        limits: Limits::default(),
        render: !args.no_render,
        progress: None,
    };
    let loaded = load_inputs(&args.paths, &options, &mut std::io::stdin().lock());
    for notice in &loaded.notices {
        eprintln!("note: {notice}");
    }
    for error in &loaded.errors {
        eprintln!("error: {error}");
    }
    let explanation = match explain_sources(
        loaded.azure,
        &azure_rules(),
        &settings,
        args.name.as_deref(),
    ) {
        Ok(explanation) => explanation,
        Err(message) => {
            eprintln!("error: {message} ({})", args.paths.join(" "));
            return EXIT_ERROR;
        }
    };
    let rendered = match args.format {
        ExplainSourceFormat::Table => explain_source::table(&explanation),
        ExplainSourceFormat::Json => explain_source::json(&explanation),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return EXIT_ERROR;
    }
    if loaded.errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}
