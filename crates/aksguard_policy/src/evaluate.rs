//! The seam every policy engine plugs into ([`PolicyEvaluator`]), what it sees (a
//! [`Review`] of one object, the [`ScanContext`] of the scan) and what it says
//! ([`Verdicts`]), and [`PolicySet`]: all loaded policies, turned into findings.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aksguard_model::{DynamicRule, Finding, Location, Object, Severity};

use crate::classify::PolicyDocuments;
use crate::error::PolicyError;
use crate::rule::EnforcementAction;

/// The admission operation a review stands for. A scanned file is a `CREATE` (what the
/// API server would see when it is applied first).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Operation {
    #[default]
    Create,
    Update,
    Delete,
    Connect,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }

    pub fn parse(text: &str) -> Option<Operation> {
        match text {
            "CREATE" => Some(Operation::Create),
            "UPDATE" => Some(Operation::Update),
            "DELETE" => Some(Operation::Delete),
            "CONNECT" => Some(Operation::Connect),
            _ => None,
        }
    }
}

/// One object under review, the way an admission request carries it.
#[derive(Clone, Copy, Debug)]
pub struct Review<'a> {
    /// Where the object is (file and line, or cluster location) and what it is.
    pub object: &'a Object,
    /// The object as JSON (what Rego and CEL read).
    pub json: &'a serde_json::Value,
    pub operation: Operation,
    /// The object before the change (`UPDATE`, `DELETE`), when there is one.
    pub old_object: Option<&'a serde_json::Value>,
    /// The requester (`userInfo`), when known (the webhook); scans have none.
    pub user_info: Option<&'a serde_json::Value>,
    /// The request's `name` and `namespace` when a real request gives them (the webhook:
    /// an object may name no namespace, or have a generated name); else the object's.
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub dry_run: bool,
}

impl<'a> Review<'a> {
    /// A `CREATE` review of a scanned object.
    pub fn create(object: &'a Object, json: &'a serde_json::Value) -> Self {
        Review {
            object,
            json,
            operation: Operation::Create,
            old_object: None,
            user_info: None,
            name: None,
            namespace: None,
            dry_run: false,
        }
    }

    /// A review of `object` for the admission request `admission` (the webhook's); a
    /// request without one is judged like a scanned file (a `CREATE`). An operation the
    /// policies do not know is judged as a `CREATE`, like a file.
    pub fn of_request(
        object: &'a Object,
        json: &'a serde_json::Value,
        admission: Option<&'a aksguard_scan::AdmissionRequest>,
    ) -> Self {
        let Some(admission) = admission else {
            return Review::create(object, json);
        };
        Review {
            object,
            json,
            operation: Operation::parse(&admission.operation).unwrap_or_default(),
            old_object: admission.old_object.as_ref().filter(|old| !old.is_null()),
            user_info: Some(&admission.user_info).filter(|user| !user.is_null()),
            name: admission.name.as_deref(),
            namespace: admission.namespace.as_deref().filter(|ns| !ns.is_empty()),
            dry_run: admission.dry_run,
        }
    }
}

/// What policies may read besides the object under review: the scan's other objects.
pub struct ScanContext {
    /// Unique per context (engines cache what they derive per context by it).
    id: u64,
    /// Namespace objects by name (namespace selectors, VAP `namespaceObject`).
    namespaces: HashMap<String, Arc<serde_json::Value>>,
    /// Every object of the scan (Gatekeeper's `data.inventory`, VAP param objects).
    objects: Vec<Arc<serde_json::Value>>,
    /// What engines derive from the objects once per context (Gatekeeper's inventory as a
    /// Rego value), by name.
    derived: Mutex<HashMap<&'static str, Arc<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for ScanContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanContext")
            .field("objects", &self.objects.len())
            .field("namespaces", &self.namespaces.len())
            .finish()
    }
}

impl ScanContext {
    /// A context of `objects` (JSON documents with `apiVersion`, `kind`, `metadata`).
    pub fn new(objects: Vec<Arc<serde_json::Value>>) -> Self {
        let namespaces = objects
            .iter()
            .filter(|o| o.get("kind").and_then(|k| k.as_str()) == Some("Namespace"))
            .filter(|o| o.get("apiVersion").and_then(|k| k.as_str()) == Some("v1"))
            .filter_map(|o| {
                let name = o.pointer("/metadata/name")?.as_str()?;
                Some((name.to_owned(), o.clone()))
            })
            .collect();
        ScanContext {
            id: next_context_id(),
            namespaces,
            objects,
            derived: Mutex::new(HashMap::new()),
        }
    }

    /// Unique among the contexts of this process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The Namespace object called `name`, when the scan has it.
    pub fn namespace(&self, name: &str) -> Option<&serde_json::Value> {
        self.namespaces.get(name).map(|n| &**n)
    }

    pub fn objects(&self) -> &[Arc<serde_json::Value>] {
        &self.objects
    }

    /// What `build` derives from the objects, built once per context under `key`.
    pub fn derived<T: Any + Send + Sync>(
        &self,
        key: &'static str,
        build: impl FnOnce(&ScanContext) -> T,
    ) -> Arc<T> {
        if let Some(found) = self.lookup::<T>(key) {
            return found;
        }
        let built = Arc::new(build(self));
        if let Ok(mut derived) = self.derived.lock() {
            derived.entry(key).or_insert_with(|| built.clone());
        }
        built
    }

