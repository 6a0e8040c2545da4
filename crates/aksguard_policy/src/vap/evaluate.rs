//! A set of loaded policies, bindings and params, and the admission decision the API server
//! would reach for one object: for every binding whose policy matches the request, its
//! params, match conditions, validations and audit annotations, with `failurePolicy` for
//! errors and the binding's `validationActions` on every failure.

use std::sync::Arc;

use aksguard_model::LoadError;
use aksguard_model::object::Object;
use serde_json::Value as Json;

use super::cel::Evaluation;
use super::matching::{self, RequestTarget, selector_matches};
use super::spec::{
    self, Action, Binding, FailurePolicy, ParamKind, ParamNotFound, Policy, read_binding,
    read_policy,
};

/// One admission request to decide.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The object (null for DELETE).
    pub object: &'a Json,
    /// The previous version (UPDATE, DELETE), when there is one.
    pub old_object: Option<&'a Json>,
    /// The object's Namespace, when known.
    pub namespace_object: Option<&'a Json>,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: &'a str,
    /// `request.userInfo` (the webhook's requester); a scan's is `aksguard`.
    pub user_info: Option<&'a Json>,
    /// The request's `name` and `namespace` (the webhook's); else the object's.
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    /// `request.dryRun`.
    pub dry_run: bool,
    /// Param objects from the scan, besides those loaded with the policies
    /// ([`VapSet::params_among`]).
    pub scanned_params: &'a [Param],
}

impl Default for Request<'_> {
    fn default() -> Self {
        static NULL: Json = Json::Null;
        Request {
            object: &NULL,
            old_object: None,
            namespace_object: None,
            operation: "CREATE",
            user_info: None,
            name: None,
            namespace: None,
            dry_run: false,
            scanned_params: &[],
        }
    }
}

/// A param object a binding may refer to.
#[derive(Clone, Debug)]
pub struct Param {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub json: Json,
}

impl Param {
    pub fn of(object: &Object) -> Param {
        Param::from_json(&object.root.to_json())
    }

    pub fn from_json(json: &Json) -> Param {
        let text = |value: &Json| value.as_str().unwrap_or_default().to_owned();
        Param {
            api_version: text(&json["apiVersion"]),
            kind: text(&json["kind"]),
            name: text(&json["metadata"]["name"]),
            namespace: json["metadata"]["namespace"]
                .as_str()
                .filter(|ns| !ns.is_empty())
                .map(str::to_owned),
            json: json.clone(),
        }
    }

    fn is_a(&self, kind: &ParamKind) -> bool {
        self.api_version == kind.api_version && self.kind == kind.kind
    }
}

/// Why a decision was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// `spec.validations[index]` evaluated to false.
    Validation(usize),
    /// An expression failed (or a binding's params could not be resolved) under
    /// `failurePolicy: Fail`.
    Error,
    /// No params were found and the binding's `parameterNotFoundAction` is `Deny`.
    ParamNotFound,
}

/// One failed validation (or error) under one binding.
#[derive(Clone, Debug)]
pub struct Decision {
    /// Index into [`VapSet::policies`].
    pub policy: usize,
    /// Index into [`VapSet::bindings`].
    pub binding: usize,
    /// The binding's validation actions: Deny rejects, Warn warns, Audit records.
    pub actions: Vec<Action>,
    pub message: String,
    /// `Invalid` unless the validation names another reason.
    pub reason: String,
    pub cause: Cause,
}

/// An `auditAnnotations` value, as `<policy>/<key>: <value>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditNote {
    pub policy: usize,
    pub binding: usize,
    pub key: String,
    pub value: String,
}

/// What the policies decide about one object.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub decisions: Vec<Decision>,
    pub notes: Vec<AuditNote>,
    /// Expressions that failed under `failurePolicy: Ignore` (no decision; said as notes).
    pub ignored_errors: Vec<(usize, usize, String)>,
}

impl Outcome {
    pub fn denied(&self) -> bool {
        self.decisions
            .iter()
            .any(|d| d.actions.contains(&Action::Deny))
    }

