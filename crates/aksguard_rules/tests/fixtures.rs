//! Runs each rule alone over its fixtures (`fixtures/<family>/<ID>/{fail,pass}.<case>.*`).
//! `fail.*` must produce findings, exactly on the lines marked `# expect: <ID>`, and is
//! snapshotted; `pass.*` must produce none; `undecided.*` must produce none and say, for
//! every target, that it could not be judged (`Checker::undecided`: the source cannot hold
//! what the rule looks for). Narrow with `INSTA_GLOB_FILTER=POD001/*`. Markers and the
//! settings header are comments: `# …` in YAML and HCL, `// …` in Bicep.

use std::collections::BTreeSet;
use std::path::Path;

use aksguard_load::{Limits, load_text_all};
use aksguard_model::{Inventory, Object};
use aksguard_rules::{Checker, Rule, RuleSettings, Violation, find_rule};

struct Outcome {
    violations: Vec<(String, Violation)>,
    /// What the rule could not judge (a value it needs is Unknown).
    unknown_values: Vec<(String, Violation)>,
    /// The reasons the rule gave for targets it could not judge.
    undecided: Vec<String>,
}

fn rule_for(path: &Path) -> &'static Rule {
    let id = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .expect("fixture lives in a folder named after its rule");
    find_rule(id).unwrap_or_else(|| panic!("fixture folder {id} names no registered rule"))
}

/// The comment leaders fixtures write markers after: `#` (YAML, HCL) and `//` (Bicep).
const COMMENT_LEADERS: [&str; 2] = ["#", "//"];

/// Settings a fixture asks for with a comment line such as
/// `# aksguard-settings: complete, k8s-version=1.25` (`// aksguard-settings: …` in Bicep).
/// Options: `complete`, `k8s-version=M.N`, `unread=A|B`, `as-of=YYYY-MM-DD`,
/// `admin-principals=a|b` and `node-image-max-age-days=N` (`[azure]` of aksguard.toml), and
/// `vulns=a.json|b.json` (`--vulns` reports, relative to the fixture's folder).
fn fixture_settings(text: &str, path: &Path) -> RuleSettings {
    let mut settings = RuleSettings::default();
    for line in text.lines() {
        let Some(options) = COMMENT_LEADERS.iter().find_map(|leader| {
            line.trim()
                .strip_prefix(leader)
                .and_then(|rest| rest.trim_start().strip_prefix("aksguard-settings:"))
        }) else {
            continue;
        };
        for option in options.split(',').map(str::trim) {
            match option.split_once('=') {
                None if option == "complete" => settings.complete = true,
                Some(("k8s-version", version)) => {
                    let (major, minor) = version.split_once('.').expect("k8s-version=MAJOR.MINOR");
                    settings.kubernetes_version =
                        Some((major.parse().unwrap(), minor.parse().unwrap()));
                }
                Some(("unread", kinds)) => {
                    settings.unread = kinds.split('|').map(str::to_owned).collect();
                }
                Some(("as-of", date)) => {
                    settings.as_of = Some(date.parse().expect("as-of=YYYY-MM-DD"));
                }
                Some(("admin-principals", principals)) => {
                    settings.azure.admin_principals =
                        principals.split('|').map(str::to_owned).collect();
                }
                Some(("vulns", files)) => {
                    let dir = path.parent().expect("fixture has a folder");
                    let reports: Vec<_> = files
                        .split('|')
                        .map(|file| {
                            aksguard_load::vulns::read_vuln_report(&dir.join(file))
                                .unwrap_or_else(|e| panic!("{e}"))
                        })
                        .collect();
                    settings.vulns = Some(std::sync::Arc::new(
                        aksguard_rules::vulns::VulnIndex::new(&reports),
                    ));
                }
                Some(("node-image-max-age-days", days)) => {
                    settings.azure.node_image_max_age_days =
                        days.parse().expect("node-image-max-age-days=N");
                }
                _ => panic!("unknown fixture setting `{option}`"),
            }
        }
    }
    settings
}

