//! `aksguard policy test` and the policies of `aksguard scan` (`--policy`, `policies` in
//! aksguard.toml). The work is `aksguard_policy`'s; this file parses and prints.

use std::io::Write;

use aksguard_policy::suite::{self, CaseOutcome, TestReport};
use aksguard_scan::ScanSettings;

use crate::cli::{PolicyTestArgs, PolicyTestFormat, ScanArgs};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

pub fn run_test(args: &PolicyTestArgs) -> u8 {
    let report = suite::run_paths(&args.paths);
    let text = match args.format {
        PolicyTestFormat::Text => text(&report),
        PolicyTestFormat::Junit => suite::junit(&report),
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text),
        None => std::io::stdout().lock().write_all(text.as_bytes()),
    };
    if let Err(err) = written {
        eprintln!("error: cannot write the report: {err}");
        return EXIT_ERROR;
    }
    for error in &report.errors {
        eprintln!("error: {error}");
    }
    if report.success() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}

fn text(report: &TestReport) -> String {
    let mut out = String::new();
    for case in &report.cases {
        let line = match &case.outcome {
            CaseOutcome::Pass => format!("PASS {}\n", case.title()),
            CaseOutcome::Skip => format!("SKIP {}\n", case.title()),
            CaseOutcome::Fail(reason) => format!("FAIL {}\n     {reason}\n", case.title()),
        };
        out.push_str(&line);
    }
    out.push_str(&format!(
        "{} passed, {} failed, {} skipped, {} suite error(s)\n",
        report.passed(),
        report.failed(),
        report.skipped(),
        report.errors.len()
    ));
    out
}

/// The policies a scan runs: `policies` of aksguard.toml then `--policy`, selected by the
/// same `--select`/`--ignore` as the rules.
pub fn for_scan(
    args: &ScanArgs,
    settings: &ScanSettings,
) -> Result<aksguard_policy::ScanPolicies, String> {
    let mut paths = settings.config.policies.clone();
    paths.extend(args.policies.iter().cloned());
    let (select, ignore): (Vec<String>, Vec<String>) = if args.select.is_empty() {
        (
            settings.config.select.clone(),
            settings
                .config
                .ignore
                .iter()
                .chain(&args.ignore)
                .cloned()
                .collect(),
        )
    } else {
        (args.select.clone(), args.ignore.clone())
    };
    aksguard_policy::load_for_scan(&paths, &select, &ignore)
}
