//! `aksguard fix` for infrastructure as code: the findings whose fix names an IaC change
//! spelled for their file (Terraform `.tf`, ARM `.json`; Bicep gets a note), edited through
//! [`crate::terraform`] / [`crate::arm`] and verified like manifests: the file's directory is
//! copied to a temporary one (Terraform reads its variables, locals and tfvars from the
//! sibling files), scanned through `aksguard_scan` before and after the edit, and the edit
//! is kept only when the finding is gone and nothing new is reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::finding::is_live_path;
use aksguard_model::{Finding, FixSafety};
use aksguard_rules::Rule;
use aksguard_scan::ScanSettings;

use crate::iac::{IacFile, IacOutcome, apply_edits, apply_to_file};
use crate::plan::{Declined, FileChange, FixPlan};
use crate::verify::FindingKey;

/// Sibling files copied for a Terraform verification, at most (a root module has far fewer).
const MAX_SIBLINGS: usize = 500;
/// Bytes of one sibling copied, at most.
const MAX_SIBLING_BYTES: u64 = 8 << 20;

/// Whether `finding` is fixed by an IaC change to its file, within `max_safety`.
pub(crate) fn wants(finding: &Finding, max_safety: FixSafety) -> bool {
    let Some(fix) = &finding.fix else {
        return false;
    };
    let Some(kind) = IacFile::of_path(&finding.location.path) else {
        return false;
    };
    fix.safety != FixSafety::Manual
        && fix.safety <= max_safety
        && fix.iac.iter().any(|c| {
            c.language == kind.language() || (kind == IacFile::Bicep && c.language == "arm")
        })
}

/// Plans the IaC findings' changes into `plan`.
pub(crate) fn plan_files(
    findings: Vec<Finding>,
    rules: &[&'static Rule],
    settings: &ScanSettings,
    plan: &mut FixPlan,
) {
    let mut by_file: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for finding in findings {
        if let Some(reason) = not_editable(&finding) {
            decline(plan, &finding, reason, false);
            continue;
        }
        by_file
            .entry(finding.location.path.to_string())
            .or_default()
            .push(finding);
    }
    for (path, findings) in by_file {
        plan_file(&path, findings, rules, settings, plan);
    }
}

fn decline(plan: &mut FixPlan, finding: &Finding, reason: String, failed: bool) {
    plan.declined.push(Declined {
        path: finding.location.path.to_string(),
        finding: FindingKey::of(finding),
        reason,
        verification_failed: failed,
    });
}

/// Why an IaC finding's file is not edited, if it is not.
fn not_editable(finding: &Finding) -> Option<String> {
    let path = &*finding.location.path;
    if is_live_path(path) || path == "<stdin>" {
        return Some("not read from a file; fix the source it came from".to_owned());
    }
    if !Path::new(path).is_file() {
        return Some("not a plain file; not edited".to_owned());
    }
    None
}

fn plan_file(
    path: &str,
    mut findings: Vec<Finding>,
    rules: &[&'static Rule],
    settings: &ScanSettings,
    plan: &mut FixPlan,
) {
    let original = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            for finding in &findings {
                decline(plan, finding, "not UTF-8; not edited".to_owned(), false);
            }
            return;
        }
        Err(err) => {
            for finding in &findings {
                decline(plan, finding, format!("cannot read: {err}"), false);
            }
            return;
        }
    };
    // Bottom of the file first: an edit stays inside its resource block, so the lines of
    // the resources above keep pointing at them.
    findings.sort_by(|a, b| (b.location.line, b.rule_id).cmp(&(a.location.line, a.rule_id)));
    let shared: Arc<str> = Arc::from(path);
    let mut current = original.clone();
    let mut edited: Vec<&Finding> = Vec::new();
    for finding in &findings {
        let Some(fix) = &finding.fix else { continue };
        match apply_to_file(&shared, &current, finding.location.line, &fix.iac) {
            None => {}
            Some(Ok(IacOutcome::Edits(edits))) => match apply_edits(&current, &edits) {
                Ok(next) => {
                    current = next;
                    edited.push(finding);
                }
                Err(err) => decline(plan, finding, err, true),
            },
            Some(Ok(IacOutcome::AlreadySet)) => decline(
                plan,
                finding,
                "the file already has the value the fix sets; the finding comes from elsewhere"
                    .to_owned(),
                false,
            ),
            Some(Ok(IacOutcome::Note(note) | IacOutcome::FromVariable { note, .. })) => {
                decline(plan, finding, note, false)
            }
            Some(Err(err)) => decline(plan, finding, err.message, false),
        }
    }
    if edited.is_empty() {
        return;
    }
    let verdict = scan_copy(path, &original, rules, settings).and_then(|before| {
        let after = scan_copy(path, &current, rules, settings)?;
        check(&before, &after, &edited)
    });
    match verdict {
        Ok(()) => plan.changes.push(FileChange {
            path: path.to_owned(),
            original,
            fixed: current,
            fixed_findings: edited.iter().map(|f| FindingKey::of(f)).collect(),
        }),
        Err(reason) => {
            for finding in edited {
                decline(plan, finding, reason.clone(), true);
            }
        }
    }
}

