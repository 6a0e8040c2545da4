//! admission.k8s.io/v1 AdmissionReview: the request fields aksguard reads, and the response.
//!
//! Hand-written rather than the full Kubernetes types: a review carries the object twice on
//! UPDATE, and only `request.object` / `request.oldObject` matter here, so they stay raw JSON
//! text (borrowed from the body, never copied into a value tree) for aksguard's loader to
//! parse once. Fields aksguard does not read are skipped by serde.
//!
//! Errors never quote the body: a malformed review may hold a Secret.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

pub const API_VERSION: &str = "admission.k8s.io/v1";
pub const KIND: &str = "AdmissionReview";

#[derive(Deserialize)]
struct ReviewIn<'a> {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    #[serde(borrow)]
    request: Option<Request<'a>>,
}

/// `request` of an AdmissionReview.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request<'a> {
    #[serde(default)]
    pub uid: String,
    #[serde(default)]
    pub kind: GroupVersionKind,
    pub name: Option<String>,
    pub namespace: Option<String>,
    #[serde(default)]
    pub operation: String,
    #[serde(default)]
    pub user_info: UserInfo,
    #[serde(borrow)]
    pub object: Option<&'a RawValue>,
    #[serde(borrow)]
    pub old_object: Option<&'a RawValue>,
    #[serde(default)]
    pub dry_run: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct GroupVersionKind {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserInfo {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub uid: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// Kept as sent (a map of lists of strings), for users' policies only.
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
}

impl UserInfo {
    /// `userInfo` as policies read it: the fields the request had.
    pub fn to_json(&self) -> serde_json::Value {
        let mut user = serde_json::json!({"username": self.username, "groups": self.groups});
        if let Some(uid) = &self.uid {
            user["uid"] = uid.as_str().into();
        }
        if let Some(extra) = self.extra.as_ref().filter(|e| !e.is_null()) {
            user["extra"] = extra.clone();
        }
        user
    }
}

impl Request<'_> {
    /// What users' policies read of this request. The old object is parsed here, only for
    /// them (the rules never read it from this value).
    pub fn admission(&self) -> aksguard_scan::AdmissionRequest {
        aksguard_scan::AdmissionRequest {
            operation: self.operation.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            user_info: self.user_info.to_json(),
            old_object: self
                .old_object
                .and_then(|raw| serde_json::from_str(raw.get()).ok())
                .filter(|old: &serde_json::Value| !old.is_null()),
            dry_run: self.dry_run.unwrap_or(false),
        }
    }
}

/// Why a body is not a review aksguard can answer (HTTP 400).
#[derive(Debug, PartialEq, Eq)]
pub struct BadReview(pub String);

impl std::fmt::Display for BadReview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// At most 64 characters of a value the client sent, for an error message.
fn shown(text: &str) -> String {
    let mut out: String = text.chars().take(64).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Parses a body into its request: an `admission.k8s.io/v1` `AdmissionReview` with a
/// `request` that has a `uid`.
pub fn parse(body: &[u8]) -> Result<Request<'_>, BadReview> {
    let review: ReviewIn<'_> = serde_json::from_slice(body).map_err(|e| {
        // The position and the category only: serde's own text may quote a value.
        let what = match e.classify() {
            serde_json::error::Category::Io | serde_json::error::Category::Syntax => {
                "not valid JSON"
            }
            serde_json::error::Category::Eof => "truncated JSON",
            serde_json::error::Category::Data => "a field has the wrong type",
        };
        BadReview(format!(
            "malformed AdmissionReview: {what} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    match review.api_version.as_deref() {
        Some(API_VERSION) => {}
        Some(other) => {
            return Err(BadReview(format!(
                "unsupported apiVersion `{}`: aksguard answers {API_VERSION} AdmissionReviews \
                 (set admissionReviewVersions: [\"v1\"])",
                shown(other)
            )));
        }
        None => {
            return Err(BadReview(format!(
                "not an AdmissionReview: `apiVersion` is missing (expected {API_VERSION})"
            )));
        }
    }
    if review.kind.as_deref() != Some(KIND) {
        return Err(BadReview(format!(
            "not an AdmissionReview: `kind` is `{}`",
            shown(review.kind.as_deref().unwrap_or(""))
        )));
    }
    let Some(request) = review.request else {
        return Err(BadReview(
            "AdmissionReview has no `request` (a response cannot be judged)".into(),
        ));
    };
    if request.uid.trim().is_empty() {
        return Err(BadReview(
            "AdmissionReview `request.uid` is missing or empty".into(),
        ));
    }
    Ok(request)
}

/// The answer to one review.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Answer {
    pub allowed: bool,
    /// Shown to `kubectl` users when the request is denied.
    pub denial: Option<String>,
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
struct ReviewOut<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    response: ResponseOut<'a>,
}

