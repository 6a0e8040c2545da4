//! Reading policy files and directories, and sorting their documents into what each engine
//! needs: Gatekeeper ConstraintTemplates (v1, v1beta1, v1alpha1) and constraints (any kind of
//! `constraints.gatekeeper.sh`), ValidatingAdmissionPolicies and their bindings, and every
//! other object (VAP param objects, or samples that sit beside the policies).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aksguard_load::Limits;
use aksguard_model::Object;

use crate::error::PolicyError;

/// One document of a policy file, with its position (`object.source.path`, `object.pos()`)
/// and its content as JSON (what Rego and CEL read).
#[derive(Clone, Debug)]
pub struct PolicyDocument {
    pub object: Object,
    pub json: Arc<serde_json::Value>,
}

impl PolicyDocument {
    pub fn new(object: Object) -> Self {
        let json = Arc::new(object.root.to_json());
        PolicyDocument { object, json }
    }

    /// The file the document is in.
    pub fn path(&self) -> &str {
        &self.object.source.path
    }

    /// The line the document starts on.
    pub fn line(&self) -> u32 {
        self.object.pos().line
    }

    /// The line of a dotted path inside the document (the nearest present parent).
    pub fn line_of(&self, path: &str) -> u32 {
        self.object.locate(path).line
    }

    /// An error about this document, at `path` inside it (`""`: the document).
    pub fn error(&self, path: &str, message: impl Into<String>) -> PolicyError {
        PolicyError::new(self.path(), Some(self.line_of(path)), message)
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.object.name.as_deref().unwrap_or("")
    }

    /// The API group of `apiVersion` (`""` for the core group).
    pub fn group(&self) -> &str {
        self.object
            .api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }
}

/// Policy documents sorted by what they are.
#[derive(Clone, Debug, Default)]
pub struct PolicyDocuments {
    /// `templates.gatekeeper.sh` ConstraintTemplates.
    pub templates: Vec<PolicyDocument>,
    /// Objects of `constraints.gatekeeper.sh` (their kinds come from the templates).
    pub constraints: Vec<PolicyDocument>,
    /// `admissionregistration.k8s.io` ValidatingAdmissionPolicies.
    pub vaps: Vec<PolicyDocument>,
    /// `admissionregistration.k8s.io` ValidatingAdmissionPolicyBindings.
    pub bindings: Vec<PolicyDocument>,
    /// Everything else: VAP param objects (or samples kept beside policies).
    pub others: Vec<PolicyDocument>,
}

/// The Gatekeeper group of ConstraintTemplates.
pub const TEMPLATE_GROUP: &str = "templates.gatekeeper.sh";
/// The Gatekeeper group of constraints.
pub const CONSTRAINT_GROUP: &str = "constraints.gatekeeper.sh";
/// The group of ValidatingAdmissionPolicies and their bindings.
pub const ADMISSION_GROUP: &str = "admissionregistration.k8s.io";

impl PolicyDocuments {
    /// Sorts `documents` in (the order inside each class is the order given).
    pub fn classify(documents: impl IntoIterator<Item = PolicyDocument>) -> Self {
        let mut sorted = PolicyDocuments::default();
        for document in documents {
            let group = document.group();
            let kind = document.object.kind.as_str();
            let class = match (group, kind) {
                (TEMPLATE_GROUP, "ConstraintTemplate") => &mut sorted.templates,
                (CONSTRAINT_GROUP, _) => &mut sorted.constraints,
                (ADMISSION_GROUP, "ValidatingAdmissionPolicy") => &mut sorted.vaps,
                (ADMISSION_GROUP, "ValidatingAdmissionPolicyBinding") => &mut sorted.bindings,
                _ => &mut sorted.others,
            };
            class.push(document);
        }
        sorted
    }

    pub fn extend(&mut self, more: PolicyDocuments) {
        self.templates.extend(more.templates);
        self.constraints.extend(more.constraints);
        self.vaps.extend(more.vaps);
        self.bindings.extend(more.bindings);
        self.others.extend(more.others);
    }