    fn lookup<T: Any + Send + Sync>(&self, key: &'static str) -> Option<Arc<T>> {
        let derived = self.derived.lock().ok()?;
        derived.get(key)?.clone().downcast::<T>().ok()
    }
}

impl Default for ScanContext {
    fn default() -> Self {
        ScanContext::new(Vec::new())
    }
}

fn next_context_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One policy's verdict that the object breaks it.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyViolation {
    pub rule: &'static DynamicRule,
    pub severity: Severity,
    pub action: EnforcementAction,
    /// The message the policy produced.
    pub message: String,
    /// The constraint or binding that applied the policy.
    pub applied_by: String,
}

/// What policies said about one object.
#[derive(Clone, Debug, Default)]
pub struct Verdicts {
    pub violations: Vec<PolicyViolation>,
    /// Evaluations that failed (a runtime error, a budget exceeded, a missing param):
    /// reported, never taken as a pass.
    pub errors: Vec<PolicyError>,
    /// What policies want recorded without judging (VAP `auditAnnotations`).
    pub notes: Vec<String>,
}

impl Verdicts {
    pub fn extend(&mut self, more: Verdicts) {
        self.violations.extend(more.violations);
        self.errors.extend(more.errors);
        self.notes.extend(more.notes);
    }
}

/// One compiled policy (a Gatekeeper template with its constraints, a VAP with its
/// bindings). Compiled once; evaluated on any thread.
pub trait PolicyEvaluator: Send + Sync {
    /// The rules its violations are reported under.
    fn rules(&self) -> Vec<&'static DynamicRule>;

    /// Whether judging an object needs the scan's other objects (namespace selectors,
    /// `data.inventory`, params): then the scan judges it once everything is loaded.
    fn needs_context(&self) -> bool;

    /// Judges one object, adding to `verdicts`.
    fn evaluate(&self, review: &Review<'_>, context: &ScanContext, verdicts: &mut Verdicts);
}

/// Every loaded policy, compiled.
#[derive(Default)]
pub struct PolicySet {
    evaluators: Vec<Box<dyn PolicyEvaluator>>,
}

impl std::fmt::Debug for PolicySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicySet")
            .field(
                "rules",
                &self.rules().iter().map(|r| r.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl PolicySet {
    /// Compiles every policy in `documents`: the ones that compile run, each one that does
    /// not is an error naming its file and line.
    pub fn build(documents: &PolicyDocuments) -> (PolicySet, Vec<PolicyError>) {
        let (mut evaluators, mut errors) = crate::gatekeeper::build(documents);
        let (vap, vap_errors) = crate::vap::build(documents);
        evaluators.extend(vap);
        errors.extend(vap_errors);
        (PolicySet { evaluators }, errors)
    }

    pub fn from_evaluators(evaluators: Vec<Box<dyn PolicyEvaluator>>) -> Self {
        PolicySet { evaluators }
    }

    pub fn is_empty(&self) -> bool {
        self.evaluators.is_empty()
    }

    /// The rules of every policy, sorted by ID.
    pub fn rules(&self) -> Vec<&'static DynamicRule> {
        let mut rules: Vec<_> = self.evaluators.iter().flat_map(|e| e.rules()).collect();
        rules.sort_by_key(|r| r.id);
        rules.dedup_by_key(|r| r.id);
        rules
    }

    /// Whether any policy needs the scan's other objects.
    pub fn needs_context(&self) -> bool {
        self.evaluators.iter().any(|e| e.needs_context())
    }

    /// Every policy's verdict on one object; `needing_context` picks the policies that need
    /// the scan's other objects (`Some(true)`), the others (`Some(false)`) or all (`None`).
    pub fn evaluate(
        &self,
        review: &Review<'_>,
        context: &ScanContext,
        needing_context: Option<bool>,
    ) -> Verdicts {
        let mut verdicts = Verdicts::default();
        for evaluator in &self.evaluators {
            if needing_context.is_none_or(|wanted| evaluator.needs_context() == wanted) {
                evaluator.evaluate(review, context, &mut verdicts);
            }
        }
        verdicts
    }
}

/// A violation on `object` as a finding, placed at the object. The message is the policy's;
/// the constraint or binding that applied it is part of the fingerprint (two constraints of
/// one template are two findings).
pub fn to_finding(object: &Object, violation: &PolicyViolation) -> Finding {
    let fingerprint = aksguard_model::fingerprint(
        violation.rule.id,
        &object.reference,
        Some(&violation.applied_by),
        &violation.message,
    );
    let pos = object.pos();
    Finding {
        rule_id: violation.rule.id,
        severity: violation.severity,
        rule: &violation.rule.text,
        message: violation.message.clone().into_boxed_str(),
        object: object.reference.clone(),
        container: None,
        location: Location {
            path: object.source.path.clone(),
            line: pos.line,
            column: pos.col,
            template: object.template.clone(),
        },
        fingerprint,
        fix: None,
        on_attack_path: false,
    }
}
