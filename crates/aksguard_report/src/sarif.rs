//! SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.
//!
//! Written with our own borrowed serde structs (the subset of the schema we fill), like the
//! JSON report, rather than serde-sarif: that crate's generated types need owned copies of
//! every string and `serde_json::Value` for enums, and pull a schema code generator into the
//! build. The test suite validates the output against the official schema instead.
//!
//! Locations (README "SARIF, JUnit and Markdown reports"):
//! - a file path becomes a relative URI (forward slashes, percent-encoded, no leading `./`)
//!   against `%SRCROOT%`, the directory the scan ran in; an absolute path under it is made
//!   relative, one outside it becomes an absolute `file://` URI;
//! - an object rendered from a chart (`DIR (helm template)`) points at its template file
//!   `DIR/templates/…` (from Helm's `# Source:` comment), one from `DIR (kubectl kustomize)`
//!   at `DIR/kustomization.yaml`; line numbers count lines of the rendered output, not of
//!   that file, so these locations carry no region and the rendered position is kept in
//!   `properties.renderedLocation`;
//! - `<stdin>` becomes the relative URI `stdin` (no file backs it) with its region, or the
//!   chart template when Helm output was piped in;
//! - a live object or resource (`cluster://…`, `azure://…`, see [`crate::location`]) keeps its
//!   location as an absolute URI (percent-encoded, no `uriBaseId`, no region: it has no lines)
//!   and its logical location's `fullyQualifiedName` is the object's `cluster://…` id or the
//!   ARM resource id. The physical location stays because GitHub code scanning rejects a
//!   whole upload when any result lacks `physicalLocation.artifactLocation.uri` (its
//!   validator's rule GH1001; `locationFromSarifResult: expected artifact location`); such an
//!   alert names no file of the repository, so GitHub shows it without a code snippet.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use aksguard_model::{Finding, Fingerprint, LoadError, Severity, Suppression, SuppressionKind};
use aksguard_rules::{Reference, Rule};
use serde::Serialize;

use crate::rule_doc::{collapse, peers_json, reference_line};
use crate::{ScanReport, TOOL_NAME, TOOL_VERSION};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/aksguard/aksguard";
const DOCS_URI: &str = "https://github.com/aksguard/aksguard/blob/main/docs/rules";
const SRCROOT: &str = "%SRCROOT%";
/// The key of our entry in `partialFingerprints`; bump the version if the fingerprint's
/// recipe ever changes, so GitHub does not match old and new alerts by accident.
pub const FINGERPRINT_KEY: &str = "aksguard/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, BaseUri>>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    files: usize,
    objects: usize,
    /// Rules that ran but could judge nothing in the scan, with the reason.
    not_judged: Vec<NotJudged<'a>>,
    /// The `--framework` assessment (control statuses, score, coverage), as in the JSON
    /// report.
    #[serde(skip_serializing_if = "Option::is_none")]
    frameworks: Option<&'a [aksguard_model::FrameworkResult]>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotJudged<'a> {
    rule_id: &'static str,
    reason: &'a str,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'static str>,
    short_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    help_uri: String,
    default_configuration: Configuration,
    properties: DescriptorProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<String>,
    precision: &'static str,
    /// The peer scanners' checks that correspond to the rule and how (`rule_doc::peers_json`).
    #[serde(skip_serializing_if = "is_empty_array")]
    peers: serde_json::Value,
}

fn is_empty_array(value: &serde_json::Value) -> bool {
    value.as_array().is_some_and(Vec::is_empty) || value.is_null()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [ResultLocation<'a>; 1],
    partial_fingerprints: BTreeMap<&'static str, Fingerprint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[SarifSuppression<'a>; 1]>,
    /// The fix's text edits, one artifact change per file (GitHub code scanning shows them
    /// as suggestions); absent when the fix has no edits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: TextRef<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: EditRegion,
    #[serde(skip_serializing_if = "Option::is_none")]
    inserted_content: Option<TextRef<'a>>,
}

/// A region by 1-based line and column; `endColumn` is exclusive (SARIF 3.30.2).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EditRegion {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

