//! Rendering a scan for people (table) and pipelines (JSON), and rule documentation.
//! Reports never know which rule produced a finding beyond its metadata.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rule_doc;
pub mod sarif;
pub mod table;

use aksguard_model::{Finding, FrameworkResult, LoadError, Severity, Suppressed};
use aksguard_rules::Rule;

/// Everything a report needs about one scan.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    /// Active findings (what counts for the exit code).
    pub findings: Vec<Finding>,
    /// Findings an exception, annotation or baseline suppresses (counted, listed on demand).
    pub suppressed: Vec<Suppressed>,
    pub errors: Vec<LoadError>,
    pub files: usize,
    pub objects: usize,
    /// The rules that ran, in ID order (SARIF rule metadata, JUnit passing cases).
    pub rules: Vec<&'static Rule>,
    /// Compliance framework assessments (`--framework`, HTML scores).
    pub frameworks: Vec<FrameworkResult>,
    /// The framework `--framework` limited the run to (`frameworks` then holds only its
    /// result): the table prints its per-control results and JSON adds `frameworks`.
    pub framework: Option<&'static str>,
}

impl ScanReport {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// The tool's name and version, as reports print it.
pub const TOOL_NAME: &str = "aksguard";
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a rule's documentation is published (`docs/rules/<ID>.md` in the repository).
pub fn rule_doc_url(rule_id: &str) -> String {
    format!("https://github.com/aksguard/aksguard/blob/main/docs/rules/{rule_id}.md")
}
