//! `--select` / `--ignore` (and `select`/`ignore` in aksguard.toml) over policy rules, the way
//! they work over built-in rules: `ALL`, the families `GK` and `VAP`, or one rule ID
//! (`GK.K8sPSPPrivilegedContainer`, case-insensitive). A policy selector that names no loaded
//! policy is an error: a typo must not turn into a silent pass.

use std::collections::HashSet;

use aksguard_engine::is_policy_selector;
use aksguard_model::DynamicRule;

fn selects(selector: &str, rule: &DynamicRule) -> bool {
    let selector = selector.trim();
    selector.eq_ignore_ascii_case("ALL")
        || selector.eq_ignore_ascii_case(rule.id)
        || rule
            .id
            .split_once('.')
            .is_some_and(|(family, _)| family.eq_ignore_ascii_case(selector))
}

/// The IDs of the rules to run among `rules`: those `select` names (all when it is empty),
/// minus those `ignore` names. Errors name a policy selector that matches no loaded policy.
pub fn selected_rules(
    rules: &[&'static DynamicRule],
    select: &[String],
    ignore: &[String],
) -> Result<HashSet<&'static str>, String> {
    for selector in select.iter().chain(ignore) {
        if is_policy_selector(selector) && !rules.iter().any(|r| selects(selector, r)) {
            return Err(format!(
                "`{}` selects no loaded policy (policy rules: {})",
                selector.trim(),
                if rules.is_empty() {
                    "none; give them with --policy or `policies` in aksguard.toml".to_owned()
                } else {
                    rules.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
                }
            ));
        }
    }
    Ok(rules
        .iter()
        .filter(|r| select.is_empty() || select.iter().any(|s| selects(s, r)))
        .filter(|r| !ignore.iter().any(|s| selects(s, r)))
        .map(|r| r.id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{RuleSource, intern_rule};
    use aksguard_model::Severity;

    fn rule(id: &str) -> &'static DynamicRule {
        intern_rule(RuleSource {
            id,
            title: id,
            description: "",
            severity: Severity::High,
            engine: "gatekeeper",
            origin: "t.yaml:1".into(),
        })
    }

    #[test]
    fn families_ids_all_and_typos() {
        let rules = [rule("GK.SelA"), rule("VAP.sel-b")];
        let ids = |select: &[&str], ignore: &[&str]| {
            let s: Vec<String> = select.iter().map(|s| s.to_string()).collect();
            let i: Vec<String> = ignore.iter().map(|s| s.to_string()).collect();
            let mut found: Vec<_> = selected_rules(&rules, &s, &i)?.into_iter().collect();
            found.sort();
            Ok::<_, String>(found)
        };
        assert_eq!(ids(&[], &[]).unwrap(), ["GK.SelA", "VAP.sel-b"]);
        assert_eq!(ids(&["gk"], &[]).unwrap(), ["GK.SelA"]);
        assert_eq!(ids(&["POD001"], &[]).unwrap(), Vec::<&str>::new());
        assert_eq!(ids(&["ALL"], &["vap.sel-b"]).unwrap(), ["GK.SelA"]);
        assert!(
            ids(&["GK.Missing"], &[])
                .unwrap_err()
                .contains("GK.Missing")
        );
    }
}
