//! The policies as the scan pipeline's extra rules (`aksguard_scan::ExtraRules`): policies
//! that judge an object alone run while it loads, with all of its fields; the others (namespace
//! selectors, referential templates) keep the object's JSON and judge it once the scan's
//! objects are known.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use aksguard_model::{Finding, Inventory, LoadError, Object};
use aksguard_scan::{AdmissionRequest, ExtraRules};
use rayon::prelude::*;

use crate::evaluate::{PolicySet, Review, ScanContext, Verdicts, to_finding};

/// A loaded policy set, plugged into one scan.
pub struct PolicyRules {
    set: Arc<PolicySet>,
    /// Objects waiting for the scan's context (only when some policy needs it).
    held: Mutex<Vec<(Object, serde_json::Value)>>,
    /// Evaluation errors met while loading, reported by `finish`.
    errors: Mutex<Vec<LoadError>>,
    /// The rules `--select`/`--ignore` leave (`None`: all).
    selected: Option<HashSet<&'static str>>,
    /// The admission request under review (the webhook's); `None`: a scanned file, judged
    /// as a `CREATE`.
    admission: Option<AdmissionRequest>,
}

impl PolicyRules {
    pub fn new(set: Arc<PolicySet>) -> Self {
        PolicyRules {
            set,
            held: Mutex::new(Vec::new()),
            errors: Mutex::new(Vec::new()),
            selected: None,
            admission: None,
        }
    }

    /// Judges the objects for this admission request (its operation, requester, old
    /// object, name, namespace and dryRun), as the webhook does.
    pub fn for_request(mut self, admission: AdmissionRequest) -> Self {
        self.admission = Some(admission);
        self
    }

    /// Reports only these rules' findings (see [`crate::select::selected_rules`]).
    pub fn with_selected(mut self, selected: HashSet<&'static str>) -> Self {
        self.selected = Some(selected);
        self
    }

    fn keep(&self, mut findings: Vec<Finding>) -> Vec<Finding> {
        if let Some(selected) = &self.selected {
            findings.retain(|f| selected.contains(f.rule_id));
        }
        findings
    }

    pub fn set(&self) -> &PolicySet {
        &self.set
    }

    /// The compiled set, to share with other scans (a server makes one `PolicyRules` per
    /// review over one set).
    pub fn shared_set(&self) -> Arc<PolicySet> {
        self.set.clone()
    }

    /// The rules `--select`/`--ignore` leave (`None`: all).
    pub fn selected(&self) -> Option<&HashSet<&'static str>> {
        self.selected.as_ref()
    }
}

/// The findings of `verdicts` on `object`, and its errors as load errors.
pub fn findings_of(object: &Object, verdicts: Verdicts) -> (Vec<Finding>, Vec<LoadError>) {
    let findings = verdicts
        .violations
        .iter()
        .map(|v| to_finding(object, v))
        .collect();
    (
        findings,
        verdicts.errors.into_iter().map(Into::into).collect(),
    )
}

impl ExtraRules for PolicyRules {
    fn on_object(&self, object: &Object) -> Vec<Finding> {
        if self.set.is_empty() {
            return Vec::new();
        }
        let json = object.root.to_json();
        let review = Review::of_request(object, &json, self.admission.as_ref());
        let verdicts = self
            .set
            .evaluate(&review, &ScanContext::default(), Some(false));
        let (findings, errors) = findings_of(object, verdicts);
        if !errors.is_empty()
            && let Ok(mut all) = self.errors.lock()
        {
            all.extend(errors);
        }
        if self.set.needs_context()
            && let Ok(mut held) = self.held.lock()
        {
            held.push((object.clone(), json));
        }
        self.keep(findings)
    }

    fn finish(&self, inventory: &Inventory) -> (Vec<Finding>, Vec<LoadError>) {
        let mut errors = self
            .errors
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default();
        let held = self
            .held
            .lock()
            .map(|mut h| std::mem::take(&mut *h))
            .unwrap_or_default();
        if held.is_empty() {
            return (Vec::new(), errors);
        }
        let objects = inventory
            .objects()
            .iter()
            .map(|o| Arc::new(o.root.to_json()))
            .collect();
        let context = ScanContext::new(objects);
        let judged: Vec<(Vec<Finding>, Vec<LoadError>)> = held
            .par_iter()
            .map(|(object, json)| {
                let review = Review::of_request(object, json, self.admission.as_ref());
                findings_of(object, self.set.evaluate(&review, &context, Some(true)))
            })
            .collect();
        let mut findings = Vec::new();
        for (found, failed) in judged {
            findings.extend(found);
            errors.extend(failed);
        }
        (self.keep(findings), errors)
    }
}

/// Policies loaded for one scan: the pipeline's extra rules (none when no path was given)
/// and the policies' errors, to report with the scan's (each names its file and line; the
/// policies that load still run).
pub struct ScanPolicies {
    pub rules: Option<Arc<PolicyRules>>,
    pub errors: Vec<LoadError>,
    /// How many policy rules run, for the scan's notes.
    pub note: Option<String>,
}

/// Loads, compiles and selects the policies of `paths` for a scan. `Err` for a selector
/// that names no loaded policy (the scan must not start).
pub fn load_for_scan(
    paths: &[PathBuf],
    select: &[String],
    ignore: &[String],
) -> Result<ScanPolicies, String> {
    if paths.is_empty() {
        // Still fail closed on a policy selector when no policy is loaded.
        crate::select::selected_rules(&[], select, ignore)?;
        return Ok(ScanPolicies {
            rules: None,
            errors: Vec::new(),
            note: None,
        });
    }
    let (documents, mut errors) = crate::classify::load_policies(paths);
    let (set, build_errors) = PolicySet::build(&documents);
    errors.extend(build_errors);
    let rules = set.rules();
    let selected = crate::select::selected_rules(&rules, select, ignore)?;
    let note = format!(
        "policies: {} rule(s) loaded, {} selected ({} error(s))",
        rules.len(),
        selected.len(),
        errors.len()
    );
    Ok(ScanPolicies {
        rules: Some(Arc::new(
            PolicyRules::new(Arc::new(set)).with_selected(selected),
        )),
        errors: errors.into_iter().map(Into::into).collect(),
        note: Some(note),
    })
}
