//! `aksguard policy test` for ValidatingAdmissionPolicies: a suite file lists the files
//! that hold the policies, bindings and params, and cases of objects with the decision
//! expected for them.
//!
//! ```yaml
//! apiVersion: test.aksguard.io/v1
//! kind: VapSuite
//! metadata: {name: replica-limit}
//! policies: [policy.yaml, params.yaml]   # relative to the suite file
//! cases:
//! - name: three replicas are allowed
//!   object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: ok}, spec: {replicas: 3}}
//!   expect: allow                        # allow | deny | warn
//! - name: ten replicas are denied
//!   objectFile: samples/ten.yaml         # instead of `object`
//!   namespace: {apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {env: prod}}}
//!   operation: CREATE                    # the default; UPDATE, DELETE, CONNECT
//!   expect: deny
//!   message: "replicas 10"               # a decision's message must contain this
//! ```
//!
//! `allow` means no binding denies or warns; `deny` that one denies; `warn` that one warns
//! and none denies. A policy that does not load fails every case of the suite.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aksguard_load::Limits;
use aksguard_model::LoadError;
use aksguard_model::object::Object;
use serde_json::Value as Json;

use super::evaluate::VapSet;

/// The suite's `apiVersion` and `kind`.
pub const SUITE_API_VERSION: &str = "test.aksguard.io/v1";
pub const SUITE_KIND: &str = "VapSuite";

/// How one case ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VapCaseOutcome {
    Pass,
    Fail(String),
}

/// One case's result.
#[derive(Clone, Debug)]
pub struct VapCaseResult {
    /// The suite file.
    pub suite: String,
    /// `metadata.name` of the suite.
    pub test: String,
    pub case: String,
    pub outcome: VapCaseOutcome,
    pub duration: Duration,
}

/// Whether a document is a VAP suite.
pub fn is_suite(object: &Object) -> bool {
    object.api_version == SUITE_API_VERSION && object.kind == SUITE_KIND
}

/// Whether a file's text holds a VAP suite (a cheap look before parsing).
pub fn is_suite_text(text: &str) -> bool {
    text.lines()
        .any(|l| l.trim_end() == format!("kind: {SUITE_KIND}"))
}

fn read_objects(path: &Path) -> Result<Vec<Object>, LoadError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| LoadError::new(shown.clone(), None, format!("cannot read: {e}")))?;
    let (objects, errors) = aksguard_load::load_text(&shown, &text, &Limits::default());
    match errors.into_iter().next() {
        Some(error) => Err(error),
        None => Ok(objects),
    }
}

/// Runs every suite in one file.
pub fn run_suite_file(path: &Path) -> Result<Vec<VapCaseResult>, LoadError> {
    let mut results = Vec::new();
    for suite in read_objects(path)?.iter().filter(|o| is_suite(o)) {
        results.extend(run_suite(path, suite)?);
    }
    Ok(results)
}

/// Runs one suite document read from `path`.
pub fn run_suite(path: &Path, suite: &Object) -> Result<Vec<VapCaseResult>, LoadError> {
    let shown = path.display().to_string();
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let error = |field: &str, message: String| {
        LoadError::new(
            shown.clone(),
            Some(suite.locate(field).line),
            format!("{field}: {message}"),
        )
    };
    let test = suite.name.clone().unwrap_or_else(|| shown.clone());
    let json = suite.root.to_json();

    let policy_files: Vec<PathBuf> = match json.get("policies").and_then(Json::as_array) {
        Some(files) if !files.is_empty() => files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                f.as_str().map(|f| base.join(f)).ok_or_else(|| {
                    error(&format!("policies[{i}]"), "expected a file name".to_owned())
                })
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(error(
                "policies",
                "must list the files with the policies, bindings and params".to_owned(),
            ));
        }
    };
    let mut documents = Vec::new();
    for file in &policy_files {
        documents.extend(read_objects(file)?);
    }
    let (set, load_errors) = VapSet::load(&documents, &[]);
    let load_failure = (!load_errors.is_empty()).then(|| {
        load_errors
            .iter()
            .map(|e| format!("{}:{}: {}", e.path, e.line.unwrap_or(0), e.message))
            .collect::<Vec<_>>()
            .join("; ")
    });
    if load_failure.is_none() && set.is_empty() {
        return Err(error(
            "policies",
            "no ValidatingAdmissionPolicyBinding was loaded from these files".to_owned(),
        ));
    }

    let cases = match json.get("cases").and_then(Json::as_array) {
        Some(cases) if !cases.is_empty() => cases,
        _ => return Err(error("cases", "must list at least one case".to_owned())),
    };
    let mut results = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let started = Instant::now();
        let at = format!("cases[{i}]");
        let name = case
            .get("name")
            .and_then(Json::as_str)
            .map_or_else(|| at.clone(), str::to_owned);
        let outcome = match &load_failure {
            Some(failure) => VapCaseOutcome::Fail(format!("the policies do not load: {failure}")),
            None => run_case(&set, case, &base).map_err(|e| error(&at, e))?,
        };
        results.push(VapCaseResult {
            suite: shown.clone(),
            test: test.clone(),
            case: name,
            outcome,
            duration: started.elapsed(),
        });
    }
    Ok(results)
}

/// One case: `Err` for a malformed case (the suite is wrong), otherwise pass or fail.
fn run_case(set: &VapSet, case: &Json, base: &Path) -> Result<VapCaseOutcome, String> {
    let object = match (
        case.get("object"),
        case.get("objectFile").and_then(Json::as_str),
    ) {
        (Some(object), None) if object.is_object() => object.clone(),
        (None, Some(file)) => {
            let objects =
                read_objects(&base.join(file)).map_err(|e| format!("objectFile: {}", e.message))?;
            match objects.as_slice() {
                [one] => one.root.to_json(),
                _ => {
                    return Err(format!(
                        "objectFile: {file} must hold exactly one object, it holds {}",
                        objects.len()
                    ));
                }
            }
        }
        _ => return Err("needs exactly one of `object` (a mapping) and `objectFile`".to_owned()),
    };
    let operation = case
        .get("operation")
        .and_then(Json::as_str)
        .unwrap_or("CREATE");
    if !matches!(operation, "CREATE" | "UPDATE" | "DELETE" | "CONNECT") {
        return Err(format!("operation: unknown operation {operation:?}"));
    }
    let expect = case
        .get("expect")
        .and_then(Json::as_str)
        .unwrap_or_default();
    if !matches!(expect, "allow" | "deny" | "warn") {
        return Err(format!(
            "expect: must be allow, deny or warn, not {expect:?}"
        ));
    }
    let outcome = set.review_operation(&object, case.get("namespace"), operation);
    let got = if outcome.denied() {
        "deny"
    } else if outcome.warned() {
        "warn"
    } else {
        "allow"
    };
    let said: Vec<&str> = outcome
        .decisions
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    if got != expect {
        return Ok(VapCaseOutcome::Fail(format!(
            "expected {expect}, got {got} ({said:?})"
        )));
    }
    if let Some(wanted) = case.get("message").and_then(Json::as_str)
        && !said.iter().any(|m| m.contains(wanted))
    {
        return Ok(VapCaseOutcome::Fail(format!(
            "no message contains {wanted:?} ({said:?})"
        )));
    }
    Ok(VapCaseOutcome::Pass)
}
