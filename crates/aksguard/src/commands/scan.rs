//! `aksguard scan`: settings → load (with the pipeline's per-object rules) → the rest of the
//! pipeline → report → exit code. The pipeline is `aksguard_scan`'s; this file sequences and prints.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use aksguard_config::FailOn;
use aksguard_engine::frameworks::ScanResults;
use aksguard_load::{Limits, LoadOptions, Loaded, Progress, load_inputs_with};
use aksguard_model::Inventory;
use aksguard_report::table::TableOptions;
use aksguard_report::{ScanReport, json, table};
use aksguard_scan::{Outcome, Pipeline, ScanSettings, assess_frameworks, limit_to_framework};

use crate::cli::{ScanArgs, ScanFormat};
use crate::commands::config as scan_config;
use crate::commands::live::{self, LiveInput};
use crate::commands::scan_store::{self, ScanIdentity};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::progress::{self, ScanProgress};

/// How many duplicated objects a scan names in its notes.
const DUPLICATE_NOTES: usize = 10;

/// What the one scan pipeline produced for `scan` and `paths`: everything before a report
/// is rendered.
pub(crate) struct Scanned {
    pub settings: ScanSettings,
    pub rules: Vec<&'static aksguard_rules::Rule>,
    pub framework: Option<&'static aksguard_engine::frameworks::Framework>,
    pub files: usize,
    pub inventory: Inventory,
    pub outcome: Outcome,
    pub coverage: Vec<aksguard_model::RuleCoverage>,
    pub identity: ScanIdentity,
    /// The users' policy rules that ran (`GK.…`, `VAP.…`), sorted.
    pub policy_rules: Vec<&'static str>,
}

