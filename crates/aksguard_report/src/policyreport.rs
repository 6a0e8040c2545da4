//! `--format policyreport`: the scan as `wgpolicyk8s.io/v1alpha2` `PolicyReport` objects (one
//! per namespace with results) and one `ClusterPolicyReport`, a YAML stream that
//! `kubectl apply -f -` takes, for Policy Reporter and the other tools that read the reports
//! Kyverno writes (the Kubernetes Policy WG's API, kubernetes-sigs/wg-policy-prototypes).
//!
//! The shape (README "PolicyReport output"):
//! - a result per finding, `fail`, and per suppressed finding, `skip` (the suppression's kind,
//!   reason and expiry in `properties`); `policy` is the rule ID, `rule` its slug, `category`
//!   its family, `severity` the finding's, `source` `aksguard`, `scored` true, `resources` the
//!   object (`apiVersion`, `kind`, `name`, `namespace`), `message` the finding's message
//!   (secret-like values are already masked by the rules), `properties` the title, container,
//!   location (`path:line:column`, or the `cluster://…`/`azure://…` location), an Azure
//!   resource's ARM id (`resourceId`), the fingerprint and the docs link;
//! - passes are not listed: one per rule and object would be hundreds of thousands of
//!   entries, and the scan does not record which rule judged which namespace, so a per-rule
//!   "pass" for a namespace could claim a rule judged what it never saw. `summary.pass` is 0;
//! - the `ClusterPolicyReport` holds cluster-scoped objects, Azure resources and objects
//!   without a (valid) namespace, plus a `skip` result per rule that judged nothing (reason in
//!   the message, `scored: false`) and an `error` result per input that could not be read
//!   (a kind the credentials may not list, a broken file): an incomplete scan never looks
//!   clean. It is always written, empty when there is nothing to say, so applying it replaces
//!   the previous scan's;
//! - names are `aksguard-<namespace>` and `aksguard-cluster`; a report whose results would pass
//!   [`MAX_RESULTS_BYTES`] is continued in `aksguard-<namespace>-2`, `-3`… so every object
//!   stays under what client-side `kubectl apply` can store (its last-applied annotation
//!   counts against the 256 KiB annotation limit); every object is labelled
//!   `app.kubernetes.io/managed-by: aksguard`;
//! - every string a YAML parser could read as something else is double-quoted
//!   ([`crate::quoted_yaml`]): kubectl's YAML 1.1 parser would turn a plain `2027-03-31` into a
//!   timestamp and `no` into a boolean.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use aksguard_model::{Finding, LoadError, Suppression, SuppressionKind};
use aksguard_rules::Rule;
use serde::Serialize;

use crate::{ScanReport, TOOL_NAME, rule_doc_url};

pub const API_VERSION: &str = "wgpolicyk8s.io/v1alpha2";
/// `metadata.labels` key and value every report carries (select them with `-l`).
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", TOOL_NAME);
/// The `ClusterPolicyReport`'s name.
pub const CLUSTER_REPORT_NAME: &str = "aksguard-cluster";
/// The results of one object, as JSON, at most this many bytes: client-side `kubectl apply`
/// copies the object into an annotation, and all annotations of an object share 256 KiB.
pub const MAX_RESULTS_BYTES: usize = 160 * 1024;
/// The `policy` of `error` results (inputs that could not be read).
pub const ERROR_POLICY: &str = "aksguard-input";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    summary: Summary,
    results: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Metadata {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    labels: BTreeMap<&'static str, &'static str>,
}

#[derive(Serialize, Default)]
struct Summary {
    pass: usize,
    fail: usize,
    warn: usize,
    error: usize,
    skip: usize,
}

/// One `PolicyReportResult`.
#[derive(Serialize)]
struct Entry<'a> {
    source: &'static str,
    policy: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
    timestamp: Timestamp,
    result: Outcome,
    scored: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<ObjectReference<'a>>,
    message: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, String>,
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Fail,
    Skip,
    Error,
}

/// `metav1.Timestamp`: protobuf time, seconds and nanoseconds since the Unix epoch.
#[derive(Serialize, Clone, Copy)]
struct Timestamp {
    seconds: i64,
    nanos: i32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectReference<'a> {
    api_version: &'a str,
    kind: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
}

/// The scan as a YAML stream of `PolicyReport`s (namespaces in name order) then the
/// `ClusterPolicyReport`(s), each document starting with `---`. `at` is the results'
/// timestamp (the scan's time).
pub fn render(report: &ScanReport, at: SystemTime) -> String {
    let mut out = String::new();
    for document in documents(report, at) {
        out.push_str("---\n");
        crate::quoted_yaml::write_document(&mut out, &document);
    }
    out
}

