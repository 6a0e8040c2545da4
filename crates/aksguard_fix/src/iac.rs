//! What editing infrastructure as code for one [`IacChange`] gives: byte edits of the file,
//! nothing (the setting already has the value), or a note for a human (the value comes from
//! a variable or parameter, which this tool never edits: the same variable may feed other
//! resources or environments).
//!
//! Shared by [`crate::terraform`] and [`crate::arm`].

use std::sync::Arc;

use aksguard_model::{IacChange, LineIndex, TextEdit};

/// The result of applying one IaC change to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IacOutcome {
    /// Replace these byte ranges (sorted, not overlapping) to make the change.
    Edits(Vec<TextEdit>),
    /// The setting already has the value: nothing to do (a second run is a no-op).
    AlreadySet,
    /// Not edited; the sentence says what to change by hand (a variable, a parameter, a
    /// module input, a Bicep property).
    Note(String),
    /// Not edited: the value comes from one variable or parameter, named as the language
    /// writes it (`var.run_command`, `local.flags`, `parameters('disableRunCommand')`,
    /// `variables('hostEncryption')`); the note says what to set it to.
    FromVariable { note: String, variable: String },
}

impl IacOutcome {
    /// The sentence for a human, when the change is not made.
    pub fn note(&self) -> Option<&str> {
        match self {
            IacOutcome::Note(note) | IacOutcome::FromVariable { note, .. } => Some(note),
            IacOutcome::Edits(_) | IacOutcome::AlreadySet => None,
        }
    }
}

/// Why a change could not be applied at all (the file or the change is not what it claims).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IacError {
    pub path: String,
    pub message: String,
}

impl IacError {
    pub fn new(path: &str, message: impl Into<String>) -> Self {
        IacError {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for IacError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for IacError {}

/// The file kinds an IaC change can be applied to, by file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IacFile {
    Terraform,
    Arm,
    Bicep,
}

impl IacFile {
    /// `.tf` → Terraform, `.json` → ARM, `.bicep` → Bicep; anything else is not IaC here.
    pub fn of_path(path: &str) -> Option<IacFile> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".tf") {
            Some(IacFile::Terraform)
        } else if lower.ends_with(".json") {
            Some(IacFile::Arm)
        } else if lower.ends_with(".bicep") {
            Some(IacFile::Bicep)
        } else {
            None
        }
    }

    /// The [`IacChange::language`] spelled for this kind of file.
    pub fn language(self) -> &'static str {
        match self {
            IacFile::Terraform => "terraform",
            IacFile::Arm => "arm",
            IacFile::Bicep => "bicep",
        }
    }
}

/// A Terraform or ARM file parsed once for the findings in it.
pub enum ParsedIac {
    Terraform(hcl_edit::structure::Body),
    Arm(crate::arm::Template),
}

/// Parses `text` as the IaC file `path` is (`None` for Bicep and anything else).
pub fn parse_file(path: &str, text: &str) -> Option<Result<ParsedIac, IacError>> {
    Some(match IacFile::of_path(path)? {
        IacFile::Terraform => crate::terraform::parse(path, text).map(ParsedIac::Terraform),
        IacFile::Arm => crate::arm::parse_template(path, text).map(ParsedIac::Arm),
        IacFile::Bicep => return None,
    })
}

/// Applies the changes among `changes` spelled for `path`'s kind of file (a finding carries
/// them per language; a rule may need several settings, such as the OIDC issuer and
/// workload identity) at the finding's `line`, in order, as one edit. `None` when the file
/// is not IaC or no change is spelled for it; Bicep gets a note (an ARM change is shown in
/// Bicep words). Any change that gives a note makes the whole outcome that note: a
/// half-applied fix would not clear the finding.
pub fn apply_to_file(
    path: &Arc<str>,
    text: &str,
    line: u32,
    changes: &[IacChange],
) -> Option<Result<IacOutcome, IacError>> {
    apply_to_parsed(path, text, None, line, changes)
}

