//! ValidatingAdmissionPolicies (CEL): policies, bindings and params read from manifests
//! ([`spec`]), the requests they select ([`matching`]), the decision for one object
//! ([`evaluate`]), the CEL evaluator itself ([`cel`], [`program`], shared with Gatekeeper's
//! `K8sNativeValidation`), and the `aksguard policy test` suites for VAPs ([`suite`]).
//!
//! [`build`] and [`compile_template_cel`] are the seams the crate's common part calls:
//! VAPs become one [`PolicyEvaluator`] whose rules are `VAP.<policy-name>`.

pub mod cel;
pub mod evaluate;
pub mod matching;
pub mod program;
pub mod spec;
pub mod suite;

use aksguard_model::{DynamicRule, Object, Severity};
use serde_json::Value as Json;

pub use evaluate::{AuditNote, Cause, Decision, Outcome, Param, Request, VapSet};
pub use program::{CelProgram, Failure, ProgramError, ValidationSource};
pub use spec::{Action, Binding, FailurePolicy, Policy};

use crate::classify::{PolicyDocument, PolicyDocuments};
use crate::error::PolicyError;
use crate::evaluate::{Operation, PolicyEvaluator, PolicyViolation, Review, ScanContext, Verdicts};
use crate::gatekeeper::TemplateCel;
use crate::rule::{
    EnforcementAction, RuleSource, SEVERITY_ANNOTATION, annotated_severity, intern_rule,
};

/// The loaded VAPs as one evaluator.
struct VapPolicies {
    set: VapSet,
    /// Each policy's rule (by policy index).
    rules: Vec<&'static DynamicRule>,
    /// Each binding's severity and action (by binding index).
    bindings: Vec<(Severity, EnforcementAction)>,
    needs_context: bool,
}

fn annotation<'a>(annotations: &'a [(String, String)], key: &str) -> Option<&'a str> {
    annotations
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// What the cluster does with a binding's failures, as one action: the strongest.
fn binding_action(binding: &Binding) -> EnforcementAction {
    binding
        .actions
        .iter()
        .map(|a| match a {
            Action::Deny => EnforcementAction::Deny,
            Action::Warn => EnforcementAction::Warn,
            Action::Audit => EnforcementAction::Audit,
        })
        .max()
        .unwrap_or(EnforcementAction::Deny)
}

/// Compiles the VAPs and bindings of `documents` (params are among `documents.others`, and
/// among the scanned objects at evaluation).
pub fn build(documents: &PolicyDocuments) -> (Vec<Box<dyn PolicyEvaluator>>, Vec<PolicyError>) {
    if documents.vaps.is_empty() && documents.bindings.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let objects: Vec<Object> = documents
        .vaps
        .iter()
        .chain(&documents.bindings)
        .chain(&documents.others)
        .map(|d| d.object.clone())
        .collect();
    let (set, load_errors) = VapSet::load(&objects, &[]);
    let mut errors: Vec<PolicyError> = load_errors
        .into_iter()
        .map(|e| PolicyError::new(e.path, e.line, e.message))
        .collect();
    let mut severity_of = |annotations: &[(String, String)], origin: &spec::Origin| {
        annotated_severity(annotation(annotations, SEVERITY_ANNOTATION)).unwrap_or_else(|message| {
            errors.push(PolicyError::new(
                origin.path.to_string(),
                Some(origin.line),
                message,
            ));
            None
        })
    };
    let policy_severity: Vec<Option<Severity>> = set
        .policies
        .iter()
        .map(|p| severity_of(&p.annotations, &p.origin))
        .collect();
    let bindings: Vec<(Severity, EnforcementAction)> = set
        .bindings
        .iter()
        .map(|b| {
            let action = binding_action(b);
            let policy = set
                .policies
                .iter()
                .position(|p| p.name == b.policy_name)
                .unwrap_or(0);
            let severity = severity_of(&b.annotations, &b.origin)
                .or(policy_severity.get(policy).copied().flatten())
                .unwrap_or(action.severity());
            (severity, action)
        })
        .collect();
    let rules = set
        .policies
        .iter()
        .zip(&policy_severity)
        .map(|(policy, severity)| {
            // The rule's default severity: the annotation, else the strongest action of its
            // bindings.
            let default = severity.unwrap_or_else(|| {
                set.bindings
                    .iter()
                    .filter(|b| b.policy_name == policy.name)
                    .map(|b| binding_action(b).severity())
                    .min()
                    .unwrap_or(EnforcementAction::Deny.severity())
            });
            let description = annotation(&policy.annotations, "description")
                .map(str::to_owned)
                .unwrap_or_else(|| format!("ValidatingAdmissionPolicy {} (CEL)", policy.name));
            intern_rule(RuleSource {
                id: &format!("VAP.{}", policy.name),
                title: annotation(&policy.annotations, "title").unwrap_or(&policy.name),
                description: &description,
                severity: default,
                engine: "vap",
                origin: format!("{}:{}", policy.origin.path, policy.origin.line),
            })
        })
        .collect();
    let needs_context = set.policies.iter().any(|p| {
        p.param_kind.is_some()
            || !p.match_constraints.namespace_selector.selects_all()
            || p.match_conditions
                .iter()
                .map(|(_, e)| e)
                .chain(p.variables.iter().map(|(_, e)| e))
                .chain(p.validations.iter().map(|v| &v.expression))
                .any(|e| e.reads("namespaceObject"))
    }) || set.bindings.iter().any(|b| {
        b.match_resources
            .as_ref()
            .is_some_and(|m| !m.namespace_selector.selects_all())
    });
    if set.bindings.is_empty() {
        return (Vec::new(), errors);
    }
    let evaluator = VapPolicies {
        set,
        rules,
        bindings,
        needs_context,
    };
    (vec![Box::new(evaluator)], errors)
}

