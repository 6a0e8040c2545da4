//! Bounds on what one client can make the server do: at most `max_concurrent` requests are
//! handled at once (more wait), and a request not answered within `request_timeout`
//! (waiting included) gets 503. Request bodies are capped (the server reads none but the
//! login form's).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

/// The largest request body read (the login form; everything else is GET).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// How much the server takes on.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub request_timeout: Duration,
    pub max_concurrent: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_timeout: Duration::from_secs(30),
            max_concurrent: 64,
        }
    }
}

/// [`Limits`] in force.
pub struct Gate {
    timeout: Duration,
    permits: Arc<Semaphore>,
}

impl Gate {
    pub fn new(limits: Limits) -> Gate {
        Gate {
            timeout: limits.request_timeout,
            permits: Arc::new(Semaphore::new(limits.max_concurrent.max(1))),
        }
    }
}

pub async fn bounded(State(gate): State<Arc<Gate>>, request: Request, next: Next) -> Response {
    let work = async {
        // The semaphore is never closed; a failure would only mean shutdown.
        let _permit = gate.permits.acquire().await;
        next.run(request).await
    };
    match tokio::time::timeout(gate.timeout, work).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({
                "error": format!(
                    "the request was not answered within {} s (the server is busy or the store is slow)",
                    gate.timeout.as_secs_f64()
                )
            })),
        )
            .into_response(),
    }
}
