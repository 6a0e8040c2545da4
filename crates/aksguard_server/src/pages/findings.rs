//! The findings list of the target and run pages: its filters (a GET form: `severity`,
//! `rule`, `namespace`, `kind`, `q`), its grouping (`group=rule|namespace|object`) and its
//! pages (`page=`, [`PAGE_SIZE`] findings each), all query parameters so a filtered view has
//! a URL and works without script.

use aksguard_model::Severity;
use aksguard_store::{FindingQuery, Store};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::render::PageError;
use super::view::{
    Group, Grouping, PAGE_SIZE, Pager, finding_view, group, pager, parse_page, query_string,
};

/// Longest accepted filter value: longer ones cannot match a rule ID, a namespace or a kind,
/// and a bounded text keeps the store's substring search cheap.
const MAX_FILTER_LENGTH: usize = 256;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct FindingParams {
    pub severity: Option<String>,
    pub rule: Option<String>,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub group: Option<String>,
    pub page: Option<String>,
}

/// The checked parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FindingFilter {
    pub min_severity: Option<Severity>,
    pub rule: String,
    pub namespace: String,
    pub kind: String,
    pub text: String,
    pub grouping: Grouping,
    pub page: u64,
}

impl FindingFilter {
    pub fn parse(params: &FindingParams) -> Result<FindingFilter, PageError> {
        let min_severity = match params.severity.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(text) => Some(Severity::parse(text).ok_or_else(|| {
                PageError::BadRequest(format!(
                    "severity {text:?} is not one of critical, high, medium, low, info."
                ))
            })?),
        };
        let grouping = match params.group.as_deref().filter(|g| !g.is_empty()) {
            None => Grouping::default(),
            Some(text) => Grouping::parse(text).ok_or_else(|| {
                PageError::BadRequest(format!(
                    "group {text:?} is not one of rule, namespace, object."
                ))
            })?,
        };
        let text = |name: &str, value: &Option<String>| -> Result<String, PageError> {
            let value = value.as_deref().unwrap_or("").trim();
            if value.chars().count() > MAX_FILTER_LENGTH {
                return Err(PageError::BadRequest(format!(
                    "{name} is longer than {MAX_FILTER_LENGTH} characters."
                )));
            }
            Ok(value.to_owned())
        };
        Ok(FindingFilter {
            min_severity,
            rule: text("rule", &params.rule)?,
            namespace: text("namespace", &params.namespace)?,
            kind: text("kind", &params.kind)?,
            text: text("q", &params.q)?,
            grouping,
            page: parse_page(params.page.as_deref())?,
        })
    }

    /// The store query of this filter's page (one more than a page, to know whether there is
    /// a next one).
    fn query(&self) -> FindingQuery {
        let some = |value: &str| (!value.is_empty()).then(|| value.to_owned());
        FindingQuery {
            rule_id: some(&self.rule),
            min_severity: self.min_severity,
            namespace: some(&self.namespace),
            kind: some(&self.kind),
            text: some(&self.text),
            include_suppressed: false,
            limit: Some(PAGE_SIZE + 1),
            offset: (self.page - 1) * PAGE_SIZE,
        }
    }

    /// `base` with this filter's parameters, at `page`.
    pub fn href(&self, base: &str, page: u64) -> String {
        let page = page.to_string();
        let query = query_string(&[
            (
                "severity",
                self.min_severity.map(Severity::as_str).unwrap_or(""),
            ),
            ("rule", &self.rule),
            ("namespace", &self.namespace),
            ("kind", &self.kind),
            ("q", &self.text),
            (
                "group",
                if self.grouping == Grouping::default() {
                    ""
                } else {
                    self.grouping.as_str()
                },
            ),
            ("page", if page == "1" { "" } else { &page }),
        ]);
        format!("{base}{query}")
    }

    fn is_active(&self) -> bool {
        self.min_severity.is_some()
            || !self.rule.is_empty()
            || !self.namespace.is_empty()
            || !self.kind.is_empty()
            || !self.text.is_empty()
    }
}