/// Param objects of the scan, found once per scan context.
struct ScannedParams(Vec<Param>);

impl PolicyEvaluator for VapPolicies {
    fn rules(&self) -> Vec<&'static DynamicRule> {
        self.rules.clone()
    }

    fn needs_context(&self) -> bool {
        self.needs_context
    }

    fn evaluate(&self, review: &Review<'_>, context: &ScanContext, verdicts: &mut Verdicts) {
        let params = context.derived("vap.scanned-params", |context| {
            ScannedParams(
                self.set
                    .params_among(context.objects().iter().map(|o| &**o)),
            )
        });
        let namespace = review.json["metadata"]["namespace"]
            .as_str()
            .filter(|n| !n.is_empty())
            .or(review.namespace)
            .unwrap_or("default");
        let null = Json::Null;
        let (object, old_object) = match review.operation {
            // DELETE: the object is gone, the request carries the old one.
            Operation::Delete => (&null, review.old_object.or(Some(review.json))),
            _ => (review.json, review.old_object),
        };
        let outcome = self.set.decide(&Request {
            object,
            old_object,
            namespace_object: context.namespace(namespace),
            operation: review.operation.as_str(),
            user_info: review.user_info,
            name: review.name,
            namespace: review.namespace,
            dry_run: review.dry_run,
            scanned_params: &params.0,
        });
        for decision in outcome.decisions {
            let binding = &self.set.bindings[decision.binding];
            let (severity, action) = self.bindings[decision.binding];
            verdicts.violations.push(PolicyViolation {
                rule: self.rules[decision.policy],
                severity,
                action,
                message: decision.message,
                applied_by: binding.name.clone(),
            });
        }
        for note in outcome.notes {
            verdicts.notes.push(format!("{}: {}", note.key, note.value));
        }
        for (policy, binding, message) in outcome.ignored_errors {
            verdicts.notes.push(format!(
                "{} (binding {}, failurePolicy Ignore) could not judge {}: {message}",
                self.rules[policy].id,
                self.set.bindings[binding].name,
                review.object.display_name()
            ));
        }
    }
}

/// The roots Gatekeeper binds for `K8sNativeValidation` code (`variables.params` and
/// `variables.anyObject` are preset).
const GATEKEEPER_ROOTS: &[&str] = &[
    "object",
    "oldObject",
    "request",
    "params",
    "namespaceObject",
    "variables",
];

struct TemplateProgram {
    program: CelProgram,
}

impl TemplateCel for TemplateProgram {
    fn violations(
        &self,
        review: &Review<'_>,
        parameters: &Json,
        context: &ScanContext,
    ) -> Result<Vec<String>, String> {
        let null = Json::Null;
        let (object, old_object) = match review.operation {
            Operation::Delete => (&null, review.old_object.unwrap_or(review.json)),
            _ => (review.json, review.old_object.unwrap_or(&null)),
        };
        let any_object = if object.is_null() { old_object } else { object };
        let target = matching::RequestTarget::of(any_object, review.operation.as_str())
            .with_request(review.name, review.namespace);
        let request = target.request_json_with(review.user_info, review.dry_run);
        let namespace_object = (!target.cluster_scoped)
            .then(|| context.namespace(&target.namespace))
            .flatten()
            .unwrap_or(&null);
        // Gatekeeper's `params` is the constraint; its parameters are `spec.parameters`.
        let constraint = serde_json::json!({"spec": {"parameters": parameters}});
        let roots = [
            ("object", object),
            ("oldObject", old_object),
            ("request", &request),
            ("params", &constraint),
            ("namespaceObject", namespace_object),
        ];
        let presets = [("params", parameters), ("anyObject", any_object)];
        let mut messages = Vec::new();
        for failure in self.program.evaluate(&roots, &presets) {
            match failure {
                Failure::Violated { message, .. } => messages.push(message),
                Failure::Error { message, .. } => return Err(message),
                Failure::MatchConditionError { name, message } => {
                    return Err(format!("matchCondition {name:?}: {message}"));
                }
            }
        }
        Ok(messages)
    }
}

/// Compiles a Gatekeeper template's `K8sNativeValidation` `source` (`variables`,
/// `validations`, `matchConditions`); `template` is the template document, for errors naming
/// its file and line.
pub fn compile_template_cel(
    template: &PolicyDocument,
    source: &Json,
) -> Result<Box<dyn TemplateCel>, PolicyError> {
    let program = CelProgram::compile_source(GATEKEEPER_ROOTS, &["params", "anyObject"], source)
        .map_err(|e| {
            template.error(
                "spec.targets",
                format!("K8sNativeValidation source: {}: {}", e.field, e.message),
            )
        })?;
    Ok(Box::new(TemplateProgram { program }))
}
