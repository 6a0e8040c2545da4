//! After the rules ran: per-rule severity overrides, then the suppressions that accept a known
//! risk without turning a rule off for everyone: `aksguard.io/ignore` annotations on objects,
//! `[[exception]]` entries of aksguard.toml (resolved by `aksguard_config`), and baselines.
//! A suppressed finding moves to the report's `suppressed` list with the reason: counted and
//! listable, never silently dropped.

use std::collections::{BTreeMap, HashMap, HashSet};

use aksguard_model::{
    Finding, Inventory, LoadError, Object, Severity, Suppressed, Suppression, SuppressionKind,
};

use crate::select::select_rules;

/// The annotation that suppresses rules on one object: `"POD007,IMG002 -- reason"`.
pub const IGNORE_ANNOTATION: &str = "aksguard.io/ignore";

/// Sets the severity of every finding of an overridden rule (`[severity]` in aksguard.toml).
pub fn apply_severity_overrides(
    findings: &mut [Finding],
    overrides: &BTreeMap<&'static str, Severity>,
) {
    if overrides.is_empty() {
        return;
    }
    for finding in findings {
        if let Some(severity) = overrides.get(finding.rule_id) {
            finding.severity = *severity;
        }
    }
}

/// A glob over one name where `*` matches any run of characters (including none). Everything
/// else is literal and case-sensitive, as Kubernetes names are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern(String);

