//! `aksguard scan`: load → evaluate → report → exit code.

use std::io::{IsTerminal, Write};

use aksguard_engine::{evaluate, select_rules};
use aksguard_load::{Limits, LoadOptions, load_inputs};
use aksguard_model::{Inventory, LoadError, Severity};
use aksguard_report::table::TableOptions;
use aksguard_report::{ScanReport, json, table};
use aksguard_rules::RuleSettings;

use crate::cli::{FailOn, MinSeverity, ScanArgs, ScanFormat};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

fn fail_threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Info => Some(Severity::Info),
        FailOn::None => None,
    }
}

fn min_severity(min: MinSeverity) -> Severity {
    match min {
        MinSeverity::Critical => Severity::Critical,
        MinSeverity::High => Severity::High,
        MinSeverity::Medium => Severity::Medium,
        MinSeverity::Low => Severity::Low,
        MinSeverity::Info => Severity::Info,
    }
}

pub fn run(args: &ScanArgs) -> u8 {
    if let Some(threads) = args.threads {
        // Fails only if a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global();
    }
    let rules = match select_rules(&args.select, &args.ignore) {
        // `--parse-only` still validates the selectors, then runs nothing.
        Ok(_) if args.parse_only => Vec::new(),
        Ok(rules) => rules,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let mut settings = RuleSettings {
        complete: args.complete,
        kubernetes_version: args.k8s_version,
        ..RuleSettings::default()
    };
    if !args.allowed_registries.is_empty() {
        settings.allowed_registries = args.allowed_registries.clone();
    }
    let options = LoadOptions {
        limits: Limits {
            max_file_bytes: args.max_file_size,
            ..Limits::default()
        },
        render: !args.no_render,
    };
    let loaded = load_inputs(&args.paths, &options, &mut std::io::stdin().lock());
    if !args.quiet {
        for notice in &loaded.notices {
            eprintln!("note: {notice}");
        }
    }
    let inventory = Inventory::new(loaded.objects);
    let findings = if rules.is_empty() {
        Vec::new()
    } else {
        evaluate(
            &inventory,
            &rules,
            &settings,
            min_severity(args.min_severity),
        )
    };
    let mut errors = loaded.errors;
    if inventory.is_empty() {
        // Fail closed: a scan that saw nothing must not look like a clean pass.
        errors.push(LoadError::new(
            args.paths.join(" "),
            None,
            "no Kubernetes objects found in the given inputs (nothing was scanned)",
        ));
    }
    let report = ScanReport {
        findings,
        errors,
        files: loaded.files,
        objects: inventory.len(),
        rules: rules.clone(),
        ..ScanReport::default()
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let rendered = match args.format {
        ScanFormat::Json => json::render(&report),
        ScanFormat::Table => table::render(
            &report,
            TableOptions {
                color: to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
                compact: args.quiet,
            },
        ),
    };
    if let Err(err) = write_output(args, &rendered) {
        eprintln!("error: cannot write report: {err}");
        return EXIT_ERROR;
    }
    exit_code(&report, args.fail_on)
}

fn write_output(args: &ScanArgs, rendered: &str) -> std::io::Result<()> {
    match &args.output {
        Some(path) => std::fs::write(path, rendered),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(rendered.as_bytes())?;
            stdout.flush()
        }
    }
}

fn exit_code(report: &ScanReport, fail_on: FailOn) -> u8 {
    if !report.errors.is_empty() {
        return EXIT_ERROR;
    }
    let failing = fail_threshold(fail_on)
        .is_some_and(|threshold| report.findings.iter().any(|f| f.severity >= threshold));
    if failing { EXIT_FINDINGS } else { EXIT_CLEAN }
}
