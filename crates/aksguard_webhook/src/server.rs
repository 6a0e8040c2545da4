//! The HTTPS server: `POST /validate`, `GET /healthz`, `GET /readyz`, and `/metrics` on a
//! separate plain-HTTP listener.
//!
//! Bounds: bodies over [`MAX_BODY_BYTES`] get 413 before they are read whole; at most
//! `max_in_flight` reviews are judged at once; a review not answered within `deadline` gets
//! 503, so the API server applies the webhook's `failurePolicy` before its own timeout. A
//! review is judged on rayon's pool, where a panic in a rule is caught and the object is
//! allowed with a warning.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use aksguard_config::{UpdatePolicy, WebhookMode};
use aksguard_scan::AdmissionRequest;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::decide::{Action, decide};
use crate::judge::{Judge, Verdict};
use crate::metrics::{InFlight, Metrics};
use crate::policy::{self, ModeFrom};
use crate::review::{self, Answer, Request};
use crate::tls::{self, TlsFiles};

/// The API server sends at most 3 MiB (its own request limit).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Options {
    pub listen: SocketAddr,
    pub metrics_listen: SocketAddr,
    pub tls: TlsFiles,
    /// `--mode`, else `[webhook] mode`, else `warn`.
    pub default_mode: WebhookMode,
    /// A review not answered by then gets 503 (keep it below the webhook's timeoutSeconds).
    pub deadline: Duration,
    pub max_in_flight: usize,
    /// How often the certificate and key files are checked for a change.
    pub reload_interval: Duration,
    /// How long SIGTERM waits for requests in flight.
    pub grace: Duration,
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: Duration,
}

impl Options {
    pub fn new(tls: TlsFiles) -> Options {
        Options {
            listen: SocketAddr::from(([0, 0, 0, 0], 8443)),
            metrics_listen: SocketAddr::from(([0, 0, 0, 0], 9090)),
            tls,
            default_mode: policy::DEFAULT_MODE,
            deadline: Duration::from_millis(2500),
            max_in_flight: 256,
            reload_interval: Duration::from_secs(2),
            grace: Duration::from_secs(20),
            header_read_timeout: Duration::from_secs(30),
        }
    }
}

struct Shared {
    /// Replaced when the day changes (exception expiry); a review keeps the one it started with.
    judge: RwLock<Arc<Judge>>,
    default_mode: WebhookMode,
    deadline: Duration,
    limit: Arc<Semaphore>,
    metrics: Arc<Metrics>,
    ready: AtomicBool,
}

/// A started server.
pub struct Running {
    /// Where `/validate` listens (the port chosen when `listen` had port 0).
    pub addr: SocketAddr,
    pub metrics_addr: SocketAddr,
    shared: Arc<Shared>,
    handle: Handle<SocketAddr>,
    metrics_handle: Handle<SocketAddr>,
    server: JoinHandle<std::io::Result<()>>,
    metrics_server: JoinHandle<std::io::Result<()>>,
    watcher: JoinHandle<()>,
    day_watcher: JoinHandle<()>,
    grace: Duration,
}

/// Loads the certificate, binds both listeners and starts serving. Errors are the message
/// to show.
pub async fn start(options: Options, judge: Judge) -> Result<Running, String> {
    let metrics = Metrics::new();
    let pem = options.tls.read()?;
    let loaded = tls::load(&options.tls, &pem)?;
    metrics.certificate_expiry.set(loaded.not_after);
    let rustls = RustlsConfig::from_config(loaded.config);
    let rules = judge.rules().len();
    let skipped_rules = judge.skipped().len();
    let shared = Arc::new(Shared {
        judge: RwLock::new(Arc::new(judge)),
        default_mode: options.default_mode,
        deadline: options.deadline,
        limit: Arc::new(Semaphore::new(options.max_in_flight.max(1))),
        metrics: metrics.clone(),
        ready: AtomicBool::new(false),
    });
    let listener = bind(options.listen, "--listen")?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let metrics_listener = bind(options.metrics_listen, "--metrics-listen")?;
    let metrics_addr = metrics_listener.local_addr().map_err(|e| e.to_string())?;

    let app = Router::new()
        .route("/validate", post(validate))
        .route("/validate/{mode}", post(validate_in_mode))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(shared.clone());
    let handle = Handle::new();
    let mut server = axum_server::from_tcp_rustls(listener, rustls.clone())
        .map_err(|e| format!("--listen {addr}: {e}"))?;
    // A client that never finishes its request headers does not hold a connection forever
    // (axum-server turns hyper's 30 s default off).
    server
        .http_builder()
        .http1()
        .header_read_timeout(options.header_read_timeout);
    let server = server.handle(handle.clone()).serve(app.into_make_service());
    let server = tokio::spawn(server);

    let metrics_app = Router::new().route(
        "/metrics",
        get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [(
                        header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    metrics.render(),
                )
            }
        }),
    );
    let metrics_handle = Handle::new();
    let metrics_server = axum_server::from_tcp(metrics_listener)
        .map_err(|e| format!("--metrics-listen {metrics_addr}: {e}"))?
        .handle(metrics_handle.clone())
        .serve(metrics_app.into_make_service());
    let metrics_server = tokio::spawn(metrics_server);

    let watcher = tokio::spawn(tls::watch(
        options.tls.clone(),
        rustls,
        pem,
        options.reload_interval,
        shared.metrics.clone(),
    ));
    let day_watcher = tokio::spawn(follow_the_date(shared.clone()));
    shared.ready.store(true, Ordering::SeqCst);
    tracing::info!(
        addr = %addr,
        metrics_addr = %metrics_addr,
        rules,
        skipped_rules,
        default_mode = %options.default_mode,
        "listening on {addr}"
    );
    Ok(Running {
        addr,
        metrics_addr,
        shared,
        handle,
        metrics_handle,
        server,
        metrics_server,
        watcher,
        day_watcher,
        grace: options.grace,
    })
}