    /// Whether no policy (template, constraint, VAP or binding) was found.
    pub fn has_no_policy(&self) -> bool {
        self.templates.is_empty()
            && self.constraints.is_empty()
            && self.vaps.is_empty()
            && self.bindings.is_empty()
    }
}

/// Reads every document of one YAML or JSON file (`path` is shown as given).
pub fn read_documents(path: &Path) -> (Vec<PolicyDocument>, Vec<PolicyError>) {
    let display = path.display().to_string();
    let limits = Limits::default();
    let text = match aksguard_load::read::read_text(path, &display, &limits) {
        Ok(text) => text,
        Err(error) => return (Vec::new(), vec![load_error(error)]),
    };
    documents_of_text(&display, &text)
}

/// The documents of `text` read as the file `display`.
pub fn documents_of_text(display: &str, text: &str) -> (Vec<PolicyDocument>, Vec<PolicyError>) {
    let (objects, errors) = aksguard_load::load_text(display, text, &Limits::default());
    (
        objects.into_iter().map(PolicyDocument::new).collect(),
        errors.into_iter().map(load_error).collect(),
    )
}

fn load_error(error: aksguard_model::LoadError) -> PolicyError {
    PolicyError::new(error.path, error.line, error.message)
}

/// Reads `--policy` paths (files or directories, recursively: `*.yaml`, `*.yml`, `*.json`) into
/// sorted documents. A path that does not exist, or paths that hold no policy at all, are
/// errors: a typo must not turn into a scan without the policies the user asked for.
pub fn load_policies(paths: &[PathBuf]) -> (PolicyDocuments, Vec<PolicyError>) {
    let mut documents = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let mut files = Vec::new();
        if let Err(error) = policy_files(path, &mut files) {
            errors.push(error);
            continue;
        }
        for file in files {
            let (read, failed) = read_documents(&file);
            documents.extend(read);
            errors.extend(failed);
        }
    }
    let sorted = PolicyDocuments::classify(documents);
    if !paths.is_empty() && sorted.has_no_policy() && errors.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        errors.push(PolicyError::new(
            shown.join(", "),
            None,
            "no ConstraintTemplate, constraint, ValidatingAdmissionPolicy or binding found",
        ));
    }
    (sorted, errors)
}

fn is_policy_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// The files under `path` in a stable (sorted) order.
fn policy_files(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let shown = || path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| PolicyError::new(shown(), None, format!("cannot read policy path: {e}")))?;
    if !meta.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| PolicyError::new(shown(), None, format!("cannot list directory: {e}")))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let hidden = entry
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if entry.is_dir() {
            policy_files(&entry, files)?;
        } else if is_policy_file(&entry) {
            files.push(entry);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_sorted_by_group_and_kind() {
        let text = "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {name: k8sx}\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sX\nmetadata: {name: x}\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p}\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: params}\n";
        let (docs, errors) = documents_of_text("p.yaml", text);
        assert!(errors.is_empty(), "{errors:?}");
        let sorted = PolicyDocuments::classify(docs);
        assert_eq!(sorted.templates.len(), 1);
        assert_eq!(sorted.constraints[0].line(), 5);
        assert_eq!(sorted.vaps.len(), 1);
        assert_eq!(sorted.bindings.len(), 1);
        assert_eq!(sorted.others[0].name(), "params");
    }

    #[test]
    fn missing_paths_and_policy_free_inputs_are_errors() {
        let (_, errors) = load_policies(&[PathBuf::from("/nonexistent/policies")]);
        assert!(
            errors[0].message.contains("cannot read policy path"),
            "{errors:?}"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )
        .unwrap();
        let (_, errors) = load_policies(&[dir.path().to_path_buf()]);
        assert!(
            errors[0].message.contains("no ConstraintTemplate"),
            "{errors:?}"
        );
    }
}