fn run(path: &Path) -> (&'static Rule, String, Outcome) {
    let rule = rule_for(path);
    let text = std::fs::read_to_string(path).expect("fixture is readable");
    let loaded = load_text_all(&path.display().to_string(), &text, &Limits::default());
    assert!(
        loaded.errors.is_empty(),
        "fixture {} does not load: {:?}",
        path.display(),
        loaded.errors
    );
    assert!(
        !loaded.objects.is_empty() || !loaded.azure.is_empty(),
        "fixture {} holds no Kubernetes object or Azure resource",
        path.display()
    );
    let settings = fixture_settings(&text, path);
    // As the engine runs rules: those that need only one object before the object sheds its
    // bulk, with no inventory (so one that reads it anyway fails here); the rest after.
    let mut objects = loaded.objects;
    let mut violations = Vec::new();
    let mut unknown_values = Vec::new();
    let mut run_per_object = |object: &Object, checker: &mut Checker<'_>| {
        rule.run(object, checker);
        violations.extend(
            checker
                .take()
                .into_iter()
                .map(|v| (object.display_name(), v)),
        );
        unknown_values.extend(
            checker
                .take_unknown_values()
                .into_iter()
                .map(|v| (object.display_name(), v)),
        );
    };
    if rule.judges_alone() {
        let mut checker = Checker::while_loading(&settings);
        for object in &objects {
            run_per_object(object, &mut checker);
        }
    }
    objects.iter_mut().for_each(Object::shed_bulk);
    // Standalone NSG rules, routes and subnet associations join their parents, as a scan's
    // load does once every file is read.
    let mut azure = loaded.azure;
    azure.join_surroundings();
    let inventory = Inventory::new(objects).with_azure(azure);
    let mut checker = Checker::new(&settings, &inventory);
    if !rule.judges_alone() {
        for object in inventory.objects() {
            run_per_object(object, &mut checker);
        }
    }
    rule.run_inventory(&inventory, &mut checker);
    let undecided = checker.take_undecided();
    violations.extend(checker.take().into_iter().map(|v| {
        let on =
            v.on.as_ref()
                .expect("cross-resource violations name their object");
        let name = match &on.object.namespace {
            Some(ns) => format!("{} {ns}/{}", on.object.kind, on.object.name),
            None => format!("{} {}", on.object.kind, on.object.name),
        };
        (name, v)
    }));
    assert!(
        checker.take_unknown_values().is_empty(),
        "cross-resource unknown-value cases are not rendered yet"
    );
    violations.sort_by(|a, b| (a.1.pos, &a.1.message).cmp(&(b.1.pos, &b.1.message)));
    unknown_values.sort_by(|a, b| (a.1.pos, &a.1.message).cmp(&(b.1.pos, &b.1.message)));
    (
        rule,
        text,
        Outcome {
            violations,
            unknown_values,
            undecided,
        },
    )
}

/// ` [container]` for a violation on a container, else nothing.
fn container_suffix(violation: &Violation) -> String {
    violation
        .container
        .as_deref()
        .map(|c| format!(" [{c}]"))
        .unwrap_or_default()
}

fn render(rule: &Rule, outcome: &Outcome) -> String {
    let mut out = String::new();
    for (object, v) in &outcome.violations {
        let severity = v.severity.unwrap_or(rule.severity);
        let container = container_suffix(v);
        out.push_str(&format!(
            "{}:{} {} {} {object}{container}: {}\n",
            v.pos.line, v.pos.col, severity, rule.id, v.message
        ));
        render_azure_fix(&mut out, v);
    }
    for (object, v) in &outcome.unknown_values {
        let container = container_suffix(v);
        out.push_str(&format!(
            "{}:{} not judged {} {object}{container}: {}\n",
            v.pos.line, v.pos.col, rule.id, v.message
        ));
    }
    out
}

/// The `az` commands and IaC changes of an AKS/ACR violation's fix, one per line, indented
/// under it (workload violations carry neither).
fn render_azure_fix(out: &mut String, violation: &Violation) {
    let Some(fix) = &violation.fix else {
        return;
    };
    for command in &fix.commands {
        out.push_str(&format!("    az: {command}\n"));
    }
    for change in &fix.iac {
        let variable = change
            .variable
            .as_deref()
            .map(|v| format!(" (variable {v})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "    {}: {} = {}{variable}\n",
            change.language, change.attribute, change.value
        ));
    }
}

/// Every AKS/ACR finding says how to fix it: an `az` command or an IaC change (issue 15's
/// coverage target), and never in its message (the fix line prints it once).
fn assert_azure_fixes(path: &Path, rule: &Rule, outcome: &Outcome) {
    if !matches!(
        rule.family,
        aksguard_rules::Family::Cluster | aksguard_rules::Family::Registry
    ) {
        return;
    }
    for (_, violation) in &outcome.violations {
        let fix = violation
            .fix
            .as_ref()
            .unwrap_or_else(|| panic!("{}: {} finding without a fix", path.display(), rule.id));
        assert!(
            !fix.commands.is_empty() || !fix.iac.is_empty(),
            "{}: {} finding with neither commands nor IaC",
            path.display(),
            rule.id
        );
        assert!(
            !violation.message.contains("Fix:")
                && !fix
                    .commands
                    .iter()
                    .any(|c| violation.message.contains(c.as_str())),
            "{}: {} message still carries its fix: {}",
            path.display(),
            rule.id,
            violation.message
        );
    }
}

