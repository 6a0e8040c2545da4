//! One object of a review → findings, through the same pipeline as `aksguard scan`
//! (`aksguard_scan::scan_objects`): the same rules, `[severity]` overrides, minimum
//! severity, `aksguard.io/ignore` annotations and `[[exception]]`s. Only rules that judge
//! one object alone run; [`webhook_rules`] says which and why the others are skipped.

use std::collections::HashSet;
use std::sync::Arc;

use aksguard_load::{Limits, load_text};
use aksguard_model::azure::AzureResources;
use aksguard_model::{Finding, Fingerprint, Object, ObjectRef};
use aksguard_rules::{Family, Rule};
use aksguard_scan::{ScanSettings, scan_objects};

/// Why a selected rule does not run at admission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skipped {
    /// It judges AKS cluster or registry configuration (ARM, Bicep, Terraform), which never
    /// passes through the Kubernetes API.
    ClusterConfiguration,
    /// It reads other objects (a Service's pods, a binding's role, a namespace's policies),
    /// which a review does not carry.
    NeedsOtherObjects,
}

impl Skipped {
    pub fn reason(self) -> &'static str {
        match self {
            Skipped::ClusterConfiguration => {
                "judges AKS cluster or registry configuration, which admission never sees"
            }
            Skipped::NeedsOtherObjects => "needs other objects than the one under review",
        }
    }
}

/// The selected rules split into those the webhook runs and those it skips (with why), each
/// in the order given.
pub fn webhook_rules(
    selected: &[&'static Rule],
) -> (Vec<&'static Rule>, Vec<(&'static Rule, Skipped)>) {
    let mut run = Vec::new();
    let mut skipped = Vec::new();
    for &rule in selected {
        if matches!(rule.family, Family::Cluster | Family::Registry) {
            skipped.push((rule, Skipped::ClusterConfiguration));
        } else if rule.judges_alone() {
            run.push(rule);
        } else {
            skipped.push((rule, Skipped::NeedsOtherObjects));
        }
    }
    (run, skipped)
}

/// What judging one object concluded.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Active findings (after annotations and exceptions), in report order.
    pub findings: Vec<Finding>,
    /// How many findings annotations and exceptions suppressed.
    pub suppressed: usize,
    /// Why the object could not be judged (fully): loading errors, invalid annotations.
    pub problems: Vec<String>,
}

impl Verdict {
    pub fn fingerprints(&self) -> HashSet<Fingerprint> {
        self.findings.iter().map(|f| f.fingerprint).collect()
    }
}

/// The rules and settings every review is judged with.
pub struct Judge {
    settings: ScanSettings,
    rules: Vec<&'static Rule>,
    skipped: Vec<(&'static Rule, Skipped)>,
    limits: Limits,
}

impl Judge {
    /// The selected rules of `settings` (`settings.effective.rules`) that judge one object.
    pub fn new(settings: ScanSettings) -> Self {
        let (rules, skipped) = webhook_rules(&settings.effective.rules);
        Judge {
            settings,
            rules,
            skipped,
            limits: Limits::default(),
        }
    }

    pub fn settings(&self) -> &ScanSettings {
        &self.settings
    }

    pub fn rules(&self) -> &[&'static Rule] {
        &self.rules
    }

    pub fn skipped(&self) -> &[(&'static Rule, Skipped)] {
        &self.skipped
    }

    /// Judges the JSON text of one object; `label` names it in findings' locations and
    /// errors; `namespace` is the review's, given to an object that does not name its own
    /// (the API server fills it in only after admission).
    pub fn judge(&self, label: &str, namespace: Option<&str>, json: &str) -> Verdict {
        let (mut objects, errors) = load_text(label, json, &self.limits);
        let mut problems: Vec<String> = errors.iter().map(ToString::to_string).collect();
        if objects.len() != 1 {
            if problems.is_empty() {
                problems.push(format!(
                    "{label}: expected one Kubernetes object (with apiVersion and kind), found {}",
                    objects.len()
                ));
            }
            return Verdict {
                problems,
                ..Verdict::default()
            };
        }
        if let Some(namespace) = namespace.filter(|ns| !ns.is_empty()) {
            for object in &mut objects {
                adopt_namespace(object, namespace);
            }
        }
        let (_inventory, outcome) = scan_objects(
            objects,
            AzureResources::default(),
            &self.rules,
            &self.settings,
            label,
        );
        problems.extend(outcome.errors.iter().map(ToString::to_string));
        Verdict {
            findings: outcome.findings,
            suppressed: outcome.suppressed.len(),
            problems,
        }
    }
}

/// Gives `object` the review's namespace when its metadata names none, so that findings,
/// fingerprints and `[[exception]]` namespace selectors see the namespace it is created in.
fn adopt_namespace(object: &mut Object, namespace: &str) {
    if object.namespace.is_some() {
        return;
    }
    object.namespace = Some(namespace.to_owned());
    object.reference = Arc::new(ObjectRef {
        namespace: Some(namespace.into()),
        ..(*object.reference).clone()
    });
}