fn bind(addr: SocketAddr, flag: &str) -> Result<std::net::TcpListener, String> {
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| format!("{flag} {addr}: cannot bind: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("{flag} {addr}: {e}"))?;
    Ok(listener)
}

impl Running {
    /// Stops taking new connections, lets requests in flight finish (up to the grace
    /// period), then stops. `/readyz` turns 503 first, so load balancers stop sending.
    pub async fn shutdown(self) -> Result<(), String> {
        self.shared.ready.store(false, Ordering::SeqCst);
        tracing::info!(
            connections = self.handle.connection_count(),
            "shutting down: draining requests in flight"
        );
        self.handle.graceful_shutdown(Some(self.grace));
        let served = self.server.await;
        self.metrics_handle
            .graceful_shutdown(Some(Duration::from_secs(1)));
        let _ = self.metrics_server.await;
        self.watcher.abort();
        self.day_watcher.abort();
        match served {
            Ok(Ok(())) => {
                tracing::info!("stopped");
                Ok(())
            }
            Ok(Err(e)) => Err(format!("server error: {e}")),
            Err(e) => Err(format!("server task failed: {e}")),
        }
    }
}

/// Once a minute: when "today" (`AKSGUARD_AS_OF`, else the UTC date) is not the day the
/// settings were judged on, judge from now on as of today, so exceptions expire on time.
async fn follow_the_date(shared: Arc<Shared>) {
    let minute = Duration::from_secs(60);
    // The settings were just resolved for today: the first look is a minute from now.
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + minute, minute);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let Ok(today) = aksguard_config::today(None) else {
            continue;
        };
        let current = current_judge(&shared);
        if current.settings().as_of == today {
            continue;
        }
        let next = Arc::new(current.on_day(today));
        if let Ok(mut judge) = shared.judge.write() {
            *judge = next;
        }
        tracing::info!(as_of = %today, "exceptions now judged as of a new day");
    }
}

fn current_judge(shared: &Shared) -> Arc<Judge> {
    // A poisoned lock means a panic while swapping, which cannot happen (assignment only);
    // the inner value is still whole.
    match shared.judge.read() {
        Ok(judge) => judge.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    if shared.ready.load(Ordering::SeqCst) {
        "ok".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
    }
}

fn plain_error(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message + "\n",
    )
        .into_response()
}

/// What judging a body concluded.
enum Reply {
    Answer(Vec<u8>),
    Bad(String),
}

