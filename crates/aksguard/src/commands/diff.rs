//! `aksguard diff [RUN_A] [RUN_B]`: new, fixed and still-open findings between two stored
//! runs. Without runs: the last two runs of `--target` (or of the store's only target); with
//! RUN_A alone: that run against the run before it. Exit 1 with `--fail-on SEVERITY` when a
//! new finding is at or above it; else 0 (2 for errors).

use aksguard_config::FailOn;
use aksguard_store::{RunDiff, Store, StoredFinding, TargetInfo};
use serde_json::json;

use crate::cli::{DiffArgs, HistoryFormat};
use crate::commands::config::fail_on;
use crate::commands::history::to_json;
use crate::commands::history_format::{
    counts_words, location, markdown_escape, markdown_table, object, text_table, time,
};
use crate::commands::store_access::{self, failed};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

pub fn run(args: &DiffArgs) -> u8 {
    let compared = compare(args);
    let (target, diff) = match compared {
        Ok(compared) => compared,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    let text = match args.format {
        HistoryFormat::Json => render_json(&target, &diff),
        HistoryFormat::Markdown => render_markdown(&target, &diff, args.all),
        HistoryFormat::Table => render_table(&target, &diff, args.all),
    };
    print!("{text}");
    let threshold = args.fail_on.map(fail_on).unwrap_or(FailOn::Never);
    if diff.new.iter().any(|f| threshold.fails(f.severity)) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// The two runs the arguments name, compared; with the target of the newer one.
fn compare(args: &DiffArgs) -> Result<(TargetInfo, RunDiff), String> {
    let resolved = store_access::resolve(args.store.store.as_deref())?;
    let location = resolved.location;
    store_access::block_on(async {
        let store = store_access::open(&location).await?;
        let (from, to) = choose_runs(&store, args).await?;
        let diff = store
            .diff(from, to, args.all)
            .await
            .map_err(|e| failed(&location, &e))?;
        let target = store
            .target(&diff.to.target_id.to_string())
            .await
            .map_err(|e| failed(&location, &e))?;
        Ok((target, diff))
    })
}

async fn choose_runs(store: &Store, args: &DiffArgs) -> Result<(i64, i64), String> {
    let location = store.location();
    let target = match &args.target {
        Some(selector) => Some(store_access::choose_target(store, Some(selector)).await?),
        None => None,
    };
    match (args.run_a, args.run_b) {
        (Some(a), Some(b)) => {
            check_run(store, a, target.as_ref()).await?;
            check_run(store, b, target.as_ref()).await?;
            Ok((a, b))
        }
        (Some(a), None) => {
            check_run(store, a, target.as_ref()).await?;
            match store
                .previous_run(a)
                .await
                .map_err(|e| failed(location, &e))?
            {
                Some(previous) => Ok((previous.id, a)),
                None => Err(format!(
                    "run {a} is the first run of its target: there is nothing before it to \
                     compare with"
                )),
            }
        }
        (None, _) => {
            let target = match target.clone() {
                Some(target) => target,
                None => store_access::choose_target(store, None).await?,
            };
            let runs = store
                .runs(target.id, Some(2))
                .await
                .map_err(|e| failed(location, &e))?;
            match runs.as_slice() {
                [newest, previous] => Ok((previous.id, newest.id)),
                _ => Err(format!(
                    "target {} has {} run(s): a diff needs two (scan it again with --store)",
                    target.name,
                    runs.len()
                )),
            }
        }
    }
}

/// Run `run_id` exists and, when `--target` is given, belongs to it.
async fn check_run(store: &Store, run_id: i64, target: Option<&TargetInfo>) -> Result<(), String> {
    let run = store
        .run(run_id)
        .await
        .map_err(|e| failed(store.location(), &e))?;
    match target {
        Some(target) if run.target_id != target.id => Err(format!(
            "run {run_id} is not a run of target {} (it belongs to target {})",
            target.name, run.target_id
        )),
        _ => Ok(()),
    }
}

/// `This change adds 3 high findings and fixes 2.` (`adds 3 findings (1 critical, 2 high)`
/// when the new findings have several severities).
fn headline(diff: &RunDiff) -> String {
    let new = diff.new_counts();
    let severities = [new.critical, new.high, new.medium, new.low, new.info]
        .iter()
        .filter(|n| **n > 0)
        .count();
    let plural = |n: u32| if n == 1 { "finding" } else { "findings" };
    let adds = match (new.total(), severities) {
        (0, _) => "adds no findings".to_owned(),
        (n, 1) => format!("adds {} {}", counts_words(&new), plural(n)),
        (n, _) => format!("adds {n} {} ({})", plural(n), counts_words(&new)),
    };
    let fixes = match diff.fixed.len() {
        0 => "fixes none".to_owned(),
        n => format!("fixes {n}"),
    };
    format!("This change {adds} and {fixes}.")
}

fn still_open_line(diff: &RunDiff) -> String {
    let still = diff.still_open_counts;
    format!("{} still open ({}).", still.total(), counts_words(&still))
}

fn render_json(target: &TargetInfo, diff: &RunDiff) -> String {
    to_json(&json!({
        "target": target,
        "from": diff.from,
        "to": diff.to,
        "headline": headline(diff),
        "new_counts": diff.new_counts(),
        "fixed_counts": diff.fixed_counts(),
        "still_open_counts": diff.still_open_counts,
        "new": diff.new,
        "fixed": diff.fixed,
        "still_open": diff.still_open,
    }))
}

fn rows(findings: &[StoredFinding]) -> Vec<Vec<String>> {
    findings
        .iter()
        .map(|f| {
            vec![
                f.rule_id.clone(),
                f.severity.as_str().to_owned(),
                object(f),
                f.message.clone(),
                location(f),
            ]
        })
        .collect()
}

fn render_markdown(target: &TargetInfo, diff: &RunDiff, all: bool) -> String {
    let headers = ["Rule", "Severity", "Object", "Message", "Location"];
    let mut out = format!(
        "## aksguard: {} (run {} → run {})\n\n**{}** {}\n",
        markdown_escape(&target.name),
        diff.from.id,
        diff.to.id,
        headline(diff),
        still_open_line(diff)
    );
    let mut section = |title: &str, findings: &[StoredFinding]| {
        if !findings.is_empty() {
            out.push_str(&format!("\n### {title} ({})\n\n", findings.len()));
            out.push_str(&markdown_table(&headers, &rows(findings)));
        }
    };
    section("New findings", &diff.new);
    section("Fixed findings", &diff.fixed);
    if all {
        section("Still open", &diff.still_open);
    }
    out
}

fn render_table(target: &TargetInfo, diff: &RunDiff, all: bool) -> String {
    let mut out = format!(
        "Target {} ({}): run {} ({}) → run {} ({})\n{} {}\n",
        target.name,
        target.kind.as_str(),
        diff.from.id,
        time(diff.from.finished_at),
        diff.to.id,
        time(diff.to.finished_at),
        headline(diff),
        still_open_line(diff)
    );
    let headers = ["RULE", "SEVERITY", "OBJECT", "MESSAGE", "LOCATION"];
    let mut section = |title: &str, findings: &[StoredFinding]| {
        if !findings.is_empty() {
            // The message is long: last, so the columns before it stay aligned.
            let reordered: Vec<Vec<String>> = rows(findings)
                .into_iter()
                .map(|r| {
                    vec![
                        r[0].clone(),
                        r[1].clone(),
                        r[2].clone(),
                        r[4].clone(),
                        r[3].clone(),
                    ]
                })
                .collect();
            out.push_str(&format!("\n{title} ({}):\n", findings.len()));
            out.push_str(&text_table(
                &[headers[0], headers[1], headers[2], headers[4], headers[3]],
                &reordered,
            ));
        }
    };
    section("New", &diff.new);
    section("Fixed", &diff.fixed);
    if all {
        section("Still open", &diff.still_open);
    }
    out
}