/// The findings section as the templates show it.
#[derive(Debug, Serialize)]
pub struct FindingsSection {
    /// The page's own URL (the form's action, the "clear" link).
    pub action: String,
    pub groups: Vec<Group>,
    /// Findings on this page.
    pub shown: usize,
    pub pager: Pager,
    pub filter: FilterView,
}

#[derive(Debug, Serialize)]
pub struct FilterView {
    pub severity: &'static str,
    pub rule: String,
    pub namespace: String,
    pub kind: String,
    pub q: String,
    pub group: &'static str,
    pub active: bool,
    pub severities: [&'static str; 5],
    pub groupings: [&'static str; 3],
}

/// Reads the page of findings open at `run_id` that `filter` selects.
pub async fn section(
    store: &Store,
    run_id: i64,
    filter: &FindingFilter,
    action: &str,
    now: Timestamp,
) -> Result<FindingsSection, PageError> {
    let mut findings = store.findings_at(run_id, &filter.query()).await?;
    let more = findings.len() as u64 > PAGE_SIZE;
    findings.truncate(PAGE_SIZE as usize);
    let views = findings.iter().map(|f| finding_view(f, now)).collect();
    Ok(build_section(views, more, filter, action))
}

/// The section of an already read page of findings (`more`: the store had another).
pub fn build_section(
    findings: Vec<super::view::FindingView>,
    more: bool,
    filter: &FindingFilter,
    action: &str,
) -> FindingsSection {
    let shown = findings.len();
    FindingsSection {
        action: action.to_owned(),
        pager: pager(filter.page, shown, more, |page| filter.href(action, page)),
        groups: group(findings, filter.grouping),
        shown,
        filter: FilterView {
            severity: filter.min_severity.map(Severity::as_str).unwrap_or(""),
            rule: filter.rule.clone(),
            namespace: filter.namespace.clone(),
            kind: filter.kind.clone(),
            q: filter.text.clone(),
            group: filter.grouping.as_str(),
            active: filter.is_active(),
            severities: ["critical", "high", "medium", "low", "info"],
            groupings: ["rule", "namespace", "object"],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> FindingParams {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        };
        FindingParams {
            severity: get("severity"),
            rule: get("rule"),
            namespace: get("namespace"),
            kind: get("kind"),
            q: get("q"),
            group: get("group"),
            page: get("page"),
        }
    }

    #[test]
    fn filters_become_a_bounded_store_query() {
        let filter = FindingFilter::parse(&params(&[
            ("severity", "HIGH"),
            ("rule", " POD001 "),
            ("q", "payments"),
            ("group", "object"),
            ("page", "3"),
        ]))
        .unwrap();
        let query = filter.query();
        assert_eq!(query.min_severity, Some(Severity::High));
        assert_eq!(query.rule_id.as_deref(), Some("POD001"));
        assert_eq!(query.namespace, None);
        assert_eq!(query.text.as_deref(), Some("payments"));
        assert_eq!(query.limit, Some(PAGE_SIZE + 1));
        assert_eq!(query.offset, 2 * PAGE_SIZE);
        assert!(!query.include_suppressed);
        assert_eq!(
            filter.href("/targets/4", 4),
            "/targets/4?severity=high&rule=POD001&q=payments&group=object&page=4"
        );
        assert!(!filter.href("/targets/4", 1).contains("page"));
    }

    #[test]
    fn unusable_parameters_are_bad_requests_that_say_what_exists() {
        for (pairs, says) in [
            (vec![("severity", "urgent")], "critical, high"),
            (vec![("group", "colour")], "rule, namespace, object"),
            (vec![("page", "0")], "page must be"),
        ] {
            match FindingFilter::parse(&params(&pairs)) {
                Err(PageError::BadRequest(message)) => assert!(message.contains(says), "{message}"),
                other => panic!("{pairs:?}: {other:?}"),
            }
        }
        let long = "x".repeat(MAX_FILTER_LENGTH + 1);
        assert!(FindingFilter::parse(&params(&[("q", &long)])).is_err());
        let none = FindingFilter::parse(&FindingParams::default()).unwrap();
        assert_eq!(none.page, 1);
        assert!(!none.is_active());
        assert_eq!(none.href("/runs/2", 1), "/runs/2");
    }
}
