//! `aksguard serve`: a read-only web view of the scan history in an [`aksguard_store::Store`].
//!
//! - `pages`: server-rendered HTML (minijinja, every value escaped) that works without
//!   JavaScript: fleet, target, run and diff pages, each at a stable URL, with inline SVG
//!   charts (no CDN) and a little JavaScript for filters.
//! - `api`: the JSON API under `/api/v1/` and its OpenAPI document at
//!   `/api/v1/openapi.json`.
//! - `metrics`: Prometheus `/metrics` (open findings by target and severity, last scan age).
//! - `security`: the bearer token on every request when one is set, strict CSP and the other
//!   response headers; binding beyond loopback without a token or `--no-auth` is refused.

mod api;
mod metrics;
mod pages;
mod security;

use aksguard_store::Store;
use axum::Router;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// A target not scanned for this many days is flagged stale on the fleet page.
    pub stale_after_days: u32,
}

/// The whole application: pages, API, metrics, behind the security layer.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        .merge(metrics::routes())
        .with_state(state)
}
