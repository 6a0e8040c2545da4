//! Policy checks over the catalogue itself: metadata is complete and consistent, every rule
//! has fixtures, and every ID of `../shared/RULES.md` in scope is implemented.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use aksguard_rules::{Family, all_rules};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[test]
fn ids_and_slugs_are_unique_and_prefixed_by_family() {
    let mut ids = HashSet::new();
    let mut slugs = HashSet::new();
    for rule in all_rules() {
        assert!(ids.insert(rule.id), "duplicate ID {}", rule.id);
        assert!(slugs.insert(rule.slug), "duplicate slug {}", rule.slug);
        let digits = rule.id.strip_prefix(rule.family.code());
        assert!(
            digits.is_some_and(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit())),
            "{} does not match its family prefix {}",
            rule.id,
            rule.family.code()
        );
        assert!(
            rule.slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}: slug {} is not kebab-case",
            rule.id,
            rule.slug
        );
    }
}

#[test]
fn metadata_is_complete() {
    for rule in all_rules() {
        assert!(rule.title.len() <= 80, "{}: title too long", rule.id);
        assert!(
            !rule.title.ends_with('.'),
            "{}: title ends with a period",
            rule.id
        );
        assert!(
            rule.remediation.trim_end().ends_with('.'),
            "{}: remediation must end with a period",
            rule.id
        );
        assert!(rule.checks.len() > 20, "{}: `checks` is missing", rule.id);
        assert!(
            rule.rationale.len() > 40,
            "{}: rationale is missing",
            rule.id
        );
        assert!(!rule.references.is_empty(), "{}: no references", rule.id);
    }
}

#[test]
fn every_rule_has_fail_and_pass_fixtures_and_every_fixture_a_rule() {
    let known: HashSet<&str> = all_rules().iter().map(|r| r.id).collect();
    for rule in all_rules() {
        let dir = fixtures_dir().join(rule.family.folder()).join(rule.id);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("{}: no fixture folder {}", rule.id, dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("fail.")),
            "{}: no fail fixture",
            rule.id
        );
        assert!(
            names.iter().any(|n| n.starts_with("pass.")),
            "{}: no pass fixture",
            rule.id
        );
    }
    for family in Family::ALL {
        let Ok(entries) = std::fs::read_dir(fixtures_dir().join(family.folder())) else {
            continue;
        };
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                known.contains(name.as_str()),
                "fixture folder {name} names no rule"
            );
        }
    }
}

/// Rule IDs of RULES.md that this catalogue covers so far; the rest arrive with later issues.
const IN_SCOPE_PREFIXES: &[&str] = &[
    "POD", "IMG", "SEC", "REL", "RBAC", "NS", "IDN", "NET", "AKS", "ACR",
];
/// IDs in scope that are deliberately not implemented yet, with the reason.
const PENDING: &[(&str, &str)] = &[
    ("AKS043", AZURE_SURROUNDINGS),
    ("AKS044", AZURE_SURROUNDINGS),
    ("AKS048", AZURE_SURROUNDINGS),
    ("IDN005", AZURE_SURROUNDINGS),
];

/// RULES.md's second wave, "Azure surroundings of the cluster" (issue 19).
const AZURE_SURROUNDINGS: &str = "needs the cluster's Azure surroundings (role assignments, \
                                  identities, subnets, NSGs, route tables, policy assignments, \
                                  alert rules) as inputs: the Azure-surroundings issue";

