//! IaC coverage over the rule catalogue's own fixtures: for every AKS/ACR rule whose fix is
//! automatic (safe or review) and names IaC settings, each failing azurerm Terraform fixture
//! (`fail.*.tf`), azapi fixture (`fail.*.azapi.tf`, the `body` object) and ARM template
//! fixture (a `fail.*.json` with the deployment template schema) is copied alone to a
//! temporary directory and run through
//! `aksguard fix`'s planner (`aksguard_fix::plan`, review safety, the rule selected), which
//! edits and verifies. The edited text is then scanned again with every rule: the finding
//! must be gone and no finding of any rule may appear.
//!
//! The table (`rule fixture → fixed / declined (reason) / failed`) is printed; the expected
//! outcome of each fixture is asserted below, so a planner regression, or a fixture that
//! becomes fixable, fails the test until the table is updated.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use aksguard_fix::verify::FindingKey;
use aksguard_fix::{FixOptions, plan};
use aksguard_model::FixSafety;
use aksguard_rules::{Family, Rule, all_rules};
use aksguard_scan::ScanSettings;
use common::settings;

/// The AKS/ACR rules `aksguard fix` may edit IaC for.
fn iac_rules() -> Vec<&'static Rule> {
    all_rules()
        .iter()
        .copied()
        .filter(|r| matches!(r.family, Family::Cluster | Family::Registry))
        .filter(|r| !r.fix.iac.is_empty() && r.fix.safety != FixSafety::Manual)
        .collect()
}

/// Which IaC language a fixture file is, if it is one this test covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Language {
    Terraform,
    Arm,
    /// `azapi_resource` bodies (`fail.*.azapi.tf`).
    Azapi,
}

fn fixtures_of(rule: &Rule) -> Vec<(Language, PathBuf)> {
    let family = match rule.family {
        Family::Registry => "registry",
        _ => "cluster",
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../aksguard_rules/fixtures")
        .join(family)
        .join(rule.id);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("fail") {
            continue;
        }
        if name.ends_with(".azapi.tf") {
            out.push((Language::Azapi, path));
        } else if name.ends_with(".tf") {
            out.push((Language::Terraform, path));
        } else if name.ends_with(".json")
            && std::fs::read_to_string(&path).is_ok_and(|t| t.contains("deploymentTemplate.json#"))
        {
            out.push((Language::Arm, path));
        }
    }
    out.sort();
    out
}

/// What happened to one fixture.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Fixed,
    /// Not edited; the reason, as `aksguard fix` prints it.
    Declined(String),
    /// Edited but verification failed, or the edit did not clear the finding.
    Failed(String),
    /// The rule reports nothing on the fixture with its fix in this language (a module
    /// call: no IaC change is spelled for it).
    NoChange,
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Fixed => "fixed",
            Outcome::Declined(_) => "declined",
            Outcome::Failed(_) => "failed",
            Outcome::NoChange => "no-iac",
        }
    }
}

/// Finding keys of every rule on `text` written as `name` alone in a temporary directory.
fn scan_all(name: &str, text: &str, all: &ScanSettings) -> BTreeSet<FindingKey> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    let loaded = aksguard_load::load_inputs(
        &[path.display().to_string()],
        &aksguard_load::LoadOptions::default(),
        &mut std::io::empty(),
    );
    assert!(loaded.errors.is_empty(), "{name}: {:?}", loaded.errors);
    let (_, outcome) = aksguard_scan::scan_objects(
        loaded.objects,
        loaded.azure,
        &all.effective.rules,
        all,
        "fixture",
    );
    outcome.findings.iter().map(FindingKey::of).collect()
}

fn run(rule: &Rule, fixture: &Path, all: &ScanSettings) -> Outcome {
    let text = std::fs::read_to_string(fixture).expect("read");
    let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join(&name);
    std::fs::write(&copy, &text).expect("write");
    let selected = settings(&[rule.id]);
    let options = FixOptions {
        max_safety: FixSafety::Review,
        ..FixOptions::default()
    };
    let fixed_plan = plan(
        &[copy.display().to_string()],
        &selected.effective.rules,
        &selected,
        &options,
    );
    assert!(
        fixed_plan.errors.is_empty(),
        "{}: {:?}",
        fixture.display(),
        fixed_plan.errors
    );
    let mine = |key: &FindingKey| key.rule_id == rule.id;
    if let Some(change) = fixed_plan.changes.first() {
        if !change.fixed_findings.iter().any(mine) {
            return Outcome::Failed("changed the file without fixing the finding".into());
        }
        let before = scan_all(&name, &text, all);
        let after = scan_all(&name, &change.fixed, all);
        if let Some(left) = after.iter().find(|k| mine(k)) {
            return Outcome::Failed(format!("{left} still reported"));
        }
        if let Some(new) = after.difference(&before).next() {
            return Outcome::Failed(format!("adds {new}"));
        }
        // A second run over the fixed file changes nothing.
        let again = tempfile::tempdir().expect("temp dir");
        let copy = again.path().join(&name);
        std::fs::write(&copy, &change.fixed).expect("write");
        let second = plan(
            &[copy.display().to_string()],
            &selected.effective.rules,
            &selected,
            &options,
        );
        if !second.changes.is_empty() {
            return Outcome::Failed("a second run changes the file again".into());
        }
        if std::env::var_os("AKSGUARD_IAC_DIFFS").is_some() {
            println!("{}", change.unified_diff());
        }
        return Outcome::Fixed;
    }
    match fixed_plan.declined.iter().find(|d| mine(&d.finding)) {
        Some(d) if d.verification_failed => Outcome::Failed(d.reason.clone()),
        Some(d) => Outcome::Declined(d.reason.clone()),
        None => Outcome::NoChange,
    }
}