/// [`apply_to_file`] with `text` already parsed as `parsed` (when given, it must be
/// `text`'s, from [`parse_file`]).
pub fn apply_to_parsed(
    path: &Arc<str>,
    text: &str,
    parsed: Option<&ParsedIac>,
    line: u32,
    changes: &[IacChange],
) -> Option<Result<IacOutcome, IacError>> {
    let kind = IacFile::of_path(path)?;
    let mut mine: Vec<&IacChange> = changes
        .iter()
        .filter(|c| c.language == kind.language())
        .collect();
    if mine.is_empty() && kind == IacFile::Bicep {
        mine = changes.iter().filter(|c| c.language == "arm").collect();
    }
    if mine.is_empty() {
        return None;
    }
    if kind == IacFile::Bicep {
        let notes: Vec<String> = mine
            .iter()
            .map(|c| crate::arm::bicep_note(path, line, c))
            .collect();
        return Some(Ok(IacOutcome::Note(notes.join(" "))));
    }
    let mut current = text.to_owned();
    let mut notes = Vec::new();
    for change in mine {
        // The parsed text serves until the first edit; later changes parse what it became.
        let parsed = parsed.filter(|_| current.len() == text.len() && current == text);
        let outcome = match (kind, parsed) {
            (IacFile::Terraform, Some(ParsedIac::Terraform(body))) => {
                crate::terraform::apply_parsed(path, &current, Some(body), line, change)
            }
            (IacFile::Terraform, _) => crate::terraform::apply(path, &current, line, change),
            (_, Some(ParsedIac::Arm(template))) => {
                crate::arm::apply_parsed(path, &current, Some(template), line, change)
            }
            _ => crate::arm::apply(path, &current, line, change),
        };
        match outcome {
            Ok(IacOutcome::Edits(edits)) => match apply_edits(&current, &edits) {
                Ok(next) => current = next,
                Err(message) => return Some(Err(IacError::new(path, message))),
            },
            Ok(IacOutcome::AlreadySet) => {}
            Ok(IacOutcome::Note(note)) => notes.push((note, None)),
            Ok(IacOutcome::FromVariable { note, variable }) => notes.push((note, Some(variable))),
            Err(err) => return Some(Err(err)),
        }
    }
    Some(Ok(if let [(note, Some(variable))] = notes.as_slice() {
        IacOutcome::FromVariable {
            note: note.clone(),
            variable: variable.clone(),
        }
    } else if !notes.is_empty() {
        let notes: Vec<String> = notes.into_iter().map(|(note, _)| note).collect();
        IacOutcome::Note(notes.join(" "))
    } else if current == text {
        IacOutcome::AlreadySet
    } else {
        let splice = whole_words(text, &current, splice_between(text, &current));
        IacOutcome::Edits(text_edits(path, text, vec![splice]))
    }))
}

/// The `<placeholder>` in a change's value (`"<cidr>"`, `"<workspace-id>"`): a value a
/// human must choose, never written by aksguard.
pub(crate) fn placeholder(value: &str) -> Option<&str> {
    let start = value.find('<')?;
    let end = start + value[start..].find('>')?;
    let inner = &value[start + 1..end];
    (!inner.is_empty()
        && inner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b' ')))
    .then(|| &value[start..=end])
}

/// The note for a change whose value is a placeholder.
pub(crate) fn placeholder_note(
    path: &str,
    line: u32,
    attribute: &str,
    value: &str,
) -> Option<String> {
    let hole = placeholder(value)?;
    Some(format!(
        "`{attribute}` at {path}:{line} needs a value only you can choose ({hole}): set it to \
         {value} with the real value by hand; not edited."
    ))
}

/// A byte-range replacement before it is located by line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Splice {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

/// The splices as [`TextEdit`]s of `path`, with 1-based lines and character columns.
pub(crate) fn text_edits(path: &Arc<str>, text: &str, splices: Vec<Splice>) -> Vec<TextEdit> {
    let lines = LineIndex::new(text);
    splices
        .into_iter()
        .map(|s| {
            let (from, to) = (lines.pos(text, s.start), lines.pos(text, s.end));
            TextEdit {
                path: Arc::clone(path),
                start: s.start,
                end: s.end,
                start_line: from.line,
                start_column: from.col,
                end_line: to.line,
                end_column: to.col,
                replacement: s.replacement,
            }
        })
        .collect()
}

/// `text` with `edits` applied (they must be sorted and not overlap, as every outcome's are).
/// An edit outside the text or inside a character is an error, never a panic.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in edits {
        if edit.start < at || edit.end < edit.start {
            return Err(format!(
                "edits overlap or are out of order at byte {}",
                edit.start
            ));
        }
        let (Some(kept), Some(_)) = (text.get(at..edit.start), text.get(edit.start..edit.end))
        else {
            return Err(format!(
                "edit {}..{} is outside the text or splits a character",
                edit.start, edit.end
            ));
        };
        out.push_str(kept);
        out.push_str(&edit.replacement);
        at = edit.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The line ending the file uses (`\r\n` when it has any), for inserted lines.
