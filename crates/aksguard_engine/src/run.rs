//! Running selected rules over a scan's objects, in parallel, into sorted findings.
//!
//! Two phases keep memory bounded by what cross-resource analysis needs, not by the size of
//! the input: rules that need only the object they check run on each object as it is loaded
//! ([`Evaluation::on_object`], on the loader's threads), after which the object sheds its
//! bulk (`Object::shed_bulk`); the rest run once the inventory is built
//! ([`Evaluation::finish`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;

use aksguard_model::{
    Finding, Fingerprint, Inventory, Location, Object, PodSpecView, RuleCoverage, Severity,
};
use aksguard_rules::{Checker, ReportedOn, Rule, RuleSettings, Violation};
use rayon::prelude::*;

/// The selected rules of one scan, split by when they can run.
pub struct Evaluation<'a> {
    /// Per-object rules that read no other object: run while files load.
    while_loading: Vec<&'static Rule>,
    /// Per-object rules that look up other objects: run after loading, over every object.
    after_loading: Vec<&'static Rule>,
    /// Cross-resource rules: run once over the inventory.
    cross: Vec<&'static Rule>,
    /// Borrowed, unless a live scan learnt after loading which kinds it could not read.
    settings: Cow<'a, RuleSettings>,
    min_severity: Severity,
    /// What rules could not judge because a value was Unknown, as findings (never reported
    /// as such; see [`Evaluation::unknown_values`]).
    unknown_values: Mutex<Vec<Finding>>,
    /// Per cross-resource rule, the reasons it gave for targets it could not judge
    /// (`Checker::undecided`), filled by [`Evaluation::finish`].
    undecided: Mutex<HashMap<&'static str, Vec<String>>>,
}

impl<'a> Evaluation<'a> {
    pub fn new(
        rules: &[&'static Rule],
        settings: &'a RuleSettings,
        min_severity: Severity,
    ) -> Self {
        let mut evaluation = Evaluation {
            while_loading: Vec::new(),
            after_loading: Vec::new(),
            cross: Vec::new(),
            settings: Cow::Borrowed(settings),
            min_severity,
            unknown_values: Mutex::new(Vec::new()),
            undecided: Mutex::new(HashMap::new()),
        };
        for &rule in rules {
            if rule.is_inventory_rule() {
                evaluation.cross.push(rule);
            } else if rule.reads_other_objects {
                evaluation.after_loading.push(rule);
            } else {
                evaluation.while_loading.push(rule);
            }
        }
        evaluation
    }

    /// Kinds the scan turned out not to have read in full (a live scan's 403s, the Secrets it
    /// never lists): rules that run after this no longer take their absence as conclusive.
    /// Per-object rules never judge an absence, so marking after loading is in time.
    pub fn mark_unread(&mut self, kinds: impl IntoIterator<Item = String>) {
        let unread = &mut self.settings.to_mut().unread;
        for kind in kinds {
            if !unread.contains(&kind) {
                unread.push(kind);
            }
        }
    }

    /// Runs the rules that need only `object`, then sheds its bulk. Safe on any thread.
    pub fn on_object(&self, object: &mut Object) -> Vec<Finding> {
        let found = self.check_alone(object);
        object.shed_bulk();
        found
    }

    /// The rules that need only the object they check, over objects that are already in an
    /// inventory (they keep their bulk): what [`Evaluation::on_object`] does while loading.
    pub fn judge_alone(&self, inventory: &Inventory) -> Vec<Finding> {
        inventory
            .objects()
            .par_iter()
            .flat_map_iter(|object| self.check_alone(object))
            .collect()
    }

    /// The rules that need only `object`, without changing it.
    fn check_alone(&self, object: &Object) -> Vec<Finding> {
        let mut checker = Checker::while_loading(&self.settings);
        self.run_on(&self.while_loading, object, &mut checker)
    }

    fn run_on(
        &self,
        rules: &[&'static Rule],
        object: &Object,
        checker: &mut Checker<'_>,
    ) -> Vec<Finding> {
        let mut found = Vec::new();
        let pod = PodSpecView::of(object);
        for &rule in rules {
            rule.run_with_pod(object, pod.as_ref(), checker);
            found.extend(self.findings(rule, Some(object), checker.take()));
            self.keep_unknown_values(rule, Some(object), checker);
            debug_assert!(
                checker.take_undecided().is_empty(),
                "{}: only rules over the inventory may call `undecided`",
                rule.id
            );
        }
        found
    }

    /// A rule's violations as findings at or above the minimum severity.
    fn findings<'s>(
        &'s self,
        rule: &'static Rule,
        checked: Option<&'s Object>,
        violations: Vec<Violation>,
    ) -> impl Iterator<Item = Finding> + 's {
        violations
            .into_iter()
            .map(move |v| to_finding(rule, checked, v))
            .filter(|f| f.severity >= self.min_severity)
    }

