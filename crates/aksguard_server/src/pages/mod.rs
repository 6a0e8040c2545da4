//! The dashboard's HTML pages, rendered on the server so they work without JavaScript:
//!
//! | URL | page |
//! |---|---|
//! | `/` | the fleet: every target, its scores, open critical/high, trend, last scan, stale flag |
//! | `/targets/{id}` | one target: trend charts, changes since the previous run, findings |
//! | `/runs/{id}` | one run: counts, scores, errors, findings open then |
//! | `/diff?from=A&to=B` | new, fixed and still-open findings between two runs |
//! | `/static/app.css`, `/static/app.js` | the stylesheet and the filter script, from the binary |
//!
//! Each handler reads the store, turns what it read into a view (plain serialisable structs,
//! built by pure functions that the unit tests call directly) and renders a minijinja template
//! with HTML autoescape: nothing from the store is ever marked safe. The only raw insertions
//! are the SVG charts, which [`charts`] builds with every text escaped.
//!
//! The pages obey the server's CSP (`script-src 'self'; style-src 'self'`): no inline script,
//! no `style="…"` attribute, nothing from another origin.

mod assets;
pub mod charts;
mod diff;
mod findings;
mod fleet;
mod render;
mod run;
mod target;
mod view;

#[cfg(test)]
mod tests;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub use render::PageError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(fleet::page))
        .route("/targets/{id}", get(target::page))
        .route("/runs/{id}", get(run::page))
        .route("/diff", get(diff::page))
        .route("/static/app.css", get(assets::stylesheet))
        .route("/static/app.js", get(assets::script))
        .fallback(render::not_found)
}
