//! Rules → severity overrides → minimum severity → suppression, over one scan's objects.

use std::collections::HashSet;
use std::sync::Arc;

use aksguard_config::baseline;
use aksguard_engine::{
    Evaluation, apply_annotations, apply_baseline, apply_exceptions, apply_severity_overrides,
    sort_suppressed,
};
use aksguard_model::{Finding, Inventory, LoadError, Object, RuleCoverage, Severity, Suppressed};
use aksguard_rules::Rule;

use crate::extra::ExtraRules;
use crate::settings::ScanSettings;
use crate::unreadable::{self, Unreadable};

/// What a scan concluded.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Active findings, in report order.
    pub findings: Vec<Finding>,
    /// Findings an annotation, an exception or a baseline suppressed, in report order.
    pub suppressed: Vec<Suppressed>,
    /// The loading errors handed in, then invalid annotations, a baseline that could not be
    /// written, and a scan that found nothing to judge.
    pub errors: Vec<LoadError>,
    /// Things the user should know that are not errors: exceptions that matched nothing, the
    /// baseline written. The CLI prints them unless `--quiet`; a server logs them.
    pub notes: Vec<String>,
}

/// One scan's rules, split by when they can run (see `aksguard_engine::Evaluation`).
pub struct Pipeline<'a> {
    evaluation: Evaluation<'a>,
    settings: &'a ScanSettings,
    rules: Vec<&'static Rule>,
    /// What a live scan could not read (see [`Pipeline::mark_unreadable`]).
    unreadable: Vec<Unreadable>,
    /// Users' policies (see [`ExtraRules`]), when the caller plugged them in.
    extra: Option<Arc<dyn ExtraRules>>,
    /// The minimum severity findings are kept at before `[severity]` overrides.
    min_severity: Severity,
}

