//! The JSON API under `/api/v1/`, documented by the OpenAPI 3.1 document at
//! `/api/v1/openapi.json` (`openapi.json` beside this file; a test checks that every route
//! is in it and that real answers validate against its schemas).
//!
//! Errors are JSON too: `{"error": "…"}`, with `"parameter": "NAME"` when a query parameter
//! is wrong (unknown, repeated, or not a valid value): 400 for what the client asked wrong,
//! 404 for a target or run that does not exist. Lists are bounded: `limit` is at most
//! [`MAX_LIMIT`].

use aksguard_model::Severity;
use aksguard_store::{AttackPaths, FindingQuery, FleetEntry, StoreError, StoredPath};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

use crate::AppState;

/// Every API route, as registered (the OpenAPI test compares this list with the document).
pub const ROUTES: &[&str] = &[
    "/api/v1/targets",
    "/api/v1/targets/{id}",
    "/api/v1/targets/{id}/runs",
    "/api/v1/runs/{id}",
    "/api/v1/runs/{id}/errors",
    "/api/v1/runs/{id}/findings",
    "/api/v1/runs/{id}/paths",
    "/api/v1/runs/{id}/vulnerabilities",
    "/api/v1/diff",
    "/api/v1/fleet",
    "/api/v1/openapi.json",
];

/// The most items one list answer holds.
pub const MAX_LIMIT: u64 = 1000;
/// Items per list answer when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 100;
/// Runs per target on the fleet answer's trend.
pub const FLEET_TREND_POINTS: usize = 30;

/// The OpenAPI document, as served.
pub const OPENAPI: &str = include_str!("openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(ROUTES[0], get(targets))
        .route(ROUTES[1], get(target))
        .route(ROUTES[2], get(target_runs))
        .route(ROUTES[3], get(run))
        .route(ROUTES[4], get(run_errors))
        .route(ROUTES[5], get(run_findings))
        .route(ROUTES[6], get(run_paths))
        .route(ROUTES[7], get(run_vulnerabilities))
        .route(ROUTES[8], get(diff))
        .route(ROUTES[9], get(fleet))
        .route(ROUTES[10], get(openapi))
        .route("/api/{*rest}", get(unknown))
        .route("/api", get(unknown))
}

/// An API error: its status and a message for people, naming the parameter at fault.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    parameter: Option<&'static str>,
}