/// The report objects [`render`] writes, one JSON value each, in the same order: what
/// `scan --publish-policyreports` applies to the cluster.
pub fn documents(report: &ScanReport, at: SystemTime) -> Vec<serde_json::Value> {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let timestamp = Timestamp {
        seconds: i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        nanos: i32::try_from(since.subsec_nanos()).unwrap_or(0),
    };
    let rules: HashMap<&str, &'static Rule> = report.rules.iter().map(|r| (r.id, *r)).collect();
    let rule_of = |id: &str| {
        rules
            .get(id)
            .copied()
            .or_else(|| aksguard_rules::find_rule(id).filter(|r| r.id == id))
    };

    // `None`: the cluster report.
    let mut groups: BTreeMap<Option<&str>, Vec<Entry<'_>>> = BTreeMap::new();
    groups.entry(None).or_default();
    for finding in &report.findings {
        let entry = finding_entry(finding, rule_of(finding.rule_id), None, timestamp);
        groups
            .entry(report_namespace(finding))
            .or_default()
            .push(entry);
    }
    for suppressed in &report.suppressed {
        let finding = &suppressed.finding;
        let entry = finding_entry(
            finding,
            rule_of(finding.rule_id),
            Some(&suppressed.suppression),
            timestamp,
        );
        groups
            .entry(report_namespace(finding))
            .or_default()
            .push(entry);
    }
    let cluster = groups.entry(None).or_default();
    for coverage in report.not_judged() {
        cluster.push(not_judged_entry(
            coverage.rule_id,
            rule_of(coverage.rule_id),
            coverage.reason.as_deref().unwrap_or_default(),
            timestamp,
        ));
    }
    for error in &report.errors {
        cluster.push(error_entry(error, timestamp));
    }

    let mut out = Vec::new();
    // Namespaces first (in name order), the cluster report last.
    let cluster = groups.remove(&None).unwrap_or_default();
    let ordered = groups.into_iter().chain(std::iter::once((None, cluster)));
    for (namespace, entries) in ordered {
        let base = match namespace {
            Some(ns) => format!("aksguard-{ns}"),
            None => CLUSTER_REPORT_NAME.to_owned(),
        };
        for (part, results) in split_by_size(entries).into_iter().enumerate() {
            let name = match part {
                0 => base.clone(),
                n => format!("{base}-{}", n + 1),
            };
            let document = Report {
                api_version: API_VERSION,
                kind: if namespace.is_some() {
                    "PolicyReport"
                } else {
                    "ClusterPolicyReport"
                },
                metadata: Metadata {
                    name,
                    namespace: namespace.map(str::to_owned),
                    labels: BTreeMap::from([MANAGED_BY]),
                },
                summary: summarise(&results),
                results,
            };
            out.push(serde_json::to_value(&document).expect("a report serialises"));
        }
    }
    out
}

/// The namespace whose `PolicyReport` holds the finding: its object's, when that is a valid
/// namespace name (a DNS label); `None` (the cluster report) for cluster-scoped objects,
/// Azure resources, and file objects without a namespace or with one no cluster could have.
fn report_namespace(finding: &Finding) -> Option<&str> {
    // An Azure resource belongs to no Kubernetes namespace, whatever its model says.
    if crate::location::Place::of(&finding.location.path) == crate::location::Place::Azure {
        return None;
    }
    finding
        .object
        .namespace
        .as_deref()
        .filter(|ns| is_dns_label(ns))
}

/// RFC 1123 label, as Kubernetes requires of namespace names: at most 63 lowercase letters,
/// digits and `-`, starting and ending with a letter or digit.
pub fn is_dns_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    let edge = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes.first().is_some_and(edge)
        && bytes.last().is_some_and(edge)
        && bytes.iter().all(|b| edge(b) || *b == b'-')
}

