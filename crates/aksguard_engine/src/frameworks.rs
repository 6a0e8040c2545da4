//! Compliance frameworks: the CIS AKS Benchmark, the Pod Security Standards (baseline and
//! restricted) and Microsoft's AKS guidance, each a list of controls with the rules that
//! enforce them. Nothing here maps rules by hand: a control's rules are the rules whose
//! `references` cite it, so the rule declaration stays the single source of truth.
//!
//! Assessment ([`assess`]): a control is pass, fail, excepted (its only findings are
//! suppressed) or not assessed (none of its rules ran or could judge anything in the scan).
//! Its weight is the highest default severity among its rules that judged something
//! (critical 10, high 7, medium 4, low 2, info 1), and a framework's score is
//! `100 × Σ weight(passing or excepted controls) / Σ weight(assessed controls)`, rounded to
//! one decimal: not-assessed controls are left out of the score, and reports state the
//! coverage ("20 of 27 controls assessed").

use std::collections::HashMap;
use std::sync::LazyLock;

use aksguard_model::{
    ControlException, ControlResult, ControlStatus, Finding, FrameworkResult, RuleCoverage,
    Severity, Suppressed,
};
use aksguard_rules::controls::{CIS_AKS_CONTROLS, PSS_BASELINE_CONTROLS, PSS_RESTRICTED_CONTROLS};
use aksguard_rules::{Reference, Rule, all_rules};

/// One control of a framework and the rules that enforce it (in ID order).
#[derive(Debug)]
pub struct Control {
    /// The framework's own ID: `4.2.1`, `Privileged Containers`, `aks/use-psa`.
    pub id: String,
    pub title: String,
    pub rules: Vec<&'static Rule>,
}

#[derive(Debug)]
pub struct Framework {
    /// `cis-aks`, `pss-baseline`, `pss-restricted`, `aks-practices`.
    pub id: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// Controls at least one rule enforces, in the framework's own order.
    pub controls: Vec<Control>,
}

impl Framework {
    /// Every rule mapped to some control of this framework, in ID order.
    pub fn rules(&self) -> Vec<&'static Rule> {
        let mut rules: Vec<&'static Rule> = self
            .controls
            .iter()
            .flat_map(|c| c.rules.iter().copied())
            .collect();
        rules.sort_by_key(|r| r.id);
        rules.dedup_by_key(|r| r.id);
        rules
    }

    pub fn contains(&self, rule: &Rule) -> bool {
        self.controls
            .iter()
            .any(|c| c.rules.iter().any(|r| r.id == rule.id))
    }
}

/// The framework IDs `--framework` accepts, in listing order.
pub const FRAMEWORK_IDS: [&str; 4] = ["cis-aks", "pss-baseline", "pss-restricted", "aks-practices"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFramework {
    pub id: String,
}

impl std::fmt::Display for UnknownFramework {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown framework `{}` (known: {}; see `aksguard frameworks`)",
            self.id,
            FRAMEWORK_IDS.join(", ")
        )
    }
}

impl std::error::Error for UnknownFramework {}

static FRAMEWORKS: LazyLock<Vec<Framework>> = LazyLock::new(|| {
    let rules = all_rules();
    vec![
        cis_aks(rules),
        pss(rules, "pss-baseline"),
        pss(rules, "pss-restricted"),
        aks_practices(rules),
    ]
});

/// Every framework, in [`FRAMEWORK_IDS`] order.
pub fn frameworks() -> &'static [Framework] {
    &FRAMEWORKS
}

/// The framework with this ID (case-insensitive). Fails closed: an unknown ID is an error,
/// never an empty framework.
pub fn select_framework(id: &str) -> Result<&'static Framework, UnknownFramework> {
    let wanted = id.trim();
    frameworks()
        .iter()
        .find(|f| f.id.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| UnknownFramework {
            id: wanted.to_owned(),
        })
}

