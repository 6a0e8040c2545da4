//! A constraint's `spec.match`, judged the way Gatekeeper judges it: kinds, scope,
//! namespaces and excludedNamespaces (with `prefix*` / `*suffix` globs), labelSelector,
//! namespaceSelector (the Namespace object must be in the scan) and name. Every criterion
//! that is set must hold; an empty list or an absent field matches everything.
//! Cluster-scoped objects are not judged by the namespace criteria (Gatekeeper's rule); a
//! Namespace object is judged by its own name and labels.

use serde_json::Value;

use crate::evaluate::ScanContext;

#[derive(Clone, Debug, Default)]
pub struct Match {
    /// `(apiGroups, kinds)`; empty: every kind.
    kinds: Vec<(Vec<String>, Vec<String>)>,
    scope: Scope,
    namespaces: Vec<String>,
    excluded_namespaces: Vec<String>,
    label_selector: Option<Selector>,
    namespace_selector: Option<Selector>,
    name: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Scope {
    #[default]
    All,
    Cluster,
    Namespaced,
}

/// What matching reads of the object under review.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub group: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    /// `None` for a cluster-scoped object.
    pub namespace: Option<&'a str>,
    pub labels: Option<&'a Value>,
}

impl Subject<'_> {
    fn is_namespace(&self) -> bool {
        self.group.is_empty() && self.kind == "Namespace"
    }
}

fn strings(value: Option<&Value>, field: &str) -> Result<Vec<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("`{field}` holds a non-string entry"))
            })
            .collect(),
        Some(_) => Err(format!("`{field}` is not a list")),
    }
}

impl Match {
    pub fn parse(spec: Option<&Value>) -> Result<Match, String> {
        let Some(spec) = spec.filter(|s| !s.is_null()) else {
            return Ok(Match::default());
        };
        let mut parsed = Match::default();
        for entry in spec
            .get("kinds")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            parsed.kinds.push((
                strings(entry.get("apiGroups"), "kinds[].apiGroups")?,
                strings(entry.get("kinds"), "kinds[].kinds")?,
            ));
        }
        parsed.scope = match spec.get("scope").and_then(Value::as_str) {
            None | Some("*") | Some("") => Scope::All,
            Some("Cluster") => Scope::Cluster,
            Some("Namespaced") => Scope::Namespaced,
            Some(other) => return Err(format!("unknown scope `{other}` (*, Cluster, Namespaced)")),
        };
        parsed.namespaces = strings(spec.get("namespaces"), "namespaces")?;
        parsed.excluded_namespaces = strings(spec.get("excludedNamespaces"), "excludedNamespaces")?;
        parsed.label_selector = Selector::parse(spec.get("labelSelector"))?;
        parsed.namespace_selector = Selector::parse(spec.get("namespaceSelector"))?;
        parsed.name = spec.get("name").and_then(Value::as_str).map(str::to_owned);
        Ok(parsed)
    }

    /// Whether judging needs the scan's Namespace objects.
    pub fn needs_namespaces(&self) -> bool {
        self.namespace_selector.is_some()
    }

    pub fn matches(&self, subject: &Subject<'_>, context: &ScanContext) -> bool {
        self.kind_matches(subject)
            && self.scope_matches(subject)
            && self.namespace_matches(subject)
            && self
                .name
                .as_deref()
                .is_none_or(|pattern| glob_matches(pattern, subject.name))
            && self
                .label_selector
                .as_ref()
                .is_none_or(|s| s.matches(subject.labels))
            && self.namespace_selector_matches(subject, context)
    }

    fn kind_matches(&self, subject: &Subject<'_>) -> bool {
        let any = |list: &[String], value: &str| {
            list.is_empty() || list.iter().any(|item| item == "*" || item == value)
        };
        self.kinds.is_empty()
            || self
                .kinds
                .iter()
                .any(|(groups, kinds)| any(groups, subject.group) && any(kinds, subject.kind))
    }

    fn scope_matches(&self, subject: &Subject<'_>) -> bool {
        match self.scope {
            Scope::All => true,
            Scope::Cluster => subject.namespace.is_none(),
            Scope::Namespaced => subject.namespace.is_some(),
        }
    }

    /// The namespace the namespace criteria judge: a Namespace's own name, a namespaced
    /// object's namespace, none for other cluster-scoped objects.
    fn judged_namespace<'a>(subject: &Subject<'a>) -> Option<&'a str> {
        if subject.is_namespace() {
            Some(subject.name)
        } else {
            subject.namespace
        }
    }

    fn namespace_matches(&self, subject: &Subject<'_>) -> bool {
        let Some(namespace) = Self::judged_namespace(subject) else {
            return true;
        };
        let listed = |list: &[String]| list.iter().any(|p| glob_matches(p, namespace));
        (self.namespaces.is_empty() || listed(&self.namespaces))
            && !listed(&self.excluded_namespaces)
    }

    fn namespace_selector_matches(&self, subject: &Subject<'_>, context: &ScanContext) -> bool {
        let Some(selector) = &self.namespace_selector else {
            return true;
        };
        if subject.is_namespace() {
            return selector.matches(subject.labels);
        }
        let Some(namespace) = subject.namespace else {
            return true;
        };
        // A namespace the scan does not have cannot be judged: not matched (documented).
        context
            .namespace(namespace)
            .is_some_and(|ns| selector.matches(ns.pointer("/metadata/labels")))
    }
}

