//! Gatekeeper ConstraintTemplates and their constraints: Rego through regorus (Rego v0 unless
//! the template declares v1), `K8sNativeValidation` CEL through the `vap` module's evaluator,
//! with Gatekeeper's input (`input.review` shaped like the API server's AdmissionRequest,
//! `input.parameters` from the constraint), its `match` semantics and `data.inventory` for
//! referential templates. `external_data` is not supported (a template that calls it is an
//! error that says so).

pub mod constraint;
pub mod inventory;
pub mod matching;
pub mod rego;
pub mod template;

use std::collections::HashMap;

use aksguard_model::DynamicRule;
use rayon::prelude::*;
use serde_json::Value as Json;

use crate::classify::{PolicyDocument, PolicyDocuments};
use crate::error::PolicyError;
use crate::evaluate::{PolicyEvaluator, PolicyViolation, Review, ScanContext, Verdicts};
use crate::rule::{RuleSource, intern_rule};
use constraint::Constraint;
use matching::Subject;
use rego::CompiledRego;
use template::{Code, Template};

/// The seam for templates' `K8sNativeValidation` code: the CEL evaluator (module `vap`)
/// compiles it into one of these.
pub trait TemplateCel: Send + Sync {
    /// The messages of the violations of the object under review with these parameters;
    /// the error is the message of an evaluation that failed.
    fn violations(
        &self,
        review: &Review<'_>,
        parameters: &Json,
        context: &ScanContext,
    ) -> Result<Vec<String>, String>;
}

enum Compiled {
    /// Boxed: a compiled engine is large and most templates hold one.
    Rego(Box<CompiledRego>),
    Cel(Box<dyn TemplateCel>),
}

/// One template, compiled, with its constraints.
struct TemplatePolicy {
    rule: &'static DynamicRule,
    template: Template,
    compiled: Compiled,
    /// With their parameters already as Rego values.
    constraints: Vec<(Constraint, regorus::Value)>,
}

impl TemplatePolicy {
    fn needs_context(&self) -> bool {
        matches!(&self.compiled, Compiled::Rego(r) if r.referential)
            || self
                .constraints
                .iter()
                .any(|(c, _)| c.matcher.needs_namespaces())
    }
}

/// Templates with their constraints. `build` makes two: the templates that judge an object
/// alone, and those that need the scan's other objects.
pub struct GatekeeperPolicies {
    templates: Vec<TemplatePolicy>,
    needs_context: bool,
}

