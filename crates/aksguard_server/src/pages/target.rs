//! `/targets/{id}`: one target over time. Trend charts of its last runs (open findings by
//! severity, framework scores) with the same numbers as a table, what its latest run found
//! new and fixed compared with the run before, the findings open at its latest run
//! (filtered, grouped, paged), and its recent runs.

use aksguard_store::{RunDiff, RunSummary, SeverityCounts, Store, StoreError, TargetInfo};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use jiff::Timestamp;
use serde::Serialize;

use super::charts::{self, LineChart, Series};
use super::findings::{self, FindingFilter, FindingParams, FindingsSection};
use super::render::{PageError, html_page};
use super::view::{
    CountsView, FindingView, RunView, TimeView, days_between, diff_href, finding_view,
    framework_label, parse_id, run_view, sort_frameworks, target_href, time_view,
};
use crate::AppState;

/// Reads one severity's count.
type CountOf = fn(&SeverityCounts) -> u32;

/// Runs drawn in the trend charts and listed in their table.
const TREND_RUNS: u64 = 90;
/// Runs listed under "Recent runs".
const RECENT_RUNS: usize = 20;
/// New and fixed findings listed under "Since the previous run" (the diff page has all).
const CHANGES_LIMIT: usize = 50;

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<FindingParams>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let id = parse_id(&id, "target")?;
    let Query(params) = params.map_err(|err| PageError::BadRequest(err.body_text()))?;
    let filter = FindingFilter::parse(&params)?;
    let target = target_by_id(&state.store, id).await?;
    let now = Timestamp::now();
    let runs = state.store.runs(id, Some(TREND_RUNS)).await?;
    let action = target_href(id);
    let (changes, section) = match runs.first() {
        None => (None, None),
        Some(latest) => {
            let changes = match runs.get(1) {
                Some(previous) => Some(state.store.diff(previous.id, latest.id, false).await?),
                None => None,
            };
            let section = findings::section(&state.store, latest.id, &filter, &action, now).await?;
            (changes, Some(section))
        }
    };
    let view = target_view(
        target,
        &runs,
        changes.as_ref(),
        section,
        now,
        state.stale_after_days,
    );
    let title = view.name.clone();
    html_page("target.html", &title, &view)
}

/// The target with this ID. The store's selector also matches names and keys; this page's
/// URL is by ID only, so a target named "7" never hides target 7.
pub async fn target_by_id(store: &Store, id: i64) -> Result<TargetInfo, PageError> {
    let missing = || PageError::NotFound(format!("There is no target {id}."));
    match store.target(&id.to_string()).await {
        Ok(target) if target.id == id => Ok(target),
        Ok(_) => store
            .targets()
            .await?
            .into_iter()
            .find(|target| target.id == id)
            .ok_or_else(missing),
        Err(StoreError::NotFound(_)) => Err(missing()),
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Serialize)]
pub struct TargetView {
    pub id: i64,
    pub name: String,
    pub key: String,
    pub kind: &'static str,
    pub created: TimeView,
    pub runs_total: u64,
    pub latest: Option<RunView>,
    pub stale: bool,
    pub stale_after_days: u32,
    /// SVG of the open findings by severity, and of the framework scores (escaped).
    pub severity_chart: String,
    pub score_chart: Option<String>,
    pub score_legend: Vec<LegendEntry>,
    /// The charts' numbers as a table, oldest run first.
    pub trend_rows: Vec<TrendRow>,
    pub trend_frameworks: Vec<String>,
    pub changes: Option<ChangesView>,
    pub findings: Option<FindingsSection>,
    pub recent_runs: Vec<RecentRun>,
}

#[derive(Debug, Serialize)]
pub struct LegendEntry {
    pub label: String,
    pub class: String,
}

#[derive(Debug, Serialize)]
pub struct TrendRow {
    pub sequence: i64,
    pub href: String,
    pub finished: TimeView,
    pub counts: CountsView,
    /// One cell per framework of [`TargetView::trend_frameworks`].
    pub scores: Vec<Option<String>>,
}

#[derive(Debug, Serialize)]
pub struct ChangesView {
    pub previous: RunView,
    pub diff_href: String,
    pub new_counts: CountsView,
    pub fixed_counts: CountsView,
    pub new: Vec<FindingView>,
    pub fixed: Vec<FindingView>,
    /// More than [`CHANGES_LIMIT`] new or fixed findings: the diff page lists them all.
    pub truncated: bool,
}

#[derive(Debug, Serialize)]
pub struct RecentRun {
    pub run: RunView,
    pub diff_href: Option<String>,
}