/// `POST /validate/{mode}`: the mode from the path, as the ValidatingWebhookConfiguration's
/// entry for each value of the namespace label sends it.
async fn validate_in_mode(
    State(shared): State<Arc<Shared>>,
    Path(mode): Path<String>,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let from_path = policy::path_mode(&mode);
    let from_query = policy::query_mode(uri.query());
    let mode = match (from_path, from_query) {
        (Ok(path), Ok(None)) => Ok(Some(path)),
        (Ok(path), Ok(Some(query))) if path == query => Ok(Some(path)),
        (Ok(_), Ok(Some(_))) => Err("the path and the query give different modes".to_owned()),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    review_http(shared, mode, body).await
}

/// `POST /validate[?mode=…]`.
async fn validate(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    review_http(shared, policy::query_mode(uri.query()), body).await
}

/// A review over HTTP: bounds, the deadline, errors as HTTP statuses. `mode` is what the URL
/// says (`Err`: an unknown mode, 400).
async fn review_http(
    shared: Arc<Shared>,
    mode: Result<Option<WebhookMode>, String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let _in_flight = InFlight::start(&shared.metrics);
    let metrics = shared.metrics.clone();
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            // Over MAX_BODY_BYTES (413), or the body broke off.
            let reason = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "too_large"
            } else {
                "bad_review"
            };
            metrics.rejected(reason);
            tracing::warn!(status = rejection.status().as_u16(), "review body rejected");
            return rejection.into_response();
        }
    };
    let query = match mode {
        Ok(query) => query,
        Err(err) => {
            metrics.rejected("bad_mode");
            return plain_error(StatusCode::BAD_REQUEST, err);
        }
    };
    let deadline = tokio::time::Instant::from_std(started + shared.deadline);
    let Ok(Ok(permit)) =
        tokio::time::timeout_at(deadline, shared.limit.clone().acquire_owned()).await
    else {
        metrics.rejected("overloaded");
        tracing::warn!("review not started before the deadline: too many in flight");
        return plain_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "aksguard webhook overloaded: review not judged before the deadline".into(),
        );
    };
    // Judged on rayon's pool (one thread per core): the pipeline's parallel steps then run
    // inline on that thread instead of handing work between thread pools for each review.
    let work = shared.clone();
    let (send, receive) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        // The permit lives as long as the work, also when the deadline has passed.
        let _permit = permit;
        // `answer` catches a panic of the judgement itself; this catches anything else, so
        // that a bug fails one request (500), never the pool.
        let reply = std::panic::catch_unwind(AssertUnwindSafe(|| answer(&work, query, &body)));
        let _ = send.send(reply);
    });
    let reply = match tokio::time::timeout_at(deadline, receive).await {
        Ok(Ok(Ok(reply))) => reply,
        Ok(_) => {
            tracing::error!("review failed unexpectedly");
            metrics.rejected("internal");
            return plain_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into());
        }
        Err(_) => {
            metrics.rejected("deadline");
            tracing::warn!(
                deadline_ms = shared.deadline.as_millis() as u64,
                "review not judged within the deadline"
            );
            return plain_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "aksguard webhook: review not judged within the deadline".into(),
            );
        }
    };
    metrics.duration.observe(started.elapsed().as_secs_f64());
    match reply {
        Reply::Answer(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Reply::Bad(message) => {
            metrics.rejected("bad_review");
            tracing::warn!(error = %message, "bad review");
            plain_error(StatusCode::BAD_REQUEST, message)
        }
    }
}

/// Everything after the body arrived, on rayon's pool: parse, decide, log, count.
fn answer(shared: &Shared, query: Option<WebhookMode>, body: &[u8]) -> Reply {
    let request = match review::parse(body) {
        Ok(request) => request,
        Err(err) => return Reply::Bad(err.0),
    };
    let subject = subject(&request);
    let dry_run = request.dry_run.unwrap_or(false);
    let kind = request.kind.kind.as_str();
    let judge = current_judge(shared);
    let webhook = &judge.settings().config.webhook;
    if let Some(reason) = policy::not_judged(webhook, &request) {
        tracing::debug!(uid = %request.uid, subject, dry_run, reason, "allowed without judgement");
        shared
            .metrics
            .review(&request.operation, kind, "not_judged");
        return Reply::Answer(review::respond(
            &request.uid,
            &Answer {
                allowed: true,
                ..Answer::default()
            },
        ));
    }
    let (mode, from) = policy::mode(
        query,
        webhook,
        shared.default_mode,
        request.namespace.as_deref(),
    );
    // Users' policies read the request (operation, requester, old object…); the old object
    // alone is judged as a scanned file would be, for the findings it had on its own.
    let admission = judge.has_policies().then(|| request.admission());
    let verdict = judge_object(
        &judge,
        &request,
        request.object.map(|o| o.get()),
        admission.as_ref(),
        &subject,
    );
    let existing = if mode == WebhookMode::Enforce
        && request.operation == "UPDATE"
        && webhook.update == UpdatePolicy::WarnExisting
        && let Some(old) = request.old_object
    {
        judge_object(&judge, &request, Some(old.get()), None, &subject).fingerprints()
    } else {
        Default::default()
    };
    let decision = decide(
        mode,
        judge.settings().effective.fail_on,
        &verdict.findings,
        &existing,
        &verdict.problems,
        &subject,
    );
    let outcome = if !decision.answer.allowed {
        "denied"
    } else if decision.answer.warnings.is_empty() {
        "allowed"
    } else {
        "warned"
    };
    shared.metrics.review(&request.operation, kind, outcome);
    for (finding, action) in verdict.findings.iter().zip(&decision.actions) {
        shared.metrics.finding(finding.rule_id, action.as_str());
        if *action == Action::Audit {
            tracing::info!(
                uid = %request.uid,
                rule = finding.rule_id,
                severity = %finding.severity,
                subject,
                container = finding.container.as_deref(),
                finding = &*finding.message,
                fingerprint = %finding.fingerprint,
                operation = %request.operation,
                dry_run,
                "audit finding"
            );
        }
    }
    log_decision(
        &request,
        &subject,
        mode,
        from,
        dry_run,
        outcome,
        &verdict,
        &decision.actions,
    );
    Reply::Answer(review::respond(&request.uid, &decision.answer))
}