    fn keep_unknown_values(
        &self,
        rule: &'static Rule,
        checked: Option<&Object>,
        checker: &mut Checker<'_>,
    ) {
        let unknown = checker.take_unknown_values();
        if unknown.is_empty() {
            return;
        }
        // A poisoned lock means a rule panicked; that panic is the error.
        if let Ok(mut all) = self.unknown_values.lock() {
            all.extend(unknown.into_iter().map(|v| to_finding(rule, checked, v)));
        }
    }

    /// What the rules could not judge because a value they need is Unknown, one entry per
    /// case (as a finding would be), sorted. Call after [`Evaluation::finish`].
    pub fn unknown_values(&self) -> Vec<Finding> {
        let mut cases = self
            .unknown_values
            .lock()
            .map(|cases| cases.clone())
            .unwrap_or_default();
        cases.sort_by(report_order);
        cases
    }

    /// [`Evaluation::unknown_values`] as scan notes, one per rule: how many cases and where the
    /// first ones are (`path:line: message`).
    pub fn unknown_value_notes(&self) -> Vec<String> {
        unknown_value_notes(&self.unknown_values())
    }

    /// Runs the rules that look across objects over the inventory and returns every finding
    /// (`early` are [`Evaluation::on_object`]'s), sorted.
    pub fn finish(&self, inventory: &Inventory, early: Vec<Finding>) -> Vec<Finding> {
        let object_findings = inventory.objects().par_iter().flat_map_iter(|object| {
            let mut checker = Checker::new(&self.settings, inventory);
            self.run_on(&self.after_loading, object, &mut checker)
        });
        let cross_findings = self.cross.par_iter().flat_map_iter(|rule| {
            let mut checker = Checker::new(&self.settings, inventory);
            rule.run_inventory(inventory, &mut checker);
            self.keep_unknown_values(rule, None, &mut checker);
            let undecided = checker.take_undecided();
            if !undecided.is_empty() {
                // A poisoned lock means a rule panicked; that panic is the error.
                if let Ok(mut all) = self.undecided.lock() {
                    all.entry(rule.id).or_default().extend(undecided);
                }
            }
            self.findings(rule, None, checker.take())
                .collect::<Vec<_>>()
        });
        let late: Vec<Finding> = object_findings.chain(cross_findings).collect();
        // Appended to `early` in place: it usually has the room (vectors grow by doubling, and
        // capacity never written costs no memory), where a fresh vector of the final size
        // would hold every early finding twice.
        let mut findings = early;
        findings.extend(late);
        // Unstable (in place, no second buffer): the order is total, ties included.
        findings.par_sort_unstable_by(report_order);
        findings
    }
}

impl Evaluation<'_> {
    /// What each rule judged (after [`Evaluation::finish`]), in rule ID order.
    pub fn coverage(&self, inventory: &Inventory) -> Vec<RuleCoverage> {
        let mut rules: Vec<&'static Rule> = self
            .while_loading
            .iter()
            .chain(&self.after_loading)
            .chain(&self.cross)
            .copied()
            .collect();
        rules.sort_by_key(|r| r.id);
        let undecided = self.undecided.lock().map(|u| u.clone()).unwrap_or_default();
        let mut coverage =
            crate::coverage::rule_coverage(&rules, inventory, &undecided, self.settings.complete);
        // IMG005 judges the reports given with `--vulns`: without one it judged nothing,
        // which must not read as a pass.
        if self.settings.vulns.is_none() {
            for entry in coverage
                .iter_mut()
                .filter(|c| c.rule_id == aksguard_rules::vulns::RULE_ID && c.reason.is_none())
            {
                entry.undecided = entry.targets;
                entry.reason =
                    Some("no image vulnerability report was given (`--vulns FILE`)".to_owned());
            }
        }
        coverage
    }
}