pub fn run(args: &ScanArgs) -> u8 {
    let started_at = jiff::Timestamp::now();
    // `--store=URL` checked before the scan: a typo must not wait for a long scan.
    let store = match scan_store::location(args) {
        Ok(store) => store,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let Scanned {
        settings,
        rules,
        framework,
        files,
        inventory,
        outcome,
        coverage,
        identity,
        policy_rules,
    } = match collect(args) {
        Ok(scanned) => scanned,
        Err(code) => return code,
    };
    let Outcome {
        mut findings,
        suppressed,
        errors,
        notes: _,
    } = outcome;
    // Attack paths, on every scan: findings on a path are marked `on_attack_path` in every
    // format, `--sort risk` puts them first, and the history store keeps the run's path count
    // and top paths. The graph and the paths cost about 2% of the scan (README "Attack
    // paths": 0.31 s beside a 15.3 s scan at 101,160 objects).
    let analysis = aksguard_paths::analyze(&inventory, &findings);
    aksguard_paths::mark_findings(&mut findings, &analysis);
    // IMG005: a vulnerable workload whose identity or host access reaches a crown jewel is
    // raised too (the scan raised the exposed and privileged ones already).
    aksguard_scan::raise_by_reach(&mut findings, |object| {
        analysis
            .reach_of(&object.kind, object.namespace.as_deref(), &object.name)
            .map(|jewel| jewel.category.to_owned())
    });
    if args.sort == crate::cli::SortOrder::Risk {
        aksguard_paths::sort_by_risk(&mut findings);
    }
    let stored_paths = store.is_some().then(|| scan_store::attack_paths(&analysis));
    // The formats that carry text edits (JSON `fix.edits`, SARIF `fixes[]`) get them;
    // the others skip re-reading the files (README "Fixing findings").
    if matches!(args.format, ScanFormat::Json | ScanFormat::Sarif) {
        aksguard_fix::fill_edits(&mut findings);
    }
    // Compliance: the chosen framework's controls, else every framework's score (HTML).
    let framework_results = assess_frameworks(
        framework,
        ScanResults {
            rules: &rules,
            findings: &findings,
            suppressed: &suppressed,
            coverage: &coverage,
        },
    );
    let report = ScanReport {
        findings,
        suppressed,
        errors,
        files,
        objects: inventory.scanned_items(),
        rules: rules.clone(),
        coverage,
        frameworks: framework_results,
        framework: framework.map(|f| f.id),
    };
    // One time for the results on stdout and in the cluster.
    let scanned_at = std::time::SystemTime::now();
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let written = write_report(args, |out| match args.format {
        // JSON is written as it is serialised: it is the format of the biggest reports.
        ScanFormat::Json => json::write(&report, out),
        ScanFormat::Html => out.write_all(aksguard_report::html::render(&report).as_bytes()),
        ScanFormat::Sarif => out.write_all(aksguard_report::sarif::render(&report).as_bytes()),
        ScanFormat::Junit => out.write_all(aksguard_report::junit::render(&report).as_bytes()),
        ScanFormat::Markdown => {
            out.write_all(aksguard_report::markdown::render(&report).as_bytes())
        }
        ScanFormat::Policyreport => {
            out.write_all(aksguard_report::policyreport::render(&report, scanned_at).as_bytes())
        }
        ScanFormat::Table => out.write_all(
            table::render(
                &report,
                TableOptions {
                    color: to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
                    compact: args.quiet,
                    show_suppressed: args.show_suppressed,
                },
            )
            .as_bytes(),
        ),
    });
    if let Err(err) = written {
        eprintln!("error: cannot write report: {err}");
        return EXIT_ERROR;
    }
    let mut code = exit_code(&report, settings.effective.fail_on);
    // After the report is out, so a failed write to the cluster never costs the report.
    if args.publish_policyreports {
        match live::publish_policyreports(args, &report, scanned_at) {
            Ok(summary) if !args.quiet => eprintln!("note: {summary}"),
            Ok(_) => {}
            Err(message) => {
                eprintln!("error: cannot publish the PolicyReports: {message}");
                code = EXIT_ERROR;
            }
        }
    }
    // Last: the report is out (and in the cluster), so a store failure never costs it.
    if let Some(store) = &store {
        let finished_at = jiff::Timestamp::now();
        if let Err(message) = scan_store::record(
            args,
            store,
            &report,
            identity,
            scan_store::RunExtras {
                vulns: settings.vulns.as_ref().map(|v| &v.counts),
                attack_paths: stored_paths,
                policy_rules: &policy_rules,
            },
            started_at,
            finished_at,
        ) {
            eprintln!("error: {message}");
            code = EXIT_ERROR;
        }
    }
    // The process exits next: freeing millions of tree nodes one by one would only delay it.
    std::mem::forget(report);
    std::mem::forget(inventory);
    code
}

/// Settings → load (with the pipeline's per-object rules) → live sources → the rest of the
/// pipeline, with the notes printed. `Err` is the exit code after the error was printed.
pub(crate) fn collect(args: &ScanArgs) -> Result<Scanned, u8> {
    if let Some(threads) = args.threads {
        // Fails only if a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global();
    }
    let fail = |message: String| {
        eprintln!("error: {message}");
        EXIT_ERROR
    };
    // aksguard.toml (or --config) merged with the flags; selectors validated, --baseline read.
    let settings = match ScanSettings::resolve(&scan_config::settings_request(args)) {
        Ok(settings) => settings,
        Err(message) => return Err(fail(message)),
    };
    // `--parse-only` still validates the selectors, then runs nothing.
    let rules = if args.parse_only {
        Vec::new()
    } else {
        settings.effective.rules.clone()
    };
    // --framework: only its rules; an unknown framework or an empty intersection exits 2.
    let (framework, rules) =
        match limit_to_framework(args.framework.as_deref(), rules, !args.parse_only) {
            Ok(limited) => limited,
            Err(message) => return Err(fail(message)),
        };
    let counters = Arc::new(Progress::default());
    let progress = ScanProgress::start(counters.clone(), progress::wanted(args.quiet));
    let options = LoadOptions {
        limits: Limits {
            max_file_bytes: args.max_file_size,
            ..Limits::default()
        },
        render: !args.no_render,
        progress: Some(counters.clone()),
    };
    // Rules that need only one object run as each file is parsed (or each live object is
    // listed); the rest once the inventory (of objects trimmed to what those rules read) is
    // built.
    let mut pipeline = Pipeline::new(&rules, &settings);
    // Users' policies (`--policy`, `policies = [...]`) run beside the rules, through the same
    // pipeline; a policy that does not load is an error of this scan, the others still run.
    let policies = match crate::commands::policy::for_scan(args, &settings) {
        Ok(policies) => policies,
        Err(message) => return Err(fail(message)),
    };
    if let Some(extra) = &policies.rules {
        pipeline = pipeline.with_extra(extra.clone());
    }
    let mut policy_rules: Vec<&'static str> = policies
        .rules
        .as_ref()
        .and_then(|rules| rules.selected())
        .map(|selected| selected.iter().copied().collect())
        .unwrap_or_default();
    policy_rules.sort_unstable();
    let mut loaded = if args.paths.is_empty() {
        Loaded::default()
    } else {
        load_inputs_with(
            &args.paths,
            &options,
            &mut std::io::stdin().lock(),
            &|object| pipeline.on_object(object),
        )
    };
    // The bar is cleared before anything else reaches stderr (live sources print a line per
    // resource listed).
    progress.finish();
    // The live sources: one scan with the files, one report, one exit code.
    let show_live_progress = progress::wanted(args.quiet);
    let live: Vec<LiveInput> = [
        live::cluster(args, &pipeline, show_live_progress),
        live::azure(args, show_live_progress),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut inputs = args.paths.clone();
    let mut unreadable = Vec::new();
    let mut identity = ScanIdentity {
        cluster: None,
        aks: Vec::new(),
    };
    for source in live {
        identity.cluster = identity.cluster.or(source.scanned_cluster);
        identity.aks.extend(source.scanned_aks);
        inputs.push(source.label);
        loaded.objects.extend(source.objects);
        loaded.findings.extend(source.findings);
        loaded.azure.extend(source.azure);
        loaded.errors.extend(source.errors);
        loaded.notices.extend(source.notes);
        unreadable.extend(source.unreadable);
    }
    // Kinds a live scan could not read: no rule takes their absence as conclusive, and the
    // rules that need them say they are not conclusive.
    let unreadable_notes = pipeline.mark_unreadable(&unreadable);
    loaded.notices.extend(unreadable_notes);
    loaded.errors.extend(policies.errors);
    loaded.notices.extend(policies.note);
    let inventory = Inventory::new(std::mem::take(&mut loaded.objects))
        .with_azure(std::mem::take(&mut loaded.azure));
    let outcome = pipeline.finish(
        &inventory,
        std::mem::take(&mut loaded.findings),
        std::mem::take(&mut loaded.errors),
        &inputs.join(" "),
    );
    // Which rules could judge anything (not-judged rules, not-assessed controls).
    let coverage = pipeline.coverage(&inventory);
    if !args.quiet {
        print_notes(&loaded.notices, &pipeline, &inventory, &outcome.notes);
    }
    Ok(Scanned {
        settings,
        rules,
        framework,
        files: loaded.files,
        inventory,
        outcome,
        coverage,
        identity,
        policy_rules,
    })
}

/// Runs `write` on a buffered writer to `--output` (created or truncated) or stdout.
fn write_report(
    args: &ScanArgs,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    match &args.output {
        Some(path) => {
            let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
            write(&mut out)?;
            out.flush()
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut out)?;
            out.flush()
        }
    }
}

/// Loading notices, values rules could not judge, objects defined twice (bounded: a scan of
/// several vendored copies of one install has hundreds), then the pipeline's own notes.
fn print_notes(
    notices: &[String],
    pipeline: &Pipeline<'_>,
    inventory: &Inventory,
    pipeline_notes: &[String],
) {
    for notice in notices {
        eprintln!("note: {notice}");
    }
    for note in pipeline.unknown_value_notes() {
        eprintln!("note: {note}");
    }
    let duplicates = inventory.duplicates();
    for duplicate in duplicates.iter().take(DUPLICATE_NOTES) {
        eprintln!("note: {}", duplicate.note());
    }
    if duplicates.len() > DUPLICATE_NOTES {
        eprintln!(
            "note: {} more objects are defined more than once (not listed)",
            duplicates.len() - DUPLICATE_NOTES
        );
    }
    for note in pipeline_notes {
        eprintln!("note: {note}");
    }
}

fn exit_code(report: &ScanReport, fail_on: FailOn) -> u8 {
    if !report.errors.is_empty() {
        return EXIT_ERROR;
    }
    let failing = report.findings.iter().any(|f| fail_on.fails(f.severity));
    if failing { EXIT_FINDINGS } else { EXIT_CLEAN }
}
