//! Block-style YAML in which every string but the plainest is double-quoted.
//!
//! kubectl reads manifests with a YAML 1.1 parser (go-yaml through sigs.k8s.io/yaml): a plain
//! `2027-03-31` becomes a timestamp (`2027-03-31T00:00:00Z`), `no`, `on` or `y` a boolean, `~`
//! null. A YAML 1.2 serializer leaves those plain, so a date or a container named `on` would
//! arrive changed or be refused. Only words (a letter, then letters, digits, `.`, `/`, `_`,
//! `-`) that are no boolean or null in either version stay plain (`kind: PolicyReport`);
//! everything else is quoted with JSON's escapes, which YAML's double-quoted style shares, so
//! neither parser has anything to guess.

use std::fmt::Write;

use serde_json::Value;

/// Appends `value` (a mapping) as one YAML document body, without the `---` line.
pub(crate) fn write_document(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(out, map, 0),
        other => {
            write_scalar(out, other);
            out.push('\n');
        }
    }
}

fn write_mapping(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (key, value) in map {
        pad(out, indent);
        write_key(out, key);
        out.push(':');
        write_value(out, value, indent);
    }
}

/// After `key:` or `-`: a scalar or empty collection on the same line, otherwise a new block.
fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_mapping(out, map, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                pad(out, indent);
                out.push('-');
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        // The first member shares the dash's line, the rest align with it.
                        let mut members = map.iter();
                        if let Some((key, value)) = members.next() {
                            out.push(' ');
                            write_key(out, key);
                            out.push(':');
                            write_value(out, value, indent + 2);
                        }
                        for (key, value) in members {
                            pad(out, indent + 2);
                            write_key(out, key);
                            out.push(':');
                            write_value(out, value, indent + 2);
                        }
                    }
                    other => write_value(out, other, indent + 2),
                }
            }
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar);
            out.push('\n');
        }
    }
}

fn write_scalar(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn write_key(out: &mut String, key: &str) {
    write_string(out, key);
}

/// Plain when every YAML version reads it as this string, else double-quoted.
fn write_string(out: &mut String, text: &str) {
    if is_plain_word(text) {
        out.push_str(text);
    } else {
        out.push_str(&quoted(text));
    }
}

/// A letter, then letters, digits, `.`, `/`, `_`, `-`; and not one of YAML 1.1's booleans or
/// nulls in any case (`Yes`, `OFF`, `y`, `Null`). Digits first (dates, numbers, octal,
/// sexagesimal) and every other character are quoted.
fn is_plain_word(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '-'))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        )
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_survives_yaml_1_1_and_1_2_parsers() {
        let tricky = [
            "2027-03-31",
            "no",
            "on",
            "Y",
            "~",
            "null",
            "1e3",
            "0x10",
            "012",
            "- a",
            "a: b",
            "#x",
            "multi\nline\ttab",
            "quote \" and \\ backslash",
            "ünïcode ✓",
            "",
            " padded ",
            "\u{7}bell",
            "True",
            "OFF",
            "n",
            "NULL",
            ".inf",
            "1:20",
            "a-b.c/d_e",
        ];
        let value = serde_json::json!({
            "apiVersion": "v1",
            "list": tricky,
            "map": tricky.iter().map(|t| (t.to_string(), serde_json::json!(t))).collect::<serde_json::Map<_, _>>(),
            "numbers": [0, -1, 1.5, true, false, null],
            "empty": {"list": [], "map": {}},
            "nested": [{"a": {"b": [{"c": "d", "e": "f"}]}, "g": "h"}, ["x", ["y"]]],
        });
        let mut text = String::new();
        write_document(&mut text, &value);
        // Quoted wherever YAML 1.1 would read something else (kubectl's parser is tried
        // on the real output by the policyreport tests).
        assert!(text.contains("\n- \"2027-03-31\"\n"), "{text}");
        assert!(text.contains("\n  \"no\": \"no\"\n"), "{text}");
        assert!(text.contains("\n  \"~\": \"~\"\n"), "{text}");
        assert!(
            text.contains("\n- 1.5\n- true\n- false\n- null\n"),
            "{text}"
        );
        assert!(text.contains("\n  list: []\n  map: {}\n"), "{text}");
        assert!(
            text.contains(
                "\n- \"OFF\"\n- \"n\"\n- \"NULL\"\n- \".inf\"\n- \"1:20\"\n- a-b.c/d_e\n"
            ),
            "{text}"
        );
        assert!(text.starts_with("apiVersion: v1\n"), "{text}");
        let back: Value = yaml_serde::from_str(&text).expect("YAML");
        assert_eq!(back, value, "{text}");
    }
}