#[derive(Serialize)]
struct ResponseOut<'a> {
    uid: &'a str,
    allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<StatusOut<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
}

#[derive(Serialize)]
struct StatusOut<'a> {
    code: u16,
    reason: &'static str,
    message: &'a str,
}

/// The AdmissionReview that answers request `uid`.
pub fn respond(uid: &str, answer: &Answer) -> Vec<u8> {
    let review = ReviewOut {
        api_version: API_VERSION,
        kind: KIND,
        response: ResponseOut {
            uid,
            allowed: answer.allowed,
            status: answer.denial.as_deref().map(|message| StatusOut {
                code: 403,
                reason: "Forbidden",
                message,
            }),
            warnings: &answer.warnings,
        },
    };
    // Serialising plain strings and booleans cannot fail.
    serde_json::to_vec(&review).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fields_it_needs_and_keeps_objects_raw() {
        let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
            "request":{"uid":"u1","kind":{"group":"apps","version":"v1","kind":"Deployment"},
            "resource":{"group":"apps","version":"v1","resource":"deployments"},
            "name":"web","namespace":"shop","operation":"UPDATE",
            "userInfo":{"username":"alice","groups":["dev","system:authenticated"]},
            "object":{"kind":"Deployment","spec":{"replicas":2}},
            "oldObject":{"kind":"Deployment"},"dryRun":true,"options":{}}}"#;
        let request = parse(body).unwrap();
        assert_eq!(request.uid, "u1");
        assert_eq!(request.kind.kind, "Deployment");
        assert_eq!(request.namespace.as_deref(), Some("shop"));
        assert_eq!(request.operation, "UPDATE");
        assert_eq!(request.user_info.groups, ["dev", "system:authenticated"]);
        assert_eq!(
            request.object.unwrap().get(),
            r#"{"kind":"Deployment","spec":{"replicas":2}}"#
        );
        assert!(request.old_object.is_some());
        assert_eq!(request.dry_run, Some(true));
    }

    #[test]
    fn rejects_what_is_not_a_v1_review_without_quoting_the_body() {
        let cases: [(&[u8], &str); 7] = [
            (b"{\"apiVersion\": \"admission", "truncated JSON"),
            (b"password=hunter2", "not valid JSON"),
            (
                br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"a"}}"#,
                "unsupported apiVersion `admission.k8s.io/v1beta1`",
            ),
            (br#"{"kind":"AdmissionReview"}"#, "`apiVersion` is missing"),
            (
                br#"{"apiVersion":"admission.k8s.io/v1","kind":"Pod"}"#,
                "`kind` is `Pod`",
            ),
            (
                br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#,
                "no `request`",
            ),
            (
                br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"object":{"data":{"k":"hunter2"}}}}"#,
                "`request.uid` is missing",
            ),
        ];
        for (body, needle) in cases {
            let err = parse(body).unwrap_err().0;
            assert!(err.contains(needle), "{err}");
            assert!(!err.contains("hunter2"), "{err}");
        }
        let typed = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"s3cr3t-is-not-echoed","dryRun":"hunter2"}}"#;
        let err = parse(typed).unwrap_err().0;
        assert!(
            err.contains("wrong type") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn response_carries_uid_status_and_warnings() {
        let denied = Answer {
            allowed: false,
            denial: Some("POD001".into()),
            warnings: vec!["w".into()],
        };
        let json: serde_json::Value = serde_json::from_slice(&respond("u9", &denied)).unwrap();
        assert_eq!(json["apiVersion"], API_VERSION);
        assert_eq!(json["kind"], KIND);
        assert_eq!(json["response"]["uid"], "u9");
        assert_eq!(json["response"]["allowed"], false);
        assert_eq!(json["response"]["status"]["code"], 403);
        assert_eq!(json["response"]["status"]["message"], "POD001");
        assert_eq!(json["response"]["warnings"][0], "w");
        let allowed = Answer {
            allowed: true,
            ..Answer::default()
        };
        let json: serde_json::Value = serde_json::from_slice(&respond("u", &allowed)).unwrap();
        assert!(json["response"].get("status").is_none());
        assert!(json["response"].get("warnings").is_none());
    }
}
