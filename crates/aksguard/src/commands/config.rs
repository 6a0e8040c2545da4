//! `aksguard config --show`, and what `aksguard scan`'s flags ask of its settings. The work is in
//! `aksguard_config` and `aksguard_scan`; this file only translates flags and prints.

use aksguard_config::{CliOverrides, Config, ConfigSource, FailOn};
use aksguard_model::Severity;
use aksguard_scan::SettingsRequest;

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

pub(crate) fn fail_on(value: cli::FailOn) -> FailOn {
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

/// What `aksguard scan`'s flags ask of its settings (aksguard.toml, or `--config`, or none
/// with `--no-config`; overrides; baselines). Resolved by `aksguard_scan::ScanSettings`.
pub fn settings_request(args: &ScanArgs) -> SettingsRequest {
    let source = if args.no_config {
        ConfigSource::Disabled
    } else if let Some(path) = &args.config {
        ConfigSource::Explicit(path.clone())
    } else {
        // A live-only scan looks for aksguard.toml from the working directory.
        ConfigSource::Discover(
            args.paths
                .first()
                .cloned()
                .unwrap_or_else(|| ".".to_owned()),
        )
    };
    SettingsRequest {
        source,
        overrides: CliOverrides {
            select: args.select.clone(),
            ignore: args.ignore.clone(),
            fail_on: args.fail_on.map(fail_on),
            min_severity: args.min_severity.map(min_severity),
            allowed_registries: args.allowed_registries.clone(),
            // A live cluster is the whole cluster state, and a live Azure read the whole
            // subscription (what either could not read is marked unread once it has been
            // listed; `--azure` alone marks the cluster's kinds unread).
            complete: args.complete || args.cluster || args.azure,
            k8s_version: args.k8s_version,
            vulns: args.vulns.clone(),
            vulns_max_age_days: args.vulns_max_age_days,
        },
        as_of: args.as_of,
        baseline: args.baseline.clone(),
        write_baseline: args.write_baseline.clone(),
    }
}