    pub fn warned(&self) -> bool {
        self.decisions
            .iter()
            .any(|d| d.actions.contains(&Action::Warn))
    }
}

/// Loaded policies, bindings and the params they can use.
#[derive(Clone, Debug, Default)]
pub struct VapSet {
    pub policies: Vec<Arc<Policy>>,
    pub bindings: Vec<Binding>,
    /// Each binding's policy (index into `policies`).
    binding_policy: Vec<usize>,
    pub params: Vec<Param>,
}

impl VapSet {
    /// Reads every ValidatingAdmissionPolicy and binding among `documents`; params are the
    /// objects of a policy's `paramKind` among `documents` and `scanned`. A policy that does
    /// not compile and a binding whose policy is missing are errors (file and line); the rest
    /// load.
    pub fn load(documents: &[Object], scanned: &[Object]) -> (VapSet, Vec<LoadError>) {
        let mut set = VapSet::default();
        let mut errors = Vec::new();
        let mut policy_names = Vec::new();
        for object in documents.iter().filter(|o| spec::is_policy(o)) {
            match read_policy(object) {
                Ok(policy) => {
                    if policy_names.contains(&policy.name) {
                        errors.push(LoadError::new(
                            policy.origin.path.to_string(),
                            Some(policy.origin.line),
                            format!("ValidatingAdmissionPolicy {} is defined twice", policy.name),
                        ));
                        continue;
                    }
                    policy_names.push(policy.name.clone());
                    set.policies.push(Arc::new(policy));
                }
                Err(e) => {
                    // Keep the name so its bindings do not also report a missing policy.
                    if let Some(name) = &object.name {
                        policy_names.push(name.clone());
                    }
                    errors.push(e);
                }
            }
        }
        for object in documents.iter().filter(|o| spec::is_binding(o)) {
            match read_binding(object) {
                Ok(binding) => match set.policies.iter().position(|p| p.name == binding.policy_name) {
                    Some(index) => {
                        set.binding_policy.push(index);
                        set.bindings.push(binding);
                    }
                    None if policy_names.contains(&binding.policy_name) => {}
                    None => errors.push(LoadError::new(
                        binding.origin.path.to_string(),
                        Some(binding.origin.line),
                        format!(
                            "ValidatingAdmissionPolicyBinding {}: spec.policyName: no ValidatingAdmissionPolicy named {:?} was loaded",
                            binding.name, binding.policy_name
                        ),
                    )),
                },
                Err(e) => errors.push(e),
            }
        }
        let kinds: Vec<&ParamKind> = set
            .policies
            .iter()
            .filter_map(|p| p.param_kind.as_ref())
            .collect();
        for object in documents.iter().chain(scanned) {
            if kinds
                .iter()
                .any(|k| k.api_version == object.api_version && k.kind == object.kind)
            {
                set.params.push(Param::of(object));
            }
        }
        (set, errors)
    }

    /// Whether any policy could apply (cheap check for callers).
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// Whether `object` (as JSON) is a policy, binding or param of this set, which the
    /// policies do not judge as workloads of their own.
    pub fn is_policy_document(object: &Object) -> bool {
        spec::is_policy(object) || spec::is_binding(object)
    }

    /// Decides a CREATE of `object`. `namespace_object` is its Namespace when the scan has
    /// it.
    pub fn review(&self, object: &Json, namespace_object: Option<&Json>) -> Outcome {
        self.review_operation(object, namespace_object, "CREATE")
    }

    /// Decides a request of `operation` for `object` (without a previous version).
    pub fn review_operation(
        &self,
        object: &Json,
        namespace_object: Option<&Json>,
        operation: &str,
    ) -> Outcome {
        self.decide(&Request {
            object,
            namespace_object,
            operation,
            ..Request::default()
        })
    }

