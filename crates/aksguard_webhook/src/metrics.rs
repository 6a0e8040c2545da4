//! Prometheus metrics, served as text on the plain-HTTP metrics listener:
//!
//! - `aksguard_webhook_reviews_total{operation,kind,decision}`: every answered review;
//!   `decision` is `allowed`, `denied`, `warned` (allowed with warnings) or `not_judged`;
//! - `aksguard_webhook_findings_total{rule,action}`: findings by rule and what they caused
//!   (`deny`, `warn`, `audit`);
//! - `aksguard_webhook_rejected_requests_total{reason}`: requests answered with an HTTP error
//!   (`bad_review`, `bad_mode`, `too_large`, `deadline`, `overloaded`, `internal`);
//! - `aksguard_webhook_review_duration_seconds`: time to answer a review (histogram);
//! - `aksguard_webhook_in_flight_requests`: reviews being answered now;
//! - `aksguard_webhook_certificate_expiry_timestamp_seconds`: notAfter of the served
//!   certificate (Unix time);
//! - `aksguard_webhook_certificate_reloads_total{result}`: `ok` / `error`.

use std::sync::Arc;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, String)>;

pub struct Metrics {
    registry: Registry,
    pub reviews: Family<Labels, Counter>,
    pub findings: Family<Labels, Counter>,
    pub rejected: Family<Labels, Counter>,
    pub duration: Histogram,
    pub in_flight: Gauge,
    pub certificate_expiry: Gauge,
    pub certificate_reloads: Family<Labels, Counter>,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("aksguard_webhook");
        let reviews = Family::<Labels, Counter>::default();
        registry.register(
            "reviews",
            "AdmissionReviews answered, by operation, kind and decision",
            reviews.clone(),
        );
        let findings = Family::<Labels, Counter>::default();
        registry.register(
            "findings",
            "Findings in reviews, by rule and action (deny, warn, audit)",
            findings.clone(),
        );
        let rejected = Family::<Labels, Counter>::default();
        registry.register(
            "rejected_requests",
            "Requests answered with an HTTP error, by reason",
            rejected.clone(),
        );
        // 100 µs to ~3.3 s: the webhook answers in well under a millisecond; the top buckets
        // show requests that ran into the deadline.
        let duration = Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
            0.0001, 2.0, 16,
        ));
        registry.register(
            "review_duration_seconds",
            "Time to answer a review",
            duration.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "in_flight_requests",
            "Reviews being answered",
            in_flight.clone(),
        );
        let certificate_expiry = Gauge::default();
        registry.register(
            "certificate_expiry_timestamp_seconds",
            "notAfter of the served TLS certificate, as Unix time",
            certificate_expiry.clone(),
        );
        let certificate_reloads = Family::<Labels, Counter>::default();
        registry.register(
            "certificate_reloads",
            "Certificate and key reloads after the files changed, by result",
            certificate_reloads.clone(),
        );
        Arc::new(Metrics {
            registry,
            reviews,
            findings,
            rejected,
            duration,
            in_flight,
            certificate_expiry,
            certificate_reloads,
        })
    }

    pub fn review(&self, operation: &str, kind: &str, decision: &str) {
        self.reviews
            .get_or_create(&vec![
                ("operation", operation.to_owned()),
                ("kind", kind.to_owned()),
                ("decision", decision.to_owned()),
            ])
            .inc();
    }

    pub fn finding(&self, rule: &str, action: &str) {
        self.findings
            .get_or_create(&vec![
                ("rule", rule.to_owned()),
                ("action", action.to_owned()),
            ])
            .inc();
    }

    pub fn rejected(&self, reason: &'static str) {
        self.rejected
            .get_or_create(&vec![("reason", reason.to_owned())])
            .inc();
    }

    pub fn certificate_reload(&self, ok: bool) {
        let result = if ok { "ok" } else { "error" };
        self.certificate_reloads
            .get_or_create(&vec![("result", result.to_owned())])
            .inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Counts a request in flight until dropped (also when the handler is cancelled).
pub struct InFlight(Arc<Metrics>);

impl InFlight {
    pub fn start(metrics: &Arc<Metrics>) -> InFlight {
        metrics.in_flight.inc();
        InFlight(metrics.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.dec();
    }
}
