//! GET requests to Resource Manager: a bearer token on each, bounded concurrency, a timeout
//! per request, 429 answered by waiting `Retry-After` (bounded), 5xx and connection failures
//! retried a bounded number of times, `nextLink` paging with a page bound, and every failure
//! classified so the reader can say what is missing and why.
//!
//! Nothing here puts a token, or a query string, into an error: failures name the URL path.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aksguard_load::Limits;
use aksguard_model::Node;
use reqwest::{StatusCode, Url};
use tokio::sync::Semaphore;

use crate::credential::Credential;
use crate::endpoint::Endpoint;

/// Bounds on waiting and retrying.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Retries of one request after a 429, a 5xx or a connection failure.
    pub max_retries: u32,
    /// The first wait after a 5xx or connection failure; doubled on each retry.
    pub base_delay: Duration,
    /// The longest wait, whatever `Retry-After` asks for.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// Pages one list may have before it is cut off as an error.
pub const MAX_PAGES: usize = 1000;
/// The largest response body read.
const MAX_BODY_BYTES: usize = 64 << 20;

/// Why a request gave nothing usable.
#[derive(Debug)]
pub enum Failure {
    /// 401: the credential was refused; the whole read stops.
    Unauthorized(String),
    /// The credential could not produce a token; the whole read stops.
    Credential(String),
    /// 403, with Resource Manager's error code.
    Forbidden(String),
    NotFound,
    /// Anything else, described (status and error code, a timeout, malformed JSON, …).
    Other(String),
}

impl Failure {
    pub fn is_fatal(&self) -> bool {
        matches!(self, Failure::Unauthorized(_) | Failure::Credential(_))
    }
}

pub struct Client {
    http: reqwest::Client,
    pub endpoint: Endpoint,
    credential: Credential,
    scope: String,
    permits: Semaphore,
    retry: RetryPolicy,
    request_timeout: Duration,
    limits: Limits,
    sent: AtomicUsize,
}

