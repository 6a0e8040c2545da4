//! `aksguard fix`: settings → plan (scan, edits, verification: `aksguard_fix`) → print the
//! diff or write the files → summary and exit code. Exit codes: 0 nothing left to fix (or
//! everything written), 1 fixes proposed by `--diff` or fixes that failed verification,
//! 2 usage, configuration or input errors (as `scan`).

use aksguard_config::{CliOverrides, ConfigSource};
use aksguard_fix::{FixOptions, plan, write_change};
use aksguard_model::FixSafety;
use aksguard_scan::{ScanSettings, SettingsRequest};

use crate::cli::{FixArgs, FixSafetyArg};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

pub fn run(args: &FixArgs) -> u8 {
    let source = if args.no_config {
        ConfigSource::Disabled
    } else if let Some(path) = &args.config {
        ConfigSource::Explicit(path.clone())
    } else {
        ConfigSource::Discover(
            args.paths
                .first()
                .cloned()
                .unwrap_or_else(|| ".".to_owned()),
        )
    };
    let request = SettingsRequest {
        source,
        overrides: CliOverrides {
            select: args.select.clone(),
            complete: args.complete,
            ..CliOverrides::default()
        },
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
    if args.generate || args.az {
        return generate_or_script(args, &settings);
    }
    let options = FixOptions {
        max_safety: match args.safety {
            FixSafetyArg::Safe => FixSafety::Safe,
            FixSafetyArg::Review => FixSafety::Review,
        },
        ..FixOptions::default()
    };
    let plan = plan(&args.paths, &settings.effective.rules, &settings, &options);
    for error in &plan.errors {
        eprintln!("error: {error}");
    }
    let mut write_failed = false;
    for change in &plan.changes {
        if args.write {
            match write_change(change) {
                Ok(()) => {}
                Err(message) => {
                    eprintln!("error: {message}");
                    write_failed = true;
                }
            }
        } else {
            print!("{}", change.unified_diff());
        }
    }
    if !args.quiet {
        for note in &plan.notes {
            eprintln!("note: {note}");
        }
        for declined in &plan.declined {
            let what = if declined.verification_failed {
                "fix failed verification, not applied"
            } else {
                "not fixed"
            };
            eprintln!(
                "{what}: {}: {}: {}",
                declined.path, declined.finding, declined.reason
            );
        }
        let verb = if args.write { "fixed" } else { "fixable" };
        eprintln!(
            "{} finding(s) {verb} in {} file(s); {} declined ({} failed verification); {} need a manual or riskier fix",
            plan.fixed(),
            plan.changes.len(),
            plan.declined.len(),
            plan.verification_failures(),
            plan.not_automatic
        );
    }
    if !plan.errors.is_empty() || write_failed {
        EXIT_ERROR
    } else if plan.verification_failures() > 0 || (!args.write && !plan.changes.is_empty()) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// `--generate` (new files of missing objects) or `--az` (the remediation script on stdout).
fn generate_or_script(args: &FixArgs, settings: &ScanSettings) -> u8 {
    let scanned =
        aksguard_fix::generate::scan_paths(&args.paths, &settings.effective.rules, settings);
    for error in &scanned.errors {
        eprintln!("error: {error}");
    }
    if !scanned.errors.is_empty() {
        return EXIT_ERROR;
    }
    if args.az {
        print!("{}", aksguard_fix::az_script::script(&scanned.findings));
        return EXIT_CLEAN;
    }
    let generated = aksguard_fix::generate::generate(&scanned.inventory, &scanned.findings);
    if !args.quiet {
        for note in &generated.notes {
            eprintln!("note: {note}");
        }
    }
    let dir = args.out.clone().unwrap_or_else(|| ".".into());
    match aksguard_fix::generate::write(&dir, &generated) {
        Ok(paths) => {
            if !args.quiet {
                for (path, file) in paths.iter().zip(&generated.files) {
                    eprintln!("wrote {} ({})", path.display(), file.objects.join(", "));
                }
                eprintln!("{} file(s) generated", paths.len());
            }
            EXIT_CLEAN
        }
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_ERROR
        }
    }
}