/// Lines carrying `# expect: ID` (`// expect: ID` in Bicep; several IDs may be listed,
/// comma-separated).
fn expected_lines(text: &str, id: &str) -> BTreeSet<u32> {
    marked_lines(text, "expect:", id)
}

/// Lines carrying `# <marker> ID[, ID…]` or `// <marker> ID[, ID…]`.
fn marked_lines(text: &str, marker: &str, id: &str) -> BTreeSet<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            COMMENT_LEADERS.iter().any(|leader| {
                // The IDs run to the next comment marker (`# expect: A # unknown: B`).
                line.split_once(&format!("{leader} {marker}"))
                    .is_some_and(|(_, ids)| {
                        let ids = ids.split(['#', '/']).next().unwrap_or_default();
                        ids.split(',').any(|x| x.trim() == id)
                    })
            })
        })
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

/// Each case the rule could not judge is on a line marked `# unknown: ID`, and each such
/// line has one (in fail and pass fixtures alike).
fn assert_unknown_values_marked(path: &Path, rule: &Rule, text: &str, outcome: &Outcome) {
    if path.extension().is_some_and(|e| e == "json") {
        return;
    }
    let expected = marked_lines(text, "unknown:", rule.id);
    let found: BTreeSet<u32> = outcome
        .unknown_values
        .iter()
        .map(|(_, v)| v.pos.line)
        .collect();
    assert_eq!(
        found,
        expected,
        "{}: lines {} could not judge differ from `# unknown:` markers\n{}",
        path.display(),
        rule.id,
        render(rule, outcome)
    );
}

#[test]
fn fail_fixtures_find_exactly_the_marked_lines() {
    insta::glob!("../fixtures", "*/*/fail.*", |path| {
        let (rule, text, outcome) = run(path);
        assert_unknown_values_marked(path, rule, &text, &outcome);
        assert!(
            !outcome.violations.is_empty(),
            "{}: {} found nothing in a fail fixture",
            path.display(),
            rule.id
        );
        assert_azure_fixes(path, rule, &outcome);
        // JSON has no comments, so JSON fixtures are checked by their snapshot alone.
        if path.extension().is_some_and(|e| e != "json") {
            let expected = expected_lines(&text, rule.id);
            let found: BTreeSet<u32> = outcome.violations.iter().map(|(_, v)| v.pos.line).collect();
            assert_eq!(
                found,
                expected,
                "{}: lines with {} findings differ from `# expect:` markers\n{}",
                path.display(),
                rule.id,
                render(rule, &outcome)
            );
        }
        // Name snapshots `<ID>-<file>` so they stay put as fixture folders are added.
        let mut settings = insta::Settings::clone_current();
        let file = path.file_name().unwrap().to_string_lossy();
        settings.set_snapshot_suffix(format!("{}-{file}", rule.id));
        settings.bind(|| insta::assert_snapshot!("fixture", render(rule, &outcome)));
    });
}

#[test]
fn pass_fixtures_find_nothing() {
    insta::glob!("../fixtures", "*/*/pass.*", |path| {
        let (rule, text, outcome) = run(path);
        assert_unknown_values_marked(path, rule, &text, &outcome);
        assert!(
            outcome.violations.is_empty(),
            "{}: {} fired on a pass fixture:\n{}",
            path.display(),
            rule.id,
            render(rule, &outcome)
        );
    });
}

#[test]
fn undecided_fixtures_find_nothing_and_say_why_for_every_target() {
    insta::glob!("../fixtures", "*/*/undecided.*", |path| {
        let (rule, text, outcome) = run(path);
        assert!(
            outcome.violations.is_empty(),
            "{}: {} fired on an undecided fixture:\n{}",
            path.display(),
            rule.id,
            render(rule, &outcome)
        );
        // Loaded under its own name: `.tf` and `.bicep` are read by their extension.
        let loaded = load_text_all(&path.display().to_string(), &text, &Limits::default());
        let targets = loaded.azure.clusters.len() + loaded.azure.registries.len();
        assert!(targets > 0, "{}: no Azure target", path.display());
        assert_eq!(
            outcome.undecided.len(),
            targets,
            "{}: {} must say it could not judge each target",
            path.display(),
            rule.id
        );
    });
}
