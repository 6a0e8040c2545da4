//! Rendering a scan for people (table) and pipelines (JSON), and rule documentation.
//! Reports never know which rule produced a finding beyond its metadata.

pub mod json;
pub mod rule_doc;
pub mod table;

use aksguard_model::{Finding, LoadError, Severity};

/// Everything a report needs about one scan.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    pub errors: Vec<LoadError>,
    pub files: usize,
    pub objects: usize,
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
