//! Is a response the one we expected? Every failure has a kind, so the report can say how
//! requests failed (transport, status, body, decision) and not just how many.

use serde::Deserialize;
use std::fmt;

/// What a good response looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// HTTP 200 with an AdmissionReview v1 echoing the uid and `allowed: true`.
    Allowed,
    /// The same with `allowed: false`.
    Denied,
    /// HTTP 200 with an AdmissionReview v1 echoing the uid, whatever the decision.
    AnyDecision,
    /// Only this HTTP status (e.g. 400 for a malformed review, 200 for /healthz).
    Status(u16),
}

/// How a request failed. The label (`Display`) is the key in reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Failure {
    /// TCP connect refused or timed out.
    Connect,
    /// TLS handshake failed (untrusted certificate, name mismatch, no ALPN agreement...).
    Tls,
    /// The HTTP exchange failed after connecting (connection closed, protocol error).
    Io,
    /// No complete response within the request timeout.
    Timeout,
    /// An HTTP status other than the expected one.
    Status(u16),
    /// HTTP 200 but not an AdmissionReview v1 response.
    Body,
    /// An AdmissionReview answering another request's uid.
    Uid,
    /// `allowed` is not the expected decision.
    Decision { allowed: bool },
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Connect => write!(f, "connect"),
            Failure::Tls => write!(f, "tls"),
            Failure::Io => write!(f, "io"),
            Failure::Timeout => write!(f, "timeout"),
            Failure::Status(code) => write!(f, "status {code}"),
            Failure::Body => write!(f, "body (not an AdmissionReview v1)"),
            Failure::Uid => write!(f, "uid mismatch"),
            Failure::Decision { allowed: true } => write!(f, "decision (allowed, expected denied)"),
            Failure::Decision { allowed: false } => {
                write!(f, "decision (denied, expected allowed)")
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewOut {
    api_version: String,
    kind: String,
    response: Option<ResponseOut>,
}

#[derive(Deserialize)]
struct ResponseOut {
    uid: String,
    allowed: bool,
}

/// Judges one response to a request that carried `uid` (empty when the request had none).
pub fn check(expect: Expect, status: u16, body: &[u8], uid: &str) -> Result<(), Failure> {
    if let Expect::Status(want) = expect {
        return if status == want {
            Ok(())
        } else {
            Err(Failure::Status(status))
        };
    }
    if status != 200 {
        return Err(Failure::Status(status));
    }
    let review: ReviewOut = serde_json::from_slice(body).map_err(|_| Failure::Body)?;
    if review.api_version != "admission.k8s.io/v1" || review.kind != "AdmissionReview" {
        return Err(Failure::Body);
    }
    let response = review.response.ok_or(Failure::Body)?;
    if response.uid != uid {
        return Err(Failure::Uid);
    }
    match (expect, response.allowed) {
        (Expect::Allowed, false) | (Expect::Denied, true) => Err(Failure::Decision {
            allowed: response.allowed,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(uid: &str, allowed: bool) -> Vec<u8> {
        format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{{"uid":"{uid}","allowed":{allowed},"warnings":["POD011: x"]}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn decisions_are_checked_against_the_expectation() {
        assert_eq!(
            check(Expect::Allowed, 200, &review("u1", true), "u1"),
            Ok(())
        );
        assert_eq!(
            check(Expect::AnyDecision, 200, &review("u1", false), "u1"),
            Ok(())
        );
        assert_eq!(
            check(Expect::Denied, 200, &review("u1", false), "u1"),
            Ok(())
        );
        assert_eq!(
            check(Expect::Allowed, 200, &review("u1", false), "u1"),
            Err(Failure::Decision { allowed: false })
        );
        assert_eq!(
            check(Expect::Denied, 200, &review("u1", true), "u1"),
            Err(Failure::Decision { allowed: true })
        );
    }

    #[test]
    fn wrong_uid_status_or_body_fail_with_their_kind() {
        assert_eq!(
            check(Expect::Allowed, 200, &review("other", true), "u1"),
            Err(Failure::Uid)
        );
        assert_eq!(
            check(Expect::Allowed, 500, &review("u1", true), "u1"),
            Err(Failure::Status(500))
        );
        assert_eq!(check(Expect::Allowed, 200, b"ok", "u1"), Err(Failure::Body));
        let v1beta1 = br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true}}"#;
        assert_eq!(
            check(Expect::Allowed, 200, v1beta1, "u1"),
            Err(Failure::Body)
        );
        let no_response = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#;
        assert_eq!(
            check(Expect::AnyDecision, 200, no_response, "u1"),
            Err(Failure::Body)
        );
    }

    #[test]
    fn status_expectations_ignore_the_body() {
        assert_eq!(check(Expect::Status(400), 400, b"bad review", ""), Ok(()));
        assert_eq!(
            check(Expect::Status(400), 200, &review("u1", true), ""),
            Err(Failure::Status(200))
        );
        assert_eq!(check(Expect::Status(200), 200, b"ok", ""), Ok(()));
    }

    #[test]
    fn labels_are_stable_report_keys() {
        assert_eq!(Failure::Status(503).to_string(), "status 503");
        assert_eq!(Failure::Tls.to_string(), "tls");
        assert_eq!(
            Failure::Decision { allowed: false }.to_string(),
            "decision (denied, expected allowed)"
        );
    }
}
