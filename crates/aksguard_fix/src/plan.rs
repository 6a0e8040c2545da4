//! From a scan's findings to verified file changes: which findings may be fixed here, the
//! edits of each (one finding at a time, each verified before the next), and what was left
//! alone and why.

use std::collections::BTreeMap;
use std::path::Path;

use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::finding::is_live_path;
use aksguard_model::{Finding, FixSafety, LoadError};
use aksguard_rules::Rule;
use aksguard_scan::ScanSettings;

use crate::verify::{self, FindingKey};
use crate::yaml::{self, Manifest, ObjectSpan};

/// What `aksguard fix` may change.
#[derive(Clone, Debug)]
pub struct FixOptions {
    /// The riskiest fix applied: `safe`, or `review` (safe and review).
    pub max_safety: FixSafety,
    pub load: LoadOptions,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            max_safety: FixSafety::Safe,
            load: LoadOptions::default(),
        }
    }
}

/// One file's verified change.
#[derive(Clone, Debug)]
pub struct FileChange {
    pub path: String,
    pub original: String,
    pub fixed: String,
    /// The findings the change fixes.
    pub fixed_findings: Vec<FindingKey>,
}

impl FileChange {
    /// The change as a unified diff (`a/PATH`, `b/PATH`, three lines of context).
    pub fn unified_diff(&self) -> String {
        crate::diff::unified(&self.path, &self.original, &self.fixed)
    }
}

/// A fix that was not applied, and why.
#[derive(Clone, Debug)]
pub struct Declined {
    pub path: String,
    pub finding: FindingKey,
    pub reason: String,
    /// Whether the fix failed its verification (as opposed to not being attempted: an
    /// alias, an ignored object, a Helm source).
    pub verification_failed: bool,
}

/// What a fix run would do.
#[derive(Debug, Default)]
pub struct FixPlan {
    pub changes: Vec<FileChange>,
    pub declined: Vec<Declined>,
    /// Findings with a fix needing a human (`manual`) or above `max_safety`: counted only.
    pub not_automatic: usize,
    /// Loading errors of the scan.
    pub errors: Vec<LoadError>,
    pub notes: Vec<String>,
}

impl FixPlan {
    pub fn fixed(&self) -> usize {
        self.changes.iter().map(|c| c.fixed_findings.len()).sum()
    }

    pub fn verification_failures(&self) -> usize {
        self.declined
            .iter()
            .filter(|d| d.verification_failed)
            .count()
    }
}