/// Every edited finding gone, and nothing new.
fn check(
    before: &BTreeSet<FindingKey>,
    after: &BTreeSet<FindingKey>,
    edited: &[&Finding],
) -> Result<(), String> {
    if let Some(left) = edited
        .iter()
        .map(|f| FindingKey::of(f))
        .find(|k| after.contains(k))
    {
        return Err(format!("{left} is still reported after the edit"));
    }
    if let Some(new) = after.difference(before).next() {
        return Err(format!("the edit would add a finding: {new}"));
    }
    Ok(())
}

/// Scans `text` as the file `path`, beside copies of its Terraform siblings, in a
/// temporary directory; the finding keys, or why the scan failed.
pub(crate) fn scan_copy(
    path: &str,
    text: &str,
    rules: &[&'static Rule],
    settings: &ScanSettings,
) -> Result<BTreeSet<FindingKey>, String> {
    let source = Path::new(path);
    let name = source
        .file_name()
        .ok_or_else(|| format!("{path}: not a file name"))?;
    let dir = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let kind = IacFile::of_path(path);
    if kind == Some(IacFile::Terraform) {
        copy_siblings(source, dir.path())?;
    }
    let copy = dir.path().join(name);
    std::fs::write(&copy, text).map_err(|e| format!("{}: {e}", copy.display()))?;
    let target = if kind == Some(IacFile::Terraform) {
        dir.path().display().to_string()
    } else {
        copy.display().to_string()
    };
    let loaded = load_inputs(
        std::slice::from_ref(&target),
        &LoadOptions::default(),
        &mut std::io::empty(),
    );
    if let Some(error) = loaded.errors.first() {
        return Err(format!("the edited file does not load: {}", error.message));
    }
    let (_, outcome) =
        aksguard_scan::scan_objects(loaded.objects, loaded.azure, rules, settings, path);
    Ok(outcome.findings.iter().map(FindingKey::of).collect())
}

/// Copies the `.tf`, `.tf.json` and `.tfvars` files beside `source` into `dir`.
fn copy_siblings(source: &Path, dir: &Path) -> Result<(), String> {
    let parent = source
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let entries = std::fs::read_dir(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    for entry in entries.flatten().take(MAX_SIBLINGS) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        let terraform =
            name.ends_with(".tf") || name.ends_with(".tf.json") || name.ends_with(".tfvars");
        let small = entry
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() <= MAX_SIBLING_BYTES);
        if terraform && small && Some(path.as_os_str()) != Some(source.as_os_str()) {
            std::fs::copy(&path, dir.join(entry.file_name()))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}
