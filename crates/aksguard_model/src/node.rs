//! A positioned document tree: every node knows the line and column it starts at, so any
//! field a rule inspects can be reported at its own line.

pub use compact_str::CompactString;
use serde_json::Value as Json;

/// A 1-based line and column (columns count characters, as SARIF `unicodeCodePoints`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

/// Where each line of a text starts, for parsers that report byte offsets (hcl-edit,
/// tree-sitter) to answer with a line and a character column.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 0-based line holding byte `offset`, and the byte offset that line starts at.
    pub fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        (line, self.starts[line])
    }

    /// The position of byte `offset` of `text` (the text this index was built from).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let (line, start) = self.line_of(offset);
        let col = text
            .get(start..offset.min(text.len()))
            .map_or(0, |s| s.chars().count());
        Pos::new(
            u32::try_from(line + 1).unwrap_or(u32::MAX),
            u32::try_from(col + 1).unwrap_or(u32::MAX),
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar as written. `plain` is false for quoted and block scalars (and JSON strings),
    /// which are always strings; plain scalars may resolve to null, booleans and numbers.
    Scalar {
        /// Inline up to 24 bytes (most keys and values of a manifest): no allocation each.
        text: CompactString,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: CompactString,
    pub key_pos: Pos,
    pub value: Node,
}

impl Node {
    pub fn scalar(text: impl AsRef<str>, plain: bool, pos: Pos) -> Self {
        Node {
            pos,
            value: Value::Scalar {
                text: CompactString::new(text),
                plain,
            },
        }
    }

    /// The value under `key` of a mapping. With duplicate keys the last one wins, as in
    /// the JSON decoders the Kubernetes API server uses.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The mapping entry for `key` (gives the key's own position too).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }

    /// Follows a dotted path of mapping keys (`spec.template.spec`); no sequence indexes.
    pub fn at(&self, path: &str) -> Option<&Node> {
        path_keys(path).try_fold(self, |node, key| node.get(key))
    }

    /// [`Node::at`], for changing the node found.
    pub fn at_mut(&mut self, path: &str) -> Option<&mut Node> {
        path_keys(path).try_fold(self, |node, key| match &mut node.value {
            Value::Map(entries) => entries
                .iter_mut()
                .rev()
                .find(|e| e.key == key)
                .map(|e| &mut e.value),
            _ => None,
        })
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    /// True for `null`, `~`, empty plain scalars.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if is_null_text(text))
    }

    /// The text of any non-null scalar (numbers and booleans too, as written).
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, plain } if !(*plain && is_null_text(text)) => Some(text),
            _ => None,
        }
    }

    /// A plain scalar read as a boolean. YAML 1.1 spellings (`yes`, `on`) count, because
    /// the Kubernetes YAML decoder accepts them.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain: true } => parse_bool(text),
            _ => None,
        }
    }

    /// A plain scalar read as an integer (decimal, `0x`, `0o`).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar { text, plain: true } => parse_int(text),
            _ => None,
        }
    }

    /// Number of nodes in this subtree (used to budget alias expansion).
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Scalar { .. } => 0,
            Value::Seq(items) => items.iter().map(Node::size).sum(),
            Value::Map(entries) => entries.iter().map(|e| 1 + e.value.size()).sum(),
        }
    }

    /// The tree as JSON, resolving plain scalars by the YAML core schema (plus the YAML 1.1
    /// booleans Kubernetes accepts).
    pub fn to_json(&self) -> Json {
        match &self.value {
            Value::Scalar { text, plain: false } => Json::String(text.to_string()),
            Value::Scalar { text, plain: true } => resolve_plain(text),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|e| (e.key.to_string(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// The non-empty keys of a dotted path (`spec.template.spec`). Paths are short, so a plain
/// byte scan for the ASCII `.` beats `str::split`'s general searcher, which rules call on
/// every object.
fn path_keys(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = path;
    std::iter::from_fn(move || {
        while !rest.is_empty() {
            let (key, tail) = match rest.bytes().position(|b| b == b'.') {
                Some(dot) => (&rest[..dot], &rest[dot + 1..]),
                None => (rest, ""),
            };
            rest = tail;
            if !key.is_empty() {
                return Some(key);
            }
        }
        None
    })
}

fn is_null_text(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn resolve_plain(text: &str) -> Json {
    if is_null_text(text) {
        return Json::Null;
    }
    if let Some(b) = parse_bool(text) {
        return Json::Bool(b);
    }
    if let Some(i) = parse_int(text) {
        return Json::from(i);
    }
    let looks_float = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && text.bytes().any(|b| b.is_ascii_digit());
    if looks_float
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Json::Number(n);
    }
    Json::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Node {
        Node::scalar(text, true, Pos::new(1, 1))
    }

    #[test]
    fn plain_scalars_resolve_like_kubernetes_yaml() {
        assert_eq!(plain("yes").as_bool(), Some(true));
        assert_eq!(plain("False").as_bool(), Some(false));
        assert_eq!(plain("0").as_i64(), Some(0));
        assert_eq!(plain("0x10").as_i64(), Some(16));
        assert_eq!(plain("-5").as_i64(), Some(-5));
        assert_eq!(plain("1.5").to_json(), serde_json::json!(1.5));
        assert!(plain("~").is_null());
        assert_eq!(plain("~").as_str(), None);
    }

    #[test]
    fn quoted_scalars_stay_strings() {
        let quoted = Node::scalar("true", false, Pos::new(1, 1));
        assert_eq!(quoted.as_bool(), None);
        assert_eq!(quoted.as_str(), Some("true"));
        assert_eq!(quoted.to_json(), serde_json::json!("true"));
    }

    #[test]
    fn line_index_answers_lines_and_character_columns() {
        let text = "ab\n\u{e9}x\n\nz";
        let lines = LineIndex::new(text);
        assert_eq!(lines.line_of(0), (0, 0));
        assert_eq!(lines.line_of(3), (1, 3));
        assert_eq!(lines.pos(text, 5), Pos::new(2, 2), "é is one column");
        assert_eq!(lines.pos(text, 7), Pos::new(3, 1));
        assert_eq!(lines.pos(text, text.len()), Pos::new(4, 2));
    }
}
