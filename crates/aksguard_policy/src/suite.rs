//! `aksguard policy test`: Gatekeeper `suite.yaml` files (`kind: Suite`,
//! `test.gatekeeper.sh`), run like `gator verify`. Each test names a template and a
//! constraint; each case an object (or an AdmissionReview, for UPDATE/DELETE and userInfo),
//! optional inventory objects for referential templates, and assertions: `violations: yes`
//! (at least one), `no` (none) or `N` (exactly N), counting only the violations whose message
//! matches the optional `message` regular expression. Paths are relative to the suite file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::classify::{PolicyDocument, PolicyDocuments, read_documents};
use crate::error::PolicyError;
use crate::evaluate::{Operation, PolicySet, Review, ScanContext};

/// How one case ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseOutcome {
    Pass,
    /// Why it failed (an assertion that does not hold, a policy that does not load).
    Fail(String),
    /// `skip: true` in the suite.
    Skip,
}

#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The suite file.
    pub suite: String,
    /// The test's name (template + constraint).
    pub test: String,
    pub case: String,
    pub outcome: CaseOutcome,
    pub duration: Duration,
}

impl CaseResult {
    /// `suite.yaml › test › case`, how reports name a case.
    pub fn title(&self) -> String {
        format!("{} › {} › {}", self.suite, self.test, self.case)
    }
}

/// Every case of the suites under some paths, and the suites that could not be read.
#[derive(Clone, Debug, Default)]
pub struct TestReport {
    pub cases: Vec<CaseResult>,
    pub errors: Vec<PolicyError>,
}

impl TestReport {
    pub fn passed(&self) -> usize {
        self.count(|o| *o == CaseOutcome::Pass)
    }

    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, CaseOutcome::Fail(_)))
    }

    pub fn skipped(&self) -> usize {
        self.count(|o| *o == CaseOutcome::Skip)
    }

    fn count(&self, wanted: impl Fn(&CaseOutcome) -> bool) -> usize {
        self.cases.iter().filter(|c| wanted(&c.outcome)).count()
    }

    /// Whether everything passed: no failed case, no unreadable suite, and at least one case
    /// (a path with no suite is a failure, not a pass).
    pub fn success(&self) -> bool {
        self.failed() == 0 && self.errors.is_empty() && !self.cases.is_empty()
    }
}

/// Runs every suite file under `paths` (files, or directories searched for `*.yaml` files
/// whose documents are `kind: Suite`).
pub fn run_paths(paths: &[PathBuf]) -> TestReport {
    let mut report = TestReport::default();
    for path in paths {
        let mut files = Vec::new();
        if let Err(error) = suite_files(path, &mut files) {
            report.errors.push(error);
            continue;
        }
        if files.is_empty() {
            report.errors.push(PolicyError::new(
                path.display().to_string(),
                None,
                "no Gatekeeper suite (kind: Suite) or VAP suite (kind: VapSuite) found",
            ));
        }
        for file in files {
            let result = if is_vap_suite_file(&file) {
                run_vap_suite(&file)
            } else {
                run_suite(&file)
            };
            match result {
                Ok(cases) => report.cases.extend(cases),
                Err(error) => report.errors.push(error),
            }
        }
    }
    report
}

fn suite_files(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        PolicyError::new(
            path.display().to_string(),
            None,
            format!("cannot read: {e}"),
        )
    })?;
    if !meta.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| {
            PolicyError::new(
                path.display().to_string(),
                None,
                format!("cannot list: {e}"),
            )
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            suite_files(&entry, files)?;
        } else if matches!(
            entry.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) && std::fs::read_to_string(&entry)
            .is_ok_and(|t| is_suite_text(&t) || crate::vap::suite::is_suite_text(&t))
        {
            files.push(entry);
        }
    }
    Ok(())
}

fn is_vap_suite_file(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| crate::vap::suite::is_suite_text(&t))
}

/// Runs a ValidatingAdmissionPolicy suite (`kind: VapSuite`, see [`crate::vap::suite`]).
fn run_vap_suite(path: &Path) -> Result<Vec<CaseResult>, PolicyError> {
    use crate::vap::suite::{VapCaseOutcome, run_suite_file};
    let results = run_suite_file(path).map_err(|e| PolicyError::new(e.path, e.line, e.message))?;
    Ok(results
        .into_iter()
        .map(|r| CaseResult {
            suite: r.suite,
            test: r.test,
            case: r.case,
            outcome: match r.outcome {
                VapCaseOutcome::Pass => CaseOutcome::Pass,
                VapCaseOutcome::Fail(why) => CaseOutcome::Fail(why),
            },
            duration: r.duration,
        })
        .collect())
}

