//! Rendering a scan for people (table) and pipelines (JSON), and rule documentation.
//! Reports never know which rule produced a finding beyond its metadata.

pub mod json;
pub mod rule_doc;
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
