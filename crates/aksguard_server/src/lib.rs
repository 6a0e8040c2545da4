//! `aksguard serve`: a read-only web view of the scan history in an [`aksguard_store::Store`].
//!
//! - `pages`: server-rendered HTML (minijinja, every value escaped) that works without
//!   JavaScript: fleet, target, run and diff pages, each at a stable URL, with inline SVG
//!   charts (no CDN) and a little JavaScript for filters.
//! - [`api`]: the JSON API under `/api/v1/` and its OpenAPI document at
//!   `/api/v1/openapi.json`.
//! - [`metrics`]: Prometheus `/metrics` (open findings by target and severity, last scan age).
//! - [`security`]: strict CSP and the other response headers on every response, GET/HEAD
//!   only, and the listen policy (binding beyond loopback without a token or `--no-auth` is
//!   refused); [`auth`]: the token on every request when one is set (bearer header or the
//!   login form's cookie); [`limits`]: timeout and concurrency bounds.
//! - [`serve`]: listening (plain or TLS) and the graceful stop.

pub mod api;
pub mod auth;
pub mod limits;
pub mod metrics;
mod pages;
pub mod security;
pub mod serve;
pub mod tls;

use std::sync::Arc;
use std::time::Instant;

use aksguard_store::Store;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::Response;

pub use auth::{Auth, Token};
pub use limits::Limits;
pub use serve::{Running, ServeOptions, serve_until_signal, start};
pub use tls::TlsFiles;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// A target not scanned for this many days is flagged stale on the fleet page.
    pub stale_after_days: u32,
}

/// Who may ask and how much: the token check (none on a loopback server without a token)
/// and the bounds.
#[derive(Clone, Default)]
pub struct Protection {
    pub auth: Option<Arc<Auth>>,
    pub limits: Limits,
}

/// The whole application without a token: pages, API, metrics, behind the security
/// headers, the read-only method check and the default bounds.
pub fn router(state: AppState) -> Router {
    app(state, Protection::default())
}

/// The whole application with `protection`. Layers, outermost first: security headers
/// (so every answer has them, refusals included), access log, read-only methods, bounds,
/// token check, then the routes.
pub fn app(state: AppState, protection: Protection) -> Router {
    let mut app = Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        .merge(metrics::routes())
        .with_state(state)
        .merge(auth::routes(protection.auth.clone()));
    if let Some(auth) = protection.auth {
        app = app.layer(middleware::from_fn_with_state(auth, auth::require));
    }
    let gate = Arc::new(limits::Gate::new(protection.limits));
    app.layer(middleware::from_fn_with_state(gate, limits::bounded))
        .layer(DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(middleware::from_fn(security::read_only))
        .layer(middleware::from_fn(access_log))
        .layer(middleware::from_fn(security::headers))
}

/// One line per request: method, path (never the query string or a header), status, time.
async fn access_log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}
