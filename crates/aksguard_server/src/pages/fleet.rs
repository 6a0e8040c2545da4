//! `/`: the fleet. One row per target: framework scores and open critical/high/total at its
//! latest run, a sparkline of its last runs, when it was last scanned, and a "stale" flag when
//! that was more than `stale_after_days` ago. Filtering (`q`, `kind`, `stale=1`) and sorting
//! (`sort`, `order`) are query parameters, so every view has a URL and works without script;
//! the script only makes the text filter instant.

use std::cmp::Ordering;

use aksguard_store::{FleetEntry, SeverityCounts, TargetKind};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::charts;
use super::render::{PageError, html_page};
use super::view::{
    CountsView, RunView, TimeView, days_between, query_string, run_view, sort_frameworks,
    target_href, time_view,
};
use crate::AppState;

/// Runs drawn in each sparkline.
const TREND_POINTS: usize = 30;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct FleetParams {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub stale: Option<String>,
    pub sort: Option<String>,
    pub order: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    params: Result<Query<FleetParams>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let Query(params) = params.map_err(|err| PageError::BadRequest(err.body_text()))?;
    let filter = FleetFilter::parse(&params)?;
    let entries = state.store.fleet_counts(TREND_POINTS).await?;
    let view = fleet_view(entries, filter, Timestamp::now(), state.stale_after_days);
    html_page("fleet.html", "Fleet", &view)
}

/// The columns the table sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortKey {
    Name,
    Kind,
    Critical,
    High,
    Open,
    LastScan,
    Runs,
}

impl SortKey {
    const ALL: [SortKey; 7] = [
        SortKey::Name,
        SortKey::Kind,
        SortKey::Critical,
        SortKey::High,
        SortKey::Open,
        SortKey::LastScan,
        SortKey::Runs,
    ];

    fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Kind => "kind",
            SortKey::Critical => "critical",
            SortKey::High => "high",
            SortKey::Open => "open",
            SortKey::LastScan => "last",
            SortKey::Runs => "runs",
        }
    }

    /// The order a first click on a column sorts by: names A–Z, counts and times
    /// largest/newest first.
    fn default_descending(self) -> bool {
        !matches!(self, SortKey::Name | SortKey::Kind)
    }
}

/// The fleet page's parameters, checked: an unknown sort column or kind is a 400 that says
/// what exists, not a silently unsorted page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetFilter {
    text: String,
    kind: Option<TargetKind>,
    stale_only: bool,
    sort: SortKey,
    descending: bool,
}

impl FleetFilter {
    pub fn parse(params: &FleetParams) -> Result<FleetFilter, PageError> {
        let kind = match params.kind.as_deref().filter(|k| !k.is_empty()) {
            None => None,
            Some(text) => Some(TargetKind::parse(text).ok_or_else(|| {
                PageError::BadRequest(format!(
                    "kind {text:?} is not a target kind; use aks, cluster, repository or files."
                ))
            })?),
        };
        let sort = match params.sort.as_deref().filter(|s| !s.is_empty()) {
            None => SortKey::Name,
            Some(text) => SortKey::ALL
                .into_iter()
                .find(|key| key.as_str() == text)
                .ok_or_else(|| {
                    let known: Vec<&str> = SortKey::ALL.iter().map(|k| k.as_str()).collect();
                    PageError::BadRequest(format!(
                        "sort {text:?} is not a column; use one of {}.",
                        known.join(", ")
                    ))
                })?,
        };
        let descending = match params.order.as_deref().filter(|o| !o.is_empty()) {
            None => sort.default_descending(),
            Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(PageError::BadRequest(format!(
                    "order {other:?} is neither asc nor desc."
                )));
            }
        };
        let stale_only = match params.stale.as_deref() {
            None | Some("") | Some("0") => false,
            Some("1") | Some("on") | Some("true") => true,
            Some(other) => {
                return Err(PageError::BadRequest(format!(
                    "stale {other:?} is not 1 or 0."
                )));
            }
        };
        Ok(FleetFilter {
            text: params.q.clone().unwrap_or_default().trim().to_owned(),
            kind,
            stale_only,
            sort,
            descending,
        })
    }

    /// This page's URL with another sort (the filters kept).
    fn href_sorted_by(&self, key: SortKey) -> String {
        let descending = if key == self.sort {
            !self.descending
        } else {
            key.default_descending()
        };
        let kind = self.kind.map(TargetKind::as_str).unwrap_or("");
        let query = query_string(&[
            ("q", &self.text),
            ("kind", kind),
            ("stale", if self.stale_only { "1" } else { "" }),
            ("sort", key.as_str()),
            ("order", if descending { "desc" } else { "asc" }),
        ]);
        format!("/{query}")
    }
}