impl Client {
    pub fn new(
        endpoint: Endpoint,
        credential: Credential,
        concurrency: usize,
        request_timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Arc<Client>, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("aksguard/", env!("CARGO_PKG_VERSION")))
            // A redirect could carry the request elsewhere; Resource Manager does not
            // redirect reads.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(request_timeout.min(Duration::from_secs(15)))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", e.without_url()))?;
        Ok(Arc::new(Client {
            http,
            scope: endpoint.token_scope(),
            endpoint,
            credential,
            permits: Semaphore::new(concurrency.max(1)),
            retry,
            request_timeout,
            limits: Limits::default(),
            sent: AtomicUsize::new(0),
        }))
    }

    /// Requests sent so far (retries and pages included).
    pub fn requests(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// One resource: the body's tree.
    pub async fn get(&self, url: &Url) -> Result<Node, Failure> {
        let body = self.fetch(url).await?;
        aksguard_load::json::read_json_document(&body, &self.limits)
            .map_err(|e| Failure::Other(format!("the response to GET {} is {e}", url.path())))
    }

    /// Every item of a list, following `nextLink` on the same endpoint.
    pub async fn list(&self, first: Url) -> Result<Vec<Node>, Failure> {
        let mut items = Vec::new();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(Failure::Other(format!(
                    "GET {}: more than {MAX_PAGES} pages; the list was cut off",
                    url.path()
                )));
            }
            let page = self.get(&url).await?;
            match page.get("value") {
                Some(value) if value.is_seq() => items.extend(value.items().iter().cloned()),
                Some(value) if value.is_null() => {}
                _ => {
                    return Err(Failure::Other(format!(
                        "the response to GET {} has no `value` list",
                        url.path()
                    )));
                }
            }
            if let Some(link) = page.get("nextLink").and_then(Node::as_str) {
                if link.is_empty() {
                    continue;
                }
                let link = Url::parse(link).map_err(|_| {
                    Failure::Other(format!(
                        "the response to GET {} has a nextLink that is not a URL",
                        url.path()
                    ))
                })?;
                if !self.endpoint.owns(&link) {
                    return Err(Failure::Other(format!(
                        "the response to GET {} has a nextLink to another host ({}); not \
                         followed, the token is only sent to {}",
                        url.path(),
                        link.origin().ascii_serialization(),
                        self.endpoint.origin()
                    )));
                }
                next = Some(link);
            }
        }
        Ok(items)
    }

    /// The body of a 200 answer, retrying what is worth retrying.
    async fn fetch(&self, url: &Url) -> Result<String, Failure> {
        let path = url.path();
        let mut attempt = 0;
        loop {
            let outcome = self.fetch_once(url).await;
            let wait = match outcome {
                Attempt::Done(result) => return result,
                Attempt::Retry { wait, why } => {
                    if attempt >= self.retry.max_retries {
                        return Err(Failure::Other(format!(
                            "GET {path}: {why}, still after {} retries",
                            self.retry.max_retries
                        )));
                    }
                    wait.unwrap_or_else(|| {
                        self.retry.base_delay.saturating_mul(1 << attempt.min(16))
                    })
                }
            };
            attempt += 1;
            tokio::time::sleep(wait.min(self.retry.max_delay)).await;
        }
    }

    async fn fetch_once(&self, url: &Url) -> Attempt {
        let path = url.path();
        // The permit is held for the request only, never while waiting to retry.
        let Ok(_permit) = self.permits.acquire().await else {
            return Attempt::Done(Err(Failure::Other("the client was closed".into())));
        };
        let token = match self.credential.token(&self.scope).await {
            Ok(token) => token,
            Err(e) => return Attempt::Done(Err(Failure::Credential(e))),
        };
        self.sent.fetch_add(1, Ordering::Relaxed);
        let sent = self
            .http
            .get(url.clone())
            .bearer_auth(&*token)
            .header("Accept", "application/json")
            .timeout(self.request_timeout)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) if e.is_timeout() => {
                return Attempt::Done(Err(Failure::Other(format!(
                    "GET {path}: no answer within {} s",
                    self.request_timeout.as_secs_f32()
                ))));
            }
            Err(e) => {
                return Attempt::Retry {
                    wait: None,
                    why: format!("cannot connect ({})", describe(e)),
                };
            }
        };
        let status = response.status();
        let retry_after = retry_after(&response);
        let body = match read_body(response, self.request_timeout).await {
            Ok(body) => body,
            Err(why) => return Attempt::Done(Err(Failure::Other(format!("GET {path}: {why}")))),
        };
        match status {
            StatusCode::OK => Attempt::Done(Ok(body)),
            StatusCode::UNAUTHORIZED => Attempt::Done(Err(Failure::Unauthorized(format!(
                "Azure Resource Manager refused the credential (401 Unauthorized{}) at GET \
                 {path}: the token is missing, expired, or for another audience",
                error_code(&body)
            )))),
            StatusCode::FORBIDDEN => {
                Attempt::Done(Err(Failure::Forbidden(error_code(&body).to_string())))
            }
            StatusCode::NOT_FOUND => Attempt::Done(Err(Failure::NotFound)),
            StatusCode::TOO_MANY_REQUESTS => Attempt::Retry {
                wait: Some(retry_after.unwrap_or(self.retry.base_delay)),
                why: "throttled (429)".into(),
            },
            status if status.is_server_error() => Attempt::Retry {
                wait: retry_after,
                why: format!("server error ({status}{})", error_code(&body)),
            },
            status => Attempt::Done(Err(Failure::Other(format!(
                "GET {path}: {status}{}",
                error_code(&body)
            )))),
        }
    }
}

enum Attempt {
    Done(Result<String, Failure>),
    Retry { wait: Option<Duration>, why: String },
}

/// `Retry-After` in seconds (Resource Manager sends seconds); an HTTP date is not used.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let value = response.headers().get("retry-after")?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

async fn read_body(mut response: reqwest::Response, timeout: Duration) -> Result<String, String> {
    let read = async {
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(describe)? {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(format!("response over {MAX_BODY_BYTES} bytes; not read"));
            }
            bytes.extend_from_slice(&chunk);
        }
        String::from_utf8(bytes).map_err(|_| "the response is not UTF-8".to_owned())
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "the response did not finish within {} s",
                timeout.as_secs_f32()
            ))
        })
}

/// A reqwest error and its causes, without its URL (which would carry the query string).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text
}

/// `: <code>` from a Resource Manager error body (`{"error": {"code": …}}`), or nothing.
/// Only the code: messages can be long and are not needed to act.
fn error_code(body: &str) -> String {
    let code = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/code")
                .and_then(|c| c.as_str())
                .map(str::to_owned)
        })
        .filter(|c| c.len() <= 100 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.'));
    code.map(|c| format!(", {c}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_error_code_is_repeated_from_a_response() {
        assert_eq!(
            error_code(r#"{"error": {"code": "AuthorizationFailed", "message": "long"}}"#),
            ", AuthorizationFailed"
        );
        // A body that is not an ARM error, or a code that is not a plain word, adds nothing.
        for body in [
            "<html>",
            r#"{"error": {"code": "Bearer eyJ abc"}}"#,
            r#"{"error": "x"}"#,
            "",
        ] {
            assert_eq!(error_code(body), "", "{body}");
        }
    }
}