/// Scans `paths` with `rules` and `settings` (the scan pipeline, as `aksguard scan`), then
/// plans a verified change for every file with findings it can fix. Nothing is written.
pub fn plan(
    paths: &[String],
    rules: &[&'static Rule],
    settings: &ScanSettings,
    options: &FixOptions,
) -> FixPlan {
    let mut plan = FixPlan::default();
    if paths.iter().any(|p| p == "-") {
        plan.notes
            .push("stdin is scanned but never edited; fix a file instead".to_owned());
    }
    let paths: Vec<String> = paths.iter().filter(|p| *p != "-").cloned().collect();
    let loaded = load_inputs(&paths, &options.load, &mut std::io::empty());
    plan.errors = loaded.errors;
    let inputs = paths.join(", ");
    let (_, outcome) =
        aksguard_scan::scan_objects(loaded.objects, loaded.azure, rules, settings, &inputs);
    plan.errors.extend(outcome.errors);
    let mut by_file: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    // Terraform / ARM findings (issue 15's IaC part, `crate::iac_plan`).
    let mut iac_findings = Vec::new();
    for finding in outcome.findings {
        let Some(fix) = &finding.fix else { continue };
        if crate::iac_plan::wants(&finding, options.max_safety) {
            iac_findings.push(finding);
            continue;
        }
        if !fix.is_automatic() || fix.safety > options.max_safety {
            if !fix.patch.is_empty() || fix.safety == FixSafety::Manual {
                plan.not_automatic += 1;
            }
            continue;
        }
        if let Some(reason) = not_editable(&finding) {
            plan.declined.push(Declined {
                path: finding.location.path.to_string(),
                finding: FindingKey::of(&finding),
                reason,
                verification_failed: false,
            });
            continue;
        }
        by_file
            .entry(finding.location.path.to_string())
            .or_default()
            .push(finding);
    }
    for (path, findings) in by_file {
        plan_file(&path, findings, rules, settings, &mut plan);
    }
    crate::iac_plan::plan_files(iac_findings, rules, settings, &mut plan);
    plan
}

/// Why a finding's source is never edited, if it is not.
fn not_editable(finding: &Finding) -> Option<String> {
    let path = &*finding.location.path;
    if is_live_path(path) {
        return Some("read from a live cluster or Azure; fix the source it came from".to_owned());
    }
    if path == "<stdin>" {
        return Some("read from stdin; never edited".to_owned());
    }
    if finding.location.template.is_some() {
        return Some("rendered by Helm; change the chart's template or values".to_owned());
    }
    if !Path::new(path).is_file() {
        return Some("not a plain file (rendered output); not edited".to_owned());
    }
    if in_helm_chart(Path::new(path)) {
        return Some("a Helm chart source; the fix is a suggestion only".to_owned());
    }
    let lower = path.to_ascii_lowercase();
    if !(lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")) {
        return Some("not a YAML or JSON manifest".to_owned());
    }
    None
}

/// Whether `path` lies in a Helm chart (a directory above it has `Chart.yaml`).
fn in_helm_chart(path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .take(8)
        .any(|dir| dir.join("Chart.yaml").is_file())
}

fn plan_file(
    path: &str,
    mut findings: Vec<Finding>,
    rules: &[&'static Rule],
    settings: &ScanSettings,
    plan: &mut FixPlan,
) {
    let decline = |plan: &mut FixPlan, finding: &Finding, reason: String, failed: bool| {
        plan.declined.push(Declined {
            path: path.to_owned(),
            finding: FindingKey::of(finding),
            reason,
            verification_failed: failed,
        });
    };
    let original = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                for finding in &findings {
                    decline(
                        plan,
                        finding,
                        "not UTF-8 (unknown encoding); not edited".to_owned(),
                        false,
                    );
                }
                return;
            }
        },
        Err(err) => {
            for finding in &findings {
                decline(plan, finding, format!("cannot read: {err}"), false);
            }
            return;
        }
    };
    let mut current = original.clone();
    let mut scanned = match verify::scan_text(path, &current, rules, settings) {
        Ok(scanned) => scanned,
        Err(err) => {
            for finding in &findings {
                decline(plan, finding, err.clone(), false);
            }
            return;
        }
    };
    // Bottom of the file first (column too, for flow lists on one line): an edit never moves
    // the lines of the objects above it, so each finding's line still finds its object, and
    // removing a list item never shifts the position of an item a later fix removes.
    findings.sort_by(|a, b| {
        let key = |f: &Finding| (f.location.line, f.location.column);
        (key(b), b.rule_id, &b.container).cmp(&(key(a), a.rule_id, &a.container))
    });
    // The fast path: every fix applied in turn, verified once for the whole file. When that
    // fails, each fix is applied and verified alone, so one bad fix does not sink the rest.
    if let Some((text, keys)) =
        fix_all_at_once(path, &original, &findings, &scanned, rules, settings)
    {
        if text != original {
            plan.changes.push(FileChange {
                path: path.to_owned(),
                original,
                fixed: text,
                fixed_findings: keys,
            });
        }
        return;
    }
    let original_keys = scanned.findings.clone();
    let mut fixed = Vec::new();
    for finding in &findings {
        let key = FindingKey::of(finding);
        if !scanned.findings.contains(&key) {
            if original_keys.contains(&key) {
                // An earlier fix (the same change for another rule) already fixed it.
                fixed.push(key);
            } else {
                decline(plan, finding, CROSS_FILE.to_owned(), false);
            }
            continue;
        }
        let Some(fix) = &finding.fix else { continue };
        match fix_one(
            path, &current, finding, &fix.patch, &scanned, rules, settings,
        ) {
            Ok(Some((text, after))) => {
                current = text;
                scanned = after;
                fixed.push(key);
            }
            Ok(None) => decline(
                plan,
                finding,
                "the fix changes nothing in the file".to_owned(),
                true,
            ),
            Err((reason, failed)) => decline(plan, finding, reason, failed),
        }
    }
    if current != original {
        plan.changes.push(FileChange {
            path: path.to_owned(),
            original,
            fixed: current,
            fixed_findings: fixed,
        });
    }
}

const CROSS_FILE: &str = "reported only with other inputs; cannot be verified in this file alone";