/// Gatekeeper's globs: `prefix*`, `*suffix`, or the exact name.
pub fn glob_matches(pattern: &str, value: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix('*') {
        value.starts_with(prefix)
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        value.ends_with(suffix)
    } else {
        pattern == value
    }
}

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`).
#[derive(Clone, Debug, Default)]
pub struct Selector {
    labels: Vec<(String, String)>,
    expressions: Vec<Expression>,
}

#[derive(Clone, Debug)]
struct Expression {
    key: String,
    operator: Operator,
    values: Vec<String>,
}

#[derive(Clone, Copy, Debug)]
enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Selector {
    pub fn parse(value: Option<&Value>) -> Result<Option<Selector>, String> {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let mut selector = Selector::default();
        if let Some(labels) = value.get("matchLabels").and_then(Value::as_object) {
            for (key, wanted) in labels {
                let wanted = wanted
                    .as_str()
                    .ok_or_else(|| format!("matchLabels `{key}` is not a string"))?;
                selector.labels.push((key.clone(), wanted.to_owned()));
            }
        }
        for expression in value
            .get("matchExpressions")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let key = expression
                .get("key")
                .and_then(Value::as_str)
                .ok_or("matchExpressions entry without `key`")?;
            let operator = match expression.get("operator").and_then(Value::as_str) {
                Some("In") => Operator::In,
                Some("NotIn") => Operator::NotIn,
                Some("Exists") => Operator::Exists,
                Some("DoesNotExist") => Operator::DoesNotExist,
                other => return Err(format!("unknown matchExpressions operator {other:?}")),
            };
            selector.expressions.push(Expression {
                key: key.to_owned(),
                operator,
                values: strings(expression.get("values"), "matchExpressions[].values")?,
            });
        }
        Ok(Some(selector))
    }

    pub fn matches(&self, labels: Option<&Value>) -> bool {
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.labels
            .iter()
            .all(|(key, wanted)| label(key) == Some(wanted.as_str()))
            && self.expressions.iter().all(|e| {
                let value = label(&e.key);
                match e.operator {
                    Operator::In => value.is_some_and(|v| e.values.iter().any(|w| w == v)),
                    Operator::NotIn => value.is_none_or(|v| !e.values.iter().any(|w| w == v)),
                    Operator::Exists => value.is_some(),
                    Operator::DoesNotExist => value.is_none(),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn subject<'a>(kind: &'a str, ns: Option<&'a str>, labels: Option<&'a Value>) -> Subject<'a> {
        Subject {
            group: "",
            kind,
            name: "web",
            namespace: ns,
            labels,
        }
    }

    #[test]
    fn kinds_namespaces_globs_and_scope() {
        let m = Match::parse(Some(&json!({
            "kinds": [{"apiGroups": [""], "kinds": ["Pod"]}],
            "namespaces": ["team-*", "prod"],
            "excludedNamespaces": ["*-system", "team-x"],
            "scope": "Namespaced"
        })))
        .unwrap();
        let ctx = ScanContext::default();
        assert!(m.matches(&subject("Pod", Some("team-a"), None), &ctx));
        assert!(m.matches(&subject("Pod", Some("prod"), None), &ctx));
        assert!(!m.matches(&subject("Pod", Some("team-x"), None), &ctx));
        assert!(!m.matches(&subject("Pod", Some("kube-system"), None), &ctx));
        assert!(!m.matches(&subject("Pod", Some("dev"), None), &ctx));
        assert!(!m.matches(&subject("Service", Some("prod"), None), &ctx));
        assert!(!m.matches(&subject("Pod", None, None), &ctx));
        assert!(Match::parse(Some(&json!({"scope": "Everywhere"}))).is_err());
    }

    #[test]
    fn selectors_read_labels_and_namespace_objects() {
        let m = Match::parse(Some(&json!({
            "labelSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]},
            "namespaceSelector": {"matchLabels": {"env": "prod"}}
        })))
        .unwrap();
        let ctx = ScanContext::new(vec![std::sync::Arc::new(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "shop", "labels": {"env": "prod"}}
        }))]);
        let web = json!({"tier": "web"});
        let db = json!({"tier": "db"});
        assert!(m.matches(&subject("Pod", Some("shop"), Some(&web)), &ctx));
        assert!(!m.matches(&subject("Pod", Some("shop"), Some(&db)), &ctx));
        // The namespace is not in the scan: not matched.
        assert!(!m.matches(&subject("Pod", Some("other"), Some(&web)), &ctx));
        assert!(m.needs_namespaces());
    }
}
