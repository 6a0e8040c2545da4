//! ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding objects, read from loaded
//! manifests into checked, compiled form. Every error names the file and the line of the
//! field it is about.

use std::sync::Arc;

use aksguard_model::LoadError;
use aksguard_model::node::Node;
use aksguard_model::object::Object;
use aksguard_model::selector::LabelSelector;

use super::cel::{self, CelExpr, Declarations, VAP_ROOTS};

/// `failurePolicy`: what an evaluation error (or a misconfiguration found while
/// evaluating) does. `Fail` is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePolicy {
    Fail,
    Ignore,
}

/// One of a binding's `validationActions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Deny,
    Warn,
    Audit,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Deny => "Deny",
            Action::Warn => "Warn",
            Action::Audit => "Audit",
        }
    }
}

/// `matchPolicy`: whether a request for an equivalent group/version of a listed resource
/// matches too (`Equivalent`, the default).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchPolicy {
    Exact,
    Equivalent,
}

/// One `resourceRules` / `excludeResourceRules` entry.
#[derive(Clone, Debug, Default)]
pub struct ResourceRule {
    pub api_groups: Vec<String>,
    pub api_versions: Vec<String>,
    pub resources: Vec<String>,
    pub operations: Vec<String>,
    /// `*` (default), `Cluster` or `Namespaced`.
    pub scope: String,
    pub resource_names: Vec<String>,
}

/// `matchConstraints` of a policy or `matchResources` of a binding.
#[derive(Clone, Debug)]
pub struct MatchResources {
    pub namespace_selector: LabelSelector,
    pub object_selector: LabelSelector,
    pub resource_rules: Vec<ResourceRule>,
    pub exclude_resource_rules: Vec<ResourceRule>,
    pub match_policy: MatchPolicy,
}

/// `paramKind`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamKind {
    pub api_version: String,
    pub kind: String,
}

/// A validation: `expression` false means the request fails it.
#[derive(Clone, Debug)]
pub struct Validation {
    pub expression: CelExpr,
    pub message: Option<String>,
    pub message_expression: Option<CelExpr>,
    pub reason: String,
}

/// Where a policy document was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub path: Arc<str>,
    pub line: u32,
}

/// A ValidatingAdmissionPolicy, compiled.
#[derive(Clone, Debug)]
pub struct Policy {
    pub name: String,
    pub origin: Origin,
    /// `metadata.annotations` (`aksguard.io/severity`, descriptions for SARIF).
    pub annotations: Vec<(String, String)>,
    pub failure_policy: FailurePolicy,
    pub param_kind: Option<ParamKind>,
    pub match_constraints: MatchResources,
    pub match_conditions: Vec<(String, CelExpr)>,
    pub variables: Vec<(String, CelExpr)>,
    pub validations: Vec<Validation>,
    pub audit_annotations: Vec<(String, CelExpr)>,
}

/// What a binding does when its params are missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamNotFound {
    Deny,
    Allow,
}

/// `paramRef`.
#[derive(Clone, Debug)]
pub struct ParamRef {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub selector: Option<LabelSelector>,
    pub not_found: ParamNotFound,
}

/// A ValidatingAdmissionPolicyBinding.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: String,
    pub origin: Origin,
    /// `metadata.annotations` (`aksguard.io/severity`).
    pub annotations: Vec<(String, String)>,
    pub policy_name: String,
    pub actions: Vec<Action>,
    pub param_ref: Option<ParamRef>,
    pub match_resources: Option<MatchResources>,
}

pub fn is_policy(object: &Object) -> bool {
    object.kind == "ValidatingAdmissionPolicy"
        && object
            .api_version
            .starts_with("admissionregistration.k8s.io/")
}

pub fn is_binding(object: &Object) -> bool {
    object.kind == "ValidatingAdmissionPolicyBinding"
        && object
            .api_version
            .starts_with("admissionregistration.k8s.io/")
}

/// Reads fields of one document, building errors that name its file and the field's line.
struct Reader<'a> {
    object: &'a Object,
}

