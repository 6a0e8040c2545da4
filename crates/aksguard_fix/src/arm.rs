//! ARM JSON templates: sets the property path an [`IacChange`] names in the resource a
//! finding points at, or inserts it (with any missing objects on the way) after the last
//! member of the innermost existing object, with that object's own indentation. Every other
//! byte (indentation, key order, number spelling, `//` and `/* */` comments ARM allows) stays as it is: the
//! template is read by a small parser here that keeps each value's byte span, and only the
//! value's bytes or the inserted member change.
//!
//! Never edited (a note says what to change instead): a value, or an object on the way to
//! it, that is a template expression (`[parameters('x')]`, `[variables('y')]`, `[if(…)]`):
//! the parameter may be shared by other resources or set per environment in a parameters
//! file. Bicep files get the suggestion only ([`bicep_note`]): their syntax is not JSON, and
//! aksguard reads them through `az bicep build`, which keeps no byte positions to edit.

use std::sync::Arc;

use aksguard_model::IacChange;
use serde_json::Value;

use crate::iac::{
    IacError, IacOutcome, indent_at, line_start, newline_of, placeholder_note, splice_between,
    starts_its_line, text_edits,
};

/// Nesting a template may have (ARM itself allows far less).
const MAX_DEPTH: usize = 256;

/// Members of a resource that are not under `properties`: a path starting with anything
/// else is a property (`apiServerAccessProfile.x` means `properties.apiServerAccessProfile.x`).
const RESOURCE_MEMBERS: &[&str] = &[
    "properties",
    "sku",
    "identity",
    "tags",
    "location",
    "zones",
    "kind",
    "extendedLocation",
    "name",
    "type",
    "apiVersion",
];

/// Applies `change` to the ARM template `text` (at `path`), in the resource holding line
/// `line` (the finding's location).
pub fn apply(
    path: &Arc<str>,
    text: &str,
    line: u32,
    change: &IacChange,
) -> Result<IacOutcome, IacError> {
    apply_parsed(path, text, None, line, change)
}

/// An ARM template parsed with the byte span of every value, for several [`apply_parsed`]
/// calls (a file with many findings).
#[derive(Debug)]
pub struct Template(Json);

/// Parses an ARM template once.
pub fn parse_template(path: &str, text: &str) -> Result<Template, IacError> {
    parse(text).map(Template).map_err(|(at, message)| {
        IacError::new(path, format!("line {}: {message}", line_of(text, at)))
    })
}

/// [`apply`] with `text` already parsed as `parsed` (when given, it must be `text`'s).
pub fn apply_parsed(
    path: &Arc<str>,
    text: &str,
    parsed: Option<&Template>,
    line: u32,
    change: &IacChange,
) -> Result<IacOutcome, IacError> {
    if change.language == "bicep" {
        return Ok(IacOutcome::Note(bicep_note(path, line, change)));
    }
    if change.language != "arm" {
        return Err(IacError::new(
            path,
            format!("a {} change cannot edit an ARM template", change.language),
        ));
    }
    if let Some(note) = placeholder_note(path, line, &change.attribute, change.value.trim()) {
        return Ok(IacOutcome::Note(note));
    }
    let value: Value = serde_json::from_str(change.value.trim()).map_err(|_| {
        IacError::new(
            path,
            format!("`{}` is not a JSON value; not edited", change.value),
        )
    })?;
    let mut segments = property_path(path, &change.attribute)?;
    if let Some(variable) = &change.variable {
        return Ok(IacOutcome::FromVariable {
            note: format!(
                "`{}` comes from `{variable}`: set it to {} (its defaultValue or the \
                 parameters file); {path} is not edited.",
                change.attribute, change.value
            ),
            variable: variable.clone(),
        });
    }
    let owned;
    let root = match parsed {
        Some(Template(root)) => root,
        None => {
            owned = parse_template(path, text)?;
            &owned.0
        }
    };
    let from = line_start(text, line)
        .ok_or_else(|| IacError::new(path, format!("the file has no line {line}")))?;
    let to = text[from..].find('\n').map_or(text.len(), |i| from + i);
    let (resource, is_pool_item) = innermost_resource(root, from, to, false)
        .ok_or_else(|| IacError::new(path, format!("no resource at line {line}")))?;
    let starts_in_resource = matches!(&segments[0], Segment::Key(k) if RESOURCE_MEMBERS.contains(&k.as_str()) || resource.member(k).is_some());
    if !starts_in_resource && !is_pool_item {
        segments.insert(0, Segment::Key("properties".into()));
    }
    let attribute = change.attribute.as_str();
    let mut current = resource;
    for (i, segment) in segments.iter().enumerate() {
        if let Some(expression) = current.expression(text) {
            return Ok(expression_outcome(
                path,
                text,
                current.start,
                attribute,
                expression,
                &change.value,
            ));
        }
        let next = match segment {
            Segment::Key(key) => current.member(key),
            Segment::Index(index) => current.items().and_then(|items| items.get(*index)),
            Segment::Named(name) => current.items().and_then(|items| {
                items.iter().find(|item| {
                    item.member("name")
                        .is_some_and(|n| n.string(text).as_deref() == Some(name.as_str()))
                })
            }),
        };
        let Some(next) = next else {
            return insert(path, text, current, &segments[i..], &value);
        };
        current = next;
    }
    let written = &text[current.start..current.end];
    if serde_json::from_str::<Value>(written).is_ok_and(|v| v == value) {
        return Ok(IacOutcome::AlreadySet);
    }
    if let Some(expression) = current.expression(text) {
        return Ok(expression_outcome(
            path,
            text,
            current.start,
            attribute,
            expression,
            &change.value,
        ));
    }
    let indent = indent_at(text, current.start).to_owned();
    let replacement = render(&value, &indent, &step_of(text), newline_of(text));
    let mut next = text.to_owned();
    next.replace_range(current.start..current.end, &replacement);
    finish(path, text, next)
}

