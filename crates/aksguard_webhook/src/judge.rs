//! One object of a review → findings, through the same pipeline as `aksguard scan`
//! (`aksguard_scan::scan_objects`): the same rules, `[severity]` overrides, minimum
//! severity, `aksguard.io/ignore` annotations and `[[exception]]`s. Only rules that judge
//! one object alone run; [`webhook_rules`] says which and why the others are skipped.

use std::collections::HashSet;
use std::sync::Arc;

use aksguard_config::{Date, parse_date};
use aksguard_load::Limits;
use aksguard_load::admission::load_admission_object;
use aksguard_model::azure::AzureResources;
use aksguard_model::{Finding, Fingerprint, Object, ObjectRef};
use aksguard_rules::{Family, Rule};
use aksguard_scan::{AdmissionRequest, ExtraRulesFactory, ScanSettings, scan_objects_with};

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
    /// Users' policies (`policies` in aksguard.toml), judged beside the rules.
    extra: Option<ExtraRulesFactory>,
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
            extra: None,
        }
    }

    /// Also judges with users' policies (the CLI plugs `aksguard_policy` in).
    pub fn with_extra(mut self, extra: ExtraRulesFactory) -> Self {
        self.extra = Some(extra);
        self
    }

    pub fn settings(&self) -> &ScanSettings {
        &self.settings
    }

    /// Whether users' policies judge beside the rules (only they read the admission
    /// request: building it is skipped otherwise).
    pub fn has_policies(&self) -> bool {
        self.extra.is_some()
    }

    /// The same rules and settings judged as of `today`: an exception whose `expires` has
    /// passed stops suppressing, as `aksguard scan` run on that day would decide. A server
    /// runs for weeks; the file is not re-read (its other settings stay as loaded).
    pub fn on_day(&self, today: Date) -> Judge {
        let mut settings = self.settings.clone();
        settings.as_of = today;
        settings.effective.rule_settings.as_of = Some(today);
        for exception in &mut settings.effective.exceptions {
            exception.expired = exception
                .expires
                .as_deref()
                .and_then(|text| parse_date(text).ok())
                .is_some_and(|last| last < today);
        }
        Judge {
            settings,
            rules: self.rules.clone(),
            skipped: self.skipped.clone(),
            limits: self.limits,
            extra: self.extra.clone(),
        }
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
        self.judge_request(label, namespace, json, None)
    }

    /// [`Judge::judge`] for the admission request `admission`, which users' policies read
    /// (Gatekeeper's `input.review`, a VAP's `request` and `oldObject`); `None` judges the
    /// object as a scanned file (a `CREATE` without a requester).
    pub fn judge_request(
        &self,
        label: &str,
        namespace: Option<&str>,
        json: &str,
        admission: Option<&AdmissionRequest>,
    ) -> Verdict {
        let (mut objects, errors) = load_admission_object(label, json, &self.limits);
        if objects.len() != 1 {
            // The messages, not the label and line: the warning names the object already.
            let mut problems: Vec<String> = errors
                .iter()
                .map(|e| format!("could not judge this object: {}", e.message))
                .collect();
            if problems.is_empty() {
                problems.push(format!(
                    "could not judge this object: expected one Kubernetes object with apiVersion and kind, found {}",
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
        let (_inventory, outcome) = scan_objects_with(
            objects,
            AzureResources::default(),
            &self.rules,
            &self.settings,
            label,
            self.extra.as_ref().map(|make| make(admission)),
        );
        // Invalid `aksguard.io/ignore` annotations; their message names the object.
        let problems = errors
            .iter()
            .chain(&outcome.errors)
            .map(|e| e.message.clone())
            .collect();
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

#[cfg(test)]
mod tests {
    use aksguard_config::ConfigSource;
    use aksguard_scan::SettingsRequest;

    use super::*;

    fn judge_as_of(config: &str, day: &str) -> Judge {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aksguard.toml");
        std::fs::write(&path, config).unwrap();
        let settings = ScanSettings::resolve(&SettingsRequest {
            source: ConfigSource::Explicit(path),
            overrides: Default::default(),
            as_of: Some(parse_date(day).unwrap()),
            baseline: None,
            write_baseline: None,
        })
        .unwrap();
        Judge::new(settings)
    }

    const PRIVILEGED_POD: &str = r#"{"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                 "securityContext": {"privileged": true}}]}}"#;

    #[test]
    fn exceptions_expire_when_the_day_changes() {
        let config = "select = [\"POD001\"]\n[[exception]]\nrules = [\"POD001\"]\n\
                      reason = \"migration\"\nexpires = \"2026-06-01\"\n";
        let judge = judge_as_of(config, "2026-06-01");
        let last_day = judge.judge("admission:Pod/shop/web", Some("shop"), PRIVILEGED_POD);
        assert!(last_day.findings.is_empty(), "{:?}", last_day.findings);
        assert_eq!(last_day.suppressed, 1);
        let next = judge.on_day(parse_date("2026-06-02").unwrap());
        let after = next.judge("admission:Pod/shop/web", Some("shop"), PRIVILEGED_POD);
        assert_eq!(after.findings.len(), 1);
        assert!(
            after.findings[0]
                .message
                .contains("exception expired 2026-06-01"),
            "{}",
            after.findings[0].message
        );
    }

    #[test]
    fn the_review_namespace_is_the_object_s_when_it_names_none() {
        let config = "select = [\"POD001\"]\n[[exception]]\nrules = [\"POD001\"]\n\
                      namespace = \"legacy\"\nreason = \"vendor\"\n";
        let judge = judge_as_of(config, "2026-06-01");
        let legacy = judge.judge("admission:Pod/legacy/web", Some("legacy"), PRIVILEGED_POD);
        assert!(legacy.findings.is_empty());
        let shop = judge.judge("admission:Pod/shop/web", Some("shop"), PRIVILEGED_POD);
        assert_eq!(shop.findings.len(), 1);
        assert_eq!(shop.findings[0].object.namespace.as_deref(), Some("shop"));
    }

    #[test]
    fn cluster_configuration_and_cross_object_rules_are_skipped() {
        let all: Vec<&'static Rule> = aksguard_rules::all_rules().to_vec();
        let (run, skipped) = webhook_rules(&all);
        assert_eq!(run.len() + skipped.len(), all.len());
        assert!(run.iter().all(|r| r.judges_alone()));
        assert!(run.iter().any(|r| r.id == "POD001"));
        let reason = |id: &str| {
            skipped
                .iter()
                .find(|(r, _)| r.id == id)
                .map(|(_, why)| *why)
        };
        assert_eq!(reason("POD001"), None);
        assert!(
            skipped.iter().any(
                |(r, why)| r.family == Family::Cluster && *why == Skipped::ClusterConfiguration
            )
        );
        assert!(
            skipped
                .iter()
                .any(|(r, why)| r.family == Family::Network && *why == Skipped::NeedsOtherObjects)
        );
    }
}