/// What the fix asks for beyond edits: its summary, safety, `az` commands and IaC changes
/// (AKS/ACR findings), in the result's property bag.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FixProperties<'a> {
    summary: &'a str,
    safety: &'static str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    commands: &'a [String],
    #[serde(skip_serializing_if = "<[aksguard_model::IacChange]>::is_empty")]
    iac: &'a [aksguard_model::IacChange],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation<'a> {
    physical_location: PhysicalLocation,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<&'a str>,
    object: ObjectProperties<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<&'a str>,
    /// `path:line:column` in the rendered output, when the URI names the source file instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    rendered_location: Option<String>,
    /// Present when the fix has commands or IaC changes: SARIF `fixes` carry only edits.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixProperties<'a>>,
    /// `true` when the finding lies on an attack path (`aksguard paths`); absent otherwise.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    on_attack_path: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectProperties<'a> {
    api_version: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct SarifSuppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    properties: SuppressionProperties<'a>,
}

#[derive(Serialize)]
struct SuppressionProperties<'a> {
    /// `exception`, `annotation` or `baseline`.
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: TextRef<'a>,
    locations: [NotificationLocation; 1],
}

#[derive(Serialize)]
struct TextRef<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationLocation {
    physical_location: PhysicalLocation,
}

/// SARIF `level` for a severity: critical/high → error, medium → warning, low/info → note.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (a number in a string; ≥ 9.0 critical, ≥ 7.0 high, ≥ 4.0
/// medium, > 0 low).
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// The report as SARIF, with `%SRCROOT%` the current directory.
pub fn render(report: &ScanReport) -> String {
    let root = std::env::current_dir().ok();
    render_with_root(report, root.as_deref())
}

/// The report as SARIF, with paths relative to `root` (`None`: no `originalUriBaseIds`).
pub fn render_with_root(report: &ScanReport, root: Option<&Path>) -> String {
    let root_text = root.map(|r| r.to_string_lossy().replace('\\', "/"));
    let root_text = root_text.as_deref();

    // Rules that ran, plus any rule a finding names that is not among them (defensive:
    // every result's ruleId must be in driver.rules).
    let mut rules: Vec<Descriptor<'_>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut add = |id: &'static str, title: &'static str, severity: Severity| {
        if !index.contains_key(id) {
            index.insert(id, rules.len());
            rules.push(match aksguard_rules::find_rule(id) {
                Some(rule) if rule.id == id => descriptor(rule),
                // Users' policies (`GK.*`, `VAP.*`): metadata from the template or policy.
                _ => match aksguard_model::find_dynamic_rule(id) {
                    Some(rule) => dynamic_descriptor(rule),
                    None => unknown_descriptor(id, title, severity),
                },
            });
        }
    };
    for rule in &report.rules {
        add(rule.id, rule.title, rule.severity);
    }
    let suppressed = report.suppressed.iter().map(|s| &s.finding);
    for finding in report.findings.iter().chain(suppressed) {
        add(finding.rule_id, finding.rule.title, finding.severity);
    }

    let mut results: Vec<SarifResult<'_>> =
        Vec::with_capacity(report.findings.len() + report.suppressed.len());
    for finding in &report.findings {
        results.push(result(finding, index[finding.rule_id], None, root_text));
    }
    for suppressed in &report.suppressed {
        let finding = &suppressed.finding;
        results.push(result(
            finding,
            index[finding.rule_id],
            Some(&suppressed.suppression),
            root_text,
        ));
    }

    let notifications = report
        .errors
        .iter()
        .map(|error| notification(error, root_text))
        .collect();

    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: TOOL_NAME,
                    version: TOOL_VERSION,
                    semantic_version: TOOL_VERSION,
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: report.errors.is_empty(),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: root_text.map(|root| {
                BTreeMap::from([(
                    SRCROOT,
                    BaseUri {
                        uri: directory_file_uri(root),
                    },
                )])
            }),
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                files: report.files,
                objects: report.objects,
                not_judged: report
                    .not_judged()
                    .map(|c| NotJudged {
                        rule_id: c.rule_id,
                        reason: c.reason.as_deref().unwrap_or_default(),
                    })
                    .collect(),
                frameworks: report.framework.map(|_| report.frameworks.as_slice()),
            },
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    text.push('\n');
    text
}