fn is_suite_text(text: &str) -> bool {
    text.lines().any(|l| l.trim_end() == "kind: Suite") && text.contains("test.gatekeeper.sh/")
}

/// Runs one suite file.
pub fn run_suite(path: &Path) -> Result<Vec<CaseResult>, PolicyError> {
    let shown = path.display().to_string();
    let (documents, errors) = read_documents(path);
    if let Some(error) = errors.into_iter().next() {
        return Err(error);
    }
    let suite = documents
        .iter()
        .find(|d| d.object.kind == "Suite")
        .ok_or_else(|| PolicyError::new(&shown, None, "not a Gatekeeper suite (kind: Suite)"))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let tests = suite
        .json
        .get("tests")
        .and_then(Value::as_array)
        .ok_or_else(|| suite.error("tests", "the suite has no `tests` list"))?;
    let mut results = Vec::new();
    for (i, test) in tests.iter().enumerate() {
        let name = test
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("tests[{i}]"), str::to_owned);
        run_test(&shown, base, &name, test, &mut results);
    }
    Ok(results)
}

fn is_skipped(value: &Value) -> bool {
    value.get("skip").and_then(Value::as_bool) == Some(true)
}

fn run_test(suite: &str, base: &Path, name: &str, test: &Value, results: &mut Vec<CaseResult>) {
    let cases = test
        .get("cases")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let started = Instant::now();
    let policies = if is_skipped(test) {
        Err(String::new())
    } else {
        load_test_policies(base, test)
    };
    for (i, case) in cases.iter().enumerate() {
        let case_name = case
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("cases[{i}]"), str::to_owned);
        let case_started = Instant::now();
        let outcome = if is_skipped(test) || is_skipped(case) {
            CaseOutcome::Skip
        } else {
            match &policies {
                Err(message) => CaseOutcome::Fail(message.clone()),
                Ok(set) => run_case(base, set, case),
            }
        };
        results.push(CaseResult {
            suite: suite.to_owned(),
            test: name.to_owned(),
            case: case_name,
            outcome,
            duration: case_started.elapsed()
                + if i == 0 {
                    started.elapsed()
                } else {
                    Duration::ZERO
                },
        });
    }
}

/// Reads the documents of a file named by the suite, relative to it.
fn read_relative(
    base: &Path,
    value: Option<&Value>,
    what: &str,
) -> Result<Vec<PolicyDocument>, String> {
    let relative = value
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the suite names no {what}"))?;
    let path = base.join(relative);
    let (documents, errors) = read_documents(&path);
    if let Some(error) = errors.into_iter().next() {
        return Err(error.to_string());
    }
    if documents.is_empty() {
        return Err(format!("{}: no Kubernetes object", path.display()));
    }
    Ok(documents)
}

fn load_test_policies(base: &Path, test: &Value) -> Result<PolicySet, String> {
    let mut documents = read_relative(base, test.get("template"), "template")?;
    if let Some(constraint) = test.get("constraint") {
        documents.extend(read_relative(base, Some(constraint), "constraint")?);
    }
    let sorted = PolicyDocuments::classify(documents);
    let (set, errors) = PolicySet::build(&sorted);
    if !errors.is_empty() {
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(shown.join("; "));
    }
    Ok(set)
}

/// An expectation: how many violations (`None`: at least one) whose message matches.
struct Assertion {
    count: Option<usize>,
    message: Option<regex::Regex>,
    shown: String,
}

fn assertion(value: &Value) -> Result<Assertion, String> {
    let count = match value.get("violations") {
        None => None,
        Some(Value::Bool(true)) => None,
        Some(Value::Bool(false)) => Some(0),
        Some(Value::String(text)) if text == "yes" => None,
        Some(Value::String(text)) if text == "no" => Some(0),
        Some(Value::Number(n)) => Some(n.as_u64().ok_or("violations: not a count")? as usize),
        Some(Value::String(text)) => Some(
            text.parse()
                .map_err(|_| format!("violations: `{text}` is not yes, no or a count"))?,
        ),
        Some(other) => return Err(format!("violations: `{other}` is not yes, no or a count")),
    };
    let message = match value.get("message").and_then(Value::as_str) {
        None => None,
        Some(pattern) => Some(
            regex::Regex::new(pattern)
                .map_err(|e| format!("message: bad regular expression: {e}"))?,
        ),
    };
    Ok(Assertion {
        count,
        message,
        shown: value.to_string(),
    })
}