/// Applies every finding's fix in turn and verifies the result once. `None` when any fix
/// cannot be spelled, a finding cannot be verified in the file alone, or the verification
/// fails (the caller then goes one fix at a time).
fn fix_all_at_once(
    path: &str,
    original: &str,
    findings: &[Finding],
    before: &verify::Scanned,
    rules: &[&'static Rule],
    settings: &ScanSettings,
) -> Option<(String, Vec<FindingKey>)> {
    let mut text = original.to_owned();
    let mut applied = Vec::new();
    for finding in findings {
        let key = FindingKey::of(finding);
        if !before.findings.contains(&key) {
            return None;
        }
        let ops = &finding.fix.as_ref()?.patch;
        let mut object_index = 0;
        for op in ops {
            let manifest = Manifest::parse(&text).ok()?;
            let objects = manifest.objects();
            let index = find_object(&manifest, &objects, finding).ok()?;
            if manifest.is_ignored(&objects[index]) {
                return None;
            }
            object_index = index;
            let edits = manifest.edits(&objects[index], op).ok()?;
            text = yaml::apply(&text, &edits).ok()?;
        }
        applied.push((key, object_index, ops.clone()));
    }
    if text == original {
        return None;
    }
    let after = verify::scan_text(path, &text, rules, settings).ok()?;
    verify::check_all(before, &after, &applied).ok()?;
    Some((text, applied.into_iter().map(|(key, _, _)| key).collect()))
}

type Attempt = Result<Option<(String, verify::Scanned)>, (String, bool)>;

/// Applies one finding's operations to `text` and verifies the result.
fn fix_one(
    path: &str,
    text: &str,
    finding: &Finding,
    ops: &[aksguard_model::PatchOp],
    before: &verify::Scanned,
    rules: &[&'static Rule],
    settings: &ScanSettings,
) -> Attempt {
    let mut candidate = text.to_owned();
    let mut object_index = None;
    for op in ops {
        let manifest = Manifest::parse(&candidate).map_err(|e| (e, false))?;
        let objects = manifest.objects();
        let index = find_object(&manifest, &objects, finding).map_err(|e| (e, false))?;
        if manifest.is_ignored(&objects[index]) {
            return Err((
                "the object carries aksguard.io/ignore; not edited".to_owned(),
                false,
            ));
        }
        object_index = Some(index);
        let edits = manifest
            .edits(&objects[index], op)
            .map_err(|e| (e, false))?;
        candidate = yaml::apply(&candidate, &edits).map_err(|e| (e, true))?;
    }
    if candidate == text {
        return Ok(None);
    }
    let after = verify::scan_text(path, &candidate, rules, settings).map_err(|e| (e, true))?;
    verify::check(
        before,
        &after,
        &FindingKey::of(finding),
        object_index.unwrap_or(0),
        ops,
    )
    .map_err(|e| (e, true))?;
    Ok(Some((candidate, after)))
}

/// The object of `finding` among `objects`: by kind, namespace and name; among equals, the
/// last one starting at or above the finding's line.
pub(crate) fn find_object(
    manifest: &Manifest<'_>,
    objects: &[ObjectSpan],
    finding: &Finding,
) -> Result<usize, String> {
    let reference = &finding.object;
    let candidates: Vec<usize> = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| {
            o.kind == reference.kind.as_str()
                && o.api_version == reference.api_version.as_str()
                && o.name.as_deref().unwrap_or("<unnamed>") == reference.name.as_str()
                && o.namespace.as_deref() == reference.namespace.as_deref()
        })
        .map(|(i, _)| i)
        .collect();
    match candidates[..] {
        // An earlier fix of the same object may have changed its apiVersion (REL001): the
        // object is then the one of that kind and name, if there is only one.
        [] => {
            let same_name: Vec<usize> = objects
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    o.kind == reference.kind.as_str()
                        && o.name.as_deref().unwrap_or("<unnamed>") == reference.name.as_str()
                        && o.namespace.as_deref() == reference.namespace.as_deref()
                })
                .map(|(i, _)| i)
                .collect();
            match same_name[..] {
                [one] => Ok(one),
                _ => Err(format!("object {} not found in the file", reference.name)),
            }
        }
        [one] => Ok(one),
        _ => candidates
            .iter()
            .rev()
            .find(|i| manifest.line_at(objects[**i].start) <= finding.location.line as usize)
            .copied()
            .ok_or_else(|| format!("object {} is ambiguous in the file", reference.name)),
    }
}