fn cis_aks(rules: &[&'static Rule]) -> Framework {
    let controls = CIS_AKS_CONTROLS
        .iter()
        .map(|(id, title)| Control {
            id: (*id).to_owned(),
            title: (*title).to_owned(),
            rules: citing(rules, |r| matches!(r, Reference::CisAks(c) if c == id)),
        })
        .filter(|c| !c.rules.is_empty())
        .collect();
    Framework {
        id: "cis-aks",
        title: "CIS Azure Kubernetes Service (AKS) Benchmark v1.7.0",
        description: "Recommendations of section 4 (Policies: RBAC and service accounts, pod \
                      security, network policies, secrets, general policies) and section 5 \
                      (Managed services) that manifests show. Node, kubelet, control-plane \
                      and Azure resource settings are outside a manifest scan.",
        controls,
    }
}

/// `pss-baseline`: the baseline controls. `pss-restricted`: the restricted profile, which
/// includes every baseline control; a control named at both levels (Seccomp, Capabilities)
/// is one control whose rules are those citing either level.
fn pss(rules: &[&'static Rule], id: &'static str) -> Framework {
    let restricted = id == "pss-restricted";
    let mut names: Vec<(&str, &str)> = PSS_BASELINE_CONTROLS.to_vec();
    if restricted {
        for (name, requirement) in PSS_RESTRICTED_CONTROLS {
            match names.iter_mut().find(|(n, _)| n == name) {
                // The restricted requirement includes the baseline one.
                Some(existing) => existing.1 = requirement,
                None => names.push((name, requirement)),
            }
        }
    }
    let controls = names
        .into_iter()
        .map(|(name, requirement)| Control {
            id: name.to_owned(),
            title: requirement.to_owned(),
            rules: citing(rules, |r| match r {
                Reference::Pss(level, control) => {
                    *control == name && (*level == "baseline" || restricted)
                }
                _ => false,
            }),
        })
        .filter(|c| !c.rules.is_empty())
        .collect();
    if restricted {
        Framework {
            id,
            title: "Kubernetes Pod Security Standards: Restricted",
            description: "The restricted profile: every baseline control plus volume types, \
                          privilege escalation, non-root users, a required seccomp profile \
                          and dropped capabilities. Seccomp and Capabilities combine the \
                          rules of both levels.",
            controls,
        }
    } else {
        Framework {
            id,
            title: "Kubernetes Pod Security Standards: Baseline",
            description: "The baseline profile: no host namespaces, privileged containers, \
                          extra capabilities, hostPath volumes, host ports, unconfined \
                          AppArmor, custom SELinux, unmasked /proc or unsafe sysctls. Its \
                          Seccomp control (not Unconfined) has no rule of its own: POD011 \
                          also fires on a missing profile, which baseline allows, so it counts \
                          for restricted only.",
            controls,
        }
    }
}

/// Controls are the Microsoft Learn pages the rules cite, keyed by URL (the ID is the URL's
/// path, `aks/use-psa`), titled as the first rule in ID order cites them, ordered by ID.
fn aks_practices(rules: &[&'static Rule]) -> Framework {
    let mut pages: Vec<Control> = Vec::new();
    for rule in rules {
        for reference in rule.references {
            let Reference::Guide(title, url) = reference else {
                continue;
            };
            let Some(id) = practice_id(url) else {
                continue;
            };
            match pages.iter_mut().find(|c| c.id == id) {
                Some(control) => {
                    if !control.rules.iter().any(|r| r.id == rule.id) {
                        control.rules.push(rule);
                    }
                }
                None => pages.push(Control {
                    id,
                    title: (*title).to_owned(),
                    rules: vec![rule],
                }),
            }
        }
    }
    for control in &mut pages {
        control.rules.sort_by_key(|r| r.id);
    }
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    Framework {
        id: "aks-practices",
        title: "AKS security practices (Microsoft guidance)",
        description: "The Microsoft Learn guidance pages (AKS, Azure Container Registry, \
                      Application Gateway, Windows containers, the Well-Architected \
                      Framework) the rules cite; every rule cites at least one. A control is \
                      one page, identified by its path.",
        controls: pages,
    }
}

/// `https://learn.microsoft.com/azure/aks/use-psa` → `aks/use-psa`; other hosts are not
/// Microsoft guidance and belong to no control.
fn practice_id(url: &str) -> Option<String> {
    let path = url.strip_prefix("https://learn.microsoft.com/")?;
    let path = path.strip_prefix("azure/").unwrap_or(path);
    Some(path.trim_end_matches('/').to_owned())
}

fn citing(rules: &[&'static Rule], cites: impl Fn(&Reference) -> bool) -> Vec<&'static Rule> {
    let mut found: Vec<&'static Rule> = rules
        .iter()
        .copied()
        .filter(|rule| rule.references.iter().any(&cites))
        .collect();
    found.sort_by_key(|r| r.id);
    found
}

/// A control's weight in the score, from its highest default rule severity.
pub fn severity_weight(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 10.0,
        Severity::High => 7.0,
        Severity::Medium => 4.0,
        Severity::Low => 2.0,
        Severity::Info => 1.0,
    }
}

/// `100 × Σ weight(passing or excepted) / Σ weight(assessed)`, rounded to one decimal;
/// not-assessed controls are left out. 100 when nothing was assessed (reports then show the
/// coverage, "0 of N controls assessed", rather than that 100).
pub fn score(controls: &[ControlResult]) -> f64 {
    let assessed = controls.iter().filter(|c| c.status.is_assessed());
    let total: f64 = assessed.clone().map(|c| c.weight).sum();
    if total <= 0.0 {
        return 100.0;
    }
    let passing: f64 = assessed
        .filter(|c| matches!(c.status, ControlStatus::Pass | ControlStatus::Excepted))
        .map(|c| c.weight)
        .sum();
    (1000.0 * passing / total).round() / 10.0
}

/// What a scan produced, as a framework assessment reads it.
#[derive(Clone, Copy, Debug)]
pub struct ScanResults<'a> {
    /// The rules that ran.
    pub rules: &'a [&'static Rule],
    /// Active findings.
    pub findings: &'a [Finding],
    /// Findings an exception, annotation or baseline suppressed.
    pub suppressed: &'a [Suppressed],
    /// What each rule that ran could judge; a rule missing here counts as not judged.
    pub coverage: &'a [RuleCoverage],
}

/// Assesses `framework` over one scan. Each control is:
/// - `not-assessed` when none of its rules ran, or none that ran could judge anything (no
///   object of the kinds it reads, only values its source cannot show or Unknown ones);
/// - `fail` when one of its rules has an active finding;
/// - `excepted` when its only findings are suppressed (with the suppressions' reasons);
/// - `pass` otherwise.
pub fn assess(framework: &Framework, scan: ScanResults<'_>) -> FrameworkResult {
    let mut per_rule: HashMap<&str, usize> = HashMap::new();
    for finding in scan.findings {
        *per_rule.entry(finding.rule_id).or_default() += 1;
    }
    let mut suppressed_by_rule: HashMap<&str, Vec<&Suppressed>> = HashMap::new();
    for s in scan.suppressed {
        suppressed_by_rule
            .entry(s.finding.rule_id)
            .or_default()
            .push(s);
    }
    let coverage: HashMap<&str, &RuleCoverage> =
        scan.coverage.iter().map(|c| (c.rule_id, c)).collect();
    let controls: Vec<ControlResult> = framework
        .controls
        .iter()
        .map(|control| {
            let ran: Vec<&'static Rule> = control
                .rules
                .iter()
                .copied()
                .filter(|rule| scan.rules.iter().any(|r| r.id == rule.id))
                .collect();
            let findings: usize = ran
                .iter()
                .map(|r| per_rule.get(r.id).copied().unwrap_or(0))
                .sum();
            let suppressed: Vec<&Suppressed> = ran
                .iter()
                .flat_map(|r| suppressed_by_rule.get(r.id).into_iter().flatten().copied())
                .collect();
            // A rule with a finding, active or suppressed, judged something.
            let judged = |rule: &&'static Rule| {
                coverage.get(rule.id).is_some_and(|c| c.judged())
                    || per_rule.contains_key(rule.id)
                    || suppressed_by_rule.contains_key(rule.id)
            };
            let judging: Vec<&'static Rule> = ran.iter().copied().filter(judged).collect();
            let not_judged: Vec<&'static str> =
                ran.iter().filter(|r| !judged(r)).map(|r| r.id).collect();
            let (status, reason) = if ran.is_empty() {
                let ids: Vec<&str> = control.rules.iter().map(|r| r.id).collect();
                (
                    ControlStatus::NotAssessed,
                    Some(format!(
                        "none of its rules ({}) was selected",
                        ids.join(", ")
                    )),
                )
            } else if judging.is_empty() {
                let reasons: Vec<String> = ran
                    .iter()
                    .map(|r| {
                        let why = coverage
                            .get(r.id)
                            .and_then(|c| c.reason.as_deref())
                            .unwrap_or("no coverage recorded");
                        format!("{}: {why}", r.id)
                    })
                    .collect();
                (ControlStatus::NotAssessed, Some(reasons.join("; ")))
            } else if findings > 0 {
                (ControlStatus::Fail, None)
            } else if !suppressed.is_empty() {
                (ControlStatus::Excepted, None)
            } else {
                (ControlStatus::Pass, None)
            };
            let weight = judging
                .iter()
                .map(|r| r.severity)
                .max()
                .map_or(0.0, severity_weight);
            ControlResult {
                id: control.id.clone(),
                title: control.title.clone(),
                status,
                passed: status == ControlStatus::Pass,
                rules: ran.iter().map(|r| r.id).collect(),
                not_judged,
                reason,
                findings,
                exceptions: exceptions(&suppressed),
                weight,
            }
        })
        .collect();
    FrameworkResult {
        id: framework.id,
        title: framework.title,
        score: score(&controls),
        assessed: controls.iter().filter(|c| c.status.is_assessed()).count(),
        controls,
    }
}

/// The distinct suppressions (rule, kind, reason, expiry) with how many findings each covers,
/// in first-seen order.
fn exceptions(suppressed: &[&Suppressed]) -> Vec<ControlException> {
    let mut out: Vec<ControlException> = Vec::new();
    for s in suppressed {
        match out
            .iter_mut()
            .find(|e| e.rule_id == s.finding.rule_id && e.suppression == s.suppression)
        {
            Some(existing) => existing.findings += 1,
            None => out.push(ControlException {
                rule_id: s.finding.rule_id,
                suppression: s.suppression.clone(),
                findings: 1,
            }),
        }
    }
    out
}

/// Every framework at least one of whose rules ran, assessed (the HTML report's scores).
pub fn assess_all(scan: ScanResults<'_>) -> Vec<FrameworkResult> {
    frameworks()
        .iter()
        .map(|framework| assess(framework, scan))
        .filter(|result| result.controls.iter().any(|c| !c.rules.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksguard_model::{Location, ObjectRef};
    use aksguard_rules::find_rule;

    fn rule(id: &str) -> &'static Rule {
        find_rule(id).unwrap_or_else(|| panic!("no rule {id}"))
    }

    fn finding(rule_id: &'static str) -> Finding {
        Finding {
            rule_id,
            severity: rule(rule_id).severity,
            rule: rule(rule_id).text(),
            message: "m".into(),
            object: std::sync::Arc::new(ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: None,
                name: "p".into(),
            }),
            container: None,
            location: Location {
                path: "p.yaml".into(),
                line: 1,
                column: 1,
                template: None,
            },
            fingerprint: aksguard_model::Fingerprint(0),
            fix: None,
            on_attack_path: false,
        }
    }

    fn control(status: ControlStatus, weight: f64) -> ControlResult {
        ControlResult {
            id: "x".into(),
            title: "x".into(),
            status,
            passed: status == ControlStatus::Pass,
            rules: Vec::new(),
            not_judged: Vec::new(),
            reason: None,
            findings: usize::from(status == ControlStatus::Fail),
            exceptions: Vec::new(),
            weight,
        }
    }

    use ControlStatus::{Excepted, Fail, NotAssessed, Pass};

    #[test]
    fn score_is_the_weighted_share_of_passing_controls() {
        // critical fails, high and low pass: 100 × (7 + 2) / (10 + 7 + 2) = 47.4
        let controls = [control(Fail, 10.0), control(Pass, 7.0), control(Pass, 2.0)];
        assert_eq!(score(&controls), 47.4);
        assert_eq!(score(&[control(Pass, 4.0)]), 100.0);
        assert_eq!(score(&[control(Fail, 4.0), control(Fail, 1.0)]), 0.0);
        assert_eq!(score(&[]), 100.0);
    }

    #[test]
    fn score_leaves_out_not_assessed_controls_and_counts_excepted_ones_as_satisfied() {
        // Not assessed (whatever its weight) changes nothing: 100 × 7 / (10 + 7).
        let controls = [
            control(Fail, 10.0),
            control(Pass, 7.0),
            control(NotAssessed, 10.0),
        ];
        assert_eq!(score(&controls), 41.2);
        // An excepted high control counts like a passing one: 100 × 7 / (7 + 4).
        assert_eq!(score(&[control(Excepted, 7.0), control(Fail, 4.0)]), 63.6);
        // Only not-assessed controls: nothing to score.
        assert_eq!(score(&[control(NotAssessed, 7.0)]), 100.0);
    }

    #[test]
    fn weights_follow_severity() {
        let weights: Vec<f64> = Severity::ALL_DESCENDING
            .iter()
            .map(|s| severity_weight(*s))
            .collect();
        assert_eq!(weights, [10.0, 7.0, 4.0, 2.0, 1.0]);
    }

    #[test]
    fn four_frameworks_fail_closed_on_unknown_ids() {
        let ids: Vec<&str> = frameworks().iter().map(|f| f.id).collect();
        assert_eq!(ids, FRAMEWORK_IDS);
        assert_eq!(select_framework("PSS-Baseline").unwrap().id, "pss-baseline");
        assert_eq!(select_framework("nope").unwrap_err().id, "nope");
        assert!(select_framework("").is_err());
        for framework in frameworks() {
            assert!(!framework.controls.is_empty(), "{} is empty", framework.id);
            for control in &framework.controls {
                assert!(
                    !control.rules.is_empty(),
                    "{}: {}",
                    framework.id,
                    control.id
                );
            }
        }
    }

    #[test]
    fn every_rule_belongs_to_aks_practices() {
        let practices = select_framework("aks-practices").unwrap();
        for rule in all_rules() {
            assert!(practices.contains(rule), "{} in no practice", rule.id);
        }
    }

    #[test]
    fn pss_restricted_includes_every_baseline_control_and_rule() {
        let baseline = select_framework("pss-baseline").unwrap();
        let restricted = select_framework("pss-restricted").unwrap();
        for control in &baseline.controls {
            let wider = restricted
                .controls
                .iter()
                .find(|c| c.id == control.id)
                .unwrap_or_else(|| panic!("restricted lacks {}", control.id));
            for rule in &control.rules {
                assert!(wider.rules.iter().any(|r| r.id == rule.id));
            }
        }
        let capabilities = restricted
            .controls
            .iter()
            .find(|c| c.id == "Capabilities")
            .unwrap();
        let ids: Vec<&str> = capabilities.rules.iter().map(|r| r.id).collect();
        assert_eq!(ids, ["POD008", "POD009", "POD026", "POD027"]);
        // POD011 also fires on a missing profile, which baseline allows.
        assert!(!baseline.controls.iter().any(|c| c.id == "Seccomp"));
    }

    #[test]
    fn cis_controls_follow_benchmark_order_and_cite_known_ids() {
        let cis = select_framework("cis-aks").unwrap();
        let ids: Vec<&str> = cis.controls.iter().map(|c| c.id.as_str()).collect();
        let order: Vec<&str> = CIS_AKS_CONTROLS
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| ids.contains(id))
            .collect();
        assert_eq!(ids, order);
        assert!(
            cis.title
                .ends_with(aksguard_rules::controls::CIS_AKS_VERSION)
        );
        let privileged = cis.controls.iter().find(|c| c.id == "4.2.1").unwrap();
        assert_eq!(privileged.rules[0].id, "POD001");
        assert_eq!(
            privileged.title,
            "Minimize the admission of privileged containers"
        );
    }

    /// Coverage saying every rule of `ids` judged one target.
    fn judged(ids: &[&'static str]) -> Vec<RuleCoverage> {
        ids.iter()
            .map(|id| RuleCoverage {
                rule_id: find_rule(id).unwrap().id,
                targets: 1,
                undecided: 0,
                reason: None,
            })
            .collect()
    }

    fn not_judged(id: &'static str, reason: &str) -> RuleCoverage {
        RuleCoverage {
            rule_id: find_rule(id).unwrap().id,
            targets: 0,
            undecided: 0,
            reason: Some(reason.into()),
        }
    }

    fn suppressed(rule_id: &'static str, reason: &str, expires: Option<&str>) -> Suppressed {
        Suppressed {
            finding: finding(rule_id),
            suppression: aksguard_model::Suppression {
                kind: aksguard_model::SuppressionKind::Exception,
                reason: reason.into(),
                expires: expires.map(Into::into),
            },
        }
    }

    fn status_of<'a>(result: &'a FrameworkResult, id: &str) -> &'a ControlResult {
        result.controls.iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn assess_counts_findings_weights_controls_and_marks_unselected_ones_not_assessed() {
        let framework = select_framework("pss-baseline").unwrap();
        // POD001 (critical) fails; POD003/POD004 (high) pass; POD005 did not run but shares
        // Host Namespaces, so that control is assessed from the two that ran.
        let ran = [rule("POD001"), rule("POD003"), rule("POD004")];
        let findings = [finding("POD001"), finding("POD001"), finding("IMG001")];
        let coverage = judged(&["POD001", "POD003", "POD004"]);
        let result = assess(
            framework,
            ScanResults {
                rules: &ran,
                findings: &findings,
                suppressed: &[],
                coverage: &coverage,
            },
        );
        assert_eq!(result.id, "pss-baseline");
        assert_eq!(result.controls.len(), framework.controls.len());
        assert_eq!(result.assessed, 2);
        let host = status_of(&result, "Host Namespaces");
        assert_eq!(host.status, Pass);
        assert!(host.passed);
        assert_eq!(host.rules, ["POD003", "POD004"]);
        assert_eq!(host.weight, 7.0);
        let privileged = status_of(&result, "Privileged Containers");
        assert_eq!(privileged.status, Fail);
        assert!(!privileged.passed);
        assert_eq!(privileged.findings, 2);
        assert_eq!(privileged.weight, 10.0);
        let ports = status_of(&result, "Host Ports");
        assert_eq!(ports.status, NotAssessed);
        assert!(ports.rules.is_empty());
        assert_eq!(ports.weight, 0.0);
        assert!(
            ports
                .reason
                .as_deref()
                .unwrap()
                .starts_with("none of its rules")
        );
        // 100 × 7 / (7 + 10): the unselected controls do not count.
        assert_eq!(result.score, 41.2);
        assert_eq!(
            result.coverage_line(),
            format!("2 of {} controls assessed", result.controls.len())
        );
    }

    #[test]
    fn a_control_whose_rules_judged_nothing_is_not_assessed_and_out_of_the_score() {
        let framework = select_framework("cis-aks").unwrap();
        // AKS016 ran but judged nothing (az JSON alone); POD001 judged and passed.
        let ran = [rule("POD001"), rule("AKS016"), rule("AKS005")];
        let mut coverage = judged(&["POD001"]);
        coverage.push(not_judged("AKS016", "az JSON cannot hold it"));
        coverage.push(not_judged(
            "AKS005",
            "no AKS cluster configuration in the scan",
        ));
        let result = assess(
            framework,
            ScanResults {
                rules: &ran,
                findings: &[],
                suppressed: &[],
                coverage: &coverage,
            },
        );
        let privileged = status_of(&result, "4.2.1");
        assert_eq!(privileged.status, Pass);
        let cluster_controls: Vec<&ControlResult> = result
            .controls
            .iter()
            .filter(|c| c.rules.iter().any(|r| r.starts_with("AKS")))
            .collect();
        assert!(!cluster_controls.is_empty());
        for control in cluster_controls {
            assert_eq!(control.status, NotAssessed, "{}", control.id);
            assert!(!control.passed);
            let reason = control.reason.as_deref().unwrap();
            assert!(reason.contains("AKS0"), "{reason}");
            assert_eq!(control.not_judged, control.rules);
        }
        assert_eq!(result.assessed, 1);
        assert_eq!(result.score, 100.0);
    }

    #[test]
    fn a_control_whose_only_findings_are_suppressed_is_excepted_with_the_reasons() {
        let framework = select_framework("pss-baseline").unwrap();
        let ran = [rule("POD001"), rule("POD003")];
        let coverage = judged(&["POD001", "POD003"]);
        let quiet = [
            suppressed("POD001", "vendor agent", Some("2027-03-31")),
            suppressed("POD001", "vendor agent", Some("2027-03-31")),
            suppressed("POD003", "node exporter", None),
        ];
        let result = assess(
            framework,
            ScanResults {
                rules: &ran,
                findings: &[finding("POD003")],
                suppressed: &quiet,
                coverage: &coverage,
            },
        );
        let privileged = status_of(&result, "Privileged Containers");
        assert_eq!(privileged.status, Excepted);
        assert!(!privileged.passed);
        assert_eq!(privileged.findings, 0);
        assert_eq!(privileged.exceptions.len(), 1);
        assert_eq!(privileged.exceptions[0].findings, 2);
        assert_eq!(privileged.exceptions[0].suppression.reason, "vendor agent");
        assert_eq!(
            privileged.exceptions[0].suppression.expires.as_deref(),
            Some("2027-03-31")
        );
        // An active finding beside a suppressed one still fails.
        let host = status_of(&result, "Host Namespaces");
        assert_eq!(host.status, Fail);
        assert_eq!(host.exceptions.len(), 1);
        // Excepted critical (10) counts as satisfied, failing high (7): 100 × 10 / 17.
        assert_eq!(result.score, 58.8);
    }

    #[test]
    fn a_rule_missing_from_the_coverage_counts_as_not_judged_unless_it_found_something() {
        let framework = select_framework("pss-baseline").unwrap();
        let ran = [rule("POD001"), rule("POD003")];
        let result = assess(
            framework,
            ScanResults {
                rules: &ran,
                findings: &[finding("POD003")],
                suppressed: &[],
                coverage: &[],
            },
        );
        assert_eq!(
            status_of(&result, "Privileged Containers").status,
            NotAssessed
        );
        assert_eq!(status_of(&result, "Host Namespaces").status, Fail);
    }

    #[test]
    fn assess_all_leaves_out_frameworks_none_of_whose_rules_ran() {
        let ran = [rule("IMG001")];
        let coverage = judged(&["IMG001"]);
        let results = assess_all(ScanResults {
            rules: &ran,
            findings: &[],
            suppressed: &[],
            coverage: &coverage,
        });
        let ids: Vec<&str> = results.iter().map(|r| r.id).collect();
        assert_eq!(ids, ["aks-practices"]);
        assert_eq!(results[0].score, 100.0);
        // Every page IMG001 cites is assessed, and only those.
        let cited = results[0]
            .controls
            .iter()
            .filter(|c| c.rules == ["IMG001"])
            .count();
        assert!(cited >= 1);
        assert_eq!(results[0].assessed, cited);
    }
}
