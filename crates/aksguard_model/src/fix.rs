//! How a finding is fixed, as data (README "Fixing findings"). Rules say *what* to change
//! (a [`PatchOp`] on the object's tree, an `az` command, an IaC attribute); `aksguard_fix`
//! turns patch operations into byte edits of the source file and verifies them.
//!
//! The JSON report serialises these as they are: field names here are the public contract.

use std::sync::Arc;

use compact_str::CompactString;
use serde::Serialize;

/// How much a fix may change beyond the security property it restores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixSafety {
    /// No behaviour a workload can notice changes, beyond the security property.
    Safe,
    /// May break a workload (read-only root, runAsNonRoot, drop ALL): read before applying.
    Review,
    /// Needs a human choice (image digests, resource sizes, CIDRs): never edited automatically.
    Manual,
}

impl FixSafety {
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::Safe => "safe",
            FixSafety::Review => "review",
            FixSafety::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<FixSafety> {
        [FixSafety::Safe, FixSafety::Review, FixSafety::Manual]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

/// One step of a path into an object's tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PathSegment {
    /// A mapping key.
    Key(CompactString),
    /// A sequence item by position.
    Index(u32),
    /// The sequence item whose `name` is this (containers, ports, volumes): stable when the
    /// list is reordered.
    Named(CompactString),
}

/// A path from an object's root (`spec.template.spec.containers[name=app].securityContext`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct FieldPath(pub Vec<PathSegment>);

impl FieldPath {
    pub fn key(mut self, key: &str) -> Self {
        self.0.push(PathSegment::Key(key.into()));
        self
    }

    pub fn index(mut self, index: u32) -> Self {
        self.0.push(PathSegment::Index(index));
        self
    }

    pub fn named(mut self, name: &str) -> Self {
        self.0.push(PathSegment::Named(name.into()));
        self
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if i == 0 => write!(f, "{key}")?,
                PathSegment::Key(key) => write!(f, ".{key}")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
                PathSegment::Named(name) => write!(f, "[name={name}]")?,
            }
        }
        Ok(())
    }
}

/// A structural change to one object's tree, independent of the file format.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PatchOp {
    /// Set `path` to `value`, creating missing mappings on the way.
    Set {
        path: FieldPath,
        value: serde_json::Value,
    },
    /// Remove the key or item at `path` (nothing to do when it is absent).
    Remove { path: FieldPath },
    /// Append `value` to the sequence at `path` unless an equal item is there (creating it).
    AddToList {
        path: FieldPath,
        value: serde_json::Value,
    },
    /// Remove every item equal to `value` from the sequence at `path`.
    RemoveFromList {
        path: FieldPath,
        value: serde_json::Value,
    },
}

/// The setting to change in infrastructure as code, spelled for the source the finding came
/// from: a Terraform finding names the attribute the user wrote (`run_command_enabled`), an
/// ARM one the property path (`properties.apiServerAccessProfile.disableRunCommand`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IacChange {
    /// `terraform`, `arm` or `bicep`.
    pub language: &'static str,
    /// The attribute or property path, as written in that language.
    pub attribute: String,
    /// The value to write, as written in that language (`false`, `"Standard"`).
    pub value: String,
    /// When the source takes the value from one variable or parameter: it, as the language
    /// writes it (`var.run_command`, `local.flags`, `parameters('disableRunCommand')`,
    /// `variables('profile')`), filled by `aksguard_fix` from the file. The fix then says
    /// which variable to change instead of editing the use site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
}

/// A text edit of a source file: replace bytes `start..end` with `replacement`. Lines and
/// columns are 1-based (columns count characters) so SARIF can show it without the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    pub path: Arc<str>,
    pub start: usize,
    pub end: usize,
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub replacement: String,
}

/// How to fix one finding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    /// One sentence, ending with a period.
    pub summary: String,
    pub safety: FixSafety,
    /// Byte edits of the source file, when the change is mechanical (filled by `aksguard_fix`
    /// from `patch` for file sources; empty for `manual` fixes and live sources).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<TextEdit>,
    /// The structural change, before it is spelled as edits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub patch: Vec<PatchOp>,
    /// `az` commands for cluster settings, with the real resource group and name when known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    /// The IaC setting to change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub iac: Vec<IacChange>,
}

impl Fix {
    pub fn new(summary: impl Into<String>, safety: FixSafety) -> Self {
        Fix {
            summary: summary.into(),
            safety,
            edits: Vec::new(),
            patch: Vec::new(),
            commands: Vec::new(),
            iac: Vec::new(),
        }
    }

    pub fn with_patch(mut self, op: PatchOp) -> Self {
        self.patch.push(op);
        self
    }

    pub fn with_command(mut self, command: impl Into<String>) -> Self {
        self.commands.push(command.into());
        self
    }

    pub fn with_iac(mut self, change: IacChange) -> Self {
        self.iac.push(change);
        self
    }

    /// Whether `aksguard fix` could change the source by itself.
    pub fn is_automatic(&self) -> bool {
        self.safety != FixSafety::Manual && !self.patch.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_path_reads_like_the_docs() {
        let path = FieldPath::default()
            .key("spec")
            .key("containers")
            .named("app")
            .key("ports")
            .index(0);
        assert_eq!(path.to_string(), "spec.containers[name=app].ports[0]");
    }

    #[test]
    fn a_fix_serialises_only_what_it_has() {
        let fix = Fix::new("Set privileged to false.", FixSafety::Safe).with_patch(PatchOp::Set {
            path: FieldPath::default().key("spec"),
            value: serde_json::Value::Bool(false),
        });
        let json = serde_json::to_value(&fix).unwrap();
        assert_eq!(json["safety"], "safe");
        assert_eq!(json["patch"][0]["op"], "set");
        assert!(json.get("commands").is_none());
        assert!(fix.is_automatic());
    }
}