fn docs_uri(id: &str) -> String {
    format!("{DOCS_URI}/{id}.md")
}

fn descriptor(rule: &'static Rule) -> Descriptor<'static> {
    let checks = collapse(rule.checks);
    let remediation = collapse(rule.remediation);
    let references: Vec<String> = rule
        .references
        .iter()
        .map(|r| reference_line(rule, r))
        .collect();
    let fix = format!("{} ({})", rule.fix_summary(), fix_kind(rule));
    let mut text =
        format!("What it checks: {checks}\n\nRemediation: {remediation}\n\nFix: {fix}\n");
    let mut markdown = format!(
        "**What it checks**\n\n{checks}\n\n**Remediation**\n\n{remediation}\n\n**Fix**\n\n{fix}\n"
    );
    if !references.is_empty() {
        text.push_str("\nReferences:\n");
        markdown.push_str("\n**References**\n\n");
        for reference in &references {
            text.push_str(&format!("- {reference}\n"));
            markdown.push_str(&format!("- {reference}\n"));
        }
    }
    markdown.push_str(&format!(
        "\n[Full documentation of {}]({})\n",
        rule.id,
        docs_uri(rule.id)
    ));
    let mut tags = vec!["security".to_owned(), rule.family.code().to_owned()];
    for reference in rule.references {
        let tag = match reference {
            Reference::Pss(level, _) => format!("pss-{level}"),
            Reference::CisAks(_) => "cis-aks".to_owned(),
            Reference::Cve(_) => "cve".to_owned(),
            Reference::Guide(..) | Reference::Peer(..) => continue,
        };
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Descriptor {
        id: rule.id,
        name: Some(rule.slug),
        short_description: Text {
            text: rule.title.to_owned(),
        },
        full_description: Some(Text {
            text: collapse(rule.rationale),
        }),
        help: Some(Help { text, markdown }),
        help_uri: docs_uri(rule.id),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: DescriptorProperties {
            security_severity: security_severity(rule.severity),
            tags,
            precision: "high",
            peers: peers_json(rule),
        },
    }
}

/// How the rule's findings are fixed, in words: `safe`/`review`/`manual`, and whether they
/// carry `az` commands or IaC changes.
fn fix_kind(rule: &Rule) -> String {
    let mut kind = rule.fix.safety.as_str().to_owned();
    if !rule.fix.commands.is_empty() || !rule.fix.iac.is_empty() {
        kind.push_str("; ");
        kind.push_str(&rule.fix.kind());
    }
    kind
}

/// A policy rule's descriptor: its title, the template's or policy's description, and
/// where it is defined (rules of users' policies have no page in aksguard's documentation).
fn dynamic_descriptor(rule: &'static aksguard_model::DynamicRule) -> Descriptor<'static> {
    let description = if rule.description.is_empty() {
        rule.text.title.to_owned()
    } else {
        collapse(&rule.description)
    };
    let text = format!(
        "{description}\n\nDefined at {}.\n\nRemediation: {}\n",
        rule.origin, rule.text.remediation
    );
    let markdown = format!(
        "{description}\n\nDefined at `{}`.\n\n**Remediation**\n\n{}\n",
        rule.origin, rule.text.remediation
    );
    Descriptor {
        id: rule.id,
        name: None,
        short_description: Text {
            text: rule.text.title.to_owned(),
        },
        full_description: Some(Text { text: description }),
        help: Some(Help { text, markdown }),
        help_uri: format!("{INFORMATION_URI}#custom-policies"),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: DescriptorProperties {
            security_severity: security_severity(rule.severity),
            tags: vec![
                "security".to_owned(),
                "policy".to_owned(),
                rule.engine.to_owned(),
            ],
            precision: "high",
            peers: serde_json::Value::Null,
        },
    }
}

fn unknown_descriptor<'a>(id: &'a str, title: &str, severity: Severity) -> Descriptor<'a> {
    Descriptor {
        id,
        name: None,
        short_description: Text {
            text: title.to_owned(),
        },
        full_description: None,
        help: None,
        help_uri: docs_uri(id),
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: DescriptorProperties {
            security_severity: security_severity(severity),
            tags: vec!["security".to_owned()],
            precision: "high",
            peers: serde_json::Value::Null,
        },
    }
}

fn object_name(finding: &Finding) -> String {
    let object = &finding.object;
    match &object.namespace {
        Some(ns) => format!("{} {ns}/{}", object.kind, object.name),
        None => format!("{} {}", object.kind, object.name),
    }
}

fn result<'a>(
    finding: &'a Finding,
    rule_index: usize,
    suppression: Option<&'a Suppression>,
    root: Option<&str>,
) -> SarifResult<'a> {
    let location = &finding.location;
    let target = artifact_target(&location.path, location.template.as_deref(), root);
    let region = target.has_region.then_some(Region {
        start_line: location.line.max(1),
        start_column: Some(location.column.max(1)),
    });
    let live = crate::location::resource_id(&location.path);
    // Rendered charts: the URI names the template, the position counts rendered lines.
    let rendered_location = (!target.has_region && live.is_none())
        .then(|| format!("{}:{}:{}", location.path, location.line, location.column));
    let object = &finding.object;
    let fully_qualified_name = match (live, &object.namespace) {
        (Some(id), _) => id.into_owned(),
        (None, Some(ns)) => format!("{}/{ns}/{}", object.kind, object.name),
        (None, None) => format!("{}/{}", object.kind, object.name),
    };
    SarifResult {
        rule_id: finding.rule_id,
        rule_index,
        level: level(finding.severity),
        message: Text {
            text: format!("{}: {}", object_name(finding), finding.message),
        },
        locations: [ResultLocation {
            physical_location: PhysicalLocation {
                artifact_location: target.location,
                region,
            },
            logical_locations: [LogicalLocation {
                name: &object.name,
                fully_qualified_name,
                kind: "resource",
            }],
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, finding.fingerprint)]),
        suppressions: suppression.map(|s| {
            [SarifSuppression {
                kind: match s.kind {
                    SuppressionKind::Annotation => "inSource",
                    SuppressionKind::Exception | SuppressionKind::Baseline => "external",
                },
                status: "accepted",
                justification: &s.reason,
                properties: SuppressionProperties {
                    source: match s.kind {
                        SuppressionKind::Exception => "exception",
                        SuppressionKind::Annotation => "annotation",
                        SuppressionKind::Baseline => "baseline",
                    },
                    expires: s.expires.as_deref(),
                },
            }]
        }),
        properties: ResultProperties {
            severity: finding.severity.as_str(),
            container: finding.container.as_deref(),
            object: ObjectProperties {
                api_version: &object.api_version,
                kind: &object.kind,
                namespace: object.namespace.as_deref(),
                name: &object.name,
            },
            template: location.template.as_deref(),
            rendered_location,
            fix: finding
                .fix
                .as_deref()
                .filter(|fix| !fix.commands.is_empty() || !fix.iac.is_empty())
                .map(|fix| FixProperties {
                    summary: &fix.summary,
                    safety: fix.safety.as_str(),
                    commands: &fix.commands,
                    iac: &fix.iac,
                }),
            on_attack_path: finding.on_attack_path,
        },
        fixes: finding
            .fix
            .as_deref()
            .map(|fix| sarif_fixes(fix, root))
            .unwrap_or_default(),
    }
}