    /// Param objects among `objects` (a scan's, as JSON) that some policy's `paramKind`
    /// names, for [`Request::scanned_params`]. Build once per scan.
    pub fn params_among<'o>(&self, objects: impl IntoIterator<Item = &'o Json>) -> Vec<Param> {
        let kinds: Vec<&ParamKind> = self
            .policies
            .iter()
            .filter_map(|p| p.param_kind.as_ref())
            .collect();
        if kinds.is_empty() {
            return Vec::new();
        }
        objects
            .into_iter()
            .filter(|o| {
                kinds.iter().any(|k| {
                    o["apiVersion"].as_str() == Some(&k.api_version)
                        && o["kind"].as_str() == Some(&k.kind)
                })
            })
            .map(Param::from_json)
            .collect()
    }

    /// Decides one admission request.
    pub fn decide(&self, request: &Request<'_>) -> Outcome {
        let null = Json::Null;
        // DELETE carries only the old object; the request is about it.
        let subject = if request.object.is_null() {
            request.old_object.unwrap_or(&null)
        } else {
            request.object
        };
        let target = RequestTarget::of(subject, request.operation)
            .with_request(request.name, request.namespace);
        let namespace_object = if target.cluster_scoped {
            None
        } else {
            request.namespace_object
        };
        let request_json = target.request_json_with(request.user_info, request.dry_run);
        // The object selector matches when the new or the old object's labels match.
        let selects = |resources: &super::spec::MatchResources| {
            matching::matches(resources, &target, subject, namespace_object)
                || request.old_object.is_some_and(|old| {
                    !request.object.is_null()
                        && matching::matches(resources, &target, old, namespace_object)
                })
        };
        let mut outcome = Outcome::default();
        for (binding_index, binding) in self.bindings.iter().enumerate() {
            let policy_index = self.binding_policy[binding_index];
            let policy = &self.policies[policy_index];
            if !selects(&policy.match_constraints) {
                continue;
            }
            if let Some(resources) = &binding.match_resources {
                let mut resources = resources.clone();
                if resources.resource_rules.is_empty() {
                    // A binding without resource rules narrows by selectors only.
                    resources.resource_rules = policy.match_constraints.resource_rules.clone();
                }
                if !selects(&resources) {
                    continue;
                }
            }
            let ctx = BindingRun {
                policy,
                policy_index,
                binding,
                binding_index,
                object: request.object,
                old_object: request.old_object.unwrap_or(&null),
                request: &request_json,
                namespace_object,
            };
            match self.params_for(policy, binding, &target, request.scanned_params) {
                Ok(params) if params.is_empty() => {
                    if binding
                        .param_ref
                        .as_ref()
                        .is_some_and(|r| r.not_found == ParamNotFound::Deny)
                    {
                        outcome.decisions.push(ctx.decision(
                            "no params found for policy binding with `Deny` parameterNotFoundAction".to_owned(),
                            "Invalid".to_owned(),
                            Cause::ParamNotFound,
                        ));
                    }
                }
                Ok(params) => {
                    for param in params {
                        ctx.evaluate(param, &mut outcome);
                    }
                }
                Err(message) => ctx.fail(message, &mut outcome),
            }
        }
        outcome
    }

    /// The params a binding gives its policy for this request: `[None]` when the policy
    /// takes none, empty when they are missing.
    fn params_for<'p>(
        &'p self,
        policy: &Policy,
        binding: &Binding,
        target: &RequestTarget,
        scanned: &'p [Param],
    ) -> Result<Vec<Option<&'p Json>>, String> {
        let Some(kind) = &policy.param_kind else {
            return Ok(vec![None]);
        };
        let Some(reference) = &binding.param_ref else {
            return Err(format!(
                "policy {} has paramKind {}/{} but binding {} has no paramRef",
                policy.name, kind.api_version, kind.kind, binding.name
            ));
        };
        // Without an explicit namespace, a namespaced param is looked up in the request's
        // namespace; cluster-scoped params have none.
        let namespace_ok = |param: &Param| match (&reference.namespace, &param.namespace) {
            (Some(wanted), Some(ns)) => wanted == ns,
            (Some(_), None) => false,
            (None, None) => true,
            (None, Some(ns)) => !target.cluster_scoped && *ns == target.namespace,
        };
        Ok(self
            .params
            .iter()
            .chain(scanned)
            .filter(|p| p.is_a(kind) && namespace_ok(p))
            .filter(|p| match (&reference.name, &reference.selector) {
                (Some(name), _) => p.name == *name,
                (None, Some(selector)) => selector_matches(selector, &p.json["metadata"]["labels"]),
                (None, None) => false,
            })
            .map(|p| Some(&p.json))
            .collect())
    }
}