impl Pattern {
    pub fn new(text: impl Into<String>) -> Self {
        Pattern(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, text: &str) -> bool {
        let mut parts = self.0.split('*');
        let first = parts.next().unwrap_or("");
        let Some(mut rest) = text.strip_prefix(first) else {
            return false;
        };
        let pieces: Vec<&str> = parts.collect();
        let Some((last, middle)) = pieces.split_last() else {
            // No `*`: the whole text must equal the pattern.
            return rest.is_empty();
        };
        for piece in middle {
            match rest.find(piece) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        rest.ends_with(last)
    }
}

/// One `[[exception]]` of aksguard.toml, resolved: which rules, which objects, why, and until
/// when. Whether it has expired is decided by the config crate (it knows "today").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    /// Rule IDs the exception covers (selectors already expanded).
    pub rules: Vec<&'static str>,
    pub namespace: Option<Pattern>,
    pub kind: Option<Pattern>,
    pub name: Option<Pattern>,
    pub container: Option<Pattern>,
    pub reason: String,
    /// `YYYY-MM-DD`: the last day the exception applies.
    pub expires: Option<String>,
    /// The expiry date has passed: the exception no longer suppresses.
    pub expired: bool,
    /// Where it was declared (`aksguard.toml:12`), for notes.
    pub origin: String,
}

impl Exception {
    /// Whether the exception's rules and selectors cover `finding`. A finding without a
    /// namespace (cluster-scoped objects, objects that set none) has the empty namespace, so
    /// only `namespace = "*"` matches it; findings on `Namespace/<name>` are in `<name>`.
    pub fn matches(&self, finding: &Finding) -> bool {
        let object = &finding.object;
        let namespace = match (&object.namespace, object.kind.as_str()) {
            (Some(ns), _) => ns.as_str(),
            (None, "Namespace") => object.name.as_str(),
            (None, _) => "",
        };
        let fits = |pattern: &Option<Pattern>, value: Option<&str>| match pattern {
            None => true,
            Some(pattern) => value.is_some_and(|v| pattern.matches(v)),
        };
        self.rules.contains(&finding.rule_id)
            && fits(&self.namespace, Some(namespace))
            && fits(&self.kind, Some(&object.kind))
            && fits(&self.name, Some(&object.name))
            && fits(&self.container, finding.container.as_deref())
    }
}

/// Moves findings covered by an active exception to `suppressed`. A finding covered only by an
/// expired exception stays active and its message says so. Returns the findings still active
/// and, per exception, whether it matched any finding (for "unused exception" notes).
pub fn apply_exceptions(
    mut findings: Vec<Finding>,
    exceptions: &[Exception],
    suppressed: &mut Vec<Suppressed>,
) -> (Vec<Finding>, Vec<bool>) {
    let mut used = vec![false; exceptions.len()];
    if exceptions.is_empty() {
        return (findings, used);
    }
    move_suppressed(&mut findings, suppressed, |finding| {
        let mut applied: Option<&Exception> = None;
        let mut expired: Option<&Exception> = None;
        for (index, exception) in exceptions.iter().enumerate() {
            if !exception.matches(finding) {
                continue;
            }
            used[index] = true;
            if exception.expired {
                expired = expired.or(Some(exception));
            } else {
                applied = applied.or(Some(exception));
            }
        }
        match (applied, expired) {
            (Some(exception), _) => Some(Suppression {
                kind: SuppressionKind::Exception,
                reason: exception.reason.clone(),
                expires: exception.expires.clone(),
            }),
            (None, Some(exception)) => {
                // The fingerprint stays as computed from the rule's own message.
                finding.message = format!(
                    "{} (exception expired {}: {})",
                    finding.message,
                    exception.expires.as_deref().unwrap_or("?"),
                    exception.reason
                )
                .into();
                None
            }
            (None, None) => None,
        }
    });
    (findings, used)
}

/// A parsed `aksguard.io/ignore` annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
struct IgnoreAnnotation {
    rules: Vec<&'static str>,
    reason: String,
}

/// `"POD007,IMG002 -- reason"`: rule IDs, slugs or families, then `--` and a mandatory reason.
fn parse_ignore(value: &str) -> Result<IgnoreAnnotation, String> {
    let Some((list, reason)) = value.split_once("--") else {
        return Err("needs a reason: write `RULES -- reason`".into());
    };
    let reason = reason.trim();
    if reason.is_empty() {
        return Err("the reason after `--` is empty".into());
    }
    let selectors: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if selectors.is_empty() {
        return Err("names no rule before `--`".into());
    }
    let mut rules = Vec::new();
    for selector in &selectors {
        if let Some(id) = crate::select::policy_rule_id(selector) {
            rules.push(id);
            continue;
        }
        let expanded =
            select_rules(std::slice::from_ref(selector), &[]).map_err(|e| e.to_string())?;
        rules.extend(expanded.iter().map(|r| r.id));
    }
    Ok(IgnoreAnnotation {
        rules,
        reason: reason.to_owned(),
    })
}

type ObjectKey = (String, Option<String>, String);

fn object_key(object: &Object) -> ObjectKey {
    (
        object.kind.clone(),
        object.namespace.clone(),
        object.name.clone().unwrap_or_else(|| "<unnamed>".into()),
    )
}

/// Moves findings whose object carries a valid `aksguard.io/ignore` annotation naming their
/// rule to `suppressed`. Only an object's own `metadata.annotations` count (for workloads, not
/// the pod template's). Findings on `Namespace/<name>` follow the Namespace object's
/// annotation. A malformed annotation (no reason, unknown rule) suppresses nothing and is
/// returned as an error naming the file and line, so it can never pass silently.
pub fn apply_annotations(
    inventory: &Inventory,
    mut findings: Vec<Finding>,
    suppressed: &mut Vec<Suppressed>,
) -> (Vec<Finding>, Vec<LoadError>) {
    let mut errors = Vec::new();
    let mut annotated: HashMap<ObjectKey, Vec<(&str, IgnoreAnnotation)>> = HashMap::new();
    for object in inventory.objects() {
        let Some(entry) = object
            .metadata()
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.entry(IGNORE_ANNOTATION))
        else {
            continue;
        };
        let parsed = match entry.value.as_str() {
            Some(value) => parse_ignore(value),
            None => Err("must be a string".into()),
        };
        match parsed {
            Ok(annotation) => annotated
                .entry(object_key(object))
                .or_default()
                .push((&*object.source.path, annotation)),
            Err(message) => errors.push(LoadError::new(
                object.source.path.to_string(),
                Some(entry.key_pos.line),
                format!(
                    "{}: invalid `{IGNORE_ANNOTATION}` annotation: {message}; it suppresses nothing",
                    object.display_name()
                ),
            )),
        }
    }
    if annotated.is_empty() {
        return (findings, errors);
    }
    move_suppressed(&mut findings, suppressed, |finding| {
        let key = (
            finding.object.kind.to_string(),
            finding.object.namespace.as_deref().map(str::to_owned),
            finding.object.name.to_string(),
        );
        // The same object may appear in several files: prefer the one the finding is in.
        let annotation = annotated.get(&key).and_then(|candidates| {
            candidates
                .iter()
                .find(|(path, _)| *path == &*finding.location.path)
                .or(candidates.first())
                .map(|(_, a)| a)
        })?;
        annotation
            .rules
            .contains(&finding.rule_id)
            .then(|| Suppression {
                kind: SuppressionKind::Annotation,
                reason: annotation.reason.clone(),
                expires: None,
            })
    });
    (findings, errors)
}

