//! Prometheus `/metrics` (OpenMetrics text), computed from [`aksguard_store::Store::fleet`]
//! at each scrape, so it always says what the store holds:
//!
//! - `aksguard_open_findings{target,target_id,severity}`: active findings open at the
//!   target's latest run;
//! - `aksguard_last_scan_timestamp_seconds{target,target_id}`: when that run finished;
//! - `aksguard_last_scan_age_seconds{target,target_id}`: how long ago (alert on staleness);
//! - `aksguard_targets`: targets in the store;
//! - `aksguard_store_up`: 1 when the store answered, 0 when it failed or took longer than
//!   [`STORE_DEADLINE`] (the other series are then absent, not zero).
//!
//! `target_id` keeps two targets that share a name apart (Prometheus refuses duplicates).

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use aksguard_store::FleetEntry;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::AppState;

/// A scrape never waits longer than this for the store.
pub const STORE_DEADLINE: Duration = Duration::from_secs(10);

type Labels = Vec<(&'static str, String)>;
type FloatGauge = Gauge<f64, AtomicU64>;

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> Response {
    // One trend point: only the latest run is read.
    let fleet = match tokio::time::timeout(STORE_DEADLINE, state.store.fleet_counts(1)).await {
        Ok(Ok(fleet)) => Some(fleet),
        Ok(Err(err)) => {
            tracing::error!(error = %err, "metrics: the store failed");
            None
        }
        Err(_) => {
            tracing::error!("metrics: the store did not answer in time");
            None
        }
    };
    match render(fleet.as_deref(), Timestamp::now()) {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "metrics: cannot encode");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The exposition of `fleet` (`None`: the store did not answer) as of `now`.
pub fn render(fleet: Option<&[FleetEntry]>, now: Timestamp) -> Result<String, std::fmt::Error> {
    let mut registry = Registry::with_prefix("aksguard");
    let store_up = Gauge::<i64>::default();
    registry.register(
        "store_up",
        "Whether the history store answered this scrape",
        store_up.clone(),
    );
    if let Some(fleet) = fleet {
        store_up.set(1);
        let targets = Gauge::<i64>::default();
        targets.set(i64::try_from(fleet.len()).unwrap_or(i64::MAX));
        registry.register("targets", "Targets in the history store", targets);
        let open = Family::<Labels, Gauge>::default();
        let last_scan = Family::<Labels, FloatGauge>::default();
        let age = Family::<Labels, FloatGauge>::default();
        for entry in fleet {
            let Some(latest) = &entry.latest else {
                continue;
            };
            let target = vec![
                ("target", entry.target.name.clone()),
                ("target_id", entry.target.id.to_string()),
            ];
            let counts = latest.counts;
            for (severity, count) in [
                ("critical", counts.critical),
                ("high", counts.high),
                ("medium", counts.medium),
                ("low", counts.low),
                ("info", counts.info),
            ] {
                let mut labels = target.clone();
                labels.push(("severity", severity.to_owned()));
                open.get_or_create(&labels).set(i64::from(count));
            }
            let finished = latest.finished_at.as_millisecond() as f64 / 1000.0;
            let now = now.as_millisecond() as f64 / 1000.0;
            last_scan.get_or_create(&target).set(finished);
            age.get_or_create(&target).set((now - finished).max(0.0));
        }
        registry.register(
            "open_findings",
            "Active findings open at the target's latest run, by severity",
            open,
        );
        registry.register(
            "last_scan_timestamp_seconds",
            "When the target's latest run finished, as Unix time",
            last_scan,
        );
        registry.register(
            "last_scan_age_seconds",
            "Seconds since the target's latest run finished",
            age,
        );
    }
    let mut text = String::new();
    encode(&mut text, &registry)?;
    Ok(text)
}