/// Every finding of `rules` over an inventory that is already loaded (tests, benchmarks, the
/// webhook), at or above `min_severity`, sorted. Objects keep their bulk.
pub fn evaluate(
    inventory: &Inventory,
    rules: &[&'static Rule],
    settings: &RuleSettings,
    min_severity: Severity,
) -> Vec<Finding> {
    let evaluation = Evaluation::new(rules, settings, min_severity);
    let early = evaluation.judge_alone(inventory);
    evaluation.finish(inventory, early)
}

/// How many locations an unknown-value note names before it says "and N more".
const NOTE_LOCATIONS: usize = 5;

/// One note per rule for the cases it could not judge (sorted by rule ID).
pub fn unknown_value_notes(cases: &[Finding]) -> Vec<String> {
    let mut by_rule: std::collections::BTreeMap<&str, Vec<&Finding>> = Default::default();
    for case in cases {
        by_rule.entry(case.rule_id).or_default().push(case);
    }
    by_rule
        .into_iter()
        .map(|(rule, cases)| {
            let shown: Vec<String> = cases
                .iter()
                .take(NOTE_LOCATIONS)
                .map(|c| match c.location.is_live() {
                    // A live object has no line worth naming.
                    true => format!("{}: {}", c.location.path, c.message),
                    false => format!("{}:{}: {}", c.location.path, c.location.line, c.message),
                })
                .collect();
            let more = match cases.len().saturating_sub(NOTE_LOCATIONS) {
                0 => String::new(),
                n => format!("; and {n} more"),
            };
            format!(
                "{rule} did not judge {} case{} whose value is Unknown: {}{more}",
                cases.len(),
                if cases.len() == 1 { "" } else { "s" },
                shown.join("; ")
            )
        })
        .collect()
}

/// Deterministic order: path, line, column, rule, container, message, then the object and
/// fingerprint, so no two distinct findings tie.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(report_order);
}

/// The order findings are reported in (also used for suppressed findings).
pub fn report_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    // Findings of one file share its path: comparing the pointer saves comparing the text.
    let path = if std::sync::Arc::ptr_eq(&a.location.path, &b.location.path) {
        std::cmp::Ordering::Equal
    } else {
        a.location.path.cmp(&b.location.path)
    };
    path.then_with(|| order_key(a).cmp(&order_key(b)))
}

type OrderKey<'a> = (
    u32,
    u32,
    &'a str,
    Option<&'a str>,
    &'a str,
    (&'a str, Option<&'a str>, &'a str),
    Fingerprint,
);

fn order_key(f: &Finding) -> OrderKey<'_> {
    (
        f.location.line,
        f.location.column,
        f.rule_id,
        f.container.as_deref(),
        &*f.message,
        (
            &f.object.kind,
            f.object.namespace.as_deref(),
            &f.object.name,
        ),
        f.fingerprint,
    )
}

fn to_finding(rule: &'static Rule, checked: Option<&Object>, violation: Violation) -> Finding {
    let on = match (violation.on, checked) {
        (Some(on), _) => on,
        (None, Some(object)) => ReportedOn::object(object),
        // A rule bug, not bad input: fail loudly in tests, degrade visibly for users.
        (None, None) => {
            debug_assert!(
                false,
                "{}: a cross-resource violation must say which object it is on",
                rule.id
            );
            ReportedOn {
                object: std::sync::Arc::new(aksguard_model::ObjectRef {
                    api_version: Default::default(),
                    kind: "Scan".into(),
                    namespace: None,
                    name: "<unplaced>".into(),
                }),
                path: "".into(),
                template: None,
            }
        }
    };
    let fingerprint = aksguard_model::fingerprint(
        rule.id,
        &on.object,
        violation.container.as_deref(),
        &violation.message,
    );
    // Findings live until the report is written; `format!` leaves spare capacity.
    let message = violation.message.into_boxed_str();
    Finding {
        fingerprint,
        rule_id: rule.id,
        severity: violation.severity.unwrap_or(rule.severity),
        rule: rule.text(),
        message,
        object: on.object,
        container: violation.container.as_deref().map(Into::into),
        location: Location {
            path: on.path,
            line: violation.pos.line,
            column: violation.pos.col,
            template: on.template,
        },
        // Every finding has a fix: its own when the rule found one, else the rule's, shared
        // by all of the rule's findings (one pointer each, however many there are).
        fix: Some(
            violation
                .fix
                .map_or_else(|| rule.default_fix(), std::sync::Arc::new),
        ),
        on_attack_path: false,
    }
}
