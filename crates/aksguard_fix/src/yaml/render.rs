//! Values written as the surrounding text writes them: block YAML, flow YAML or JSON. Strings
//! stay plain only when YAML would read them back as the same string.

use aksguard_model::{FieldPath, PathSegment};
use serde_json::Value as Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    Block,
    Flow,
    Json,
}

/// A value on one line: a scalar, or a flow collection.
pub(super) fn inline(value: &Json, style: Style) -> String {
    match value {
        Json::Null => "null".to_owned(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => string(s, style),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(|i| inline(i, style)).collect();
            format!("[{}]", items.join(", "))
        }
        Json::Object(map) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k, style), inline(v, style)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

/// A mapping key (kept to the flow-style plain set even in block style: a key with `:` in
/// it is quoted).
pub(super) fn key(key: &str, style: Style) -> String {
    let style = if style == Style::Block {
        Style::Flow
    } else {
        style
    };
    string(key, style)
}

fn string(s: &str, style: Style) -> String {
    if style != Style::Json && is_plain_safe(s, style) {
        s.to_owned()
    } else {
        // A JSON string is a valid YAML double-quoted scalar.
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
    }
}

/// Whether YAML (1.1 or 1.2, as go-yaml and the loader read it) reads `s` unquoted as the
/// same string. In block style an image reference stays plain: `:` inside (never last, so
/// never `: `) and `@` after a letter are text there, not indicators as in flow style.
fn is_plain_safe(s: &str, style: Style) -> bool {
    let block_text = |c: char| style == Style::Block && matches!(c, ':' | '@');
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ];
    !s.is_empty()
        && !reserved.iter().any(|r| r.eq_ignore_ascii_case(s))
        && s.parse::<f64>().is_err()
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
        && !s.ends_with(':')
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/') || block_text(c)
        })
}

/// `key: value` as block lines at `indent` columns, nested collections one `unit` deeper;
/// every line ends with `line_ending`.
pub(super) fn block_entry(
    key_text: &str,
    value: &Json,
    indent: usize,
    unit: usize,
    line_ending: &str,
) -> String {
    let pad = " ".repeat(indent);
    let head = format!("{pad}{}:", key(key_text, Style::Block));
    match value {
        Json::Object(map) if !map.is_empty() => {
            let mut out = format!("{head}{line_ending}");
            for (k, v) in map {
                out.push_str(&block_entry(k, v, indent + unit, unit, line_ending));
            }
            out
        }
        Json::Array(items) if !items.is_empty() => {
            let mut out = format!("{head}{line_ending}");
            let item_pad = " ".repeat(indent + unit);
            for item in items {
                out.push_str(&format!(
                    "{item_pad}- {}{line_ending}",
                    inline(item, Style::Flow)
                ));
            }
            out
        }
        _ => format!("{head} {}{line_ending}", inline(value, Style::Block)),
    }
}

/// A path as the docs write it, for messages.
pub(super) fn path_text(path: &[PathSegment]) -> String {
    FieldPath(path.to_vec()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_only_when_yaml_would_misread_them() {
        assert_eq!(inline(&Json::from("ALL"), Style::Block), "ALL");
        assert_eq!(
            inline(&Json::from("RuntimeDefault"), Style::Block),
            "RuntimeDefault"
        );
        assert_eq!(inline(&Json::from("true"), Style::Block), "\"true\"");
        assert_eq!(inline(&Json::from("on"), Style::Flow), "\"on\"");
        assert_eq!(inline(&Json::from("1.0"), Style::Flow), "\"1.0\"");
        assert_eq!(inline(&Json::from("a: b"), Style::Block), "\"a: b\"");
        assert_eq!(
            inline(
                &Json::from("registry.k8s.io/pause:3.9@sha256:ab"),
                Style::Block
            ),
            "registry.k8s.io/pause:3.9@sha256:ab"
        );
        assert_eq!(inline(&Json::from("pause:"), Style::Block), "\"pause:\"");
        assert_eq!(
            inline(&Json::from("pause:3.9"), Style::Flow),
            "\"pause:3.9\""
        );
        assert_eq!(inline(&Json::from("ALL"), Style::Json), "\"ALL\"");
        assert_eq!(
            inline(&serde_json::json!({"drop": ["ALL"]}), Style::Flow),
            "{drop: [ALL]}"
        );
    }

    #[test]
    fn block_entries_nest_by_the_unit() {
        let value = serde_json::json!({"capabilities": {"drop": ["ALL"]}});
        assert_eq!(
            block_entry("securityContext", &value, 4, 2, "\n"),
            "    securityContext:\n      capabilities:\n        drop:\n          - ALL\n"
        );
    }
}
