//! Baseline files: the fingerprints of the findings a repository already had, so that a scan
//! with `--baseline FILE` reports only new ones. JSON, deterministic (entries sorted, one per
//! fingerprint), so the file diffs cleanly in review:
//!
//! ```json
//! {
//!   "tool": {"name": "aksguard", "version": "0.1.0"},
//!   "created": "2026-01-15",
//!   "findings": [
//!     {"fingerprint": "3f2a…", "rule_id": "POD001", "object": "Deployment shop/web", "path": "k8s/web.yaml"}
//!   ]
//! }
//! ```
//!
//! Only `findings[].fingerprint` is read back; unknown fields are allowed (added later).

use std::collections::HashSet;
use std::path::Path;

use aksguard_model::{Finding, Fingerprint};
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::ConfigError;

#[derive(Serialize)]
struct BaselineFile<'a> {
    tool: Tool,
    created: String,
    findings: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Entry<'a> {
    fingerprint: Fingerprint,
    rule_id: &'static str,
    object: String,
    path: &'a str,
}

#[derive(Deserialize)]
struct ReadFile {
    findings: Vec<ReadEntry>,
}

#[derive(Deserialize)]
struct ReadEntry {
    fingerprint: String,
}

fn object_name(finding: &Finding) -> String {
    let object = &finding.object;
    match &object.namespace {
        Some(ns) => format!("{} {ns}/{}", object.kind, object.name),
        None => format!("{} {}", object.kind, object.name),
    }
}

/// The baseline text for `findings`, created on `created`.
pub fn render(findings: &[Finding], created: Date) -> String {
    let mut entries: Vec<Entry<'_>> = findings
        .iter()
        .map(|f| Entry {
            path: &f.location.path,
            rule_id: f.rule_id,
            object: object_name(f),
            fingerprint: f.fingerprint,
        })
        .collect();
    entries.sort_by(|a, b| {
        (a.path, a.rule_id, &a.object, a.fingerprint).cmp(&(
            b.path,
            b.rule_id,
            &b.object,
            b.fingerprint,
        ))
    });
    let mut seen = HashSet::new();
    entries.retain(|e| seen.insert(e.fingerprint));
    let file = BaselineFile {
        tool: Tool {
            name: "aksguard",
            version: env!("CARGO_PKG_VERSION"),
        },
        created: created.to_string(),
        findings: entries,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("baseline serialises");
    text.push('\n');
    text
}

/// Writes the baseline for `findings` to `path`.
pub fn write(path: &Path, findings: &[Finding], created: Date) -> Result<(), ConfigError> {
    std::fs::write(path, render(findings, created)).map_err(|e| {
        ConfigError::new(
            path.display().to_string(),
            None,
            format!("cannot write baseline: {e}"),
        )
    })
}

/// The fingerprints in the baseline at `path`. A missing, unreadable or malformed file is an
/// error: a baseline that silently matched nothing would report everything as new, and one
/// that silently matched everything would hide what is new.
pub fn read(path: &Path) -> Result<HashSet<String>, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(&shown, None, format!("cannot read baseline: {e}")))?;
    parse(&text).map_err(|(line, message)| ConfigError::new(shown, line, message))
}

fn parse(text: &str) -> Result<HashSet<String>, (Option<usize>, String)> {
    let file: ReadFile = serde_json::from_str(text)
        .map_err(|e| (Some(e.line()), format!("not an aksguard baseline: {e}")))?;
    let mut fingerprints = HashSet::new();
    for entry in file.findings {
        let valid = !entry.fingerprint.is_empty()
            && entry.fingerprint.bytes().all(|b| b.is_ascii_hexdigit());
        if !valid {
            return Err((
                None,
                format!(
                    "not an aksguard baseline: `{}` is not a fingerprint",
                    entry.fingerprint
                ),
            ));
        }
        fingerprints.insert(entry.fingerprint);
    }
    Ok(fingerprints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_baselines_are_refused() {
        assert!(parse("").is_err());
        assert!(parse("{}").is_err());
        assert!(parse("[]").is_err());
        assert!(parse(r#"{"findings": [{"rule_id": "POD001"}]}"#).is_err());
        assert!(parse(r#"{"findings": [{"fingerprint": "not hex"}]}"#).is_err());
        let ok = parse(r#"{"findings": [{"fingerprint": "00ff", "extra": 1}], "x": 2}"#).unwrap();
        assert!(ok.contains("00ff"));
    }
}