impl ApiError {
    fn bad_parameter(parameter: &'static str, message: String) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message,
            parameter: Some(parameter),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        let status = match err {
            StoreError::NotFound(_) => StatusCode::NOT_FOUND,
            StoreError::Invalid(_) => StatusCode::BAD_REQUEST,
            _ => {
                // Store messages name the store redacted (never a password).
                tracing::error!(error = %err, "store query failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        ApiError {
            status,
            message: err.to_string(),
            parameter: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match self.parameter {
            Some(parameter) => json!({"error": self.message, "parameter": parameter}),
            None => json!({"error": self.message}),
        };
        (self.status, axum::Json(body)).into_response()
    }
}

type ApiResult = Result<Response, ApiError>;

fn ok(value: &impl Serialize) -> ApiResult {
    Ok(axum::Json(value).into_response())
}

/// The query string of one request, checked against what the endpoint takes.
struct Params(Vec<(String, String)>);

type RawQuery = Result<Query<Vec<(String, String)>>, QueryRejection>;

impl Params {
    /// Unknown and repeated parameters are errors (a typo must not widen the answer).
    /// An empty value is the same as no value (what an HTML form sends for an empty field).
    fn parse(query: RawQuery, allowed: &[&'static str]) -> Result<Params, ApiError> {
        let Query(pairs) = query.map_err(|e| ApiError {
            status: StatusCode::BAD_REQUEST,
            message: format!("the query string is not valid: {e}"),
            parameter: None,
        })?;
        for (index, (name, _)) in pairs.iter().enumerate() {
            let Some(known) = allowed.iter().find(|known| **known == name) else {
                let expected = if allowed.is_empty() {
                    "this endpoint takes no parameters".to_owned()
                } else {
                    format!("this endpoint takes: {}", allowed.join(", "))
                };
                return Err(ApiError {
                    status: StatusCode::BAD_REQUEST,
                    message: format!("unknown query parameter `{name}`; {expected}"),
                    parameter: None,
                });
            };
            if pairs[..index].iter().any(|(earlier, _)| earlier == name) {
                return Err(ApiError::bad_parameter(
                    known,
                    format!("`{name}` is given more than once"),
                ));
            }
        }
        Ok(Params(pairs))
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    fn number(
        &self,
        name: &'static str,
        lowest: u64,
        highest: u64,
    ) -> Result<Option<u64>, ApiError> {
        let Some(text) = self.text(name) else {
            return Ok(None);
        };
        match text.parse::<u64>() {
            Ok(value) if (lowest..=highest).contains(&value) => Ok(Some(value)),
            _ => Err(ApiError::bad_parameter(
                name,
                format!("`{name}` must be a whole number from {lowest} to {highest}, not `{text}`"),
            )),
        }
    }

    fn limit(&self) -> Result<u64, ApiError> {
        Ok(self.number("limit", 1, MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT))
    }

    fn run_id(&self, name: &'static str) -> Result<Option<i64>, ApiError> {
        let Some(text) = self.text(name) else {
            return Ok(None);
        };
        parse_id(text).map(Some).ok_or_else(|| {
            ApiError::bad_parameter(name, format!("`{name}` must be a run ID, not `{text}`"))
        })
    }

    fn flag(&self, name: &'static str) -> Result<bool, ApiError> {
        match self.text(name) {
            None | Some("false" | "0") => Ok(false),
            Some("true" | "1") => Ok(true),
            Some(other) => Err(ApiError::bad_parameter(
                name,
                format!("`{name}` must be true or false, not `{other}`"),
            )),
        }
    }
}

fn parse_id(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|id| *id > 0)
}

fn run_path(id: &str) -> Result<i64, ApiError> {
    parse_id(id).ok_or_else(|| ApiError {
        status: StatusCode::BAD_REQUEST,
        message: format!("`{id}` is not a run ID (a positive whole number)"),
        parameter: None,
    })
}

async fn targets(State(state): State<AppState>, query: RawQuery) -> ApiResult {
    Params::parse(query, &[])?;
    let targets = state.store.targets().await?;
    ok(&json!({ "targets": targets }))
}

/// `{id}` is a target's numeric ID, its exact name or its exact key (percent-encoded).
async fn target(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: RawQuery,
) -> ApiResult {
    Params::parse(query, &[])?;
    ok(&state.store.target(&id).await?)
}

async fn target_runs(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: RawQuery,
) -> ApiResult {
    let params = Params::parse(query, &["limit"])?;
    let limit = params.limit()?;
    let target = state.store.target(&id).await?;
    let runs = state.store.runs(target.id, Some(limit)).await?;
    ok(&json!({ "target_id": target.id, "limit": limit, "runs": runs }))
}

async fn run(State(state): State<AppState>, Path(id): Path<String>, query: RawQuery) -> ApiResult {
    Params::parse(query, &[])?;
    ok(&state.store.run(run_path(&id)?).await?)
}

async fn run_errors(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: RawQuery,
) -> ApiResult {
    Params::parse(query, &[])?;
    let run = state.store.run(run_path(&id)?).await?;
    let errors = state.store.run_errors(run.id).await?;
    ok(&json!({ "run_id": run.id, "errors": errors }))
}

const FINDING_PARAMETERS: &[&str] = &[
    "severity",
    "rule",
    "namespace",
    "kind",
    "q",
    "suppressed",
    "limit",
    "offset",
];

/// The findings open at a run, as they stood then. `severity` is a minimum.
async fn run_findings(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: RawQuery,
) -> ApiResult {
    let params = Params::parse(query, FINDING_PARAMETERS)?;
    let min_severity = match params.text("severity") {
        None => None,
        Some(text) => Some(Severity::parse(text).ok_or_else(|| {
            ApiError::bad_parameter(
                "severity",
                format!("`severity` must be critical, high, medium, low or info, not `{text}`"),
            )
        })?),
    };
    let limit = params.limit()?;
    let offset = params.number("offset", 0, i64::MAX as u64)?.unwrap_or(0);
    let finding_query = FindingQuery {
        rule_id: params.text("rule").map(str::to_owned),
        min_severity,
        namespace: params.text("namespace").map(str::to_owned),
        kind: params.text("kind").map(str::to_owned),
        text: params.text("q").map(str::to_owned),
        include_suppressed: params.flag("suppressed")?,
        limit: Some(limit),
        offset,
    };
    let run = state.store.run(run_path(&id)?).await?;
    let findings = state.store.findings_at(run.id, &finding_query).await?;
    let next_offset = (findings.len() as u64 == limit).then(|| offset + limit);
    ok(&json!({
        "run_id": run.id,
        "limit": limit,
        "offset": offset,
        "next_offset": next_offset,
        "findings": findings,
    }))
}

/// One stored attack path with its rank (1 = highest risk).
#[derive(Serialize)]
struct RankedPath<'a> {
    rank: usize,
    #[serde(flatten)]
    path: &'a StoredPath,
}

/// A run's attack paths: `computed` false (and `total` null) when the run did not compute
/// them, which is not the same as a run that found none. The store keeps the top
/// [`AttackPaths::TOP`] of `total`.
async fn run_paths(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: RawQuery,
) -> ApiResult {
    let params = Params::parse(query, &["limit"])?;
    let limit = params.limit()?;
    let run_id = run_path(&id)?;
    let stored = state.store.run_attack_paths(run_id).await?;
    let paths: Vec<RankedPath> = stored
        .iter()
        .flat_map(|stored| stored.top.iter())
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .enumerate()
        .map(|(index, path)| RankedPath {
            rank: index + 1,
            path,
        })
        .collect();
    ok(&json!({
        "run_id": run_id,
        "computed": stored.is_some(),
        "total": stored.as_ref().map(|stored| stored.total),
        "kept": AttackPaths::TOP,
        "limit": limit,
        "paths": paths,
    }))
}

/// A run's image vulnerabilities (`scan --vulns`): `vulnerabilities` is null when the run
/// had no report, rather than zeros that would read as "no vulnerabilities".
async fn run_vulnerabilities(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: RawQuery,
) -> ApiResult {
    Params::parse(query, &[])?;
    let run_id = run_path(&id)?;
    let vulnerabilities = state.store.run_vulnerabilities(run_id).await?;
    ok(&json!({ "run_id": run_id, "vulnerabilities": vulnerabilities }))
}

/// New, fixed and still-open findings from run `from` to run `to`; without `from`, the run
/// before `to` of the same target.
async fn diff(State(state): State<AppState>, query: RawQuery) -> ApiResult {
    let params = Params::parse(query, &["from", "to", "all"])?;
    let Some(to) = params.run_id("to")? else {
        return Err(ApiError::bad_parameter(
            "to",
            "`to` is required: the run to compare (and `from`, else the run before it)".into(),
        ));
    };
    let all = params.flag("all")?;
    let from = match params.run_id("from")? {
        Some(from) => from,
        None => match state.store.previous_run(to).await? {
            Some(previous) => previous.id,
            None => {
                return Err(ApiError::bad_parameter(
                    "from",
                    format!("run {to} is its target's first run: give `from` to compare with"),
                ));
            }
        },
    };
    let diff = state.store.diff(from, to, all).await?;
    ok(&json!({
        "from": diff.from,
        "to": diff.to,
        "new_counts": diff.new_counts(),
        "fixed_counts": diff.fixed_counts(),
        "still_open_counts": diff.still_open_counts,
        "new": diff.new,
        "fixed": diff.fixed,
        "still_open": diff.still_open,
    }))
}

/// One fleet row with whether the target is stale.
#[derive(Serialize)]
struct FleetRow<'a> {
    #[serde(flatten)]
    entry: &'a FleetEntry,
    stale: bool,
}

/// A target is stale when its last scan finished more than `stale_after_days` ago (or it
/// has none).
pub fn is_stale(entry: &FleetEntry, now: Timestamp, stale_after_days: u32) -> bool {
    let limit_ms = i64::from(stale_after_days) * 86_400_000;
    entry
        .latest
        .as_ref()
        .is_none_or(|latest| now.as_millisecond() - latest.finished_at.as_millisecond() > limit_ms)
}

async fn fleet(State(state): State<AppState>, query: RawQuery) -> ApiResult {
    Params::parse(query, &[])?;
    let now = Timestamp::now();
    let entries = state.store.fleet(FLEET_TREND_POINTS).await?;
    let rows: Vec<FleetRow> = entries
        .iter()
        .map(|entry| FleetRow {
            entry,
            stale: is_stale(entry, now, state.stale_after_days),
        })
        .collect();
    ok(&json!({
        "generated_at": now,
        "stale_after_days": state.stale_after_days,
        "targets": rows,
    }))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn unknown() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        message: "no such API endpoint: see /api/v1/openapi.json".into(),
        parameter: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)], allowed: &[&'static str]) -> Result<Params, ApiError> {
        let pairs = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Params::parse(Ok(Query(pairs)), allowed)
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let err = params(&[("limt", "3")], &["limit"]).err().unwrap();
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        assert!(err.message.contains("`limt`") && err.message.contains("limit"));
        let err = params(&[("limit", "3"), ("limit", "4")], &["limit"])
            .err()
            .unwrap();
        assert_eq!(err.parameter, Some("limit"));
        let err = params(&[("x", "")], &[]).err().unwrap();
        assert!(
            err.message.contains("takes no parameters"),
            "{}",
            err.message
        );
    }

