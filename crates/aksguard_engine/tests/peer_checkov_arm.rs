//! Agreement with checkov's AKS checks on its own ARM template fixtures
//! (`../shared/corpus/peers/checkov/arm/<Check>/*.json`, verdicts in `expected.json`).
//!
//! [`MAPPINGS`] pairs each checkov ARM check that means the same as one of our rules with that
//! rule; per fixture file, checkov FAILED must mean our rule fires and PASSED that it does not.
//! Every difference must be listed, with its reason, in [`DISAGREEMENTS`] (several of
//! checkov's own verdicts are known to be wrong for newer ARM shapes, and checkov fails on
//! values it cannot resolve where we stay silent); an entry that no longer disagrees fails
//! too. A mapped rule that is not registered yet prints "pending" instead of failing. Run with
//! `--nocapture` for the per-file verdicts and the agreement rate.
//!
//! Unmapped checkov checks ([`UNMAPPED`]) have no rule of ours with the same meaning.
//!
//! The corpus is not part of the repository. When it is absent (a plain clone) the test prints
//! why and passes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aksguard_engine::evaluate;
use aksguard_load::{Limits, load_text_all};
use aksguard_model::{Inventory, Severity};
use aksguard_rules::{RuleSettings, find_rule};
use serde_json::Value;

/// checkov ARM check (its fixture folder) → our rule with the same meaning.
const MAPPINGS: &[(&str, &str)] = &[
    ("AKSApiServerAuthorizedIpRanges", "AKS005"),
    ("AKSDashboardDisabled", "AKS030"),
    ("AKSEncryptionAtHostEnabled", "AKS023"),
    ("AKSEphemeralOSDisks", "AKS041"),
    ("AKSLocalAdminDisabled", "AKS003"),
    ("AKSLoggingEnabled", "AKS015"),
    ("AKSNetworkPolicy", "AKS008"),
    ("AKSRbacEnabled", "AKS001"),
    ("AKSUpgradeChannel", "AKS018"),
];

/// checkov ARM checks with no rule of ours, and why.
const UNMAPPED: &[(&str, &str)] = &[
    (
        "AKSMaxPodsMinimum",
        "CKV_AZURE_168 wants maxPods >= 50 per node pool: a capacity/IP-planning choice, not a \
         security control in the AKS security guidance RULES.md follows; no AKS rule has it",
    ),
    (
        "AKSPoolTypeIsScaleSet",
        "CKV_AZURE_169 wants VirtualMachineScaleSets pools: AvailabilitySet pools are retired \
         and cannot be created on current API versions, so it is no longer a configuration \
         choice; no AKS rule has it",
    ),
];

/// (checkov check, fixture file, why we differ from checkov's verdict).
const DISAGREEMENTS: &[(&str, &str, &str)] = &[
    (
        "AKSDashboardDisabled",
        "AKSDashboardDisabled-FAILED.json",
        "no addonProfiles at all: the kube-dashboard add-on is off unless enabled (and gone \
         since Kubernetes 1.19); checkov fails whenever it is not explicitly disabled",
    ),
    (
        "AKSDashboardDisabled",
        "AKSDashboardDisabled-FAILED2.json",
        "`addonProfiles: {}`: the kube-dashboard add-on is off unless enabled (and gone since \
         Kubernetes 1.19); checkov fails whenever it is not explicitly disabled",
    ),
    (
        "AKSDashboardDisabled",
        "AKSDashboardDisabled-FAILED4.json",
        "`addonProfiles` is the string \"yo\", not an object (ARM rejects the template): nothing \
         enables the dashboard, so AKS030 has nothing to report",
    ),
    (
        "AKSEncryptionAtHostEnabled",
        "failA1.json",
        "a lone `agentPools` resource named `failA1`, without the `cluster/pool` form ARM \
         requires: it joins no cluster of the template, and findings are reported on clusters",
    ),
    (
        "AKSEncryptionAtHostEnabled",
        "failA2.json",
        "a lone `agentPools` resource named `failA2`, without the `cluster/pool` form ARM \
         requires: it joins no cluster of the template, and findings are reported on clusters",
    ),
    (
        "AKSLoggingEnabled",
        "aksLoggingEnabled-FAILED3.json",
        "`addonProfiles` is `[if(empty(parameters('logAnalyticsResourceId')), …)]` and the \
         parameter has no default: the monitoring add-on is on whenever a workspace is passed, \
         so the value is Unknown and we stay silent; checkov fails on what it cannot resolve",
    ),
    (
        "AKSRbacEnabled",
        "aksEnableRbac-FAILED.json",
        "`enableRBAC` is absent (apiVersion 2017-08-31, before the property existed): AKS \
         enables Kubernetes RBAC when it is omitted, so AKS001 fires only on an explicit false; \
         checkov fails on absence",
    ),
    (
        "AKSRbacEnabled",
        "aksEnableRbac-FAILED3.json",
        "`properties` is the string \"yo\", not an object (ARM rejects the template): nothing \
         disables RBAC, so AKS001 has nothing to report",
    ),
];