pub fn target_view(
    target: TargetInfo,
    runs: &[RunSummary],
    changes: Option<&RunDiff>,
    findings: Option<FindingsSection>,
    now: Timestamp,
    stale_after_days: u32,
) -> TargetView {
    let latest = runs.first();
    let stale = latest
        .map(|run| run.finished_at)
        .or(target.last_run_at)
        .is_none_or(|at| days_between(at, now) >= i64::from(stale_after_days));
    let oldest_first: Vec<&RunSummary> = runs.iter().rev().collect();

    let mut frameworks: Vec<String> = Vec::new();
    for run in &oldest_first {
        for score in &run.frameworks {
            if !frameworks.contains(&score.framework) {
                frameworks.push(score.framework.clone());
            }
        }
    }
    sort_frameworks(&mut frameworks);
    let x_labels: Vec<String> = oldest_first
        .iter()
        .map(|run| format!("#{} {}", run.sequence, run.finished_at.strftime("%m-%d")))
        .collect();

    let by_severity: [(&str, CountOf); 5] = [
        ("critical", |c| c.critical),
        ("high", |c| c.high),
        ("medium", |c| c.medium),
        ("low", |c| c.low),
        ("info", |c| c.info),
    ];
    let severity_series = by_severity
        .into_iter()
        .map(|(name, count)| Series {
            name: name.to_owned(),
            class: format!("series-{name}"),
            values: oldest_first
                .iter()
                .map(|run| f64::from(count(&run.counts)))
                .collect(),
        })
        .collect();
    let severity_chart = charts::line_chart(&LineChart {
        id: "trend-severity".to_owned(),
        title: format!(
            "Open findings by severity over the last {} runs of {}",
            runs.len(),
            target.name
        ),
        x_labels: x_labels.clone(),
        series: severity_series,
        y_max: None,
        unit: String::new(),
    });

    let score_legend: Vec<LegendEntry> = frameworks
        .iter()
        .enumerate()
        .map(|(index, id)| LegendEntry {
            label: framework_label(id),
            class: format!("series-score-{}", index % 4),
        })
        .collect();
    let score_chart = (!frameworks.is_empty()).then(|| {
        charts::line_chart(&LineChart {
            id: "trend-scores".to_owned(),
            title: format!(
                "Framework scores over the last {} runs of {}",
                runs.len(),
                target.name
            ),
            x_labels: x_labels.clone(),
            series: frameworks
                .iter()
                .zip(&score_legend)
                .map(|(id, legend)| Series {
                    name: legend.label.clone(),
                    class: legend.class.clone(),
                    // A run without a score for the framework (it was not selected) draws 0.
                    values: oldest_first
                        .iter()
                        .map(|run| {
                            run.frameworks
                                .iter()
                                .find(|s| &s.framework == id)
                                .map_or(0.0, |s| s.score)
                        })
                        .collect(),
                })
                .collect(),
            y_max: Some(100.0),
            unit: "%".to_owned(),
        })
    });

    let trend_rows = oldest_first
        .iter()
        .map(|run| TrendRow {
            sequence: run.sequence,
            href: super::view::run_href(run.id),
            finished: time_view(run.finished_at, now),
            counts: CountsView::from(&run.counts),
            scores: frameworks
                .iter()
                .map(|id| {
                    run.frameworks
                        .iter()
                        .find(|s| &s.framework == id)
                        .map(|s| format!("{:.0}", s.score.round()))
                })
                .collect(),
        })
        .collect();

    let changes = match (changes, runs.get(1)) {
        (Some(diff), Some(previous)) => Some(ChangesView {
            previous: run_view(previous, now),
            diff_href: diff_href(diff.from.id, diff.to.id),
            new_counts: CountsView::from(&diff.new_counts()),
            fixed_counts: CountsView::from(&diff.fixed_counts()),
            new: diff
                .new
                .iter()
                .take(CHANGES_LIMIT)
                .map(|f| finding_view(f, now))
                .collect(),
            fixed: diff
                .fixed
                .iter()
                .take(CHANGES_LIMIT)
                .map(|f| finding_view(f, now))
                .collect(),
            truncated: diff.new.len() > CHANGES_LIMIT || diff.fixed.len() > CHANGES_LIMIT,
        }),
        _ => None,
    };

    let recent_runs = runs
        .iter()
        .take(RECENT_RUNS)
        .enumerate()
        .map(|(index, run)| RecentRun {
            run: run_view(run, now),
            diff_href: runs
                .get(index + 1)
                .map(|previous| diff_href(previous.id, run.id)),
        })
        .collect();

    TargetView {
        id: target.id,
        kind: target.kind.as_str(),
        created: time_view(target.created_at, now),
        runs_total: target.runs,
        latest: latest.map(|run| run_view(run, now)),
        stale,
        stale_after_days,
        severity_chart,
        score_chart,
        score_legend,
        trend_rows,
        trend_frameworks: frameworks.iter().map(|id| framework_label(id)).collect(),
        changes,
        findings,
        recent_runs,
        name: target.name,
        key: target.key,
    }
}
