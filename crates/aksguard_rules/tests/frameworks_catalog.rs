//! The compliance mapping lives in each rule's `references`; these checks keep it complete
//! and well-formed: every rule belongs to the AKS practices framework (a Microsoft Learn
//! guidance page), every pod rule whose subject the Pod Security Standards cover says which
//! control, and every CIS AKS / PSS reference names a control the catalogue knows.

use std::collections::HashMap;

use aksguard_rules::controls::{cis_aks_title, pss_requirement};
use aksguard_rules::{Family, Reference, all_rules};

/// Microsoft's guidance pages: what the `aks-practices` framework is made of.
const MICROSOFT_LEARN: &str = "https://learn.microsoft.com/";

/// Pod rules whose subject is a Pod Security Standards control (checked against the
/// standard's text), with the controls each must cite.
const PSS_COVERED: &[(&str, &[(&str, &str)])] = &[
    ("POD001", &[("baseline", "Privileged Containers")]),
    ("POD002", &[("restricted", "Privilege Escalation")]),
    ("POD003", &[("baseline", "Host Namespaces")]),
    ("POD004", &[("baseline", "Host Namespaces")]),
    ("POD005", &[("baseline", "Host Namespaces")]),
    (
        "POD006",
        &[
            ("restricted", "Running as Non-root"),
            ("restricted", "Running as Non-root user"),
        ],
    ),
    ("POD008", &[("restricted", "Capabilities")]),
    ("POD009", &[("baseline", "Capabilities")]),
    ("POD010", &[("baseline", "/proc Mount Type")]),
    // Fires on a missing profile too, which baseline allows: restricted only.
    ("POD011", &[("restricted", "Seccomp")]),
    ("POD012", &[("baseline", "AppArmor")]),
    ("POD013", &[("baseline", "HostPath Volumes")]),
    ("POD014", &[("baseline", "Host Ports")]),
    ("POD017", &[("baseline", "Sysctls")]),
    ("POD018", &[("baseline", "SELinux")]),
    ("POD019", &[("baseline", "HostProcess")]),
    ("POD026", &[("restricted", "Capabilities")]),
    ("POD027", &[("restricted", "Capabilities")]),
    ("POD028", &[("restricted", "Volume Types")]),
];

#[test]
fn every_rule_cites_microsoft_aks_guidance() {
    for rule in all_rules() {
        assert!(
            rule.references
                .iter()
                .any(|r| matches!(r, Reference::Guide(_, url) if url.starts_with(MICROSOFT_LEARN))),
            "{}: no Microsoft Learn guidance reference (the aks-practices framework)",
            rule.id
        );
    }
}

#[test]
fn pod_rules_that_pss_covers_cite_their_pss_controls_exactly() {
    let expected: HashMap<&str, &[(&str, &str)]> = PSS_COVERED.iter().copied().collect();
    for rule in all_rules() {
        let mut cited: Vec<(&str, &str)> = rule
            .references
            .iter()
            .filter_map(|r| match r {
                Reference::Pss(level, control) => Some((*level, *control)),
                _ => None,
            })
            .collect();
        cited.sort_unstable();
        let mut wanted: Vec<(&str, &str)> = expected
            .get(rule.id)
            .map(|c| c.to_vec())
            .unwrap_or_default();
        wanted.sort_unstable();
        if rule.family == Family::Pod || !cited.is_empty() {
            assert_eq!(
                cited, wanted,
                "{}: Pod Security Standards references",
                rule.id
            );
        }
    }
    for (id, _) in PSS_COVERED {
        assert!(
            all_rules().iter().any(|r| r.id == *id),
            "{id} is listed as PSS-covered but is not a rule"
        );
    }
}

#[test]
fn cis_and_pss_references_name_known_controls() {
    for rule in all_rules() {
        for reference in rule.references {
            match reference {
                Reference::CisAks(id) => assert!(
                    cis_aks_title(id).is_some(),
                    "{}: unknown CIS AKS Benchmark control {id}",
                    rule.id
                ),
                Reference::Pss(level, control) => assert!(
                    pss_requirement(level, control).is_some(),
                    "{}: unknown Pod Security Standards control {level}/{control}",
                    rule.id
                ),
                _ => {}
            }
        }
    }
}

#[test]
fn a_guidance_page_has_one_title() {
    let mut titles: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for rule in all_rules() {
        for reference in rule.references {
            if let Reference::Guide(title, url) = reference {
                titles.entry(url).or_default().push((rule.id, title));
            }
        }
    }
    // Known drift, left to the rule owners: RBAC012 and POD030 cite the CoreDNS page under
    // two titles. The framework keys pages by URL, so it is harmless there.
    let known_drift = ["https://learn.microsoft.com/azure/aks/coredns-custom"];
    for (url, uses) in titles {
        if known_drift.contains(&url) {
            continue;
        }
        let first = uses[0].1;
        for (id, title) in &uses {
            assert_eq!(*title, first, "{id}: {url} is titled differently elsewhere");
        }
    }
}