/// A fix's edits as one SARIF fix with an artifact change per file (in the order the files
/// first appear); none when it has no edits.
fn sarif_fixes<'a>(fix: &'a aksguard_model::Fix, root: Option<&str>) -> Vec<SarifFix<'a>> {
    if fix.edits.is_empty() {
        return Vec::new();
    }
    let mut changes: Vec<(&str, ArtifactChange<'a>)> = Vec::new();
    for edit in &fix.edits {
        let replacement = Replacement {
            deleted_region: EditRegion {
                start_line: edit.start_line.max(1),
                start_column: edit.start_column.max(1),
                end_line: edit.end_line.max(1),
                end_column: edit.end_column.max(1),
            },
            inserted_content: (!edit.replacement.is_empty()).then_some(TextRef {
                text: &edit.replacement,
            }),
        };
        match changes.iter_mut().find(|(path, _)| *path == &*edit.path) {
            Some((_, change)) => change.replacements.push(replacement),
            None => changes.push((
                &edit.path,
                ArtifactChange {
                    artifact_location: file_location(&edit.path, root),
                    replacements: vec![replacement],
                },
            )),
        }
    }
    vec![SarifFix {
        description: TextRef { text: &fix.summary },
        artifact_changes: changes.into_iter().map(|(_, change)| change).collect(),
    }]
}

