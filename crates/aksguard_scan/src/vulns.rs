//! `--vulns FILE…`: the image vulnerability reports IMG005 reads, loaded once per scan, with
//! a note for each report older than the allowed age (judged against the scan's "today", the
//! `--as-of` date when given, never the wall clock of a later reader) or that does not say
//! when it was made.

use std::path::PathBuf;
use std::sync::Arc;

use aksguard_config::Date;
use aksguard_load::vulns::read_vuln_report;
use aksguard_model::vulns::{VulnReport, VulnSeverity};
use aksguard_rules::vulns::VulnIndex;
use serde::Serialize;

/// What the reports of one scan hold, for the history store and the dashboard: distinct
/// vulnerability IDs over every scanned image, by severity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VulnCounts {
    pub reports: u32,
    pub images: u32,
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    /// Critical and high ones with a fixed version (what IMG005 reports).
    pub fixable: u32,
}

/// The reports of one scan.
#[derive(Clone, Debug)]
pub struct LoadedVulns {
    pub index: Arc<VulnIndex>,
    /// Stale and undated reports.
    pub notes: Vec<String>,
    pub counts: VulnCounts,
}

/// Reads `paths`; the first unusable report is the error (a report read wrongly or not at
/// all would hide vulnerabilities: fail closed). `None` when no report is given.
pub fn load(
    paths: &[PathBuf],
    max_age_days: u32,
    today: Date,
) -> Result<Option<LoadedVulns>, String> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut reports = Vec::with_capacity(paths.len());
    let mut notes = Vec::new();
    for path in paths {
        let report = read_vuln_report(path).map_err(|e| e.to_string())?;
        notes.extend(age_note(&report, max_age_days, today)?);
        reports.push(report);
    }
    let index = VulnIndex::new(&reports);
    let counts = counts(&reports, index.images().len());
    Ok(Some(LoadedVulns {
        index: Arc::new(index),
        notes,
        counts,
    }))
}

/// A note when the report is older than `max_age_days` on `today`, or undated.
fn age_note(report: &VulnReport, max_age_days: u32, today: Date) -> Result<Option<String>, String> {
    let scanner = report.scanner.name();
    let Some(created) = &report.created else {
        return Ok(Some(format!(
            "vulnerability report {} ({scanner}) does not say when it was made, so its age \
             cannot be checked",
            report.file
        )));
    };
    let timestamp: jiff::Timestamp = created.parse().map_err(|e| {
        format!(
            "vulnerability report {}: `{created}` is not a valid timestamp: {e}",
            report.file
        )
    })?;
    let scanned = jiff::tz::TimeZone::UTC.to_datetime(timestamp).date();
    let age = aksguard_rules::clock::days_between(scanned, today);
    if age > i64::from(max_age_days) {
        return Ok(Some(format!(
            "vulnerability report {} ({scanner}) was made on {scanned}, {age} days before the \
             scan's date {today} (more than {max_age_days}, `--vulns-max-age-days`): \
             vulnerabilities published since are missing; re-scan the images",
            report.file
        )));
    }
    Ok(None)
}

fn counts(reports: &[VulnReport], images: usize) -> VulnCounts {
    use std::collections::BTreeMap;
    // Distinct IDs: the worst severity any package gave one, and whether any has a fix.
    let mut ids: BTreeMap<&str, (VulnSeverity, bool)> = BTreeMap::new();
    for vuln in reports
        .iter()
        .flat_map(|r| &r.images)
        .flat_map(|i| &i.vulnerabilities)
    {
        let entry = ids
            .entry(vuln.id.as_str())
            .or_insert((vuln.severity, false));
        entry.0 = entry.0.max(vuln.severity);
        entry.1 |= vuln.fixed.is_some();
    }
    let mut counts = VulnCounts {
        reports: clamp(reports.len()),
        images: clamp(images),
        ..VulnCounts::default()
    };
    for (severity, fixed) in ids.values() {
        match severity {
            VulnSeverity::Critical => counts.critical += 1,
            VulnSeverity::High => counts.high += 1,
            VulnSeverity::Medium => counts.medium += 1,
            VulnSeverity::Low => counts.low += 1,
            VulnSeverity::Unknown => {}
        }
        if *fixed && *severity >= VulnSeverity::High {
            counts.fixable += 1;
        }
    }
    counts
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &std::path::Path, name: &str, created: &str) -> PathBuf {
        let path = dir.join(name);
        let text = format!(
            r#"{{"SchemaVersion": 2, "ArtifactName": "nginx:1.25", {created}
              "Results": [{{"Vulnerabilities": [
                {{"VulnerabilityID": "CVE-1", "PkgName": "a", "FixedVersion": "2", "Severity": "CRITICAL"}},
                {{"VulnerabilityID": "CVE-1", "PkgName": "b", "Severity": "HIGH"}},
                {{"VulnerabilityID": "CVE-2", "PkgName": "a", "Severity": "HIGH"}},
                {{"VulnerabilityID": "CVE-3", "PkgName": "a", "FixedVersion": "2", "Severity": "MEDIUM"}}]}}]}}"#
        );
        std::fs::write(&path, text).unwrap();
        path
    }

    fn date(text: &str) -> Date {
        aksguard_config::parse_date(text).unwrap()
    }

    #[test]
    fn stale_and_undated_reports_are_noted_against_the_scan_date() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = write(
            dir.path(),
            "fresh.json",
            r#""CreatedAt": "2026-11-20T23:30:00-02:00","#,
        );
        let old = write(
            dir.path(),
            "old.json",
            r#""CreatedAt": "2026-10-01T08:00:00Z","#,
        );
        let undated = write(dir.path(), "undated.json", "");
        let loaded = load(std::slice::from_ref(&fresh), 30, date("2026-12-21"))
            .unwrap()
            .unwrap();
        // 2026-11-21 in UTC: exactly 30 days, not more.
        assert!(loaded.notes.is_empty(), "{:?}", loaded.notes);
        let loaded = load(&[fresh, old, undated], 30, date("2026-12-22"))
            .unwrap()
            .unwrap();
        assert_eq!(loaded.notes.len(), 3, "{:?}", loaded.notes);
        assert!(
            loaded.notes[0].contains("fresh.json (trivy image) was made on 2026-11-21, 31 days")
        );
        assert!(loaded.notes[1].contains("82 days before the scan's date 2026-12-22"));
        assert!(loaded.notes[2].contains("undated.json (trivy image) does not say when"));
        // A longer allowance.
        let old = dir.path().join("old.json");
        assert!(
            load(&[old], 90, date("2026-12-22"))
                .unwrap()
                .unwrap()
                .notes
                .is_empty()
        );
    }

    #[test]
    fn counts_distinct_ids_by_worst_severity() {
        let dir = tempfile::tempdir().unwrap();
        let report = write(dir.path(), "r.json", "");
        let loaded = load(&[report.clone(), report], 30, date("2026-12-22"))
            .unwrap()
            .unwrap();
        assert_eq!(
            loaded.counts,
            VulnCounts {
                reports: 2,
                images: 1,
                critical: 1,
                high: 1,
                medium: 1,
                low: 0,
                fixable: 1,
            }
        );
    }

    #[test]
    fn no_reports_is_none_and_a_bad_report_is_the_error() {
        assert!(load(&[], 30, date("2026-12-22")).unwrap().is_none());
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{\"matches\": [").unwrap();
        let error = load(&[bad], 30, date("2026-12-22")).unwrap_err();
        assert!(error.contains("bad.json: truncated JSON"), "{error}");
    }
}