/// Compiles the templates of `documents` and attaches their constraints. Every template that
/// does not compile, every constraint whose template is missing or broken, is an error
/// naming its file and line; the rest run.
pub fn build(documents: &PolicyDocuments) -> (Vec<Box<dyn PolicyEvaluator>>, Vec<PolicyError>) {
    let mut errors = Vec::new();
    let mut by_kind: HashMap<String, TemplatePolicy> = HashMap::new();
    let mut broken: HashMap<String, String> = HashMap::new();
    let mut order = Vec::new();
    for document in &documents.templates {
        let template = match Template::parse(document) {
            Ok(template) => template,
            Err(error) => {
                if let Some(kind) = document.json.pointer("/spec/crd/spec/names/kind") {
                    broken.insert(kind.as_str().unwrap_or("").to_owned(), error.to_string());
                }
                errors.push(error);
                continue;
            }
        };
        if by_kind.contains_key(&template.kind) || broken.contains_key(&template.kind) {
            errors.push(document.error(
                "spec.crd.spec.names.kind",
                format!("a second ConstraintTemplate defines kind {}", template.kind),
            ));
            continue;
        }
        match compile(&template) {
            Ok(compiled) => {
                let rule = intern_rule(RuleSource {
                    id: &template.rule_id(),
                    title: &template.title,
                    description: &template.description,
                    severity: template
                        .severity
                        .unwrap_or(crate::rule::EnforcementAction::Deny.severity()),
                    engine: "gatekeeper",
                    origin: format!("{}:{}", document.path(), document.line()),
                });
                order.push(template.kind.clone());
                by_kind.insert(
                    template.kind.clone(),
                    TemplatePolicy {
                        rule,
                        template,
                        compiled,
                        constraints: Vec::new(),
                    },
                );
            }
            Err(error) => {
                broken.insert(template.kind.clone(), error.to_string());
                errors.push(error);
            }
        }
    }
    for document in &documents.constraints {
        let kind = document.object.kind.as_str();
        let Some(policy) = by_kind.get_mut(kind) else {
            let message = match broken.get(kind) {
                Some(_) => format!(
                    "constraint {} of kind {kind}: its ConstraintTemplate did not load (see its error)",
                    document.name()
                ),
                None => format!(
                    "constraint {} of kind {kind}: no ConstraintTemplate defines this kind",
                    document.name()
                ),
            };
            errors.push(document.error("kind", message));
            continue;
        };
        match Constraint::parse(document) {
            Ok(constraint) => {
                let parameters = regorus::Value::from(constraint.parameters.clone());
                policy.constraints.push((constraint, parameters));
            }
            Err(error) => errors.push(error),
        }
    }
    let (mut alone, mut with_context) = (Vec::new(), Vec::new());
    for kind in order {
        if let Some(policy) = by_kind.remove(&kind) {
            match policy.needs_context() {
                false => alone.push(policy),
                true => with_context.push(policy),
            }
        }
    }
    let mut evaluators: Vec<Box<dyn PolicyEvaluator>> = Vec::new();
    for (templates, needs_context) in [(alone, false), (with_context, true)] {
        if !templates.is_empty() {
            evaluators.push(Box::new(GatekeeperPolicies {
                templates,
                needs_context,
            }));
        }
    }
    (evaluators, errors)
}

fn compile(template: &Template) -> Result<Compiled, PolicyError> {
    let document = &template.document;
    match &template.code {
        Code::Rego(source) => {
            let name = template.kind.to_ascii_lowercase();
            CompiledRego::compile(source, &name)
                .map(|compiled| Compiled::Rego(Box::new(compiled)))
                .map_err(|message| {
                    let mut error = document.error(
                        rego_path(document),
                        format!("ConstraintTemplate {}: {message}", document.name()),
                    );
                    // The line in the file: the Rego's own line, counted from the block
                    // scalar (`rego: |`) whose text starts on the next line.
                    if let (Some(line), Some(inner)) = (error.line, rego_line(&message, &name)) {
                        error.line = Some(line + inner);
                    }
                    error
                })
        }
        Code::Cel(source) => crate::vap::compile_template_cel(document, source).map(Compiled::Cel),
    }
}

/// The line a regorus error names in the main module (`<name>.rego:LINE:COL`).
fn rego_line(message: &str, name: &str) -> Option<u32> {
    let marker = format!("{name}.rego:");
    let at = message.find(&marker)? + marker.len();
    let digits: String = message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Where the Rego sits in the template, for the error's line.
fn rego_path(document: &PolicyDocument) -> &'static str {
    let code = document
        .json
        .pointer("/spec/targets/0/code")
        .and_then(Json::as_array);
    let rego_entry = code.and_then(|entries| {
        entries
            .iter()
            .position(|e| e.get("engine").and_then(Json::as_str) == Some("Rego"))
    });
    match rego_entry {
        Some(0) => "spec.targets[0].code[0].source.rego",
        Some(1) => "spec.targets[0].code[1].source.rego",
        Some(_) => "spec.targets[0].code",
        None => "spec.targets[0].rego",
    }
}

/// The admission request's `kind`, `name`, `namespace` facts of the object under review.
fn subject<'a>(json: &'a Json) -> Subject<'a> {
    let text = |pointer: &str| json.pointer(pointer).and_then(Json::as_str);
    let api_version = text("/apiVersion").unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    Subject {
        group,
        kind: text("/kind").unwrap_or(""),
        name: text("/metadata/name").unwrap_or(""),
        namespace: text("/metadata/namespace").filter(|n| !n.is_empty()),
        labels: json.pointer("/metadata/labels"),
    }
}

