//! One JSON document as the node tree every loader builds, for callers that receive JSON
//! rather than files (Azure Resource Manager response bodies in `aksguard_arm`).
//!
//! The serde_json reader of [`crate::admission`] reads it (every node at line 1, column 1);
//! what that reader declines but is still JSON (a non-integer number, whose text it would
//! not keep) goes through the YAML parser, as a file would. Text that is not JSON is an
//! error, never read as YAML: a truncated or garbled response must not become a string
//! scalar that silently describes nothing.

use aksguard_model::Node;

use crate::limits::Limits;

/// The tree of `json`, or why it is not one JSON document within `limits`.
pub fn read_json_document(json: &str, limits: &Limits) -> Result<Node, String> {
    if let Some(root) = crate::admission::read_tree(json, limits) {
        return Ok(root);
    }
    if let Err(err) = serde_json::from_str::<serde_json::Value>(json) {
        return Err(format!("not valid JSON: {err}"));
    }
    match crate::yaml::parse_documents(json, 1, limits) {
        Ok(mut documents) if documents.len() == 1 => documents
            .pop()
            .flatten()
            .ok_or_else(|| "an empty document".to_owned()),
        Ok(documents) => Err(format!("{} documents, not one", documents.len())),
        Err(err) => Err(format!("line {}: {}", err.line, err.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_with_non_integer_numbers_and_refuses_what_is_not_json() {
        let root = read_json_document(r#"{"a": 1.50, "b": [true]}"#, &Limits::default())
            .expect("JSON with a float");
        assert_eq!(root.get("a").and_then(Node::as_str), Some("1.50"));
        let fast = read_json_document(r#"{"a": 1}"#, &Limits::default()).expect("JSON");
        assert_eq!(fast.get("a").and_then(Node::as_str), Some("1"));
        for bad in ["not json", "{\"value\": [", "", "a: 1"] {
            let err = read_json_document(bad, &Limits::default()).expect_err(bad);
            assert!(err.starts_with("not valid JSON"), "{bad}: {err}");
        }
        let deep = "[".repeat(300) + &"]".repeat(300);
        assert!(read_json_document(&deep, &Limits::default()).is_err());
    }
}
