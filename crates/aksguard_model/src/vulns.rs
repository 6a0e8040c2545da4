//! Image vulnerability reports as aksguard keeps them, whatever scanner wrote them (Trivy's
//! `trivy image` and `trivy k8s` JSON, Grype's JSON): which images a report scanned, how
//! each is named (digests, tags) and the vulnerabilities found in it. `aksguard_load::vulns`
//! parses the files; rule IMG005 matches the images to the scanned containers.

/// A vulnerability's severity as the scanner rated it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VulnSeverity {
    /// Unknown, unrated or negligible.
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

impl VulnSeverity {
    /// Trivy's `CRITICAL`…`UNKNOWN` and Grype's `Critical`…`Negligible`, any case; `None`
    /// for anything else.
    pub fn parse(text: &str) -> Option<VulnSeverity> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "critical" => VulnSeverity::Critical,
            "high" => VulnSeverity::High,
            "medium" | "moderate" => VulnSeverity::Medium,
            "low" => VulnSeverity::Low,
            "unknown" | "negligible" | "" => VulnSeverity::Unknown,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            VulnSeverity::Critical => "critical",
            VulnSeverity::High => "high",
            VulnSeverity::Medium => "medium",
            VulnSeverity::Low => "low",
            VulnSeverity::Unknown => "unknown",
        }
    }
}

/// One vulnerability of one package in one image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vulnerability {
    /// `CVE-2024-3094`, `GHSA-…`.
    pub id: String,
    pub package: String,
    pub installed: String,
    /// The first version that fixes it; `None` when no fix is published.
    pub fixed: Option<String>,
    pub severity: VulnSeverity,
    pub title: Option<String>,
}

/// The Kubernetes object a `trivy k8s` report found an image in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportedWorkload {
    pub namespace: Option<String>,
    pub kind: String,
    pub name: String,
}

/// One image a report scanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScannedImage {
    /// The name the scanner was given or printed (`ArtifactName`, `userInput`, a `trivy k8s`
    /// result's target), for messages.
    pub name: String,
    /// `repository@sha256:…` as the registry knows the image (`RepoDigests`), and the bare
    /// manifest digest when the report gives one.
    pub digests: Vec<String>,
    /// `repository:tag` names (`RepoTags`, `tags`), the scanned name included.
    pub tags: Vec<String>,
    /// Where a `trivy k8s` report found it.
    pub workload: Option<ReportedWorkload>,
    pub vulnerabilities: Vec<Vulnerability>,
}

/// Which scanner and output wrote a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scanner {
    /// `trivy image -f json` (schema version 2).
    TrivyImage,
    /// `trivy k8s --format json`.
    TrivyK8s,
    /// `grype -o json`.
    Grype,
}

impl Scanner {
    pub fn name(self) -> &'static str {
        match self {
            Scanner::TrivyImage => "trivy image",
            Scanner::TrivyK8s => "trivy k8s",
            Scanner::Grype => "grype",
        }
    }
}

/// One report file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VulnReport {
    /// The file, as given on the command line.
    pub file: String,
    pub scanner: Scanner,
    /// When the scan ran (`CreatedAt`, `descriptor.timestamp`) as written (RFC 3339); `None`
    /// when the report does not say.
    pub created: Option<String>,
    pub images: Vec<ScannedImage>,
}
