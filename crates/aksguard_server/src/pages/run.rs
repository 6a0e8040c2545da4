//! `/runs/{id}`: one run. What it counted and scored, its loading errors, the findings open
//! at that run (filtered, grouped, paged like the target page), its attack paths and image
//! vulnerabilities, and a link to the diff with the run before it.

use aksguard_store::{AttackPaths, RunError, RunSummary, TargetInfo, VulnSummary};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use jiff::Timestamp;
use serde::Serialize;

use super::findings::{self, FindingFilter, FindingParams, FindingsSection};
use super::render::{PageError, html_page};
use super::target::target_by_id;
use super::view::{RunView, diff_href, parse_id, run_href, run_view, target_href};
use crate::AppState;

/// Loading errors listed (a run with more says how many were left out).
const ERRORS_LIMIT: usize = 200;

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<FindingParams>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let id = parse_id(&id, "run")?;
    let Query(params) = params.map_err(|err| PageError::BadRequest(err.body_text()))?;
    let filter = FindingFilter::parse(&params)?;
    let run = match state.store.run(id).await {
        Ok(run) => run,
        Err(aksguard_store::StoreError::NotFound(_)) => {
            return Err(PageError::NotFound(format!("There is no run {id}.")));
        }
        Err(err) => return Err(err.into()),
    };
    let target = target_by_id(&state.store, run.target_id).await?;
    let previous = state.store.previous_run(id).await?;
    let errors = state.store.run_errors(id).await?;
    let exposure = RunExposure {
        attack_paths: state.store.run_attack_paths(id).await?,
        vulnerabilities: state.store.run_vulnerabilities(id).await?,
    };
    let now = Timestamp::now();
    let section = findings::section(&state.store, id, &filter, &run_href(id), now).await?;
    let view = run_page_view(
        &target,
        &run,
        previous.as_ref(),
        errors,
        exposure,
        section,
        now,
    );
    let title = format!("Run #{} of {}", run.sequence, target.name);
    html_page("run.html", &title, &view)
}

#[derive(Debug, Serialize)]
pub struct RunPageView {
    pub run: RunView,
    pub target_name: String,
    pub target_href: String,
    pub started: super::view::TimeView,
    pub previous: Option<RunView>,
    pub diff_href: Option<String>,
    pub errors: Vec<RunError>,
    pub errors_left_out: usize,
    pub exposure: RunExposure,
    pub findings: FindingsSection,
}

/// A run's attack paths and image vulnerabilities (issue 16), each `None` when the run did
/// not have them (no paths computed, no `--vulns` report): the page says so rather than
/// showing zeros.
#[derive(Debug, Default, Serialize)]
pub struct RunExposure {
    pub attack_paths: Option<AttackPaths>,
    pub vulnerabilities: Option<VulnSummary>,
}

pub fn run_page_view(
    target: &TargetInfo,
    run: &RunSummary,
    previous: Option<&RunSummary>,
    mut errors: Vec<RunError>,
    exposure: RunExposure,
    findings: FindingsSection,
    now: Timestamp,
) -> RunPageView {
    let errors_left_out = errors.len().saturating_sub(ERRORS_LIMIT);
    errors.truncate(ERRORS_LIMIT);
    RunPageView {
        run: run_view(run, now),
        target_name: target.name.clone(),
        target_href: target_href(target.id),
        started: super::view::time_view(run.started_at, now),
        previous: previous.map(|p| run_view(p, now)),
        diff_href: previous.map(|p| diff_href(p.id, run.id)),
        errors,
        errors_left_out,
        exposure,
        findings,
    }
}