fn notification<'a>(error: &'a LoadError, root: Option<&str>) -> Notification<'a> {
    let target = artifact_target(&error.path, None, root);
    Notification {
        level: "error",
        message: TextRef {
            text: &error.message,
        },
        locations: [NotificationLocation {
            physical_location: PhysicalLocation {
                artifact_location: target.location,
                region: error.line.filter(|_| target.has_region).map(|line| Region {
                    start_line: line.max(1),
                    start_column: None,
                }),
            },
        }],
    }
}

struct Target {
    location: ArtifactLocation,
    /// Whether the input's line numbers refer to the file the URI names.
    has_region: bool,
}

/// Suffixes the loader gives rendered directories (`DIR (helm template)`), with the file a
/// finding points at when Helm names no template.
const RENDERED: [(&str, &str); 2] = [
    (" (helm template)", "Chart.yaml"),
    (" (kubectl kustomize)", "kustomization.yaml"),
];

fn artifact_target(path: &str, template: Option<&str>, root: Option<&str>) -> Target {
    // A live object or resource: never a file, never relative to the root, no lines.
    if let Some(uri) = crate::location::live_uri(path) {
        return Target {
            location: ArtifactLocation {
                uri,
                uri_base_id: None,
            },
            has_region: false,
        };
    }
    // Helm's `# Source:` path starts with the chart's name, not its directory.
    let template_in_chart = template.map(|t| match t.split_once('/') {
        Some((_chart, rest)) if !rest.is_empty() => rest,
        _ => t,
    });
    if path == "<stdin>" {
        return match template {
            Some(template) => Target {
                location: file_location(template, root),
                has_region: false,
            },
            None => Target {
                location: ArtifactLocation {
                    uri: "stdin".to_owned(),
                    uri_base_id: None,
                },
                has_region: true,
            },
        };
    }
    for (suffix, marker) in RENDERED {
        if let Some(dir) = path.strip_suffix(suffix) {
            let file = format!(
                "{}/{}",
                dir.trim_end_matches(['/', '\\']),
                template_in_chart.unwrap_or(marker)
            );
            return Target {
                location: file_location(&file, root),
                has_region: false,
            };
        }
    }
    Target {
        location: file_location(path, root),
        has_region: true,
    }
}

/// A relative URI against `%SRCROOT%`, or an absolute `file://` URI for a path outside it.
fn file_location(path: &str, root: Option<&str>) -> ArtifactLocation {
    let mut path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_owned()
    };
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.trim_start_matches('/').to_owned();
    }
    let absolute = path.starts_with('/') || is_windows_drive(&path);
    if absolute {
        if let Some(root) = root {
            let root = root.trim_end_matches('/');
            if let Some(rest) = path.strip_prefix(root)
                && (rest.starts_with('/') || rest.is_empty())
            {
                let rest = rest.trim_start_matches('/');
                return ArtifactLocation {
                    uri: if rest.is_empty() {
                        ".".to_owned()
                    } else {
                        encode_path(rest)
                    },
                    uri_base_id: Some(SRCROOT),
                };
            }
        }
        return ArtifactLocation {
            uri: absolute_file_uri(&path),
            uri_base_id: None,
        };
    }
    ArtifactLocation {
        uri: if path.is_empty() {
            ".".to_owned()
        } else {
            encode_path(&path)
        },
        uri_base_id: Some(SRCROOT),
    }
}

/// `C:/…` on Windows (backslashes are already forward slashes there).
fn is_windows_drive(path: &str) -> bool {
    let bytes = path.as_bytes();
    cfg!(windows)
        && bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && bytes[2] == b'/'
}