#[allow(clippy::too_many_arguments)]
fn log_decision(
    request: &Request<'_>,
    subject: &str,
    mode: WebhookMode,
    from: ModeFrom,
    dry_run: bool,
    outcome: &str,
    verdict: &Verdict,
    actions: &[Action],
) {
    let rules = |wanted: Action| -> String {
        let mut ids: Vec<&str> = verdict
            .findings
            .iter()
            .zip(actions)
            .filter(|(_, a)| **a == wanted)
            .map(|(f, _)| f.rule_id)
            .collect();
        ids.dedup();
        ids.join(",")
    };
    if outcome == "allowed" && verdict.problems.is_empty() {
        tracing::debug!(uid = %request.uid, subject, mode = %mode, dry_run, "allowed");
        return;
    }
    tracing::info!(
        uid = %request.uid,
        subject,
        operation = %request.operation,
        user = %request.user_info.username,
        mode = %mode,
        mode_from = from.as_str(),
        dry_run,
        decision = outcome,
        denied_by = rules(Action::Deny),
        warned_by = rules(Action::Warn),
        audited = rules(Action::Audit),
        suppressed = verdict.suppressed,
        problems = verdict.problems.len(),
        "review decided"
    );
}

/// `Deployment shop/web`, for messages.
fn subject(request: &Request<'_>) -> String {
    let name = request
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or("(generated name)");
    match request.namespace.as_deref().filter(|n| !n.is_empty()) {
        Some(namespace) => format!("{} {namespace}/{name}", request.kind.kind),
        None => format!("{} {name}", request.kind.kind),
    }
}

/// Judges one object of the review, catching a panic in a rule (allowed with a warning).
fn judge_object(
    judge: &Judge,
    request: &Request<'_>,
    object: Option<&str>,
    admission: Option<&AdmissionRequest>,
    subject: &str,
) -> Verdict {
    let Some(object) = object.filter(|o| *o != "null") else {
        return Verdict {
            problems: vec!["could not judge this object: the review carries none".into()],
            ..Verdict::default()
        };
    };
    let label = format!("admission:{}", subject.replacen(' ', "/", 1));
    guarded(&request.uid, subject, || {
        judge.judge_request(&label, request.namespace.as_deref(), object, admission)
    })
}

/// Runs `judge`, turning a panic (a bug in a rule) into a problem: the object is allowed with
/// a warning, the server keeps serving, and the panic is logged (by the panic hook) once.
fn guarded(uid: &str, subject: &str, judge: impl FnOnce() -> Verdict) -> Verdict {
    std::panic::catch_unwind(AssertUnwindSafe(judge)).unwrap_or_else(|_| {
        tracing::error!(
            uid,
            subject,
            "a rule panicked while judging; allowed with a warning"
        );
        Verdict {
            problems: vec!["could not judge this object: internal error in a rule (logged)".into()],
            ..Verdict::default()
        }
    })
}

/// Runs the server on its own runtime until `signal` resolves (the binary passes its wait
/// for SIGTERM or SIGINT, which yields the signal's name), then drains and stops (`Ok` then:
/// exit 0). For the `aksguard webhook` command.
pub fn serve_until_signal<S>(options: Options, judge: Judge, signal: S) -> Result<(), String>
where
    S: std::future::Future<Output = Result<&'static str, String>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let running = start(options, judge).await?;
        let signal = signal.await?;
        tracing::info!(signal, "signal received");
        running.shutdown().await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_rule_becomes_a_problem() {
        let verdict = guarded("u", "Pod a/b", || panic!("index out of bounds"));
        assert!(verdict.findings.is_empty());
        assert_eq!(
            verdict.problems,
            ["could not judge this object: internal error in a rule (logged)"]
        );
        let fine = guarded("u", "Pod a/b", Verdict::default);
        assert!(fine.problems.is_empty());
    }
}