/// One binding's evaluation of one request.
struct BindingRun<'a> {
    policy: &'a Policy,
    policy_index: usize,
    binding: &'a Binding,
    binding_index: usize,
    object: &'a Json,
    old_object: &'a Json,
    request: &'a Json,
    namespace_object: Option<&'a Json>,
}

impl BindingRun<'_> {
    fn decision(&self, message: String, reason: String, cause: Cause) -> Decision {
        Decision {
            policy: self.policy_index,
            binding: self.binding_index,
            actions: self.binding.actions.clone(),
            message,
            reason,
            cause,
        }
    }

    /// An evaluation error: a decision under `Fail`, a note under `Ignore`.
    fn fail(&self, message: String, outcome: &mut Outcome) {
        match self.policy.failure_policy {
            FailurePolicy::Fail => {
                outcome
                    .decisions
                    .push(self.decision(message, "Invalid".to_owned(), Cause::Error))
            }
            FailurePolicy::Ignore => {
                outcome
                    .ignored_errors
                    .push((self.policy_index, self.binding_index, message))
            }
        }
    }

    fn evaluate(&self, params: Option<&Json>, outcome: &mut Outcome) {
        let null = Json::Null;
        let roots = [
            ("object", self.object),
            ("oldObject", self.old_object),
            ("request", self.request),
            ("params", params.unwrap_or(&null)),
            ("namespaceObject", self.namespace_object.unwrap_or(&null)),
        ];
        let evaluation = Evaluation::new(&roots, &self.policy.variables);

        // Match conditions: any false skips the policy; otherwise an error fails it.
        let mut condition_error = None;
        for (name, condition) in &self.policy.match_conditions {
            match evaluation.evaluate_bool(condition) {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    condition_error.get_or_insert(format!("matchCondition {name:?}: {e}"));
                }
            }
        }
        if let Some(message) = condition_error {
            self.fail(message, outcome);
            return;
        }

        for (index, validation) in self.policy.validations.iter().enumerate() {
            match evaluation.evaluate_bool(&validation.expression) {
                Ok(true) => {}
                Ok(false) => {
                    let message = validation
                        .message_expression
                        .as_ref()
                        .and_then(|m| evaluation.evaluate_string(m).ok().flatten())
                        .map(|m| m.trim().to_owned())
                        .filter(|m| !m.is_empty() && !m.contains('\n'))
                        .or_else(|| validation.message.clone())
                        .unwrap_or_else(|| {
                            format!(
                                "failed expression: {}",
                                validation.expression.source().trim()
                            )
                        });
                    outcome.decisions.push(self.decision(
                        message,
                        validation.reason.clone(),
                        Cause::Validation(index),
                    ));
                }
                Err(e) => self.fail(
                    format!(
                        "expression '{}' resulted in error: {e}",
                        validation.expression.source().trim()
                    ),
                    outcome,
                ),
            }
        }

        for (key, value) in &self.policy.audit_annotations {
            match evaluation.evaluate_string(value) {
                Ok(Some(value)) => outcome.notes.push(AuditNote {
                    policy: self.policy_index,
                    binding: self.binding_index,
                    key: format!("{}/{key}", self.policy.name),
                    value,
                }),
                Ok(None) => {}
                Err(e) => self.fail(format!("auditAnnotations {key:?}: {e}"), outcome),
            }
        }
    }
}
