//! `--select` / `--ignore`: rule IDs (`POD001`), slugs (`privileged-container`), families
//! (`POD`) or ID prefixes (`POD00`), or `ALL`. Anything that selects no rule is an error:
//! a typo must never turn into a silent pass.

use aksguard_rules::{Family, Rule, all_rules};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectError {
    pub selector: String,
}

impl std::fmt::Display for SelectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown rule or family `{}` (see `aksguard rules` for IDs; families: {})",
            self.selector,
            Family::ALL.map(Family::code).join(", ")
        )
    }
}

impl std::error::Error for SelectError {}

fn matches(selector: &str, rule: &Rule) -> bool {
    if selector.eq_ignore_ascii_case("ALL") || rule.slug == selector {
        return true;
    }
    let upper = selector.to_ascii_uppercase();
    let letters: String = upper
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    letters == rule.family.code() && rule.id.starts_with(&upper)
}

/// Whether `selector` names users' policies rather than built-in rules: the families `GK`
/// (Gatekeeper templates) and `VAP` (ValidatingAdmissionPolicies), or one policy rule
/// (`GK.K8sPSPPrivilegedContainer`, `VAP.require-labels`). They select no built-in rule; the
/// policies loaded with `--policy` apply them (`aksguard_policy`).
pub fn is_policy_selector(selector: &str) -> bool {
    let selector = selector.trim();
    let family = selector.split('.').next().unwrap_or("");
    (family.eq_ignore_ascii_case("GK") || family.eq_ignore_ascii_case("VAP"))
        && (selector.len() == family.len() || selector.len() > family.len() + 1)
}

/// The rule ID a policy selector names (`GK.<Kind>`, `VAP.<name>`), interned like the
/// policies' own IDs; `None` for a family or anything else.
pub fn policy_rule_id(selector: &str) -> Option<&'static str> {
    let selector = selector.trim();
    let (family, rest) = selector.split_once('.')?;
    let family = if family.eq_ignore_ascii_case("GK") {
        "GK"
    } else if family.eq_ignore_ascii_case("VAP") {
        "VAP"
    } else {
        return None;
    };
    (!rest.is_empty()).then(|| aksguard_model::intern_rule_id(&format!("{family}.{rest}")))
}

fn expand(selector: &str) -> Result<Vec<&'static Rule>, SelectError> {
    let selector = selector.trim();
    if is_policy_selector(selector) {
        return Ok(Vec::new());
    }
    let rules: Vec<&'static Rule> = all_rules()
        .iter()
        .copied()
        .filter(|rule| matches(selector, rule))
        .collect();
    if rules.is_empty() {
        return Err(SelectError {
            selector: selector.to_owned(),
        });
    }
    Ok(rules)
}

/// The rules to run: `select` (all rules when empty) minus `ignore`, in ID order.
pub fn select_rules(
    select: &[String],
    ignore: &[String],
) -> Result<Vec<&'static Rule>, SelectError> {
    let mut chosen: Vec<&'static Rule> = if select.is_empty() {
        all_rules().to_vec()
    } else {
        let mut rules = Vec::new();
        for selector in select {
            rules.extend(expand(selector)?);
        }
        rules
    };
    for selector in ignore {
        let ignored = expand(selector)?;
        chosen.retain(|rule| !ignored.iter().any(|i| i.id == rule.id));
    }
    chosen.sort_by_key(|r| r.id);
    chosen.dedup_by_key(|r| r.id);
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(select: &[&str], ignore: &[&str]) -> Result<Vec<&'static str>, SelectError> {
        let s: Vec<String> = select.iter().map(|s| s.to_string()).collect();
        let i: Vec<String> = ignore.iter().map(|s| s.to_string()).collect();
        select_rules(&s, &i).map(|rules| rules.iter().map(|r| r.id).collect())
    }

    #[test]
    fn ids_slugs_and_families_select() {
        assert_eq!(ids(&["pod001"], &[]).unwrap(), vec!["POD001"]);
        assert_eq!(ids(&["privileged-container"], &[]).unwrap(), vec!["POD001"]);
        assert!(ids(&["POD"], &[]).unwrap().contains(&"POD001"));
        assert!(!ids(&[], &["POD"]).unwrap().contains(&"POD001"));
    }

    #[test]
    fn policy_selectors_select_no_built_in_rule() {
        assert_eq!(ids(&["GK"], &[]).unwrap(), Vec::<&str>::new());
        assert_eq!(
            ids(&["VAP.require-labels"], &[]).unwrap(),
            Vec::<&str>::new()
        );
        assert!(ids(&[], &["GK.K8sX"]).unwrap().contains(&"POD001"));
        assert_eq!(policy_rule_id("gk.K8sX"), Some("GK.K8sX"));
        assert_eq!(policy_rule_id("GK"), None);
        assert!(!is_policy_selector("GK."));
        assert!(ids(&["GKX"], &[]).is_err());
    }

    #[test]
    fn typos_fail_closed() {
        assert_eq!(ids(&["POD0001"], &[]).unwrap_err().selector, "POD0001");
        assert!(ids(&[], &["PDO"]).is_err());
        assert!(ids(&["P"], &[]).is_err());
        assert!(ids(&["POD999"], &[]).is_err());
    }
}