/// Moves findings whose fingerprint is in the baseline to `suppressed`.
pub fn apply_baseline(
    mut findings: Vec<Finding>,
    fingerprints: &HashSet<String>,
    reason: &str,
    suppressed: &mut Vec<Suppressed>,
) -> Vec<Finding> {
    move_suppressed(&mut findings, suppressed, |finding| {
        fingerprints
            .contains(finding.fingerprint.to_hex().as_str())
            .then(|| Suppression {
                kind: SuppressionKind::Baseline,
                reason: reason.to_owned(),
                expires: None,
            })
    });
    findings
}

/// Moves each finding that `suppression` gives a suppression to `suppressed`, in place: a
/// large scan's findings are never held twice. The rest keep their order.
fn move_suppressed(
    findings: &mut Vec<Finding>,
    suppressed: &mut Vec<Suppressed>,
    mut suppression: impl FnMut(&mut Finding) -> Option<Suppression>,
) {
    let mut suppressions = Vec::new();
    let covered: Vec<Finding> = findings
        .extract_if(.., |finding| match suppression(finding) {
            Some(found) => {
                suppressions.push(found);
                true
            }
            None => false,
        })
        .collect();
    suppressed.extend(
        covered
            .into_iter()
            .zip(suppressions)
            .map(|(finding, suppression)| Suppressed {
                finding,
                suppression,
            }),
    );
}

/// The same order as [`crate::sort_findings`].
pub fn sort_suppressed(suppressed: &mut [Suppressed]) {
    suppressed.sort_by(|a, b| crate::run::report_order(&a.finding, &b.finding));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let p = Pattern::new("billing-*");
        assert!(p.matches("billing-api"));
        assert!(p.matches("billing-"));
        assert!(!p.matches("xbilling-api"));
        assert!(Pattern::new("*").matches(""));
        assert!(Pattern::new("a*b*c").matches("abc"));
        assert!(Pattern::new("a*b*c").matches("a-b-b-c"));
        assert!(!Pattern::new("a*b*c").matches("acb"));
        assert!(!Pattern::new("a*a").matches("a"));
        assert!(Pattern::new("web").matches("web"));
        assert!(!Pattern::new("web").matches("web2"));
        assert!(Pattern::new("*-api").matches("billing-api"));
    }

    #[test]
    fn annotation_syntax() {
        let ok = parse_ignore("POD007, privileged-container -- legacy app").unwrap();
        assert_eq!(ok.rules, vec!["POD007", "POD001"]);
        assert_eq!(ok.reason, "legacy app");
        assert!(parse_ignore("POD007").is_err());
        assert!(parse_ignore("POD007 -- ").is_err());
        assert!(parse_ignore(" -- reason").is_err());
        assert!(
            parse_ignore("POD999 -- reason")
                .unwrap_err()
                .contains("POD999")
        );
    }
}