/// `input.review`: an AdmissionRequest for the object (Gatekeeper's shape).
pub fn review_json(review: &Review<'_>) -> Json {
    let json = review.json;
    let text = |pointer: &str| json.pointer(pointer).and_then(Json::as_str).unwrap_or("");
    let api_version = text("/apiVersion");
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let mut request = serde_json::json!({
        "uid": "",
        "kind": {"group": group, "version": version, "kind": text("/kind")},
        "name": review.name.unwrap_or_else(|| text("/metadata/name")),
        "namespace": review.namespace.unwrap_or_else(|| text("/metadata/namespace")),
        "operation": review.operation.as_str(),
        "userInfo": review.user_info.cloned().unwrap_or_else(|| serde_json::json!({})),
        "object": json,
        "dryRun": review.dry_run,
    });
    if let Some(old) = review.old_object {
        request["oldObject"] = old.clone();
    }
    request
}

impl PolicyEvaluator for GatekeeperPolicies {
    fn rules(&self) -> Vec<&'static DynamicRule> {
        self.templates.iter().map(|t| t.rule).collect()
    }

    fn needs_context(&self) -> bool {
        self.needs_context
    }

    fn evaluate(&self, review: &Review<'_>, context: &ScanContext, verdicts: &mut Verdicts) {
        let mut subject = subject(review.json);
        // At admission an object that names no namespace is created in the request's.
        subject.namespace = subject.namespace.or(review.namespace);
        let matched: Vec<(&TemplatePolicy, &Constraint, &regorus::Value)> = self
            .templates
            .iter()
            .flat_map(|policy| {
                policy
                    .constraints
                    .iter()
                    .filter(|(constraint, _)| constraint.matcher.matches(&subject, context))
                    .map(move |(constraint, parameters)| (policy, constraint, parameters))
            })
            .collect();
        if matched.is_empty() {
            return;
        }
        // Converted once per object, shared by every constraint that matches.
        let review_value = matched
            .iter()
            .any(|(policy, _, _)| matches!(policy.compiled, Compiled::Rego(_)))
            .then(|| regorus::Value::from(review_json(review)));
        // One object's constraints are independent. A webhook judges one object per review:
        // its constraints run side by side on the rayon pool (each thread evaluates on its
        // own engine clones), which halves a review's latency on 2 cores. Inside a scan,
        // which already spreads objects over the pool, idle threads take some or the
        // current thread runs them in order. The order of the results is kept.
        let outcomes: Vec<Result<Vec<String>, String>> = matched
            .par_iter()
            .map(|(policy, constraint, parameters)| match &policy.compiled {
                Compiled::Rego(compiled) => match &review_value {
                    Some(value) => compiled
                        .evaluate(rego::input(value, parameters), context)
                        .map(|found| found.into_iter().map(|v| v.msg).collect()),
                    None => Err("the review was not converted for Rego".to_owned()),
                },
                Compiled::Cel(cel) => cel.violations(review, &constraint.parameters, context),
            })
            .collect();
        for ((policy, constraint, _), messages) in matched.into_iter().zip(outcomes) {
            match messages {
                Ok(messages) => {
                    let severity = constraint
                        .severity
                        .or(policy.template.severity)
                        .unwrap_or(constraint.action.severity());
                    verdicts
                        .violations
                        .extend(messages.into_iter().map(|message| PolicyViolation {
                            rule: policy.rule,
                            severity,
                            action: constraint.action,
                            message,
                            applied_by: constraint.name.clone(),
                        }));
                }
                Err(message) => verdicts.errors.push(PolicyError::new(
                    review.object.source.path.to_string(),
                    Some(review.object.pos().line),
                    format!(
                        "{} (constraint {}) could not judge {}: {message}",
                        policy.rule.id,
                        constraint.name,
                        review.object.display_name()
                    ),
                )),
            }
        }
    }
}
