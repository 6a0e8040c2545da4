//! `aksguard config --show`, and the configuration steps of `aksguard scan`: load aksguard.toml
//! and merge the flags over it; after the rules ran, apply severity overrides, then suppress
//! (annotations → exceptions → write baseline → baseline). The work is in `aksguard_config`
//! and `aksguard_engine::suppress`; this file only sequences it and prints errors.

use std::collections::HashSet;

use aksguard_config::{CliOverrides, Config, ConfigSource, Date, Effective, FailOn, baseline};
use aksguard_engine::{
    Evaluation, apply_annotations, apply_baseline, apply_exceptions, apply_severity_overrides,
    sort_suppressed,
};
use aksguard_model::{Finding, Inventory, LoadError, Severity, Suppressed};
use aksguard_rules::Rule;

use crate::cli::{self, ConfigArgs, MinSeverity, ScanArgs};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

/// `aksguard config [--show] [--config FILE] [--as-of DATE] [PATH]`.
pub fn run(args: &ConfigArgs) -> u8 {
    let as_of = match aksguard_config::today(args.as_of) {
        Ok(date) => date,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let source = match &args.config {
        Some(path) => ConfigSource::Explicit(path.clone()),
        None => ConfigSource::Discover(args.path.clone()),
    };
    let rendered = Config::load(&source, as_of)
        .map_err(|e| e.to_string())
        .and_then(|config| aksguard_config::show::render(&config));
    match rendered {
        Ok(text) => {
            print!("{text}");
            EXIT_CLEAN
        }
        Err(err) => {
            eprintln!("error: {err}");
            EXIT_ERROR
        }
    }
}

/// What a scan needs from its configuration.
pub struct ScanConfig {
    pub effective: Effective,
    /// "Today" for exception expiry and the baseline's `created` date.
    pub as_of: Date,
    /// `--baseline`: its fingerprints and the suppression reason.
    pub baseline: Option<(HashSet<String>, String)>,
}

fn fail_on(value: cli::FailOn) -> FailOn {
    match value {
        cli::FailOn::Critical => FailOn::At(Severity::Critical),
        cli::FailOn::High => FailOn::At(Severity::High),
        cli::FailOn::Medium => FailOn::At(Severity::Medium),
        cli::FailOn::Low => FailOn::At(Severity::Low),
        cli::FailOn::Info => FailOn::At(Severity::Info),
        cli::FailOn::None => FailOn::Never,
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

/// Scan steps 1–2: aksguard.toml (or `--config`, or none with `--no-config`) merged with the
/// flags, and the `--baseline` file. Errors are printed; `Err` carries the exit code.
pub fn for_scan(args: &ScanArgs) -> Result<ScanConfig, u8> {
    let fail = |message: String| {
        eprintln!("error: {message}");
        EXIT_ERROR
    };
    let as_of = aksguard_config::today(args.as_of).map_err(fail)?;
    let source = if args.no_config {
        ConfigSource::Disabled
    } else if let Some(path) = &args.config {
        ConfigSource::Explicit(path.clone())
    } else {
        ConfigSource::Discover(args.paths.first().cloned().unwrap_or_default())
    };
    let config = Config::load(&source, as_of).map_err(|e| fail(e.to_string()))?;
    let overrides = CliOverrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(fail_on),
        min_severity: args.min_severity.map(min_severity),
        allowed_registries: args.allowed_registries.clone(),
        complete: args.complete,
        k8s_version: args.k8s_version,
    };
    let mut effective = config
        .effective(&overrides)
        .map_err(|e| fail(e.to_string()))?;
    effective.rule_settings.as_of = Some(as_of);
    let baseline = match &args.baseline {
        None => None,
        Some(path) => {
            let fingerprints = baseline::read(path).map_err(|e| fail(e.to_string()))?;
            Some((fingerprints, format!("in baseline {}", path.display())))
        }
    };
    Ok(ScanConfig {
        effective,
        as_of,
        baseline,
    })
}

/// Scan step 3a: the rules, split for running while files load. With `[severity]` overrides
/// every finding is kept until the override is applied: the minimum is judged after it.
pub fn evaluation<'a>(rules: &[&'static Rule], config: &'a ScanConfig) -> Evaluation<'a> {
    let effective = &config.effective;
    let min_severity = if effective.severity.is_empty() {
        effective.min_severity
    } else {
        Severity::Info
    };
    Evaluation::new(rules, &effective.rule_settings, min_severity)
}

/// Scan step 3b: every finding (`early` from the loading phase) with `[severity]` overrides
/// applied, at or above the minimum severity (judged after the override).
pub fn finish_findings(
    evaluation: &Evaluation<'_>,
    inventory: &Inventory,
    early: Vec<Finding>,
    config: &ScanConfig,
) -> Vec<Finding> {
    let effective = &config.effective;
    let mut findings = evaluation.finish(inventory, early);
    if !effective.severity.is_empty() {
        apply_severity_overrides(&mut findings, &effective.severity);
        findings.retain(|f| f.severity >= effective.min_severity);
    }
    findings
}

/// Scan step 4: annotations, exceptions, `--write-baseline`, `--baseline`. Returns the active
/// and suppressed findings; invalid annotations become errors. Notes about exceptions that
/// matched nothing go to stderr (unless `--quiet`).
pub fn suppress(
    args: &ScanArgs,
    config: &ScanConfig,
    inventory: &Inventory,
    findings: Vec<Finding>,
    errors: &mut Vec<LoadError>,
) -> Result<(Vec<Finding>, Vec<Suppressed>), u8> {
    let mut suppressed = Vec::new();
    let (findings, annotation_errors) = apply_annotations(inventory, findings, &mut suppressed);
    errors.extend(annotation_errors);
    let exceptions = &config.effective.exceptions;
    let (mut findings, used) = apply_exceptions(findings, exceptions, &mut suppressed);
    if !args.quiet {
        let ran: HashSet<&str> = config.effective.rules.iter().map(|r| r.id).collect();
        for (exception, used) in exceptions.iter().zip(used) {
            if used || !exception.rules.iter().any(|r| ran.contains(r)) {
                continue;
            }
            let state = match (&exception.expires, exception.expired) {
                (Some(date), true) => format!("expired on {date} and "),
                _ => String::new(),
            };
            eprintln!(
                "note: {}: exception for {} {state}matched no finding; remove it if the risk is gone",
                exception.origin,
                exception.rules.join(",")
            );
        }
    }
    if let Some(path) = &args.write_baseline {
        baseline::write(path, &findings, config.as_of).map_err(|e| {
            eprintln!("error: {e}");
            EXIT_ERROR
        })?;
        if !args.quiet {
            eprintln!(
                "note: wrote {} finding(s) to baseline {}",
                findings.len(),
                path.display()
            );
        }
    }
    if let Some((fingerprints, reason)) = &config.baseline {
        findings = apply_baseline(findings, fingerprints, reason, &mut suppressed);
    }
    sort_suppressed(&mut suppressed);
    Ok((findings, suppressed))
}
