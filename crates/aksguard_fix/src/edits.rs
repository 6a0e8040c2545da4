//! `fix.edits` for reports (JSON `fix.edits`, SARIF `fixes[].artifactChanges`): each
//! automatic fix of a finding read from a YAML or JSON manifest file, a Terraform `.tf` file
//! or an ARM template, spelled as text edits of that file as it is on disk. These are the
//! edits of each fix alone, not verified together; `aksguard fix` is what applies and
//! verifies them. An IaC change whose value comes from one variable or parameter gets it
//! named instead (`IacChange::variable`: `var.x`, `parameters('x')`).
//!
//! Off by default: it reads every file with findings again (each file read and parsed once
//! for all of its findings). The CLI turns it on for the machine-readable formats that
//! carry edits (`--format json|sarif`).

use std::collections::HashMap;
use std::sync::Arc;

use aksguard_model::finding::is_live_path;
use aksguard_model::{Finding, Fix, FixSafety, LineIndex, TextEdit};

use crate::iac::{IacFile, IacOutcome, ParsedIac, apply_to_parsed, parse_file};
use crate::plan::find_object;
use crate::yaml::{Edit, Manifest, ObjectSpan};

/// Fills `fix.edits` of every finding whose automatic fix can be spelled as edits of its
/// file (a fix that cannot, such as one through an alias, keeps none). Returns how many
/// findings got edits.
pub fn fill_edits(findings: &mut [Finding]) -> usize {
    // Each file is read, parsed and indexed once for all of its findings: a manifest with
    // a thousand workloads has tens of thousands of findings.
    let mut by_path: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
    let mut iac_by_path: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
    for (i, finding) in findings.iter().enumerate() {
        let Some(fix) = &finding.fix else { continue };
        let path = &finding.location.path;
        if !fix.edits.is_empty()
            || finding.location.template.is_some()
            || is_live_path(path)
            || &**path == "<stdin>"
        {
            continue;
        }
        if has_iac_change(finding, fix) {
            iac_by_path.entry(path.clone()).or_default().push(i);
        } else if fix.is_automatic() {
            by_path.entry(path.clone()).or_default().push(i);
        }
    }
    let mut filled = 0;
    for (path, indices) in iac_by_path {
        filled += fill_iac_file(&path, findings, &indices);
    }
    for (path, indices) in by_path {
        let Ok(text) = std::fs::read_to_string(&*path) else {
            continue;
        };
        let Ok(manifest) = Manifest::parse(&text) else {
            continue;
        };
        let objects = manifest.objects();
        let index = LineIndex::new(&text);
        for i in indices {
            let finding = &mut findings[i];
            let Some(fix) = finding.fix.as_deref() else {
                continue;
            };
            let Some(edits) = edits_of(&text, &manifest, &objects, finding, fix) else {
                continue;
            };
            let mut fix = fix.clone();
            fix.edits = edits
                .into_iter()
                .map(|edit| text_edit(&path, &text, &index, edit))
                .collect();
            finding.fix = Some(Arc::new(fix));
            filled += 1;
        }
    }
    filled
}

/// Whether `fix` has an IaC change spelled for the Terraform file or ARM template the
/// finding came from.
fn has_iac_change(finding: &Finding, fix: &Fix) -> bool {
    let language = match IacFile::of_path(&finding.location.path) {
        Some(kind @ (IacFile::Terraform | IacFile::Arm)) => kind.language(),
        _ => return false,
    };
    fix.iac.iter().any(|c| c.language == language)
}

/// The IaC findings `indices` of the file `path`: edits for the automatic fixes, the
/// variable or parameter named where the value comes from one. Returns how many findings
/// got edits.
fn fill_iac_file(path: &Arc<str>, findings: &mut [Finding], indices: &[usize]) -> usize {
    let Ok(text) = std::fs::read_to_string(&**path) else {
        return 0;
    };
    let Some(Ok(parsed)) = parse_file(path, &text) else {
        return 0;
    };
    let mut filled = 0;
    for &i in indices {
        let finding = &mut findings[i];
        let Some(fix) = finding.fix.as_deref() else {
            continue;
        };
        let line = finding.location.line;
        let mut fix = fix.clone();
        match apply_to_parsed(path, &text, Some(&parsed), line, &fix.iac) {
            Some(Ok(IacOutcome::Edits(edits))) if fix.safety != FixSafety::Manual => {
                fix.edits = edits;
                filled += 1;
            }
            Some(Ok(IacOutcome::FromVariable { .. } | IacOutcome::Note(_))) => {
                name_variables(path, &text, &parsed, line, &mut fix);
            }
            _ => continue,
        }
        finding.fix = Some(Arc::new(fix));
    }
    filled
}

/// Sets `variable` on each of `fix`'s changes whose value comes from one variable or
/// parameter (each change looked at alone: a fix may need several settings).
fn name_variables(path: &Arc<str>, text: &str, parsed: &ParsedIac, line: u32, fix: &mut Fix) {
    for change in &mut fix.iac {
        if change.variable.is_some() {
            continue;
        }
        let alone = std::slice::from_ref(change);
        if let Some(Ok(IacOutcome::FromVariable { variable, .. })) =
            apply_to_parsed(path, text, Some(parsed), line, alone)
        {
            change.variable = Some(variable);
        }
    }
}

/// The edits of `finding`'s fix against `text`; `None` when they cannot be spelled (or
/// the fix has several operations touching the same place).
fn edits_of(
    text: &str,
    manifest: &Manifest<'_>,
    objects: &[ObjectSpan],
    finding: &Finding,
    fix: &Fix,
) -> Option<Vec<Edit>> {
    let index = find_object(manifest, objects, finding).ok()?;
    if manifest.is_ignored(&objects[index]) {
        return None;
    }
    let mut edits = Vec::new();
    for op in &fix.patch {
        edits.extend(manifest.edits(&objects[index], op).ok()?);
    }
    // Several operations may not be combinable as one set of edits of the original text.
    (combinable(text, &mut edits) && !edits.is_empty()).then_some(edits)
}

/// Whether `edits` (sorted here) lie within `text` on character boundaries and do not
/// overlap: what applying them needs, checked without copying the text per finding.
fn combinable(text: &str, edits: &mut [Edit]) -> bool {
    edits.sort_by_key(|e| (e.start, e.end));
    edits.windows(2).all(|pair| pair[0].end <= pair[1].start)
        && edits.iter().all(|e| {
            e.start <= e.end && text.is_char_boundary(e.start) && text.is_char_boundary(e.end)
        })
}

fn text_edit(path: &Arc<str>, text: &str, index: &LineIndex, edit: Edit) -> TextEdit {
    let start = index.pos(text, edit.start);
    let end = index.pos(text, edit.end);
    TextEdit {
        path: path.clone(),
        start: edit.start,
        end: edit.end,
        start_line: start.line,
        start_column: start.col,
        end_line: end.line,
        end_column: end.col,
        replacement: edit.replacement,
    }
}