#[derive(Debug, Serialize)]
pub struct FleetView {
    pub targets: Vec<FleetRow>,
    /// Targets in the store (before filtering).
    pub total_targets: usize,
    pub stale_targets: usize,
    /// Open critical and high findings over the whole fleet (latest runs).
    pub open: CountsView,
    /// Framework IDs with a column, and their headings.
    pub frameworks: Vec<ColumnView>,
    pub columns: Vec<SortColumn>,
    pub filter: FilterView,
    pub kinds: Vec<&'static str>,
    pub stale_after_days: u32,
}

#[derive(Debug, Serialize)]
pub struct ColumnView {
    pub id: String,
    pub label: String,
}

/// A sortable column heading: its link and `aria-sort`.
#[derive(Debug, Serialize)]
pub struct SortColumn {
    pub key: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none`.
    pub aria_sort: &'static str,
}

#[derive(Debug, Serialize)]
pub struct FilterView {
    pub q: String,
    pub kind: &'static str,
    pub stale_only: bool,
    pub sort: &'static str,
    pub order: &'static str,
    pub active: bool,
}

#[derive(Debug, Serialize)]
pub struct FleetRow {
    pub id: i64,
    pub name: String,
    pub key: String,
    pub kind: &'static str,
    pub href: String,
    pub runs: u64,
    pub latest: Option<RunView>,
    /// One cell per [`FleetView::frameworks`] entry: the score, `None` when the latest run
    /// has none for it.
    pub scores: Vec<Option<ScoreCell>>,
    pub last_scan: Option<TimeView>,
    #[serde(skip)]
    last_at: Option<Timestamp>,
    pub stale: bool,
    /// Whole days since the last scan.
    pub age_days: Option<i64>,
    /// The sparkline's SVG (built by [`charts::sparkline`], every text escaped).
    pub sparkline: String,
    pub trend_label: String,
    /// Lower-case text the instant filter searches.
    pub search: String,
}

#[derive(Debug, Serialize)]
pub struct ScoreCell {
    pub score: String,
    pub grade: &'static str,
}

pub fn fleet_view(
    entries: Vec<FleetEntry>,
    filter: FleetFilter,
    now: Timestamp,
    stale_after_days: u32,
) -> FleetView {
    let mut framework_ids: Vec<String> = Vec::new();
    for entry in &entries {
        for score in entry.latest.iter().flat_map(|run| &run.frameworks) {
            if !framework_ids.contains(&score.framework) {
                framework_ids.push(score.framework.clone());
            }
        }
    }
    sort_frameworks(&mut framework_ids);

    let total_targets = entries.len();
    let mut open = CountsView::from(&SeverityCounts::default());
    let mut rows: Vec<FleetRow> = entries
        .into_iter()
        .map(|entry| row(entry, &framework_ids, now, stale_after_days))
        .collect();
    for row in &rows {
        if let Some(latest) = &row.latest {
            open.critical += latest.counts.critical;
            open.high += latest.counts.high;
            open.medium += latest.counts.medium;
            open.low += latest.counts.low;
            open.info += latest.counts.info;
            open.total += latest.counts.total;
        }
    }
    let stale_targets = rows.iter().filter(|row| row.stale).count();

    let needle = filter.text.to_lowercase();
    rows.retain(|row| {
        (needle.is_empty() || row.search.contains(&needle))
            && filter.kind.is_none_or(|kind| row.kind == kind.as_str())
            && (!filter.stale_only || row.stale)
    });
    rows.sort_by(|a, b| {
        let order = compare(a, b, filter.sort);
        let order = if filter.descending {
            order.reverse()
        } else {
            order
        };
        // Ties (and equal counts) fall back to the name, so the order is stable.
        order
            .then_with(|| a.name.cmp(&b.name))
            .then(a.id.cmp(&b.id))
    });

    let columns = SortKey::ALL
        .into_iter()
        .map(|key| SortColumn {
            key: key.as_str(),
            href: filter.href_sorted_by(key),
            aria_sort: match (key == filter.sort, filter.descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
        })
        .collect();

    FleetView {
        targets: rows,
        total_targets,
        stale_targets,
        open,
        frameworks: framework_ids
            .iter()
            .map(|id| ColumnView {
                id: id.clone(),
                label: super::view::framework_label(id),
            })
            .collect(),
        columns,
        filter: FilterView {
            active: !filter.text.is_empty() || filter.kind.is_some() || filter.stale_only,
            q: filter.text,
            kind: filter.kind.map(TargetKind::as_str).unwrap_or(""),
            stale_only: filter.stale_only,
            sort: filter.sort.as_str(),
            order: if filter.descending { "desc" } else { "asc" },
        },
        kinds: ["aks", "cluster", "repository", "files"].to_vec(),
        stale_after_days,
    }
}

fn row(
    entry: FleetEntry,
    frameworks: &[String],
    now: Timestamp,
    stale_after_days: u32,
) -> FleetRow {
    let FleetEntry {
        target,
        latest,
        trend,
    } = entry;
    let last_at = latest
        .as_ref()
        .map(|run| run.finished_at)
        .or(target.last_run_at);
    let age_days = last_at.map(|at| days_between(at, now));
    // A target without a run has never been scanned: stale too.
    let stale = age_days.is_none_or(|days| days >= i64::from(stale_after_days));
    let scores = frameworks
        .iter()
        .map(|id| {
            latest
                .as_ref()
                .and_then(|run| run.frameworks.iter().find(|s| &s.framework == id))
                .map(|score| ScoreCell {
                    score: format!("{:.0}", score.score.round()),
                    grade: super::view::grade(score.score),
                })
        })
        .collect();
    let values: Vec<f64> = trend
        .iter()
        .map(|point| f64::from(point.counts.total()))
        .collect();
    let trend_label = match (trend.first(), trend.last()) {
        (Some(first), Some(last)) if trend.len() > 1 => format!(
            "Open findings over the last {} runs: {} to {}",
            trend.len(),
            first.counts.total(),
            last.counts.total()
        ),
        (Some(only), _) => format!("Open findings at the only run: {}", only.counts.total()),
        _ => "No runs yet".to_owned(),
    };
    FleetRow {
        id: target.id,
        search: format!("{} {} {}", target.name, target.key, target.kind.as_str()).to_lowercase(),
        sparkline: charts::sparkline(&values, &trend_label),
        trend_label,
        name: target.name,
        key: target.key,
        kind: target.kind.as_str(),
        href: target_href(target.id),
        runs: target.runs,
        latest: latest.as_ref().map(|run| run_view(run, now)),
        scores,
        last_scan: last_at.map(|at| time_view(at, now)),
        last_at,
        stale,
        age_days,
    }
}

fn compare(a: &FleetRow, b: &FleetRow, key: SortKey) -> Ordering {
    let counts = |row: &FleetRow| row.latest.as_ref().map(|run| run.counts);
    match key {
        SortKey::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        SortKey::Kind => a.kind.cmp(b.kind),
        SortKey::Critical => counts(a)
            .map(|c| c.critical)
            .cmp(&counts(b).map(|c| c.critical)),
        SortKey::High => counts(a).map(|c| c.high).cmp(&counts(b).map(|c| c.high)),
        SortKey::Open => counts(a).map(|c| c.total).cmp(&counts(b).map(|c| c.total)),
        SortKey::LastScan => a.last_at.cmp(&b.last_at),
        SortKey::Runs => a.runs.cmp(&b.runs),
    }
}
