//! `.bicepparam` files: `using './main.bicep'` and `param x = value` lines.
//!
//! The grammar reads `param x = value` only with a type, so each such line's `param` keyword
//! is read as `var` (padded to the same length: every position stays where it was written),
//! and the values are translated like Bicep variables. A value that is not a literal (an
//! expression, a reference to another parameter) is Unknown.

use aksguard_model::Node;

use crate::{Problem, translate};

/// A parsed `.bicepparam` file.
#[derive(Debug, Default)]
pub struct ParamFile {
    /// The Bicep file it is for, as written after `using` (relative to the parameter file).
    pub using: Option<String>,
    /// Each parameter: its value (a literal tree, positioned) or why it is unknown.
    pub values: Vec<(String, Result<Node, String>)>,
    pub errors: Vec<Problem>,
}

pub fn parse_bicepparam(text: &str) -> ParamFile {
    let mut rewritten = String::with_capacity(text.len());
    let mut using = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(rest) = trimmed.strip_prefix("param")
            && rest.starts_with(|c: char| c.is_whitespace())
        {
            rewritten.push_str(&line[..indent]);
            rewritten.push_str("var  ");
            rewritten.push_str(rest);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("using")
            && rest.starts_with(|c: char| c.is_whitespace())
        {
            let target = rest.trim().trim_end_matches(';');
            if let Some(path) = target.strip_prefix('\'').and_then(|t| t.split('\'').next()) {
                using = Some(path.to_owned());
            }
            // The `using` line is not a variable: blank it (same length, same positions).
            rewritten.push_str(&" ".repeat(line.trim_end_matches('\n').len()));
            if line.ends_with('\n') {
                rewritten.push('\n');
            }
            continue;
        }
        rewritten.push_str(line);
    }
    let translation = translate(&rewritten);
    let mut values = Vec::new();
    let variables = translation.template.get("variables");
    for entry in variables.map_or(&[][..], Node::entries) {
        if entry.key.starts_with("$bicepLiteral") {
            continue;
        }
        let value = match expression_inside(&entry.value) {
            Some(expression) => Err(format!(
                "the parameter file sets it to an expression (`{expression}`)"
            )),
            None => Ok(entry.value.clone()),
        };
        values.push((entry.key.to_string(), value));
    }
    ParamFile {
        using,
        values,
        errors: translation.errors,
    }
}

/// The first ARM expression string inside a translated value, if any.
fn expression_inside(node: &Node) -> Option<String> {
    use aksguard_model::Value;
    match &node.value {
        Value::Scalar { text, plain: false }
            if text.starts_with('[') && !text.starts_with("[[") && text.ends_with(']') =>
        {
            Some(text.to_string())
        }
        Value::Scalar { .. } => None,
        Value::Seq(items) => items.iter().find_map(expression_inside),
        Value::Map(entries) => entries.iter().find_map(|e| expression_inside(&e.value)),
    }
}