fn absolute_file_uri(path: &str) -> String {
    if is_windows_drive(path) {
        // `C:/x` → `file:///C:/x`; the drive colon stays literal.
        format!("file:///{}:{}", &path[..1], encode_path(&path[2..]))
    } else {
        format!("file://{}", encode_path(path))
    }
}

fn directory_file_uri(root: &str) -> String {
    let mut uri = absolute_file_uri(root);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/` (UTF-8 bytes).
/// `:` is encoded too, so a first segment never reads as a scheme.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(path: &str, template: Option<&str>) -> (String, Option<&'static str>, bool) {
        let target = artifact_target(path, template, Some("/work/repo"));
        (
            target.location.uri,
            target.location.uri_base_id,
            target.has_region,
        )
    }

    #[test]
    fn rule_descriptors_carry_peer_equivalences() {
        let rule = aksguard_rules::find_rule("POD004").expect("POD004");
        let value = serde_json::to_value(descriptor(rule)).expect("serialises");
        let peers = value["properties"]["peers"]
            .as_array()
            .expect("peers listed");
        let shared = peers
            .iter()
            .find(|p| p["id"] == "host-pid-ipc-privileges")
            .expect("kubescape host-pid-ipc-privileges");
        assert_eq!(shared["tool"], "kubescape");
        assert_eq!(shared["equivalence"], "same");
        assert_eq!(shared["together_with"], serde_json::json!(["POD005"]));
        let help = value["help"]["text"].as_str().expect("help text");
        assert!(
            help.contains(
                "kubescape: host-pid-ipc-privileges — same meaning as POD004 and POD005 together"
            ),
            "{help}"
        );

        let rule = aksguard_rules::find_rule("REL004").expect("REL004");
        let value = serde_json::to_value(descriptor(rule)).expect("serialises");
        let polaris = &value["properties"]["peers"][0];
        assert_eq!(polaris["id"], "missingPodDisruptionBudget");
        assert_eq!(polaris["equivalence"], "peer-broader");
        assert!(
            polaris["difference"]
                .as_str()
                .is_some_and(|d| d.contains("<name>-pdb"))
        );
        // Rules without peer checks carry no empty list.
        let rule = aksguard_rules::find_rule("AKS010").expect("AKS010");
        let value = serde_json::to_value(descriptor(rule)).expect("serialises");
        assert!(value["properties"].get("peers").is_none());
    }

    #[test]
    fn file_paths_become_relative_encoded_uris() {
        assert_eq!(
            uri("./k8s/web app/ünïcode.yaml", None),
            (
                "k8s/web%20app/%C3%BCn%C3%AFcode.yaml".to_owned(),
                Some(SRCROOT),
                true
            )
        );
        assert_eq!(
            uri("/work/repo/k8s/a.yaml", None).0,
            "k8s/a.yaml".to_owned()
        );
        assert_eq!(
            uri("/work/repository/a.yaml", None),
            ("file:///work/repository/a.yaml".to_owned(), None, true)
        );
        assert_eq!(uri("a:b#c?.yaml", None).0, "a%3Ab%23c%3F.yaml");
    }

    #[test]
    fn rendered_and_stdin_inputs_get_valid_uris() {
        assert_eq!(
            uri(
                "charts/web (helm template)",
                Some("web/templates/deploy.yaml")
            ),
            (
                "charts/web/templates/deploy.yaml".to_owned(),
                Some(SRCROOT),
                false
            )
        );
        assert_eq!(
            uri("overlays/prod (kubectl kustomize)", None).0,
            "overlays/prod/kustomization.yaml"
        );
        assert_eq!(uri("<stdin>", None), ("stdin".to_owned(), None, true));
        assert_eq!(
            uri("<stdin>", Some("web/templates/svc.yaml")),
            ("web/templates/svc.yaml".to_owned(), Some(SRCROOT), false)
        );
    }

    #[test]
    fn root_is_a_directory_file_uri() {
        assert_eq!(
            directory_file_uri("/home/me/my repo"),
            "file:///home/me/my%20repo/"
        );
        assert_eq!(directory_file_uri("/"), "file:///");
        if cfg!(windows) {
            assert_eq!(directory_file_uri("C:/src"), "file:///C:/src/");
        }
    }
}