pub(crate) fn newline_of(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// The byte offset line `line` (1-based) starts at, when the text has that line.
pub(crate) fn line_start(text: &str, line: u32) -> Option<usize> {
    if line == 0 {
        return None;
    }
    if line == 1 {
        return Some(0);
    }
    text.match_indices('\n')
        .nth(line as usize - 2)
        .map(|(i, _)| i + 1)
}

/// The whitespace that starts the line holding byte `offset`.
pub(crate) fn indent_at(text: &str, offset: usize) -> &str {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let rest = &text[start..];
    let width = rest
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count();
    &rest[..width]
}

/// Whether only spaces and tabs precede byte `offset` on its line.
pub(crate) fn starts_its_line(text: &str, offset: usize) -> bool {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[start..offset].bytes().all(|b| b == b' ' || b == b'\t')
}

/// The one splice that turns `before` into `after`: their common prefix and suffix kept.
pub(crate) fn splice_between(before: &str, after: &str) -> Splice {
    let mut prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(prefix) || !after.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = before.len().min(after.len()) - prefix;
    let mut suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !before.is_char_boundary(before.len() - suffix)
        || !after.is_char_boundary(after.len() - suffix)
    {
        suffix -= 1;
    }
    Splice {
        start: prefix,
        end: before.len() - suffix,
        replacement: after[prefix..after.len() - suffix].to_owned(),
    }
}

/// `splice` (from [`splice_between`]) widened to whole words on both ends, so that a report
/// replaces `true` with `false` rather than `tru` with `fals`.
pub(crate) fn whole_words(before: &str, after: &str, splice: Splice) -> Splice {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let (bytes, mut start, mut end) = (before.as_bytes(), splice.start, splice.end);
    let mut after_end = after.len() - (before.len() - end);
    while start > 0 && word(bytes[start - 1]) {
        start -= 1;
    }
    while end < before.len() && word(bytes[end]) {
        end += 1;
        after_end += 1;
    }
    Splice {
        start,
        end,
        replacement: after[start..after_end].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, replacement: &str) -> TextEdit {
        text_edits(
            &Arc::from("f"),
            "abcdef",
            vec![Splice {
                start,
                end,
                replacement: replacement.into(),
            }],
        )
        .remove(0)
    }

    #[test]
    fn applies_sorted_edits_and_refuses_bad_ranges() {
        assert_eq!(
            apply_edits("abcdef", &[edit(1, 2, "X"), edit(4, 4, "YY")]).unwrap(),
            "aXcdYYef"
        );
        assert!(apply_edits("abcdef", &[edit(4, 5, "X"), edit(1, 2, "Y")]).is_err());
        assert!(apply_edits("ab", &[edit(1, 9, "X")]).is_err());
    }

    #[test]
    fn picks_the_change_spelled_for_the_file() {
        let change = |language: &'static str, attribute: &str| IacChange {
            language,
            attribute: attribute.into(),
            value: "true".into(),
            variable: None,
        };
        let changes = [
            change("terraform", "local_account_disabled"),
            change("arm", "properties.disableLocalAccounts"),
        ];
        let tf = "resource \"azurerm_kubernetes_cluster\" \"c\" {\n}\n";
        let Some(Ok(IacOutcome::Edits(edits))) =
            apply_to_file(&Arc::from("main.tf"), tf, 1, &changes)
        else {
            panic!("terraform edits")
        };
        assert!(
            apply_edits(tf, &edits)
                .unwrap()
                .contains("local_account_disabled = true")
        );
        let Some(Ok(IacOutcome::Note(note))) =
            apply_to_file(&Arc::from("main.bicep"), "", 4, &changes)
        else {
            panic!("a bicep note")
        };
        assert!(note.contains("`disableLocalAccounts: true`"), "{note}");
        assert!(apply_to_file(&Arc::from("pod.yaml"), "", 1, &changes).is_none());
        assert!(apply_to_file(&Arc::from("main.tf"), tf, 1, &changes[1..]).is_none());
        let both = [
            change("terraform", "oidc_issuer_enabled"),
            change("terraform", "workload_identity_enabled"),
        ];
        let Some(Ok(IacOutcome::Edits(edits))) = apply_to_file(&Arc::from("main.tf"), tf, 1, &both)
        else {
            panic!("terraform edits")
        };
        assert_eq!(edits.len(), 1);
        assert_eq!(
            apply_edits(tf, &edits).unwrap(),
            "resource \"azurerm_kubernetes_cluster\" \"c\" {\n  oidc_issuer_enabled = true\n  workload_identity_enabled = true\n}\n"
        );
    }

    #[test]
    fn splices_cover_whole_words() {
        let (before, after) = ("x = true # on", "x = false # on");
        let s = whole_words(before, after, splice_between(before, after));
        assert_eq!((s.start, s.end, s.replacement.as_str()), (4, 8, "false"));
        let (before, after) = ("a {\n}\n", "a {\n  b = 1\n}\n");
        let s = whole_words(before, after, splice_between(before, after));
        assert_eq!(
            (s.start, s.end, s.replacement.as_str()),
            (4, 4, "  b = 1\n")
        );
    }

    #[test]
    fn finds_lines_and_indentation() {
        let text = "a\n  b\r\n\tc";
        assert_eq!(line_start(text, 1), Some(0));
        assert_eq!(line_start(text, 2), Some(2));
        assert_eq!(line_start(text, 3), Some(7));
        assert_eq!(line_start(text, 4), None);
        assert_eq!(line_start(text, 0), None);
        assert_eq!(indent_at(text, 4), "  ");
        assert_eq!(indent_at(text, 8), "\t");
        assert_eq!(newline_of(text), "\r\n");
        assert!(starts_its_line(text, 4) && !starts_its_line(text, 5));
        let e = edit(2, 3, "");
        assert_eq!((e.start_line, e.start_column, e.end_column), (1, 3, 4));
    }
}
