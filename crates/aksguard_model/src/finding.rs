//! What a scan produces: findings and load errors. The JSON report serialises these as they
//! are, so field names here are the public contract (see README "JSON report").

use std::sync::Arc;

use compact_str::CompactString;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL_DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        Self::ALL_DESCENDING
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    /// One step up (POD013 raises severity for writable mounts).
    pub fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The object a finding is on. Small strings are stored inline (no allocation each): a
/// large scan holds hundreds of thousands of findings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    pub api_version: CompactString,
    pub kind: CompactString,
    pub namespace: Option<CompactString>,
    pub name: CompactString,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Shared with every other finding in the same file.
    pub path: Arc<str>,
    pub line: u32,
    pub column: u32,
    /// Helm chart template the object was rendered from, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Arc<str>>,
}

/// The path scheme of an object read from the Kubernetes API:
/// `cluster://<context>/<namespace>/<Kind>/<name>` (cluster-scoped: no namespace).
pub const CLUSTER_SCHEME: &str = "cluster://";
/// The path scheme of a resource read from Azure Resource Manager: `azure://<resource id>`.
pub const AZURE_SCHEME: &str = "azure://";

impl Location {
    /// Whether the path names an object or resource read live rather than a file: its line
    /// and column (1, 1) carry no position.
    pub fn is_live(&self) -> bool {
        is_live_path(&self.path)
    }
}

/// Whether `path` names an object or resource read live (see [`Location::is_live`]).
pub fn is_live_path(path: &str) -> bool {
    path.starts_with(CLUSTER_SCHEME) || path.starts_with(AZURE_SCHEME)
}

/// What every finding of one rule says about the rule: made once per rule and borrowed by
/// its findings (a large scan holds hundreds of thousands of findings).
#[derive(Debug, PartialEq, Eq)]
pub struct RuleText {
    pub title: &'static str,
    pub remediation: &'static str,
    /// The rule's references as text.
    pub references: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule_id: &'static str,
    pub severity: Severity,
    /// The rule's title, remediation and references, shared by all of its findings.
    pub rule: &'static RuleText,
    pub message: Box<str>,
    /// Shared with the other findings on the same object.
    pub object: Arc<ObjectRef>,
    pub container: Option<CompactString>,
    pub location: Location,
    /// Stable identity of the finding across edits that move lines (SARIF
    /// `partialFingerprints`, baselines): see [`fingerprint`].
    pub fingerprint: Fingerprint,
    /// How to fix it, as data (issue 15: every finding gets one).
    pub fix: Option<Arc<crate::fix::Fix>>,
    /// Whether the finding lies on an attack path (issue 16): reports rank it first.
    pub on_attack_path: bool,
}

/// The JSON contract keeps the rule's texts as members of each finding, in this order.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = 10 + usize::from(self.fix.is_some()) + usize::from(self.on_attack_path);
        let mut out = serializer.serialize_struct("Finding", fields)?;
        out.serialize_field("rule_id", self.rule_id)?;
        out.serialize_field("severity", &self.severity)?;
        out.serialize_field("title", self.rule.title)?;
        out.serialize_field("message", &*self.message)?;
        out.serialize_field("object", &*self.object)?;
        out.serialize_field("container", &self.container)?;
        out.serialize_field("location", &self.location)?;
        out.serialize_field("remediation", self.rule.remediation)?;
        out.serialize_field("references", &self.rule.references)?;
        out.serialize_field("fingerprint", &self.fingerprint)?;
        if let Some(fix) = &self.fix {
            out.serialize_field("fix", &**fix)?;
        }
        if self.on_attack_path {
            out.serialize_field("on_attack_path", &true)?;
        }
        out.end()
    }
}

/// A finding's stable identity: the first 64 bits of a SHA-256 (see [`fingerprint`]), written
/// as 16 lowercase hex digits. Held as a number: a large scan holds hundreds of thousands.
/// Numeric order is the order of the hex text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    /// The 16 hex digits (inline: no allocation).
    pub fn to_hex(self) -> CompactString {
        compact_str::format_compact!("{self}")
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

/// A stable fingerprint: SHA-256 over the rule, the object's kind/namespace/name, the
/// container and the message with digits removed (so renumbered `ports[1]` or moved lines keep
/// it), cut to 64 bits. The source path is left out on purpose: moving a manifest between
/// files keeps its findings' identity.
pub fn fingerprint(
    rule_id: &str,
    object: &ObjectRef,
    container: Option<&str>,
    message: &str,
) -> Fingerprint {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [
        rule_id,
        &object.kind,
        object.namespace.as_deref().unwrap_or(""),
        &object.name,
        container.unwrap_or(""),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    // Digits do not count. An ASCII digit is one byte that never occurs inside a multi-byte
    // UTF-8 sequence, so splitting the bytes is splitting the text, without decoding chars.
    for piece in message.as_bytes().split(u8::is_ascii_digit) {
        hasher.update(piece);
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    Fingerprint(u64::from_be_bytes(first))
}

/// Why a finding is not counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    /// An `[[exception]]` of aksguard.toml.
    Exception,
    /// An `aksguard.io/ignore` annotation on the object.
    Annotation,
    /// Present in the `--baseline` file.
    Baseline,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub reason: String,
    /// `YYYY-MM-DD` the exception stops applying, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// A finding that an exception, annotation or baseline suppresses: counted and listed
/// (`--show-suppressed`), never silently dropped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    pub suppression: Suppression,
}

/// A file or document that could not be loaded. The scan goes on without it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadError {
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
}

impl LoadError {
    pub fn new(path: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        LoadError {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: &str, namespace: Option<&str>, name: &str) -> ObjectRef {
        ObjectRef {
            api_version: "v1".into(),
            kind: kind.into(),
            namespace: namespace.map(Into::into),
            name: name.into(),
        }
    }

    /// Baselines store these values: they must never change. (Expected values from an
    /// independent SHA-256: rule, kind, namespace, name and container each followed by a NUL
    /// byte, then the message without its ASCII digits.)
    #[test]
    fn fingerprints_are_stable() {
        let long = format!(
            "container `app` port 8080 (ports[12]) é {} 42 ünïcode 7",
            "x".repeat(150)
        );
        let web = object("Deployment", Some("shop"), "web");
        assert_eq!(
            fingerprint("POD001", &web, Some("app"), &long).to_string(),
            "5784f4698c69bb50"
        );
        let namespace = object("Namespace", None, "prod");
        assert_eq!(
            fingerprint("NET001", &namespace, None, "").to_hex(),
            "b38ab31bb1b61e12"
        );
        // Digits do not count: renumbered ports or lines keep the identity.
        assert_eq!(
            fingerprint("POD001", &web, Some("app"), "ports[1] on line 3"),
            fingerprint("POD001", &web, Some("app"), "ports[27] on line 90")
        );
    }
}