#[test]
fn every_catalogue_id_in_scope_is_implemented_or_pending() {
    let Some(catalogue) = aksguard_testkit::shared_path("RULES.md") else {
        return;
    };
    let text = std::fs::read_to_string(&catalogue).expect("RULES.md is readable");
    let implemented: HashSet<&str> = all_rules().iter().map(|r| r.id).collect();
    let pending: HashSet<&str> = PENDING.iter().map(|(id, _)| *id).collect();
    let mut missing = Vec::new();
    for line in text.lines() {
        let Some(id) = line.strip_prefix("| ").and_then(|l| l.split(' ').next()) else {
            continue;
        };
        let in_scope = IN_SCOPE_PREFIXES.iter().any(|p| {
            id.strip_prefix(p)
                .is_some_and(|d| d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()))
        });
        if in_scope && !implemented.contains(id) && !pending.contains(id) {
            missing.push(id.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "RULES.md IDs not implemented: {missing:?}"
    );
}

/// Peer equivalences are declared once, on the rule (`aksguard_rules::peer`), and everything
/// else reads them: here, that each declaration is well formed and that the rules sharing a
/// peer check declare it alike. Whether each declaration has a comparison and agrees with the
/// peer's verdicts is checked against the peers' fixtures in
/// `aksguard_engine/tests/peer_agreement.rs`.
#[test]
fn peer_declarations_are_well_formed_and_agree() {
    use std::collections::HashMap;

    use aksguard_rules::peer::{Equivalence, PeerCheck, PeerTool, peer_checks};

    fn id_has_the_peers_form(check: &PeerCheck) -> bool {
        let id = check.id;
        let word = |extra: &[u8]| {
            !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
        };
        match check.tool {
            // CKV_K8S_16, CKV2_K8S_6, CKV_AZURE_141.
            PeerTool::Checkov => ["CKV_K8S_", "CKV2_K8S_", "CKV_AZURE_"]
                .iter()
                .any(|prefix| {
                    id.strip_prefix(prefix)
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                }),
            // runAsPrivileged.
            PeerTool::Polaris => id.starts_with(|c: char| c.is_ascii_lowercase()) && word(b""),
            // privileged-container.
            PeerTool::KubeLinter => word(b"-") && id.bytes().all(|b| !b.is_ascii_uppercase()),
            // container-hostPort, ensure_network_policy_configured_in_labels.
            PeerTool::Kubescape => word(b"-_"),
            // vuln (a scanner of `trivy --scanners`).
            PeerTool::Trivy => word(b"") && id.bytes().all(|b| b.is_ascii_lowercase()),
        }
    }

    let mut by_check: HashMap<(PeerTool, &str), Vec<(&str, &PeerCheck)>> = HashMap::new();
    let mut problems = Vec::new();
    for rule in all_rules() {
        let mut seen = HashSet::new();
        for check in peer_checks(rule.references) {
            let name = format!("{} {} {}", rule.id, check.tool.name(), check.id);
            if !seen.insert((check.tool, check.id)) {
                problems.push(format!("{name}: declared twice"));
            }
            if !id_has_the_peers_form(check) {
                problems.push(format!(
                    "{name}: not an ID in the form {} reports",
                    check.tool.name()
                ));
            }
            // The kind is a required field; what a kind other than `Same` needs is the
            // difference, said once where the docs show it.
            match (check.equivalence, check.difference.trim().is_empty()) {
                (Equivalence::Same, false) => {
                    problems.push(format!("{name}: same meaning, yet a difference is given"))
                }
                (Equivalence::Same, true) => {}
                (kind, true) => problems.push(format!("{name}: {kind:?} without what differs")),
                (_, false) => {}
            }
            if check.judges.is_some_and(|kinds| kinds.is_empty()) {
                problems.push(format!("{name}: judges no kind"));
            }
            by_check
                .entry((check.tool, check.id))
                .or_default()
                .push((rule.id, check));
        }
    }
    // A peer check relates to the rules that declare it together, so they must say the same
    // kind and comparison facts.
    for ((tool, id), declarations) in &by_check {
        let (first_rule, first) = declarations[0];
        for (rule, check) in &declarations[1..] {
            if (check.equivalence, check.judges, check.complete)
                != (first.equivalence, first.judges, first.complete)
            {
                problems.push(format!(
                    "{} {id}: {first_rule} and {rule} declare it differently ({:?}/{:?}/{} vs \
                     {:?}/{:?}/{})",
                    tool.name(),
                    first.equivalence,
                    first.judges,
                    first.complete,
                    check.equivalence,
                    check.judges,
                    check.complete
                ));
            }
        }
    }
    problems.sort();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