/// The suggestion for a Bicep file: aksguard does not edit Bicep.
pub fn bicep_note(path: &str, line: u32, change: &IacChange) -> String {
    let attribute = change
        .attribute
        .strip_prefix("properties.")
        .unwrap_or(&change.attribute);
    format!(
        "{path}:{line} is Bicep, which aksguard does not edit: set `{attribute}: {}` in the \
         resource's `properties` by hand.",
        change.value.trim()
    )
}

/// Checks the edited text still parses, and returns the one edit from `text` to it.
fn finish(path: &Arc<str>, text: &str, next: String) -> Result<IacOutcome, IacError> {
    if parse(&next).is_err() {
        return Err(IacError::new(
            path,
            "the edit would leave invalid JSON; not edited",
        ));
    }
    Ok(IacOutcome::Edits(text_edits(
        path,
        text,
        vec![splice_between(text, &next)],
    )))
}

/// One step of a property path.
#[derive(Clone, Debug, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
    /// The array item whose `name` is this (`agentPoolProfiles[name=system]`).
    Named(String),
}

/// `a.b[0].c[name=x]` as segments.
fn property_path(path: &str, attribute: &str) -> Result<Vec<Segment>, IacError> {
    let bad = || IacError::new(path, format!("`{attribute}` is not an ARM property path"));
    let mut out = Vec::new();
    for part in attribute.split('.') {
        let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if key.is_empty() {
            return Err(bad());
        }
        out.push(Segment::Key(key.to_owned()));
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']').ok_or_else(bad)?;
            let index = &inner[..close];
            out.push(match index.strip_prefix("name=") {
                Some(name) if !name.is_empty() => Segment::Named(name.to_owned()),
                _ => Segment::Index(index.parse().map_err(|_| bad())?),
            });
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return Err(bad());
        }
    }
    Ok(out)
}

/// Inserts `segments` (missing objects, then the value) into `object`, after its last
/// member, indented as its members are.
fn insert(
    path: &Arc<str>,
    text: &str,
    object: &Json,
    segments: &[Segment],
    value: &Value,
) -> Result<IacOutcome, IacError> {
    let Kind::Object(members) = &object.kind else {
        return Err(IacError::new(
            path,
            format!(
                "line {}: the value on the way to the property is not an object",
                line_of(text, object.start)
            ),
        ));
    };
    let mut nested = value.clone();
    for segment in segments[1..].iter().rev() {
        let Segment::Key(key) = segment else {
            return Err(IacError::new(
                path,
                "a missing array item cannot be created: set it by hand",
            ));
        };
        nested = Value::Object([(key.clone(), nested)].into_iter().collect());
    }
    let Segment::Key(key) = &segments[0] else {
        return Err(IacError::new(
            path,
            "a missing array item cannot be created: set it by hand",
        ));
    };
    let newline = newline_of(text);
    let step = step_of(text);
    let outer = indent_at(text, object.start).to_owned();
    let mut next = text.to_owned();
    match members.last() {
        Some(last) => {
            let (separator, indent) = if starts_its_line(text, last.key_start) {
                (
                    newline.to_owned(),
                    indent_at(text, last.key_start).to_owned(),
                )
            } else {
                (" ".to_owned(), outer.clone())
            };
            let key_text = serde_json::to_string(key).unwrap_or_default();
            let member = format!(
                ",{separator}{}{key_text}: {}",
                if separator == " " { "" } else { &indent },
                render(&nested, &indent, &step, newline)
            );
            next.insert_str(last.value.end, &member);
        }
        None => {
            let inner = format!("{outer}{step}");
            let key_text = serde_json::to_string(key).unwrap_or_default();
            let body = format!(
                "{newline}{inner}{key_text}: {}{newline}{outer}",
                render(&nested, &inner, &step, newline)
            );
            next.replace_range(object.start + 1..object.end - 1, &body);
        }
    }
    finish(path, text, next)
}

