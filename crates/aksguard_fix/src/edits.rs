//! `fix.edits` for reports (JSON `fix.edits`, SARIF `fixes[].artifactChanges`): each
//! automatic fix of a finding read from a YAML or JSON manifest file, spelled as text edits
//! of that file as it is on disk. These are the edits of each fix alone, not verified
//! together; `aksguard fix` is what applies and verifies them.
//!
//! Off by default: it reads every file with findings again. The CLI turns it on for the
//! machine-readable formats that carry edits (`--format json|sarif`).

use std::collections::HashMap;
use std::sync::Arc;

use aksguard_model::finding::is_live_path;
use aksguard_model::{Finding, LineIndex, TextEdit};

use crate::plan::find_object;
use crate::yaml::{Edit, Manifest};

/// Fills `fix.edits` of every finding whose automatic fix can be spelled as edits of its
/// file (a fix that cannot, such as one through an alias, keeps none). Returns how many
/// findings got edits.
pub fn fill_edits(findings: &mut [Finding]) -> usize {
    let mut texts: HashMap<Arc<str>, Option<String>> = HashMap::new();
    let mut filled = 0;
    for finding in findings.iter_mut() {
        let Some(fix) = &finding.fix else { continue };
        let path = finding.location.path.clone();
        if !fix.is_automatic()
            || !fix.edits.is_empty()
            || finding.location.template.is_some()
            || is_live_path(&path)
            || &*path == "<stdin>"
        {
            continue;
        }
        let text = texts
            .entry(path.clone())
            .or_insert_with(|| std::fs::read_to_string(&*path).ok());
        let Some(text) = text.as_deref() else {
            continue;
        };
        let Some(edits) = edits_of(text, finding) else {
            continue;
        };
        let index = LineIndex::new(text);
        let mut fix = (**fix).clone();
        fix.edits = edits
            .into_iter()
            .map(|edit| text_edit(&path, text, &index, edit))
            .collect();
        finding.fix = Some(Arc::new(fix));
        filled += 1;
    }
    filled
}

/// The edits of `finding`'s fix against `text`; `None` when they cannot be spelled (or
/// the fix has several operations touching the same place).
fn edits_of(text: &str, finding: &Finding) -> Option<Vec<Edit>> {
    let manifest = Manifest::parse(text).ok()?;
    let objects = manifest.objects();
    let index = find_object(&manifest, &objects, finding).ok()?;
    if manifest.is_ignored(&objects[index]) {
        return None;
    }
    let mut edits = Vec::new();
    for op in &finding.fix.as_ref()?.patch {
        edits.extend(manifest.edits(&objects[index], op).ok()?);
    }
    // Several operations may not be combinable as one set of edits of the original text.
    crate::yaml::apply(text, &edits).ok()?;
    (!edits.is_empty()).then_some(edits)
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