fn run_case(base: &Path, set: &PolicySet, case: &Value) -> CaseOutcome {
    match judge_case(base, set, case) {
        Ok(()) => CaseOutcome::Pass,
        Err(reason) => CaseOutcome::Fail(reason),
    }
}

fn judge_case(base: &Path, set: &PolicySet, case: &Value) -> Result<(), String> {
    let documents = read_relative(base, case.get("object"), "object")?;
    let mut inventory = Vec::new();
    for file in case
        .get("inventory")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        for document in read_relative(base, Some(file), "inventory file")? {
            inventory.push(document.json.clone());
        }
    }
    let context = ScanContext::new(inventory);
    let object = &documents[0];
    let messages = evaluate_document(set, object, &context)?;
    let assertions = case
        .get("assertions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for value in assertions {
        let assertion = assertion(value)?;
        let matching = messages
            .iter()
            .filter(|m| assertion.message.as_ref().is_none_or(|re| re.is_match(m)))
            .count();
        let holds = match assertion.count {
            None => matching > 0,
            Some(n) => matching == n,
        };
        if !holds {
            return Err(format!(
                "assertion {} does not hold: {matching} matching violation(s) of {}: {messages:?}",
                assertion.shown,
                messages.len()
            ));
        }
    }
    Ok(())
}

/// The messages of every violation of `document` (an object, or an AdmissionReview whose
/// `request` gives the object, the operation, the old object and the user).
pub fn evaluate_document(
    set: &PolicySet,
    document: &PolicyDocument,
    context: &ScanContext,
) -> Result<Vec<String>, String> {
    let json: &Value = &document.json;
    let is_review =
        document.object.kind == "AdmissionReview" && document.group() == "admission.k8s.io";
    let (object, operation, old, user, request) = match is_review {
        false => (json, Operation::Create, None, None, None),
        true => {
            let request = json
                .get("request")
                .ok_or("AdmissionReview without `request`")?;
            let operation = request
                .get("operation")
                .and_then(Value::as_str)
                .map_or(Some(Operation::Create), Operation::parse)
                .ok_or("AdmissionReview with an unknown operation")?;
            let old = request.get("oldObject").filter(|o| !o.is_null());
            let object = request
                .get("object")
                .filter(|o| !o.is_null())
                .or(old)
                .ok_or("AdmissionReview without `object` or `oldObject`")?;
            (
                object,
                operation,
                old,
                request.get("userInfo"),
                Some(request),
            )
        }
    };
    let field = |name: &str| request.and_then(|r| r.get(name));
    let review = Review {
        object: &document.object,
        json: object,
        operation,
        old_object: old,
        user_info: user,
        name: field("name").and_then(Value::as_str),
        namespace: field("namespace")
            .and_then(Value::as_str)
            .filter(|ns| !ns.is_empty()),
        dry_run: field("dryRun").and_then(Value::as_bool).unwrap_or(false),
    };
    let verdicts = set.evaluate(&review, context, None);
    if let Some(error) = verdicts.errors.first() {
        return Err(error.to_string());
    }
    Ok(verdicts.violations.into_iter().map(|v| v.message).collect())
}

/// The report as JUnit XML: one test suite per suite file, one test case per case.
pub fn junit(report: &TestReport) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut junit = Report::new("aksguard policy test");
    let mut suites: Vec<TestSuite> = Vec::new();
    for case in &report.cases {
        if suites.last().is_none_or(|s| s.name.as_str() != case.suite) {
            suites.push(TestSuite::new(case.suite.clone()));
        }
        let status = match &case.outcome {
            CaseOutcome::Pass => TestCaseStatus::success(),
            CaseOutcome::Skip => TestCaseStatus::skipped(),
            CaseOutcome::Fail(reason) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(reason.clone());
                status
            }
        };
        let mut test_case = TestCase::new(format!("{} › {}", case.test, case.case), status);
        test_case.set_classname(case.suite.clone());
        test_case.set_time(case.duration);
        if let Some(suite) = suites.last_mut() {
            suite.add_test_case(test_case);
        }
    }
    for error in &report.errors {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(error.to_string());
        let mut suite = TestSuite::new(error.path.clone());
        suite.add_test_case(TestCase::new("load", status));
        suites.push(suite);
    }
    junit.add_test_suites(suites);
    junit
        .to_string()
        .unwrap_or_else(|e| format!("<!-- JUnit serialisation failed: {e} -->\n"))
}
