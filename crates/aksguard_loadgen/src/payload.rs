//! What the generator sends: a realistic AdmissionReview (CREATE of a ~6 KB Deployment with two
//! containers) whose `uid` changes with every request, and a small rotation of malformed reviews
//! for bursts. Both come from test data kept in this crate, never from the corpus.

use bytes::Bytes;
use std::fmt;

/// The review template as written (pretty-printed; compacted before use).
pub const DEPLOYMENT_REVIEW: &str = include_str!("../testdata/deployment-review.json");

/// The placeholder `request.uid` in [`DEPLOYMENT_REVIEW`]; each request replaces it.
const PLACEHOLDER_UID: &str = "00000000-0000-0000-0000-000000000000";

/// A compact AdmissionReview body with one `uid` slot, rendered once per request.
#[derive(Debug, Clone)]
pub struct ReviewTemplate {
    body: Vec<u8>,
    uid_at: usize,
}

/// Why a review template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "review template: {}", self.0)
    }
}

impl std::error::Error for TemplateError {}

impl ReviewTemplate {
    /// Compacts `json` (as the API server sends it) and finds the one placeholder uid.
    pub fn from_json(json: &str) -> Result<ReviewTemplate, TemplateError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|err| TemplateError(format!("not JSON: {err}")))?;
        let uid = value.pointer("/request/uid").and_then(|uid| uid.as_str());
        if uid != Some(PLACEHOLDER_UID) {
            return Err(TemplateError(format!(
                "request.uid must be the placeholder {PLACEHOLDER_UID}"
            )));
        }
        let body = serde_json::to_vec(&value)
            .map_err(|err| TemplateError(format!("cannot compact: {err}")))?;
        let needle = PLACEHOLDER_UID.as_bytes();
        let mut hits = body
            .windows(needle.len())
            .enumerate()
            .filter(|(_, window)| *window == needle)
            .map(|(at, _)| at);
        let uid_at = hits
            .next()
            .ok_or_else(|| TemplateError("placeholder uid not found".into()))?;
        if hits.next().is_some() {
            return Err(TemplateError(
                "the placeholder uid occurs more than once".into(),
            ));
        }
        Ok(ReviewTemplate { body, uid_at })
    }

    /// The built-in Deployment review.
    pub fn deployment() -> ReviewTemplate {
        ReviewTemplate::from_json(DEPLOYMENT_REVIEW).expect("the built-in review is valid")
    }

    /// Body size in bytes (the same for every request).
    pub fn len(&self) -> usize {
        self.body.len()
    }

    /// Never true for a template made by [`ReviewTemplate::from_json`].
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// The body for request number `ticket`, and the uid the response must echo.
    pub fn render(&self, ticket: u64) -> (Bytes, String) {
        let uid = uid_for(ticket);
        let mut body = self.body.clone();
        body[self.uid_at..self.uid_at + uid.len()].copy_from_slice(uid.as_bytes());
        (Bytes::from(body), uid)
    }
}

/// A UUID-shaped (36 characters) uid unique per ticket, in the version-4 layout.
pub fn uid_for(ticket: u64) -> String {
    format!(
        "{:08x}-{:04x}-4000-8000-{:012x}",
        (ticket >> 48) as u32,
        (ticket >> 32) as u16,
        ticket & 0xffff_ffff
    )
}

/// How many distinct malformed bodies [`malformed_body`] rotates through.
pub const MALFORMED_KINDS: u64 = 4;

/// Malformed reviews a webhook must answer with HTTP 400 (never a panic or a hang): the
/// Deployment review cut in half, the same review as `admission.k8s.io/v1beta1`, a v1 review
/// without `request`, and text that is not JSON. `ticket` picks one in turn.
pub fn malformed_body(template: &ReviewTemplate, ticket: u64) -> Bytes {
    match ticket % MALFORMED_KINDS {
        0 => Bytes::copy_from_slice(&template.body[..template.body.len() / 2]),
        1 => {
            let text = String::from_utf8_lossy(&template.body).replacen(
                "\"admission.k8s.io/v1\"",
                "\"admission.k8s.io/v1beta1\"",
                1,
            );
            Bytes::from(text.into_bytes())
        }
        2 => {
            Bytes::from_static(br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#)
        }
        _ => Bytes::from_static(b"this is not an AdmissionReview"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_review_is_about_six_kilobytes_with_two_containers() {
        let template = ReviewTemplate::deployment();
        assert!(
            (5_500..=6_500).contains(&template.len()),
            "{} bytes",
            template.len()
        );
        let (body, _) = template.render(1);
        let review: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(review["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(review["request"]["operation"], "CREATE");
        let containers = review
            .pointer("/request/object/spec/template/spec/containers")
            .and_then(|c| c.as_array())
            .unwrap();
        assert_eq!(containers.len(), 2);
        for container in containers {
            for field in [
                "env",
                "resources",
                "readinessProbe",
                "livenessProbe",
                "securityContext",
            ] {
                assert!(container.get(field).is_some(), "{field}");
            }
        }
    }

    #[test]
    fn every_request_carries_its_own_uid() {
        let template = ReviewTemplate::deployment();
        let (first, uid1) = template.render(1);
        let (second, uid2) = template.render(u64::MAX);
        assert_ne!(uid1, uid2);
        assert_eq!(uid1.len(), 36);
        assert_eq!(uid2.len(), 36);
        assert_eq!(first.len(), second.len());
        for (body, uid) in [(first, uid1), (second, uid2)] {
            let review: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(review["request"]["uid"], uid.as_str());
        }
    }

    #[test]
    fn templates_without_exactly_one_placeholder_are_refused() {
        assert!(ReviewTemplate::from_json("{").is_err());
        assert!(ReviewTemplate::from_json(r#"{"request":{"uid":"x"}}"#).is_err());
        let twice =
            format!(r#"{{"request":{{"uid":"{PLACEHOLDER_UID}","name":"{PLACEHOLDER_UID}"}}}}"#);
        assert!(ReviewTemplate::from_json(&twice).is_err());
    }

    #[test]
    fn malformed_bodies_are_all_invalid_v1_reviews() {
        let template = ReviewTemplate::deployment();
        let mut seen = std::collections::BTreeSet::new();
        for ticket in 0..MALFORMED_KINDS {
            let body = malformed_body(&template, ticket);
            seen.insert(body.clone());
            let valid_v1 = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .filter(|review| review["apiVersion"] == "admission.k8s.io/v1")
                .and_then(|review| review.get("request").cloned())
                .is_some();
            assert!(!valid_v1, "ticket {ticket} is a valid v1 review");
        }
        assert_eq!(seen.len() as u64, MALFORMED_KINDS);
    }
}