impl<'a> Pipeline<'a> {
    /// With `[severity]` overrides every finding is kept until the override is applied: the
    /// minimum severity is judged after it.
    pub fn new(rules: &[&'static Rule], settings: &'a ScanSettings) -> Self {
        let effective = &settings.effective;
        let min_severity = if effective.severity.is_empty() {
            effective.min_severity
        } else {
            Severity::Info
        };
        Pipeline {
            evaluation: Evaluation::new(rules, &effective.rule_settings, min_severity),
            settings,
            rules: rules.to_vec(),
            unreadable: Vec::new(),
            extra: None,
            min_severity,
        }
    }

    /// Runs `extra`'s rules beside the built-in ones (users' policies).
    pub fn with_extra(mut self, extra: Arc<dyn ExtraRules>) -> Self {
        self.extra = Some(extra);
        self
    }

    /// The extra rules' findings on `object` at or above the minimum severity.
    fn extra_on(&self, object: &Object) -> Vec<Finding> {
        match &self.extra {
            None => Vec::new(),
            Some(extra) => {
                let mut found = extra.on_object(object);
                found.retain(|f| f.severity >= self.min_severity);
                found
            }
        }
    }

    /// The loader's hook: the rules that judge `object` alone, then the object sheds its bulk.
    /// Safe on any thread.
    pub fn on_object(&self, object: &mut Object) -> Vec<Finding> {
        // Before the built-in rules shed the object's bulk: policies read all of it.
        let mut found = self.extra_on(object);
        found.extend(self.evaluation.on_object(object));
        found
    }

    /// Kinds a live scan could not read, known once it has listed everything (before
    /// [`Pipeline::finish`]): the rules no longer take their absence as conclusive, and every
    /// rule that needs one is reported not conclusive ([`Pipeline::coverage`] and the notes
    /// returned, one per kind).
    pub fn mark_unreadable(&mut self, unreadable: &[Unreadable]) -> Vec<String> {
        self.evaluation
            .mark_unread(unreadable.iter().map(|u| u.kind.clone()));
        self.unreadable.extend_from_slice(unreadable);
        unreadable::notes(&self.rules, unreadable)
    }

    /// The rules that judge one object alone, over objects already in `inventory` (they keep
    /// their bulk); what [`Pipeline::on_object`] does while loading.
    pub fn judge_alone(&self, inventory: &Inventory) -> Vec<Finding> {
        let mut found = self.evaluation.judge_alone(inventory);
        if self.extra.is_some() {
            use rayon::prelude::*;
            let extra: Vec<Finding> = inventory
                .objects()
                .par_iter()
                .flat_map_iter(|object| self.extra_on(object))
                .collect();
            found.extend(extra);
        }
        found
    }

    /// The rest of the scan: rules over the inventory, severity overrides and the minimum,
    /// then annotations → exceptions → `--write-baseline` → `--baseline`. `early` are the
    /// findings of [`Pipeline::on_object`] or [`Pipeline::judge_alone`]; `errors` the
    /// loading errors; `inputs` names what was scanned, for the error a scan of nothing gets.
    pub fn finish(
        &self,
        inventory: &Inventory,
        early: Vec<Finding>,
        mut errors: Vec<LoadError>,
        inputs: &str,
    ) -> Outcome {
        let effective = &self.settings.effective;
        let mut early = early;
        if let Some(extra) = &self.extra {
            let (found, extra_errors) = extra.finish(inventory);
            early.extend(
                found
                    .into_iter()
                    .filter(|f| f.severity >= self.min_severity),
            );
            errors.extend(extra_errors);
        }
        let mut findings = self.evaluation.finish(inventory, early);
        // IMG005 on exposed workloads goes up a level before `[severity]` overrides, which
        // have the last word.
        crate::exposure::raise_exposed(&mut findings, inventory);
        if !effective.severity.is_empty() {
            apply_severity_overrides(&mut findings, &effective.severity);
            findings.retain(|f| f.severity >= effective.min_severity);
        }
        let mut notes: Vec<String> = self
            .settings
            .vulns
            .iter()
            .flat_map(|v| v.notes.iter().cloned())
            .collect();
        let mut suppressed = Vec::new();
        let (findings, annotation_errors) = apply_annotations(inventory, findings, &mut suppressed);
        errors.extend(annotation_errors);
        let exceptions = &effective.exceptions;
        let (mut findings, used) = apply_exceptions(findings, exceptions, &mut suppressed);
        notes.extend(self.unused_exception_notes(&used));
        if let Some(path) = &self.settings.write_baseline {
            match baseline::write(path, &findings, self.settings.as_of) {
                Ok(()) => notes.push(format!(
                    "wrote {} finding(s) to baseline {}",
                    findings.len(),
                    path.display()
                )),
                Err(err) => errors.push(LoadError::new(
                    path.display().to_string(),
                    None,
                    err.to_string(),
                )),
            }
        }
        if let Some(baseline) = &self.settings.baseline {
            findings = apply_baseline(
                findings,
                &baseline.fingerprints,
                &baseline.reason,
                &mut suppressed,
            );
        }
        sort_suppressed(&mut suppressed);
        if inventory.is_empty() {
            // Fail closed: a scan that saw nothing must not look like a clean pass.
            errors.push(LoadError::new(
                inputs,
                None,
                "no Kubernetes objects or AKS cluster configurations found in the given inputs (nothing was scanned)",
            ));
        }
        Outcome {
            findings,
            suppressed,
            errors,
            notes,
        }
    }

    /// An exception of a rule that ran and matched nothing: the risk may be gone, or the
    /// exception is misspelt. Exceptions of rules that did not run say nothing.
    fn unused_exception_notes(&self, used: &[bool]) -> Vec<String> {
        let effective = &self.settings.effective;
        let ran: HashSet<&str> = effective.rules.iter().map(|r| r.id).collect();
        effective
            .exceptions
            .iter()
            .zip(used)
            .filter(|(exception, used)| !**used && exception.rules.iter().any(|r| ran.contains(*r)))
            .map(|(exception, _)| {
                let state = match (&exception.expires, exception.expired) {
                    (Some(date), true) => format!("expired on {date} and "),
                    _ => String::new(),
                };
                format!(
                    "{}: exception for {} {state}matched no finding; remove it if the risk is gone",
                    exception.origin,
                    exception.rules.join(",")
                )
            })
            .collect()
    }

    /// What each rule could judge (after [`Pipeline::finish`]).
    pub fn coverage(&self, inventory: &Inventory) -> Vec<RuleCoverage> {
        let mut coverage = self.evaluation.coverage(inventory);
        unreadable::mark_coverage(&mut coverage, &self.rules, &self.unreadable);
        coverage
    }

    /// One note per rule for the values it could not judge (after [`Pipeline::finish`]).
    pub fn unknown_value_notes(&self) -> Vec<String> {
        self.evaluation.unknown_value_notes()
    }
}