impl Reader<'_> {
    fn error(&self, path: &str, message: impl std::fmt::Display) -> LoadError {
        let line = self.object.locate(path).line;
        let what = format!(
            "{} {}",
            self.object.kind,
            self.object.name.as_deref().unwrap_or("<unnamed>")
        );
        LoadError::new(
            self.object.source.path.to_string(),
            Some(line),
            format!("{what}: {path}: {message}"),
        )
    }

    /// The node at a dotted path with optional list indexes (`spec.validations[2].message`).
    fn node(&self, path: &str) -> Option<&Node> {
        let mut node = &self.object.root;
        for segment in path.split('.') {
            let (key, indexes) = segment
                .split_once('[')
                .map_or((segment, ""), |(k, rest)| (k, rest));
            if !key.is_empty() {
                node = node.get(key)?;
            }
            for index in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
                node = node.items().get(index.parse::<usize>().ok()?)?;
            }
        }
        (!node.is_null()).then_some(node)
    }

    fn string(&self, path: &str) -> Result<Option<String>, LoadError> {
        match self.node(path) {
            None => Ok(None),
            Some(node) => node
                .as_str()
                .map(|s| Some(s.to_owned()))
                .ok_or_else(|| self.error(path, "expected a string")),
        }
    }

    fn strings(&self, path: &str) -> Result<Vec<String>, LoadError> {
        match self.node(path) {
            None => Ok(Vec::new()),
            Some(node) if node.is_seq() => node
                .items()
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    item.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| self.error(&format!("{path}[{i}]"), "expected a string"))
                })
                .collect(),
            Some(_) => Err(self.error(path, "expected a list of strings")),
        }
    }

    fn items(&self, path: &str) -> Result<&[Node], LoadError> {
        match self.node(path) {
            None => Ok(&[]),
            Some(node) if node.is_seq() => Ok(node.items()),
            Some(_) => Err(self.error(path, "expected a list")),
        }
    }

    fn selector(&self, path: &str) -> Result<LabelSelector, LoadError> {
        match self.node(path) {
            None => Ok(LabelSelector::default()),
            Some(node) => LabelSelector::parse(node)
                .ok_or_else(|| self.error(path, "not a valid label selector")),
        }
    }

    fn compile(&self, path: &str, declarations: Declarations<'_>) -> Result<CelExpr, LoadError> {
        let source = self
            .string(path)?
            .ok_or_else(|| self.error(path, "is required"))?;
        cel::compile(&source, declarations).map_err(|e| self.error(path, e))
    }

    fn rules(&self, path: &str) -> Result<Vec<ResourceRule>, LoadError> {
        let mut rules = Vec::new();
        for i in 0..self.items(path)?.len() {
            let at = format!("{path}[{i}]");
            let rule = ResourceRule {
                api_groups: self.strings(&format!("{at}.apiGroups"))?,
                api_versions: self.strings(&format!("{at}.apiVersions"))?,
                resources: self.strings(&format!("{at}.resources"))?,
                operations: self.strings(&format!("{at}.operations"))?,
                scope: self
                    .string(&format!("{at}.scope"))?
                    .unwrap_or_else(|| "*".to_owned()),
                resource_names: self.strings(&format!("{at}.resourceNames"))?,
            };
            if !matches!(rule.scope.as_str(), "*" | "Cluster" | "Namespaced") {
                return Err(self.error(
                    &format!("{at}.scope"),
                    format!(
                        "unknown scope {:?} (expected *, Cluster or Namespaced)",
                        rule.scope
                    ),
                ));
            }
            for (i, operation) in rule.operations.iter().enumerate() {
                if !matches!(
                    operation.as_str(),
                    "*" | "CREATE" | "UPDATE" | "DELETE" | "CONNECT"
                ) {
                    return Err(self.error(
                        &format!("{at}.operations[{i}]"),
                        format!("unknown operation {operation:?}"),
                    ));
                }
            }
            rules.push(rule);
        }
        Ok(rules)
    }

    fn match_resources(&self, path: &str) -> Result<MatchResources, LoadError> {
        let match_policy = match self.string(&format!("{path}.matchPolicy"))?.as_deref() {
            None | Some("Equivalent") => MatchPolicy::Equivalent,
            Some("Exact") => MatchPolicy::Exact,
            Some(other) => {
                return Err(self.error(
                    &format!("{path}.matchPolicy"),
                    format!("unknown matchPolicy {other:?} (expected Exact or Equivalent)"),
                ));
            }
        };
        Ok(MatchResources {
            namespace_selector: self.selector(&format!("{path}.namespaceSelector"))?,
            object_selector: self.selector(&format!("{path}.objectSelector"))?,
            resource_rules: self.rules(&format!("{path}.resourceRules"))?,
            exclude_resource_rules: self.rules(&format!("{path}.excludeResourceRules"))?,
            match_policy,
        })
    }

    fn annotations(&self) -> Vec<(String, String)> {
        self.node("metadata.annotations")
            .map(|a| {
                a.entries()
                    .iter()
                    .filter_map(|e| Some((e.key.to_string(), e.value.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn origin(&self) -> Origin {
        Origin {
            path: Arc::clone(&self.object.source.path),
            line: self.object.pos().line,
        }
    }

    fn name(&self) -> Result<String, LoadError> {
        self.string("metadata.name")?
            .filter(|n| !n.is_empty())
            .ok_or_else(|| self.error("metadata.name", "is required"))
    }
}

/// Reads and compiles a ValidatingAdmissionPolicy. The first problem found is the error.
pub fn read_policy(object: &Object) -> Result<Policy, LoadError> {
    let r = Reader { object };
    let name = r.name()?;
    let failure_policy = match r.string("spec.failurePolicy")?.as_deref() {
        None | Some("Fail") => FailurePolicy::Fail,
        Some("Ignore") => FailurePolicy::Ignore,
        Some(other) => {
            return Err(r.error(
                "spec.failurePolicy",
                format!("unknown failurePolicy {other:?} (expected Fail or Ignore)"),
            ));
        }
    };
    let param_kind = match r.node("spec.paramKind") {
        None => None,
        Some(_) => Some(ParamKind {
            api_version: r
                .string("spec.paramKind.apiVersion")?
                .ok_or_else(|| r.error("spec.paramKind.apiVersion", "is required"))?,
            kind: r
                .string("spec.paramKind.kind")?
                .ok_or_else(|| r.error("spec.paramKind.kind", "is required"))?,
        }),
    };
    if r.node("spec.matchConstraints").is_none() {
        return Err(r.error("spec.matchConstraints", "is required"));
    }
    let match_constraints = r.match_resources("spec.matchConstraints")?;
    if match_constraints.resource_rules.is_empty() {
        return Err(r.error(
            "spec.matchConstraints.resourceRules",
            "must list at least one rule",
        ));
    }

    // Match conditions see the request but not `variables`.
    let condition_roots: Vec<&str> = VAP_ROOTS
        .iter()
        .copied()
        .filter(|r| *r != "variables")
        .collect();
    let no_variables: Vec<String> = Vec::new();
    let mut match_conditions = Vec::new();
    let mut names_seen = Vec::new();
    for i in 0..r.items("spec.matchConditions")?.len() {
        let at = format!("spec.matchConditions[{i}]");
        let name = r
            .string(&format!("{at}.name"))?
            .ok_or_else(|| r.error(&format!("{at}.name"), "is required"))?;
        if names_seen.contains(&name) {
            return Err(r.error(
                &format!("{at}.name"),
                format!("duplicate match condition {name:?}"),
            ));
        }
        names_seen.push(name.clone());
        let declarations = Declarations {
            roots: &condition_roots,
            presets: &[],
            variables: &no_variables,
        };
        match_conditions.push((name, r.compile(&format!("{at}.expression"), declarations)?));
    }

    let mut variables: Vec<(String, CelExpr)> = Vec::new();
    let mut variable_names: Vec<String> = Vec::new();
    for i in 0..r.items("spec.variables")?.len() {
        let at = format!("spec.variables[{i}]");
        let name = r
            .string(&format!("{at}.name"))?
            .ok_or_else(|| r.error(&format!("{at}.name"), "is required"))?;
        if variable_names.contains(&name) {
            return Err(r.error(
                &format!("{at}.name"),
                format!("duplicate variable {name:?}"),
            ));
        }
        let declarations = Declarations {
            roots: VAP_ROOTS,
            presets: &[],
            variables: &variable_names,
        };
        let expression = r.compile(&format!("{at}.expression"), declarations)?;
        variable_names.push(name.clone());
        variables.push((name, expression));
    }
    let all = Declarations {
        roots: VAP_ROOTS,
        presets: &[],
        variables: &variable_names,
    };

    let mut validations = Vec::new();
    for i in 0..r.items("spec.validations")?.len() {
        let at = format!("spec.validations[{i}]");
        let message_expression = match r.node(&format!("{at}.messageExpression")) {
            None => None,
            Some(_) => Some(r.compile(&format!("{at}.messageExpression"), all)?),
        };
        let message = r.string(&format!("{at}.message"))?;
        if message.as_deref().is_some_and(|m| m.contains('\n')) {
            return Err(r.error(&format!("{at}.message"), "must not contain line breaks"));
        }
        let reason = r
            .string(&format!("{at}.reason"))?
            .unwrap_or_else(|| "Invalid".to_owned());
        if !matches!(
            reason.as_str(),
            "Unauthorized" | "Forbidden" | "Invalid" | "RequestEntityTooLarge"
        ) {
            return Err(r.error(&format!("{at}.reason"), format!("unknown reason {reason:?} (expected Unauthorized, Forbidden, Invalid or RequestEntityTooLarge)")));
        }
        validations.push(Validation {
            expression: r.compile(&format!("{at}.expression"), all)?,
            message,
            message_expression,
            reason,
        });
    }

    let mut audit_annotations = Vec::new();
    for i in 0..r.items("spec.auditAnnotations")?.len() {
        let at = format!("spec.auditAnnotations[{i}]");
        let key = r
            .string(&format!("{at}.key"))?
            .ok_or_else(|| r.error(&format!("{at}.key"), "is required"))?;
        audit_annotations.push((key, r.compile(&format!("{at}.valueExpression"), all)?));
    }
    if validations.is_empty() && audit_annotations.is_empty() {
        return Err(r.error(
            "spec.validations",
            "a policy needs validations or auditAnnotations",
        ));
    }

    let annotations = r.annotations();
    Ok(Policy {
        name,
        origin: r.origin(),
        annotations,
        failure_policy,
        param_kind,
        match_constraints,
        match_conditions,
        variables,
        validations,
        audit_annotations,
    })
}

/// Reads a ValidatingAdmissionPolicyBinding (whether its policy exists is checked by the
/// caller, which has them all).
pub fn read_binding(object: &Object) -> Result<Binding, LoadError> {
    let r = Reader { object };
    let name = r.name()?;
    let policy_name = r
        .string("spec.policyName")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| r.error("spec.policyName", "is required"))?;
    let mut actions = Vec::new();
    for (i, action) in r.strings("spec.validationActions")?.iter().enumerate() {
        let action = match action.as_str() {
            "Deny" => Action::Deny,
            "Warn" => Action::Warn,
            "Audit" => Action::Audit,
            other => {
                return Err(r.error(
                    &format!("spec.validationActions[{i}]"),
                    format!("unknown action {other:?} (expected Deny, Warn or Audit)"),
                ));
            }
        };
        if actions.contains(&action) {
            return Err(r.error(
                &format!("spec.validationActions[{i}]"),
                format!("duplicate action {}", action.as_str()),
            ));
        }
        actions.push(action);
    }
    if actions.is_empty() {
        return Err(r.error(
            "spec.validationActions",
            "must list at least one of Deny, Warn, Audit",
        ));
    }
    if actions.contains(&Action::Deny) && actions.contains(&Action::Warn) {
        return Err(r.error(
            "spec.validationActions",
            "Deny and Warn may not be used together (Deny already warns)",
        ));
    }
    let param_ref = match r.node("spec.paramRef") {
        None => None,
        Some(_) => {
            let name = r.string("spec.paramRef.name")?;
            let selector = match r.node("spec.paramRef.selector") {
                None => None,
                Some(_) => Some(r.selector("spec.paramRef.selector")?),
            };
            if name.is_some() == selector.is_some() {
                return Err(r.error("spec.paramRef", "needs exactly one of name and selector"));
            }
            let not_found = match r
                .string("spec.paramRef.parameterNotFoundAction")?
                .as_deref()
            {
                None | Some("Deny") => ParamNotFound::Deny,
                Some("Allow") => ParamNotFound::Allow,
                Some(other) => {
                    return Err(r.error(
                        "spec.paramRef.parameterNotFoundAction",
                        format!("unknown action {other:?} (expected Deny or Allow)"),
                    ));
                }
            };
            Some(ParamRef {
                name,
                namespace: r.string("spec.paramRef.namespace")?,
                selector,
                not_found,
            })
        }
    };
    let match_resources = match r.node("spec.matchResources") {
        None => None,
        Some(_) => Some(r.match_resources("spec.matchResources")?),
    };
    Ok(Binding {
        name,
        origin: r.origin(),
        annotations: r.annotations(),
        policy_name,
        actions,
        param_ref,
        match_resources,
    })
}