/// A JSON value as text for a member at `indent`: scalars and empty containers on one line,
/// others one member per line.
fn render(value: &Value, indent: &str, step: &str, newline: &str) -> String {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let inner = format!("{indent}{step}");
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{inner}{}: {}",
                        serde_json::to_string(k).unwrap_or_default(),
                        render(v, &inner, step, newline)
                    )
                })
                .collect();
            format!(
                "{{{newline}{}{newline}{indent}}}",
                members.join(&format!(",{newline}"))
            )
        }
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
            let inner = format!("{indent}{step}");
            let items: Vec<String> = items
                .iter()
                .map(|v| format!("{inner}{}", render(v, &inner, step, newline)))
                .collect();
            format!(
                "[{newline}{}{newline}{indent}]",
                items.join(&format!(",{newline}"))
            )
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(Value::to_string).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

/// The file's indentation step: the indentation of its first indented line (two spaces
/// when none is).
fn step_of(text: &str) -> String {
    text.lines()
        .map(|l| {
            let width = l.bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
            &l[..width]
        })
        .find(|indent| !indent.is_empty())
        .unwrap_or("  ")
        .to_owned()
}

/// The outcome for a value that a template expression gives: the note, naming the one
/// parameter or variable it reads when it reads one (`parameters('x')`).
fn expression_outcome(
    path: &str,
    text: &str,
    offset: usize,
    attribute: &str,
    expression: String,
    value: &str,
) -> IacOutcome {
    let params = expression_arguments(&expression, "parameters");
    let vars = expression_arguments(&expression, "variables");
    let variable = match (params.as_slice(), vars.as_slice()) {
        ([name], []) => Some(format!("parameters('{name}')")),
        ([], [name]) => Some(format!("variables('{name}')")),
        _ => None,
    };
    let note = expression_note(path, text, offset, attribute, expression, value);
    match variable {
        Some(variable) => IacOutcome::FromVariable { note, variable },
        None => IacOutcome::Note(note),
    }
}

