//! A ConstraintTemplate as aksguard reads it: the constraint kind it defines, its code (Rego
//! with its libs, or `K8sNativeValidation` CEL) and what reports say about it.

use aksguard_model::Severity;
use serde_json::Value;

use crate::classify::PolicyDocument;
use crate::error::PolicyError;
use crate::rule::annotated_severity;

/// The only Gatekeeper target aksguard evaluates (admission of Kubernetes objects).
pub const ADMISSION_TARGET: &str = "admission.k8s.gatekeeper.sh";

/// A template's Rego: the main module, its libs, and the language version.
#[derive(Clone, Debug)]
pub struct RegoSource {
    pub rego: String,
    pub libs: Vec<String>,
    /// `source.version: v1` (Gatekeeper's opt-in); otherwise Rego v0, Gatekeeper's default.
    pub v1: bool,
}

#[derive(Clone, Debug)]
pub enum Code {
    Rego(RegoSource),
    /// The `source` of a `K8sNativeValidation` entry, for templates with no Rego.
    Cel(Value),
}

#[derive(Clone, Debug)]
pub struct Template {
    /// `spec.crd.spec.names.kind`: the kind of its constraints.
    pub kind: String,
    pub code: Code,
    /// `metadata.gatekeeper.sh/title`, else the kind.
    pub title: String,
    /// The `description` annotation.
    pub description: String,
    /// `aksguard.io/severity` on the template.
    pub severity: Option<Severity>,
    pub document: PolicyDocument,
}

fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer)?.as_str()
}

impl Template {
    pub fn parse(document: &PolicyDocument) -> Result<Template, PolicyError> {
        let json = &*document.json;
        let kind = text(json, "/spec/crd/spec/names/kind")
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                document.error(
                    "spec.crd",
                    "ConstraintTemplate has no spec.crd.spec.names.kind",
                )
            })?;
        let targets = json
            .pointer("/spec/targets")
            .and_then(Value::as_array)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| document.error("spec", "ConstraintTemplate has no spec.targets"))?;
        if targets.len() > 1 {
            return Err(document.error(
                "spec.targets",
                "ConstraintTemplate has more than one target (Gatekeeper accepts exactly one)",
            ));
        }
        let target = &targets[0];
        let name = target.get("target").and_then(Value::as_str).unwrap_or("");
        if name != ADMISSION_TARGET {
            return Err(document.error(
                "spec.targets[0].target",
                format!("target `{name}` is not supported (only {ADMISSION_TARGET})"),
            ));
        }
        let code = code_of(target).ok_or_else(|| {
            document.error(
                "spec.targets[0]",
                "ConstraintTemplate target has neither `rego` nor `code` (Rego or K8sNativeValidation)",
            )
        })?;
        let annotations = json.pointer("/metadata/annotations");
        let annotation = |key: &str| annotations.and_then(|a| a.get(key)).and_then(Value::as_str);
        let severity = annotated_severity(annotation(crate::rule::SEVERITY_ANNOTATION))
            .map_err(|e| document.error("metadata.annotations", e))?;
        Ok(Template {
            kind: kind.to_owned(),
            code,
            title: annotation("metadata.gatekeeper.sh/title")
                .unwrap_or(kind)
                .to_owned(),
            description: annotation("description").unwrap_or("").trim().to_owned(),
            severity,
            document: document.clone(),
        })
    }

    /// `GK.<Kind>`.
    pub fn rule_id(&self) -> String {
        format!("GK.{}", self.kind)
    }
}

/// The template's code: Rego from `code[engine: Rego]` or the legacy `rego`/`libs` fields,
/// else the `K8sNativeValidation` source.
fn code_of(target: &Value) -> Option<Code> {
    let entries = target
        .get("code")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let engine = |name: &str| {
        entries
            .iter()
            .find(|e| e.get("engine").and_then(Value::as_str) == Some(name))
            .and_then(|e| e.get("source"))
    };
    let strings = |value: Option<&Value>| -> Vec<String> {
        value
            .and_then(Value::as_array)
            .map(|libs| {
                libs.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(source) = engine("Rego")
        && let Some(rego) = source.get("rego").and_then(Value::as_str)
    {
        return Some(Code::Rego(RegoSource {
            rego: rego.to_owned(),
            libs: strings(source.get("libs")),
            v1: source.get("version").and_then(Value::as_str) == Some("v1"),
        }));
    }
    if let Some(rego) = target.get("rego").and_then(Value::as_str) {
        return Some(Code::Rego(RegoSource {
            rego: rego.to_owned(),
            libs: strings(target.get("libs")),
            v1: false,
        }));
    }
    engine("K8sNativeValidation").map(|source| Code::Cel(source.clone()))
}