    #[test]
    fn limits_are_bounded_and_named() {
        let ok = params(&[("limit", "1000")], &["limit"]).unwrap();
        assert_eq!(ok.limit().unwrap(), 1000);
        assert_eq!(
            params(&[], &["limit"]).unwrap().limit().unwrap(),
            DEFAULT_LIMIT
        );
        assert_eq!(
            params(&[("limit", "")], &["limit"])
                .unwrap()
                .limit()
                .unwrap(),
            DEFAULT_LIMIT
        );
        for bad in ["0", "1001", "-1", "ten"] {
            let err = params(&[("limit", bad)], &["limit"])
                .unwrap()
                .limit()
                .unwrap_err();
            assert_eq!(err.parameter, Some("limit"), "{bad}");
            assert!(err.message.contains(bad), "{}", err.message);
        }
    }

    #[test]
    fn flags_and_run_ids_are_strict() {
        let p = params(&[("all", "yes"), ("to", "-3")], &["all", "to"]).unwrap();
        assert_eq!(p.flag("all").unwrap_err().parameter, Some("all"));
        assert_eq!(p.run_id("to").unwrap_err().parameter, Some("to"));
        assert_eq!(run_path("0").unwrap_err().status, StatusCode::BAD_REQUEST);
        assert_eq!(run_path("12").unwrap(), 12);
    }

    #[test]
    fn the_document_is_json_and_lists_every_route() {
        let document: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        let paths = document["paths"].as_object().unwrap();
        let documented: Vec<String> = paths.keys().map(|p| format!("/api/v1{p}")).collect();
        for route in ROUTES {
            assert!(
                documented.iter().any(|d| d == route),
                "{route} is not documented"
            );
        }
        for path in &documented {
            assert!(
                ROUTES.contains(&path.as_str()),
                "{path} is documented but not served"
            );
        }
    }
}