/// The note for a value that a template expression gives.
fn expression_note(
    path: &str,
    text: &str,
    offset: usize,
    attribute: &str,
    expression: String,
    value: &str,
) -> String {
    let line = line_of(text, offset);
    let what = match (
        expression_arguments(&expression, "parameters"),
        expression_arguments(&expression, "variables"),
    ) {
        (params, _) if !params.is_empty() => format!(
            "set parameter {} to {value} (its defaultValue, or the parameters file such as \
             azuredeploy.parameters.json)",
            quoted(&params)
        ),
        (_, vars) if !vars.is_empty() => {
            format!("set variable {} so that it gives {value}", quoted(&vars))
        }
        _ => format!("change the expression so that it gives {value}"),
    };
    format!("`{attribute}` at {path}:{line} comes from `{expression}`: {what}; not edited.")
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The literal names passed to `function('…')` in a template expression.
fn expression_arguments(expression: &str, function: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let call = format!("{function}('");
    for (at, _) in expression.match_indices(&call) {
        let rest = &expression[at + call.len()..];
        if let Some(end) = rest.find('\'') {
            let name = rest[..end].to_owned();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The innermost object holding bytes `from..=to` that is a resource (has `type` and
/// `apiVersion`) or a node pool of a cluster's `agentPoolProfiles` (then `true`: node-pool
/// paths are relative to it). `pool_item` says whether `node` is such an item.
fn innermost_resource(
    node: &Json,
    from: usize,
    to: usize,
    pool_item: bool,
) -> Option<(&Json, bool)> {
    if node.end <= from || node.start > to {
        return None;
    }
    let deeper = match &node.kind {
        Kind::Object(members) => members.iter().find_map(|m| {
            let pools = m.key == "agentPoolProfiles";
            match &m.value.kind {
                Kind::Array(items) if pools => items
                    .iter()
                    .find_map(|item| innermost_resource(item, from, to, true)),
                _ => innermost_resource(&m.value, from, to, false),
            }
        }),
        Kind::Array(items) => items
            .iter()
            .find_map(|item| innermost_resource(item, from, to, false)),
        Kind::Scalar => return None,
    };
    deeper.or_else(|| {
        let is_resource = node.member("type").is_some() && node.member("apiVersion").is_some();
        if pool_item && matches!(node.kind, Kind::Object(_)) {
            Some((node, true))
        } else {
            is_resource.then_some((node, false))
        }
    })
}

/// A JSON value with its byte span.
#[derive(Debug)]
struct Json {
    start: usize,
    end: usize,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Object(Vec<Member>),
    Array(Vec<Json>),
    Scalar,
}

#[derive(Debug)]
struct Member {
    key: String,
    key_start: usize,
    value: Json,
}

impl Json {
    fn member(&self, key: &str) -> Option<&Json> {
        match &self.kind {
            Kind::Object(members) => members.iter().find(|m| m.key == key).map(|m| &m.value),
            _ => None,
        }
    }

    fn items(&self) -> Option<&[Json]> {
        match &self.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }

    fn string(&self, text: &str) -> Option<String> {
        serde_json::from_str::<String>(&text[self.start..self.end]).ok()
    }

    /// The template expression this value is (`[parameters('x')]`), if it is one; `[[…` is
    /// a literal string starting with `[`.
    fn expression(&self, text: &str) -> Option<String> {
        let value = self.string(text)?;
        let trimmed = value.trim();
        (trimmed.starts_with('[') && !trimmed.starts_with("[[") && trimmed.ends_with(']'))
            .then(|| trimmed.to_owned())
    }
}

/// Parses a JSON document keeping spans; the error is a byte offset and a message.
fn parse(text: &str) -> Result<Json, (usize, String)> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    parser.skip_space();
    let root = parser.value(0)?;
    parser.skip_space();
    if parser.at != text.len() {
        return Err((parser.at, "text after the JSON document".into()));
    }
    Ok(root)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    /// Skips whitespace and the comments ARM templates may hold.
    fn skip_space(&mut self) {
        loop {
            match (self.bytes.get(self.at), self.bytes.get(self.at + 1)) {
                (Some(b' ' | b'\t' | b'\r' | b'\n'), _) => self.at += 1,
                (Some(b'/'), Some(b'/')) => {
                    self.at = self.text[self.at..]
                        .find('\n')
                        .map_or(self.text.len(), |i| self.at + i);
                }
                (Some(b'/'), Some(b'*')) => {
                    self.at = self.text[self.at + 2..]
                        .find("*/")
                        .map_or(self.text.len(), |i| self.at + 2 + i + 2);
                }
                _ => return,
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), (usize, String)> {
        self.skip_space();
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            Ok(())
        } else {
            Err((self.at, format!("expected `{}`", byte as char)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, (usize, String)> {
        if depth > MAX_DEPTH {
            return Err((self.at, "nested too deeply".into()));
        }
        self.skip_space();
        let start = self.at;
        match self.bytes.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b'}') {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_space();
                        let key_start = self.at;
                        let key = self.string()?;
                        self.expect(b':')?;
                        let value = self.value(depth + 1)?;
                        members.push(Member {
                            key,
                            key_start,
                            value,
                        });
                        self.skip_space();
                        match self.bytes.get(self.at) {
                            Some(b',') => self.at += 1,
                            Some(b'}') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err((self.at, "expected `,` or `}`".into())),
                        }
                    }
                }
                Ok(Json {
                    start,
                    end: self.at,
                    kind: Kind::Object(members),
                })
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_space();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.at += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.skip_space();
                        match self.bytes.get(self.at) {
                            Some(b',') => self.at += 1,
                            Some(b']') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err((self.at, "expected `,` or `]`".into())),
                        }
                    }
                }
                Ok(Json {
                    start,
                    end: self.at,
                    kind: Kind::Array(items),
                })
            }
            Some(b'"') => {
                self.string()?;
                Ok(Json {
                    start,
                    end: self.at,
                    kind: Kind::Scalar,
                })
            }
            Some(_) => {
                while self
                    .bytes
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
                {
                    self.at += 1;
                }
                let word = &self.text[start..self.at];
                if serde_json::from_str::<Value>(word).is_err() {
                    return Err((start, format!("`{word}` is not a JSON value")));
                }
                Ok(Json {
                    start,
                    end: self.at,
                    kind: Kind::Scalar,
                })
            }
            None => Err((self.at, "unexpected end of the text".into())),
        }
    }

    /// A string at the cursor, decoded.
    fn string(&mut self) -> Result<String, (usize, String)> {
        let start = self.at;
        if self.bytes.get(self.at) != Some(&b'"') {
            return Err((start, "expected a string".into()));
        }
        self.at += 1;
        loop {
            match self.bytes.get(self.at) {
                Some(b'\\') => self.at += 2,
                Some(b'"') => {
                    self.at += 1;
                    break;
                }
                Some(_) => self.at += 1,
                None => return Err((start, "unterminated string".into())),
            }
        }
        let raw = self
            .text
            .get(start..self.at)
            .ok_or((start, "a string that splits a character".to_owned()))?;
        serde_json::from_str(raw).map_err(|_| (start, "invalid string".to_owned()))
    }
}

#[cfg(test)]
mod tests;