/// Why a fixture gets no IaC change at all (`no-iac`): the source is an Azure Verified
/// Module call (its inputs are not the resource's attributes), or the language has no
/// spelling of the setting (azurerm cannot write `securityProfile.sshAccess`, trusted
/// launch, the dashboard, image integrity; a maintenance window is a child resource in ARM).
const MODULE: &str = "module input";
const NO_SPELLING: &str = "no spelling in this language";

/// The outcome every fixture is expected to have, when not `fixed`: `(rule, fixture file
/// name, outcome label, a word the reason contains)`. Every decline here is a value only a
/// human can give: a parameter or variable (which may feed other resources or
/// environments), a placeholder (`<version>`, `<workspace-id>`), or a block that needs one.
const NOT_FIXED: &[(&str, &str, &str, &str)] = &[
    ("AKS003", "fail.avm-default.tf", "no-iac", MODULE),
    (
        "AKS003",
        "fail.parameter-default.arm.json",
        "declined",
        "parameter `disableLocalAccounts`",
    ),
    (
        "AKS004",
        "fail.no-entra.tf",
        "declined",
        "admin_group_object_ids",
    ),
    ("AKS010", "fail.avm-default.tf", "no-iac", MODULE),
    ("AKS011", "fail.absent.tf", "declined", "<workspace-id>"),
    (
        "AKS011",
        "fail.terraform-no-defender.tf",
        "declined",
        "<workspace-id>",
    ),
    ("AKS017", "fail.arm-template.json", "declined", "<version>"),
    ("AKS017", "fail.terraform.tf", "declined", "<version>"),
    ("AKS018", "fail.avm-misspelt.tf", "no-iac", MODULE),
    (
        "AKS020",
        "fail.parameter-default.arm-template.json",
        "declined",
        "parameter `publicNodeIps`",
    ),
    ("AKS021", "fail.terraform-default.tf", "no-iac", NO_SPELLING),
    ("AKS022", "fail.avm-default.tf", "no-iac", MODULE),
    ("AKS023", "fail.avm-default-pool.tf", "no-iac", MODULE),
    (
        "AKS023",
        "fail.nested-pool.arm-template.json",
        "declined",
        "variable `hostEncryption`",
    ),
    ("AKS024", "fail.terraform-default.tf", "no-iac", NO_SPELLING),
    (
        "AKS030",
        "fail.terraform-v2-dashboard.tf",
        "no-iac",
        NO_SPELLING,
    ),
    ("AKS031", "fail.avm-enabled.tf", "no-iac", MODULE),
    ("AKS033", "fail.arm-template.json", "declined", "<version>"),
    (
        "AKS033",
        "fail.terraform-past-support.tf",
        "declined",
        "<version>",
    ),
    ("AKS033", "fail.terraform.tf", "declined", "<version>"),
    (
        "AKS035",
        "fail.no-maintenance.arm-template.json",
        "no-iac",
        NO_SPELLING,
    ),
    ("AKS036", "fail.avm-free.tf", "no-iac", MODULE),
    // azapi bodies.
    (
        "AKS004",
        "fail.no-entra.azapi.tf",
        "declined",
        "adminGroupObjectIDs",
    ),
    ("AKS033", "fail.azapi.tf", "declined", "<version>"),
    ("AKS035", "fail.azapi.tf", "no-iac", NO_SPELLING),
    ("AKS039", "fail.terraform.tf", "no-iac", NO_SPELLING),
];

/// Whether a `no-iac` outcome has the reason the table gives it.
fn no_iac_because(rule: &Rule, name: &str, reason: &str) -> bool {
    let terraform = name.ends_with(".tf") && !name.ends_with(".azapi.tf");
    let spelled = rule.fix.iac.iter().any(|s| {
        if terraform {
            !s.terraform.is_empty()
        } else {
            !s.arm.is_empty()
        }
    });
    match reason {
        MODULE => name.contains("avm"),
        NO_SPELLING => !spelled,
        _ => false,
    }
}

