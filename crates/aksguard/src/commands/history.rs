//! `aksguard history`: every target of the store, or one target's runs (newest first) with
//! their counts, new/resolved findings and framework score trend.

use aksguard_store::{FleetEntry, RunSummary, TargetInfo};
use serde_json::json;

use crate::cli::{HistoryArgs, HistoryFormat};
use crate::commands::history_format::{
    counts_compact, markdown_escape, markdown_table, score_trend, text_table, time,
};
use crate::commands::store_access::{self, failed};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

pub fn run(args: &HistoryArgs) -> u8 {
    match render(args) {
        Ok(text) => {
            print!("{text}");
            EXIT_CLEAN
        }
        Err(message) => {
            eprintln!("error: {message}");
            EXIT_ERROR
        }
    }
}

fn render(args: &HistoryArgs) -> Result<String, String> {
    let resolved = store_access::resolve(args.store.store.as_deref())?;
    let location = resolved.location;
    store_access::block_on(async {
        let store = store_access::open(&location).await?;
        match &args.target {
            None => {
                let fleet = store
                    .fleet_counts(1)
                    .await
                    .map_err(|e| failed(&location, &e))?;
                Ok(render_targets(&fleet, args.format))
            }
            Some(selector) => {
                let target = store_access::choose_target(&store, Some(selector)).await?;
                // One more than shown: the oldest run shown has its score change too.
                let runs = store
                    .runs(target.id, Some(args.limit + 1))
                    .await
                    .map_err(|e| failed(&location, &e))?;
                Ok(render_runs(
                    &target,
                    &runs,
                    args.limit as usize,
                    args.format,
                ))
            }
        }
    })
}

fn render_targets(fleet: &[FleetEntry], format: HistoryFormat) -> String {
    if format == HistoryFormat::Json {
        let targets: Vec<_> = fleet
            .iter()
            .map(|entry| json!({"target": entry.target, "latest": entry.latest}))
            .collect();
        return to_json(&json!({ "targets": targets }));
    }
    let rows: Vec<Vec<String>> = fleet
        .iter()
        .map(|entry| {
            let target = &entry.target;
            vec![
                target.id.to_string(),
                target.name.clone(),
                target.kind.as_str().to_owned(),
                target.runs.to_string(),
                target.last_run_at.map(time).unwrap_or_else(|| "-".into()),
                entry
                    .latest
                    .as_ref()
                    .map(|run| counts_compact(&run.counts))
                    .unwrap_or_else(|| "-".into()),
                target.key.clone(),
            ]
        })
        .collect();
    let headers = [
        "ID",
        "TARGET",
        "KIND",
        "RUNS",
        "LAST RUN (UTC)",
        "OPEN C/H/M/L/I",
        "KEY",
    ];
    match format {
        HistoryFormat::Markdown => format!(
            "## Scan history: {} target(s)\n\n{}",
            fleet.len(),
            markdown_table(&headers, &rows)
        ),
        _ if fleet.is_empty() => {
            "No runs stored yet (record one with `aksguard scan … --store`).\n".to_owned()
        }
        _ => text_table(&headers, &rows),
    }
}

fn render_runs(
    target: &TargetInfo,
    runs: &[RunSummary],
    limit: usize,
    format: HistoryFormat,
) -> String {
    let shown = &runs[..runs.len().min(limit)];
    let trend = |index: usize| {
        let previous = runs.get(index + 1).map(|run| run.frameworks.as_slice());
        score_trend(&shown[index].frameworks, previous)
    };
    if format == HistoryFormat::Json {
        let runs: Vec<_> = shown.iter().collect();
        return to_json(&json!({ "target": target, "runs": runs }));
    }
    let rows: Vec<Vec<String>> = shown
        .iter()
        .enumerate()
        .map(|(index, run)| {
            vec![
                run.id.to_string(),
                run.sequence.to_string(),
                time(run.finished_at),
                counts_compact(&run.counts),
                run.new.to_string(),
                run.resolved.to_string(),
                run.suppressed.to_string(),
                run.errors.to_string(),
                run.commit
                    .as_deref()
                    .map(|c| c.chars().take(12).collect())
                    .unwrap_or_else(|| "-".into()),
                trend(index),
            ]
        })
        .collect();
    let headers = [
        "RUN",
        "#",
        "FINISHED (UTC)",
        "OPEN C/H/M/L/I",
        "NEW",
        "RESOLVED",
        "SUPPRESSED",
        "ERRORS",
        "COMMIT",
        "SCORES",
    ];
    let heading = format!(
        "{} ({}, {}): {} run(s), {} shown",
        target.name,
        target.kind.as_str(),
        target.key,
        target.runs,
        shown.len()
    );
    match format {
        HistoryFormat::Markdown => format!(
            "## Scan history of {}\n\n{}",
            markdown_escape(&heading),
            markdown_table(&headers, &rows)
        ),
        _ => format!("{heading}\n\n{}", text_table(&headers, &rows)),
    }
}

pub fn to_json(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values serialise");
    text.push('\n');
    text
}
