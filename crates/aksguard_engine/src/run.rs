//! Running selected rules over objects, in parallel, into sorted findings.

use aksguard_model::{Finding, Location, Object, ObjectRef, Severity};
use aksguard_rules::{Checker, Rule, RuleSettings, Violation};
use rayon::prelude::*;

/// Every finding of `rules` over `objects` at or above `min_severity`, sorted.
pub fn evaluate(
    objects: &[Object],
    rules: &[&'static Rule],
    settings: &RuleSettings,
    min_severity: Severity,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = objects
        .par_iter()
        .flat_map_iter(|object| {
            let mut checker = Checker::new(settings);
            let mut found = Vec::new();
            for rule in rules {
                rule.run(object, &mut checker);
                found.extend(
                    checker
                        .take()
                        .into_iter()
                        .map(|violation| to_finding(rule, object, violation)),
                );
            }
            found
        })
        .filter(|f| f.severity >= min_severity)
        .collect();
    sort_findings(&mut findings);
    findings
}

/// Deterministic order: path, line, column, rule, container, message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            &a.location.path,
            a.location.line,
            a.location.column,
            a.rule_id,
            &a.container,
            &a.message,
        )
            .cmp(&(
                &b.location.path,
                b.location.line,
                b.location.column,
                b.rule_id,
                &b.container,
                &b.message,
            ))
    });
}

fn to_finding(rule: &'static Rule, object: &Object, violation: Violation) -> Finding {
    Finding {
        rule_id: rule.id,
        severity: violation.severity.unwrap_or(rule.severity),
        title: rule.title,
        message: violation.message,
        object: ObjectRef {
            api_version: object.api_version.clone(),
            kind: object.kind.clone(),
            namespace: object.namespace.clone(),
            name: object.name.clone().unwrap_or_else(|| "<unnamed>".into()),
        },
        container: violation.container,
        location: Location {
            path: object.source.path.clone(),
            line: violation.pos.line,
            column: violation.pos.col,
            template: object.template.as_deref().map(str::to_owned),
        },
        remediation: rule.remediation,
        references: rule.references.iter().map(ToString::to_string).collect(),
    }
}