type Table = BTreeMap<(&'static str, String), Outcome>;

/// Every covered fixture's outcome, computed once for the tests here.
fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let all = settings(&[]);
        let mut table = Table::new();
        for rule in iac_rules() {
            for (_, fixture) in fixtures_of(rule) {
                let outcome = run(rule, &fixture, &all);
                let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
                table.insert((rule.id, name), outcome);
            }
        }
        table
    })
}

/// The rules with at least one fixed fixture, per language (`terraform`, `arm`).
fn fixed_rules(table: &Table) -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for ((rule, name), outcome) in table {
        if *outcome == Outcome::Fixed {
            let language = if name.ends_with(".azapi.tf") {
                "azapi"
            } else if name.ends_with(".tf") {
                "terraform"
            } else {
                "arm"
            };
            out.entry(language).or_default().insert(rule);
        }
    }
    out
}

#[test]
fn every_literal_iac_fixture_of_an_aks_or_acr_rule_is_fixed() {
    let table = table();
    for ((rule, name), outcome) in table {
        let reason = match outcome {
            Outcome::Declined(r) | Outcome::Failed(r) => r.as_str(),
            _ => "",
        };
        println!("{rule} {name:<45} {:<9} {reason}", outcome.label());
    }
    for (language, rules) in &fixed_rules(table) {
        println!("{language}: {} rules fixed: {rules:?}", rules.len());
    }
    let mut problems = Vec::new();
    for ((rule, name), outcome) in table {
        let expected = NOT_FIXED.iter().find(|(r, n, _, _)| r == rule && n == name);
        match (expected, outcome) {
            (None, Outcome::Fixed) => {}
            (Some((_, _, label, word)), outcome)
                if *label == outcome.label()
                    && match outcome {
                        Outcome::Declined(r) | Outcome::Failed(r) => r.contains(word),
                        Outcome::NoChange => {
                            no_iac_because(aksguard_rules::find_rule(rule).unwrap(), name, word)
                        }
                        Outcome::Fixed => true,
                    } => {}
            (expected, outcome) => problems.push(format!(
                "{rule} {name}: expected {:?}, got {outcome:?}",
                expected.map_or("fixed", |e| e.2)
            )),
        }
    }
    for (rule, name, _, _) in NOT_FIXED {
        if !table.contains_key(&(*rule, (*name).to_owned())) {
            problems.push(format!("{rule} {name}: no such fixture"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The rules whose manifest findings get automatic edits: an automatic (safe or review)
/// fix on a finding over the rule catalogue's YAML and JSON fixtures and the fix pairs (as
/// `fixtures.rs`'s `counts_the_rules_with_automatic_edits`).
fn manifest_rules() -> BTreeSet<&'static str> {
    let mut files = Vec::new();
    let mut dirs = vec![
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../aksguard_rules/fixtures"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fix"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
                files.push(path);
            }
        }
    }
    let all = settings(&[]);
    let mut automatic = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let loaded =
            aksguard_load::load_text_all("f.yaml", &text, &aksguard_load::Limits::default());
        let (_, outcome) = aksguard_scan::scan_objects(
            loaded.objects,
            loaded.azure,
            &all.effective.rules,
            &all,
            "f.yaml",
        );
        for finding in outcome.findings {
            if finding.fix.as_ref().is_some_and(|f| f.is_automatic()) {
                automatic.insert(finding.rule_id);
            }
        }
    }
    automatic
}

/// The coverage: the rules `aksguard fix` edits by itself (manifest rules, and the
/// AKS/ACR rules with a verified Terraform or ARM edit above), and the AKS/ACR rules with
/// neither an `az` command nor a verified IaC edit.
#[test]
fn counts_the_rules_with_automatic_edits_manifest_and_iac() {
    let manifest = manifest_rules();
    let by_language = fixed_rules(table());
    let iac: BTreeSet<&str> = by_language.values().flatten().copied().collect();
    let total: BTreeSet<&str> = manifest.union(&iac).copied().collect();
    println!("manifest edits: {} rules {manifest:?}", manifest.len());
    for (language, rules) in &by_language {
        println!("{language} edits: {} rules {rules:?}", rules.len());
    }
    println!("IaC edits: {} rules {iac:?}", iac.len());
    println!("rules with automatic edits: {}", total.len());
    let without: Vec<&str> = all_rules()
        .iter()
        .filter(|r| matches!(r.family, Family::Cluster | Family::Registry))
        .filter(|r| r.fix.commands.is_empty() && !iac.contains(r.id))
        .map(|r| r.id)
        .collect();
    println!("AKS/ACR rules with neither an az command nor an IaC edit: {without:?}");
    assert!(without.is_empty(), "{without:?}");
    assert!(iac.len() >= 34, "{}: {iac:?}", iac.len());
    assert!(total.len() >= 50, "{}: {total:?}", total.len());
}
