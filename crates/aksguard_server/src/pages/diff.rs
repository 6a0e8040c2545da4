//! `/diff?from=A&to=B`: what changed from run A to run B, by fingerprint: new findings,
//! fixed findings, and how many stayed open (listed with `still_open=1`). Each list shows at
//! most [`DIFF_LIST_LIMIT`] findings; the counts are always complete.

use aksguard_store::{RunDiff, StoreError, StoredFinding};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::render::{PageError, html_page};
use super::target::target_by_id;
use super::view::{
    CountsView, DIFF_LIST_LIMIT, FindingView, RunView, finding_view, parse_id, run_view,
    target_href,
};
use crate::AppState;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DiffParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub still_open: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    params: Result<Query<DiffParams>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let Query(params) = params.map_err(|err| PageError::BadRequest(err.body_text()))?;
    let (from, to) = match (params.from.as_deref(), params.to.as_deref()) {
        (Some(from), Some(to)) if !from.is_empty() && !to.is_empty() => {
            (parse_id(from, "run")?, parse_id(to, "run")?)
        }
        _ => {
            return Err(PageError::BadRequest(
                "A diff needs two runs: /diff?from=RUN&to=RUN (the run pages link to theirs)."
                    .to_owned(),
            ));
        }
    };
    let list_still_open = match params.still_open.as_deref() {
        None | Some("") | Some("0") => false,
        Some("1") => true,
        Some(other) => {
            return Err(PageError::BadRequest(format!(
                "still_open {other:?} is not 1 or 0."
            )));
        }
    };
    let diff = match state.store.diff(from, to, list_still_open).await {
        Ok(diff) => diff,
        Err(StoreError::NotFound(message)) => return Err(PageError::NotFound(message)),
        Err(err) => return Err(err.into()),
    };
    let from_target = target_by_id(&state.store, diff.from.target_id).await?;
    let to_target = if diff.to.target_id == diff.from.target_id {
        None
    } else {
        Some(target_by_id(&state.store, diff.to.target_id).await?)
    };
    let view = diff_view(
        &diff,
        TargetLink {
            name: from_target.name.clone(),
            href: target_href(from_target.id),
        },
        to_target.map(|t| TargetLink {
            href: target_href(t.id),
            name: t.name,
        }),
        list_still_open,
        Timestamp::now(),
    );
    let title = format!(
        "Diff of {}: run #{} to #{}",
        from_target.name, diff.from.sequence, diff.to.sequence
    );
    html_page("diff.html", &title, &view)
}

#[derive(Debug, Serialize)]
pub struct TargetLink {
    pub name: String,
    pub href: String,
}

#[derive(Debug, Serialize)]
pub struct DiffView {
    pub from: RunView,
    pub to: RunView,
    pub target: TargetLink,
    /// The target of `to` when it is another one than `from`'s.
    pub other_target: Option<TargetLink>,
    pub new: FindingList,
    pub fixed: FindingList,
    pub still_open: FindingList,
    pub still_open_listed: bool,
    /// This diff with the still-open findings listed.
    pub still_open_href: String,
    pub swapped_href: String,
}

/// One list of the diff: complete counts, at most [`DIFF_LIST_LIMIT`] findings.
#[derive(Debug, Serialize)]
pub struct FindingList {
    pub counts: CountsView,
    pub findings: Vec<FindingView>,
    pub left_out: usize,
}

fn list(findings: &[StoredFinding], counts: CountsView, now: Timestamp) -> FindingList {
    FindingList {
        counts,
        findings: findings
            .iter()
            .take(DIFF_LIST_LIMIT)
            .map(|f| finding_view(f, now))
            .collect(),
        left_out: findings.len().saturating_sub(DIFF_LIST_LIMIT),
    }
}

pub fn diff_view(
    diff: &RunDiff,
    target: TargetLink,
    other_target: Option<TargetLink>,
    still_open_listed: bool,
    now: Timestamp,
) -> DiffView {
    DiffView {
        from: run_view(&diff.from, now),
        to: run_view(&diff.to, now),
        target,
        other_target,
        new: list(&diff.new, CountsView::from(&diff.new_counts()), now),
        fixed: list(&diff.fixed, CountsView::from(&diff.fixed_counts()), now),
        still_open: list(
            &diff.still_open,
            CountsView::from(&diff.still_open_counts),
            now,
        ),
        still_open_listed,
        still_open_href: format!("/diff?from={}&to={}&still_open=1", diff.from.id, diff.to.id),
        swapped_href: super::view::diff_href(diff.to.id, diff.from.id),
    }
}