fn finding_entry<'a>(
    finding: &'a Finding,
    rule: Option<&'static Rule>,
    suppression: Option<&'a Suppression>,
    timestamp: Timestamp,
) -> Entry<'a> {
    let object = &finding.object;
    let location = &finding.location;
    let mut properties = BTreeMap::from([
        ("title", finding.rule.title.to_owned()),
        ("fingerprint", finding.fingerprint.to_hex().to_string()),
        ("docs", rule_doc_url(finding.rule_id)),
        ("location", crate::location::position(location).into_owned()),
    ]);
    if let Some(container) = &finding.container {
        properties.insert("container", container.to_string());
    }
    if let Some(template) = &location.template {
        properties.insert("template", template.to_string());
    }
    // An Azure resource's ARM id (a Kubernetes object's id is its `location`).
    if crate::location::Place::of(&location.path) == crate::location::Place::Azure
        && let Some(id) = crate::location::resource_id(&location.path)
    {
        properties.insert("resourceId", id.into_owned());
    }
    if let Some(suppression) = suppression {
        let kind = match suppression.kind {
            SuppressionKind::Exception => "exception",
            SuppressionKind::Annotation => "annotation",
            SuppressionKind::Baseline => "baseline",
        };
        properties.insert("suppressedBy", kind.to_owned());
        properties.insert("reason", suppression.reason.clone());
        if let Some(expires) = &suppression.expires {
            properties.insert("expires", expires.clone());
        }
    }
    Entry {
        source: TOOL_NAME,
        policy: finding.rule_id,
        rule: rule.map(|r| r.slug),
        category: rule.map(|r| r.family.title()),
        severity: Some(finding.severity.as_str()),
        timestamp,
        result: if suppression.is_some() {
            Outcome::Skip
        } else {
            Outcome::Fail
        },
        scored: true,
        resources: vec![ObjectReference {
            api_version: &object.api_version,
            kind: &object.kind,
            name: &object.name,
            namespace: object.namespace.as_deref(),
        }],
        message: finding.message.to_string(),
        properties,
    }
}

/// A rule that ran and judged nothing: `skip`, not scored, the reason as the message.
fn not_judged_entry<'a>(
    rule_id: &'a str,
    rule: Option<&'static Rule>,
    reason: &str,
    timestamp: Timestamp,
) -> Entry<'a> {
    let mut properties = BTreeMap::from([("notJudged", "true".to_owned())]);
    if let Some(rule) = rule {
        properties.insert("title", rule.title.to_owned());
    }
    Entry {
        source: TOOL_NAME,
        policy: rule_id,
        rule: rule.map(|r| r.slug),
        category: rule.map(|r| r.family.title()),
        severity: rule.map(|r| r.severity.as_str()),
        timestamp,
        result: Outcome::Skip,
        scored: false,
        resources: Vec::new(),
        message: format!("not judged: {reason}"),
        properties,
    }
}

/// An input that could not be read: `error`, so the report never looks clean without it.
fn error_entry(error: &LoadError, timestamp: Timestamp) -> Entry<'_> {
    let mut properties = BTreeMap::from([("path", error.path.clone())]);
    if let Some(line) = error.line {
        properties.insert("line", line.to_string());
    }
    Entry {
        source: TOOL_NAME,
        policy: ERROR_POLICY,
        rule: None,
        category: None,
        severity: None,
        timestamp,
        result: Outcome::Error,
        scored: false,
        resources: Vec::new(),
        message: error.to_string(),
        properties,
    }
}

fn summarise(results: &[Entry<'_>]) -> Summary {
    let mut summary = Summary::default();
    for entry in results {
        match entry.result {
            Outcome::Fail => summary.fail += 1,
            Outcome::Skip => summary.skip += 1,
            Outcome::Error => summary.error += 1,
        }
    }
    summary
}

/// Consecutive runs of results whose JSON stays within [`MAX_RESULTS_BYTES`] (a single larger
/// result gets a report of its own). Always at least one part, so an empty report is written.
fn split_by_size(entries: Vec<Entry<'_>>) -> Vec<Vec<Entry<'_>>> {
    let mut parts: Vec<Vec<Entry<'_>>> = vec![Vec::new()];
    let mut size = 0;
    for entry in entries {
        let bytes = serde_json::to_vec(&entry).map_or(0, |json| json.len() + 1);
        let current = parts.last().map_or(0, Vec::len);
        if current > 0 && size + bytes > MAX_RESULTS_BYTES {
            parts.push(Vec::new());
            size = 0;
        }
        size += bytes;
        if let Some(part) = parts.last_mut() {
            part.push(entry);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_must_be_dns_labels() {
        for good in ["shop", "a", "kube-system", "x1-2", &"a".repeat(63)] {
            assert!(is_dns_label(good), "{good}");
        }
        for bad in [
            "",
            "Shop",
            "-a",
            "a-",
            "a_b",
            "a.b",
            "{{ .Release.Namespace }}",
            &"a".repeat(64),
        ] {
            assert!(!is_dns_label(bad), "{bad}");
        }
    }
}
