//! The JSON API under `/api/v1/` (filled by the server work).

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