fn corpus_dir() -> Option<PathBuf> {
    aksguard_testkit::shared_path("corpus/peers/checkov/arm/expected.json")
        .and_then(|expected| expected.parent().map(Path::to_path_buf))
}

#[test]
fn checkov_arm_verdicts_agree() {
    let Some(dir) = corpus_dir() else {
        return;
    };
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json is readable"),
    )
    .expect("expected.json is JSON");
    let checks = expected.as_object().expect("expected.json maps checks");
    for check in checks.keys() {
        assert!(
            MAPPINGS.iter().any(|(c, _)| c == check) || UNMAPPED.iter().any(|(c, _)| c == check),
            "checkov ARM check {check} is neither mapped nor listed as unmapped"
        );
    }
    for (check, why) in UNMAPPED {
        eprintln!("unmapped {check}: {why}");
    }
    let settings = RuleSettings::default();
    let mut agreed = 0usize;
    let mut compared = 0usize;
    let mut per_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut listed_used = vec![false; DISAGREEMENTS.len()];
    for (check, rule_id) in MAPPINGS {
        let Some(rule) = find_rule(rule_id) else {
            eprintln!("pending {check} → {rule_id}: rule not registered yet");
            continue;
        };
        let files = checks
            .get(*check)
            .and_then(|c| c.get("files"))
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("expected.json has no files for {check}"));
        for (file, verdict) in files {
            let path = dir.join(check).join(file);
            let text = std::fs::read_to_string(&path).expect("fixture is readable");
            let loaded = load_text_all(&path.display().to_string(), &text, &Limits::default());
            assert!(
                loaded.errors.is_empty(),
                "{} does not load: {:?}",
                path.display(),
                loaded.errors
            );
            let inventory = Inventory::new(loaded.objects).with_azure(loaded.azure);
            let findings = evaluate(&inventory, &[rule], &settings, Severity::Info);
            let ours: Vec<String> = findings
                .iter()
                .filter(|f| f.rule_id == *rule_id)
                .map(|f| format!("{}:{} {}", f.location.line, f.location.column, f.message))
                .collect();
            let peer_fails = verdict.as_str() == Some("FAILED");
            let fires = !ours.is_empty();
            let agrees = peer_fails == fires;
            compared += 1;
            let entry = per_rule.entry(rule_id).or_default();
            entry.1 += 1;
            if agrees {
                agreed += 1;
                entry.0 += 1;
            }
            let listed = DISAGREEMENTS
                .iter()
                .position(|(c, f, _)| c == check && f == file);
            if let Some(i) = listed {
                listed_used[i] = true;
            }
            let mark = if agrees { "agree   " } else { "DISAGREE" };
            eprintln!(
                "{mark} {check}/{file}: checkov {}, {rule_id} {}",
                verdict.as_str().unwrap_or("?"),
                if fires { "fires" } else { "silent" }
            );
            for line in &ours {
                eprintln!("           {line}");
            }
            if let Some(i) = listed {
                eprintln!("           listed: {}", DISAGREEMENTS[i].2);
            }
            match (agrees, listed) {
                (false, None) => problems.push(format!(
                    "{check}/{file}: checkov says {}, {rule_id} {} — fix the rule or list it \
                     in DISAGREEMENTS with the reason",
                    verdict.as_str().unwrap_or("?"),
                    if fires { "fires" } else { "is silent" }
                )),
                (true, Some(_)) => problems.push(format!(
                    "{check}/{file} is listed in DISAGREEMENTS but now agrees: remove it"
                )),
                _ => {}
            }
        }
    }
    for (i, (check, file, _)) in DISAGREEMENTS.iter().enumerate() {
        let pending = MAPPINGS
            .iter()
            .any(|(c, r)| c == check && find_rule(r).is_none());
        if !listed_used[i] && !pending {
            problems.push(format!(
                "DISAGREEMENTS entry {check}/{file} matches no fixture"
            ));
        }
    }
    for (rule, (ok, all)) in &per_rule {
        eprintln!("{rule}: {ok}/{all} agree");
    }
    if compared > 0 {
        eprintln!(
            "checkov ARM agreement: {agreed}/{compared} files ({:.0}%), {} listed disagreements",
            100.0 * agreed as f64 / compared as f64,
            compared - agreed
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
