//! One GET against the API server, as a list needs it: its own timeout inside the scan's
//! overall one, 429 and 503 answered by waiting as `Retry-After` says (bounded), and the
//! status codes a list must tell apart (401, 403, 404, 410) sorted out.

use std::time::Duration;

use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use kube::Client;
use kube::client::Body;
use tokio::time::Instant;

/// How many times one request is retried after a 429 or 503 (client-go's default too: an API
/// server under load answers a burst of requests with 429s for a while).
pub const MAX_RETRIES: u32 = 10;
/// The longest wait a `Retry-After` may impose; longer ones are cut to it.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The wait when a 429/503 names none.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);
/// The most of an error body quoted in a message.
const QUOTED_BODY: usize = 200;

/// Why a request gave no body.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// 401: the credentials are not accepted at all.
    Unauthorized,
    /// 403: the credentials may not do this.
    Forbidden,
    /// 404: not served.
    NotFound,
    /// 410: the continue token expired.
    Gone,
    /// Still 429/503 after [`MAX_RETRIES`] retries.
    Throttled { attempts: u32 },
    /// No answer within the request's timeout, or the scan's overall timeout ran out.
    TimedOut,
    /// Another status.
    Status { code: u16, body: String },
    /// The connection failed.
    Transport(String),
}

impl Failure {
    /// What went wrong, for a message that names the request itself.
    pub fn describe(&self) -> String {
        match self {
            Failure::Unauthorized => "401 Unauthorized: credentials rejected".to_owned(),
            Failure::Forbidden => "403 Forbidden".to_owned(),
            Failure::NotFound => "404 Not Found".to_owned(),
            Failure::Gone => "410 Gone: the continue token expired".to_owned(),
            Failure::Throttled { attempts } => {
                format!("still throttled (429/503) after {attempts} attempts")
            }
            Failure::TimedOut => "no answer in time".to_owned(),
            Failure::Status { code, body } if body.is_empty() => format!("HTTP {code}"),
            Failure::Status { code, body } => format!("HTTP {code}: {body}"),
            Failure::Transport(message) => message.clone(),
        }
    }
}

/// GETs against one API server.
#[derive(Clone)]
pub struct Http {
    pub client: Client,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// When the whole scan must be over.
    pub deadline: Instant,
}

impl Http {
    /// The body of `GET path_and_query` (a 2xx answer).
    pub async fn get(&self, path_and_query: &str) -> Result<Vec<u8>, Failure> {
        self.send(Method::GET, path_and_query, None).await
    }

    /// The body of the answer to `method path_and_query` with an optional (content type,
    /// body), with the same timeouts, retries and failures as [`Http::get`].
    pub async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<Vec<u8>, Failure> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let now = Instant::now();
            if now >= self.deadline {
                return Err(Failure::TimedOut);
            }
            let limit = self.request_timeout.min(self.deadline - now);
            let answer =
                tokio::time::timeout(limit, self.send_once(method.clone(), path_and_query, body))
                    .await;
            let (status, retry_after, body) = match answer {
                Err(_elapsed) => return Err(Failure::TimedOut),
                Ok(result) => result?,
            };
            match status {
                s if s.is_success() => return Ok(body),
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                    if attempts > MAX_RETRIES {
                        return Err(Failure::Throttled { attempts });
                    }
                    let wait = retry_after
                        .unwrap_or(DEFAULT_RETRY_AFTER)
                        .min(MAX_RETRY_AFTER);
                    if Instant::now() + wait >= self.deadline {
                        return Err(Failure::TimedOut);
                    }
                    tokio::time::sleep(wait).await;
                }
                StatusCode::UNAUTHORIZED => return Err(Failure::Unauthorized),
                StatusCode::FORBIDDEN => return Err(Failure::Forbidden),
                StatusCode::NOT_FOUND => return Err(Failure::NotFound),
                StatusCode::GONE => return Err(Failure::Gone),
                other => {
                    return Err(Failure::Status {
                        code: other.as_u16(),
                        body: status_message(&body),
                    });
                }
            }
        }
    }

    async fn send_once(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<(StatusCode, Option<Duration>, Vec<u8>), Failure> {
        let builder = Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(http::header::ACCEPT, "application/json");
        let request = match body {
            Some((content_type, bytes)) => builder
                .header(http::header::CONTENT_TYPE, content_type)
                .body(Body::from(bytes.to_vec())),
            None => builder.body(Body::empty()),
        }
        .map_err(|e| Failure::Transport(format!("bad request {path_and_query}: {e}")))?;
        let response = self
            .client
            .send(request)
            .await
            .map_err(|e| Failure::Transport(transport_message(&e)))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| Failure::Transport(format!("reading the answer: {e}")))?
            .to_bytes();
        Ok((status, retry_after, body.to_vec()))
    }
}

/// `Retry-After` in seconds (the API server's form); an HTTP date is not used by it and is
/// taken as the default wait.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The `message` of a Kubernetes `Status` body, or the start of any other body, on one line.
fn status_message(body: &[u8]) -> String {
    let text = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(QUOTED_BODY) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// A transport error with its causes (kube's top-level message alone is often just
/// "ServiceError"); none of them carries a header, so no token.
fn transport_message(error: &kube::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn status_bodies_are_quoted_short_and_on_one_line() {
        let body = br#"{"kind":"Status","message":"the server is\n  busy"}"#;
        assert_eq!(status_message(body), "the server is busy");
        let long = "x".repeat(500);
        let quoted = status_message(long.as_bytes());
        assert_eq!(quoted.chars().count(), QUOTED_BODY + 1);
    }
}
