//! Running selected rules over a scan's inventory, in parallel, into sorted findings.

use aksguard_model::{Finding, Inventory, Location, Object, Severity};
use aksguard_rules::{Checker, ReportedOn, Rule, RuleSettings, Violation};
use rayon::prelude::*;

/// Every finding of `rules` over the inventory at or above `min_severity`, sorted.
/// Per-object rules run in parallel over objects; cross-resource rules in parallel over rules.
pub fn evaluate(
    inventory: &Inventory,
    rules: &[&'static Rule],
    settings: &RuleSettings,
    min_severity: Severity,
) -> Vec<Finding> {
    let (cross, per_object): (Vec<&'static Rule>, Vec<&'static Rule>) =
        rules.iter().partition(|rule| rule.is_inventory_rule());
    let object_findings = inventory.objects().par_iter().flat_map_iter(|object| {
        let mut checker = Checker::new(settings, inventory);
        let mut found = Vec::new();
        for rule in &per_object {
            rule.run(object, &mut checker);
            found.extend(
                checker
                    .take()
                    .into_iter()
                    .map(|v| to_finding(rule, Some(object), v)),
            );
        }
        found
    });
    let cross_findings = cross.par_iter().flat_map_iter(|rule| {
        let mut checker = Checker::new(settings, inventory);
        rule.run_inventory(inventory, &mut checker);
        checker
            .take()
            .into_iter()
            .map(|v| to_finding(rule, None, v))
            .collect::<Vec<_>>()
    });
    let mut findings: Vec<Finding> = object_findings
        .chain(cross_findings)
        .filter(|f| f.severity >= min_severity)
        .collect();
    sort_findings(&mut findings);
    findings
}

/// Deterministic order: path, line, column, rule, container, message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(report_order);
}

/// The order findings are reported in (also used for suppressed findings).
pub fn report_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    order_key(a).cmp(&order_key(b))
}

fn order_key(f: &Finding) -> (&str, u32, u32, &str, Option<&str>, &str) {
    (
        &f.location.path,
        f.location.line,
        f.location.column,
        f.rule_id,
        f.container.as_deref(),
        &f.message,
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
                object: aksguard_model::ObjectRef {
                    api_version: String::new(),
                    kind: "Scan".into(),
                    namespace: None,
                    name: "<unplaced>".into(),
                },
                path: String::new(),
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
    Finding {
        fingerprint,
        rule_id: rule.id,
        severity: violation.severity.unwrap_or(rule.severity),
        title: rule.title,
        message: violation.message,
        object: on.object,
        container: violation.container,
        location: Location {
            path: on.path,
            line: violation.pos.line,
            column: violation.pos.col,
            template: on.template,
        },
        remediation: rule.remediation,
        references: rule.references.iter().map(ToString::to_string).collect(),
    }
}
