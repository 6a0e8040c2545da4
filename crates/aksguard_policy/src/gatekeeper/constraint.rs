//! A constraint: which objects a template applies to (`spec.match`), with which parameters,
//! and what the cluster does with a violation (`spec.enforcementAction`).

use aksguard_model::Severity;
use serde_json::Value;

use crate::classify::PolicyDocument;
use crate::error::PolicyError;
use crate::gatekeeper::matching::Match;
use crate::rule::{EnforcementAction, annotated_severity};

#[derive(Clone, Debug)]
pub struct Constraint {
    pub name: String,
    pub kind: String,
    pub action: EnforcementAction,
    /// `aksguard.io/severity` on the constraint (it wins over the template's).
    pub severity: Option<Severity>,
    /// `spec.parameters` (`{}` when absent), what Rego reads as `input.parameters`.
    pub parameters: Value,
    pub matcher: Match,
    pub document: PolicyDocument,
}

impl Constraint {
    pub fn parse(document: &PolicyDocument) -> Result<Constraint, PolicyError> {
        let json = &*document.json;
        let action =
            enforcement_action(json).map_err(|e| document.error("spec.enforcementAction", e))?;
        let severity = annotated_severity(
            json.pointer("/metadata/annotations")
                .and_then(|a| a.get(crate::rule::SEVERITY_ANNOTATION))
                .and_then(Value::as_str),
        )
        .map_err(|e| document.error("metadata.annotations", e))?;
        let matcher = Match::parse(json.pointer("/spec/match"))
            .map_err(|e| document.error("spec.match", e))?;
        Ok(Constraint {
            name: document.name().to_owned(),
            kind: document.object.kind.clone(),
            action,
            severity,
            parameters: json
                .pointer("/spec/parameters")
                .cloned()
                .unwrap_or_else(|| Value::Object(Default::default())),
            matcher,
            document: document.clone(),
        })
    }
}

/// `spec.enforcementAction`: `deny` when absent; `scoped` takes the strongest of
/// `scopedEnforcementActions` (aksguard is every enforcement point at once).
fn enforcement_action(json: &Value) -> Result<EnforcementAction, String> {
    let Some(action) = json.pointer("/spec/enforcementAction") else {
        return Ok(EnforcementAction::Deny);
    };
    let text = action.as_str().unwrap_or("");
    if text.eq_ignore_ascii_case("scoped") {
        let scoped = json
            .pointer("/spec/scopedEnforcementActions")
            .and_then(Value::as_array)
            .ok_or("enforcementAction `scoped` without scopedEnforcementActions")?;
        return scoped
            .iter()
            .filter_map(|s| s.get("action").and_then(Value::as_str))
            .map(|a| EnforcementAction::parse(a).ok_or(format!("unknown action `{a}`")))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .max()
            .ok_or_else(|| "scopedEnforcementActions names no action".to_owned());
    }
    EnforcementAction::parse(text).ok_or_else(|| {
        format!("unknown enforcementAction `{text}` (deny, dryrun, warn, audit or scoped)")
    })
}
