//! Image vulnerability reports (`scan --vulns FILE`): Trivy's `trivy image -f json` (schema
//! version 2) and `trivy k8s --format json` reports, and Grype's `grype -o json`, read into
//! [`aksguard_model::vulns::VulnReport`].
//!
//! The format is recognised from the top-level members (`SchemaVersion`, `Resources` or
//! `ClusterName`, `matches`), never from the file name. A report that is not JSON, is none of
//! these, has another Trivy schema version or has a member of the wrong type is an error
//! naming the file and the JSON path (`Results[2].Vulnerabilities[0].Severity`): a report
//! read wrongly would hide vulnerabilities, so nothing is guessed. Sizes are bounded (file
//! bytes, images, vulnerabilities); serde_json bounds the nesting depth.

use std::fmt;
use std::path::Path;

use aksguard_model::vulns::{
    ReportedWorkload, ScannedImage, Scanner, VulnReport, VulnSeverity, Vulnerability,
};
use serde_json::{Map, Value};

/// Reports larger than this are refused (Trivy's report of a large cluster is tens of MiB).
pub const MAX_REPORT_BYTES: u64 = 256 * 1024 * 1024;
/// Most images one report may hold.
pub const MAX_IMAGES: usize = 100_000;
/// Most vulnerabilities one report may hold, over all its images.
pub const MAX_VULNERABILITIES: usize = 5_000_000;

/// Why a report cannot be used: the file, where in it (a JSON path) when known, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VulnReportError {
    pub file: String,
    pub path: Option<String>,
    pub message: String,
}

impl fmt::Display for VulnReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(
                f,
                "vulnerability report {}: at {path}: {}",
                self.file, self.message
            ),
            None => write!(f, "vulnerability report {}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for VulnReportError {}

/// Reads and parses the report at `path` (shown as given).
pub fn read_vuln_report(path: &Path) -> Result<VulnReport, VulnReportError> {
    read_vuln_report_limited(path, MAX_REPORT_BYTES)
}

/// [`read_vuln_report`] with another size limit (tests).
pub fn read_vuln_report_limited(
    path: &Path,
    max_bytes: u64,
) -> Result<VulnReport, VulnReportError> {
    let file = path.display().to_string();
    let fail = |message: String| VulnReportError {
        file: file.clone(),
        path: None,
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read: {e}")))?
        .len();
    if size > max_bytes {
        return Err(fail(format!(
            "{size} bytes, more than the {max_bytes} bytes a report may have"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| fail("not UTF-8 text".to_owned()))?;
    parse_vuln_report(&file, &text)
}

/// Parses the text of a report shown as `file`.
pub fn parse_vuln_report(file: &str, text: &str) -> Result<VulnReport, VulnReportError> {
    let value: Value = serde_json::from_str(text).map_err(|err| VulnReportError {
        file: file.to_owned(),
        path: None,
        message: if err.is_eof() {
            format!("truncated JSON ({err})")
        } else {
            format!("not valid JSON: {err}")
        },
    })?;
    let mut reader = Reader {
        file,
        vulnerabilities: 0,
    };
    reader.report(&value)
}

/// Walks one report, counting what the bounds limit.
struct Reader<'a> {
    file: &'a str,
    vulnerabilities: usize,
}

/// Where in the document a value is, for errors.
type JsonPath<'p> = &'p str;

fn member(path: JsonPath<'_>, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn index(path: JsonPath<'_>, i: usize) -> String {
    format!("{path}[{i}]")
}

impl Reader<'_> {
    fn error(&self, path: &str, message: impl Into<String>) -> VulnReportError {
        VulnReportError {
            file: self.file.to_owned(),
            path: (!path.is_empty()).then(|| path.to_owned()),
            message: message.into(),
        }
    }

    fn report(&mut self, value: &Value) -> Result<VulnReport, VulnReportError> {
        let Value::Object(root) = value else {
            let hint = if value.is_array() {
                " (an array: a Trivy report older than schema version 2? re-run with a Trivy \
                 from 0.20 on)"
            } else {
                ""
            };
            return Err(self.error("", format!("not a Trivy or Grype JSON report{hint}")));
        };
        if root.contains_key("SchemaVersion") {
            self.trivy_image(root)
        } else if root.contains_key("Resources") || root.contains_key("ClusterName") {
            self.trivy_k8s(root)
        } else if root.contains_key("matches") {
            self.grype(root)
        } else {
            Err(self.error(
                "",
                "not a Trivy or Grype JSON report (none of `SchemaVersion`, `Resources`, \
                 `ClusterName` or `matches`)",
            ))
        }
    }

    // ---- typed accessors; absent and null are the same ----

    fn object<'v>(
        &self,
        value: &'v Value,
        path: &str,
    ) -> Result<&'v Map<String, Value>, VulnReportError> {
        value
            .as_object()
            .ok_or_else(|| self.error(path, format!("expected an object, found {}", kind(value))))
    }

    fn opt<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
        map.get(key).filter(|v| !v.is_null())
    }

    fn opt_str<'v>(
        &self,
        map: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<&'v str>, VulnReportError> {
        match Self::opt(map, key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.error(
                &member(path, key),
                format!("expected a string, found {}", kind(other)),
            )),
        }
    }

    fn req_str<'v>(
        &self,
        map: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<&'v str, VulnReportError> {
        self.opt_str(map, key, path)?
            .filter(|text| !text.trim().is_empty())
            .ok_or_else(|| self.error(&member(path, key), "missing or empty"))
    }

    fn opt_array<'v>(
        &self,
        map: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<&'v [Value], VulnReportError> {
        match Self::opt(map, key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(self.error(
                &member(path, key),
                format!("expected an array, found {}", kind(other)),
            )),
        }
    }

    fn strings(
        &self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Vec<String>, VulnReportError> {
        let here = member(path, key);
        self.opt_array(map, key, path)?
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(text) => Ok(text.trim().to_owned()),
                other => Err(self.error(
                    &index(&here, i),
                    format!("expected a string, found {}", kind(other)),
                )),
            })
            .filter(|item| !matches!(item, Ok(text) if text.is_empty()))
            .collect()
    }

    fn severity(&self, text: &str, path: &str) -> Result<VulnSeverity, VulnReportError> {
        VulnSeverity::parse(text).ok_or_else(|| {
            self.error(
                path,
                format!(
                    "unknown severity `{text}` (critical, high, medium, low, negligible or \
                     unknown)"
                ),
            )
        })
    }

    fn count(&mut self, more: usize, path: &str) -> Result<(), VulnReportError> {
        self.vulnerabilities += more;
        if self.vulnerabilities > MAX_VULNERABILITIES {
            return Err(self.error(
                path,
                format!("more than {MAX_VULNERABILITIES} vulnerabilities in one report"),
            ));
        }
        Ok(())
    }

    fn bounded_images(&self, images: &[Value], path: &str) -> Result<(), VulnReportError> {
        if images.len() > MAX_IMAGES {
            return Err(self.error(
                path,
                format!("more than {MAX_IMAGES} images or resources in one report"),
            ));
        }
        Ok(())
    }

    fn created(&self, text: Option<&str>, path: &str) -> Result<Option<String>, VulnReportError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(text) if looks_like_timestamp(text) => Ok(Some(text.to_owned())),
            Some(text) => Err(self.error(path, format!("`{text}` is not an RFC 3339 timestamp"))),
        }
    }

    // ---- Trivy ----

    /// `trivy image -f json`.
    fn trivy_image(&mut self, root: &Map<String, Value>) -> Result<VulnReport, VulnReportError> {
        match root.get("SchemaVersion") {
            Some(Value::Number(n)) if n.as_u64() == Some(2) => {}
            Some(other) => {
                return Err(self.error(
                    "SchemaVersion",
                    format!("unsupported Trivy schema version {other} (aksguard reads version 2)"),
                ));
            }
            None => return Err(self.error("SchemaVersion", "missing")),
        }
        if let Some(kind) = self.opt_str(root, "ArtifactType", "")?
            && kind != "container_image"
        {
            return Err(self.error(
                "ArtifactType",
                format!("`{kind}`: not the scan of a container image (`trivy image`)"),
            ));
        }
        let name = self.req_str(root, "ArtifactName", "")?.trim().to_owned();
        let created = self.created(self.opt_str(root, "CreatedAt", "")?, "CreatedAt")?;
        let (mut digests, mut tags) = match Self::opt(root, "Metadata") {
            None => (Vec::new(), Vec::new()),
            Some(metadata) => self.trivy_metadata(metadata, "Metadata")?,
        };
        add_name(&name, &mut digests, &mut tags);
        let vulnerabilities = self.trivy_results(root, "")?;
        Ok(VulnReport {
            file: self.file.to_owned(),
            scanner: Scanner::TrivyImage,
            created,
            images: vec![ScannedImage {
                name,
                digests,
                tags,
                workload: None,
                vulnerabilities,
            }],
        })
    }

    /// `Metadata` of an image: `RepoDigests` and `RepoTags`.
    fn trivy_metadata(
        &self,
        value: &Value,
        path: &str,
    ) -> Result<(Vec<String>, Vec<String>), VulnReportError> {
        let metadata = self.object(value, path)?;
        Ok((
            self.strings(metadata, "RepoDigests", path)?,
            self.strings(metadata, "RepoTags", path)?,
        ))
    }

    /// The vulnerabilities of every `Results[]` entry under `path`.
    fn trivy_results(
        &mut self,
        parent: &Map<String, Value>,
        path: &str,
    ) -> Result<Vec<Vulnerability>, VulnReportError> {
        let results_path = member(path, "Results");
        let mut out = Vec::new();
        for (i, result) in self.opt_array(parent, "Results", path)?.iter().enumerate() {
            let here = index(&results_path, i);
            let result = self.object(result, &here)?;
            out.extend(self.trivy_vulnerabilities(result, &here)?);
        }
        Ok(out)
    }

    fn trivy_vulnerabilities(
        &mut self,
        result: &Map<String, Value>,
        path: &str,
    ) -> Result<Vec<Vulnerability>, VulnReportError> {
        let list_path = member(path, "Vulnerabilities");
        let items = self.opt_array(result, "Vulnerabilities", path)?;
        self.count(items.len(), &list_path)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let here = index(&list_path, i);
            let vuln = self.object(item, &here)?;
            let severity = self.req_str(vuln, "Severity", &here)?;
            out.push(Vulnerability {
                id: self
                    .req_str(vuln, "VulnerabilityID", &here)?
                    .trim()
                    .to_owned(),
                package: self.req_str(vuln, "PkgName", &here)?.trim().to_owned(),
                installed: self
                    .opt_str(vuln, "InstalledVersion", &here)?
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                fixed: non_empty(self.opt_str(vuln, "FixedVersion", &here)?),
                severity: self.severity(severity, &member(&here, "Severity"))?,
                title: non_empty(self.opt_str(vuln, "Title", &here)?),
            });
        }
        Ok(out)
    }

    /// `trivy k8s --format json`: `Resources[]` (the older `Vulnerabilities[]` list of
    /// resources is read the same way), each a workload with its images' `Metadata` and
    /// `Results`.
    fn trivy_k8s(&mut self, root: &Map<String, Value>) -> Result<VulnReport, VulnReportError> {
        let key = if root.contains_key("Resources") {
            "Resources"
        } else {
            "Vulnerabilities"
        };
        let resources = self.opt_array(root, key, "")?;
        self.bounded_images(resources, key)?;
        let created = self.created(self.opt_str(root, "CreatedAt", "")?, "CreatedAt")?;
        let mut images = Vec::new();
        for (i, resource) in resources.iter().enumerate() {
            let here = index(key, i);
            let resource = self.object(resource, &here)?;
            images.extend(self.trivy_resource(resource, &here)?);
            if images.len() > MAX_IMAGES {
                return Err(self.error(&here, format!("more than {MAX_IMAGES} images")));
            }
        }
        Ok(VulnReport {
            file: self.file.to_owned(),
            scanner: Scanner::TrivyK8s,
            created,
            images,
        })
    }

    /// One resource's images. With one image (one `Metadata` entry, or none) every result is
    /// its; with several, a result goes to the image its target names (`nginx:1.25 (debian
    /// 12.5)`), and results naming none stay with the resource's first image only when it
    /// has one (a language-package target is a path inside some image: it cannot be told
    /// which, so it is dropped rather than pinned on the wrong image).
    fn trivy_resource(
        &mut self,
        resource: &Map<String, Value>,
        path: &str,
    ) -> Result<Vec<ScannedImage>, VulnReportError> {
        let workload = ReportedWorkload {
            namespace: non_empty(self.opt_str(resource, "Namespace", path)?),
            kind: self.req_str(resource, "Kind", path)?.trim().to_owned(),
            name: self.req_str(resource, "Name", path)?.trim().to_owned(),
        };
        let metadata_path = member(path, "Metadata");
        let metadata: Vec<(Vec<String>, Vec<String>)> = match Self::opt(resource, "Metadata") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.trivy_metadata(item, &index(&metadata_path, i)))
                .collect::<Result<_, _>>()?,
            Some(single) => vec![self.trivy_metadata(single, &metadata_path)?],
        };
        let results_path = member(path, "Results");
        let mut by_target: Vec<(String, Vec<Vulnerability>)> = Vec::new();
        for (i, result) in self
            .opt_array(resource, "Results", path)?
            .iter()
            .enumerate()
        {
            let here = index(&results_path, i);
            let result = self.object(result, &here)?;
            let target = self.opt_str(result, "Target", &here)?.unwrap_or_default();
            let vulnerabilities = self.trivy_vulnerabilities(result, &here)?;
            by_target.push((image_of_target(target).to_owned(), vulnerabilities));
        }
        let mut images: Vec<ScannedImage> = metadata
            .into_iter()
            .map(|(digests, tags)| ScannedImage {
                name: tags
                    .first()
                    .or(digests.first())
                    .cloned()
                    .unwrap_or_default(),
                digests,
                tags,
                workload: Some(workload.clone()),
                vulnerabilities: Vec::new(),
            })
            .collect();
        if images.is_empty() {
            // No metadata: the OS-package targets name the images.
            for (target, _) in &by_target {
                if !target.is_empty()
                    && looks_like_image(target)
                    && !images.iter().any(|image| image.name == *target)
                {
                    let mut tags = Vec::new();
                    let mut digests = Vec::new();
                    add_name(target, &mut digests, &mut tags);
                    images.push(ScannedImage {
                        name: target.clone(),
                        digests,
                        tags,
                        workload: Some(workload.clone()),
                        vulnerabilities: Vec::new(),
                    });
                }
            }
        }
        if images.is_empty() {
            // A resource without images (misconfiguration results only).
            return Ok(Vec::new());
        }
        let single = images.len() == 1;
        for (target, vulnerabilities) in by_target {
            let named = images
                .iter()
                .position(|image| image.name == target || image.tags.contains(&target));
            match named {
                Some(at) => images[at].vulnerabilities.extend(vulnerabilities),
                None if single => images[0].vulnerabilities.extend(vulnerabilities),
                None => {}
            }
        }
        Ok(images)
    }

    // ---- Grype ----

    /// `grype -o json`: `matches[]` of one `source` image.
    fn grype(&mut self, root: &Map<String, Value>) -> Result<VulnReport, VulnReportError> {
        let source = match Self::opt(root, "source") {
            Some(source) => self.object(source, "source")?,
            None => {
                return Err(self.error(
                    "source",
                    "missing: the report does not say which image it scanned",
                ));
            }
        };
        if let Some(kind) = self.opt_str(source, "type", "source")?
            && kind != "image"
        {
            return Err(self.error(
                "source.type",
                format!("`{kind}`: not the scan of a container image"),
            ));
        }
        let target = match Self::opt(source, "target") {
            Some(target) => self.object(target, "source.target")?,
            None => return Err(self.error("source.target", "missing")),
        };
        let name = self
            .req_str(target, "userInput", "source.target")?
            .trim()
            .to_owned();
        let mut digests = self.strings(target, "repoDigests", "source.target")?;
        let mut tags = self.strings(target, "tags", "source.target")?;
        if let Some(digest) = non_empty(self.opt_str(target, "manifestDigest", "source.target")?) {
            digests.push(digest);
        }
        add_name(&name, &mut digests, &mut tags);
        let created = match Self::opt(root, "descriptor") {
            None => None,
            Some(descriptor) => {
                let descriptor = self.object(descriptor, "descriptor")?;
                self.created(
                    self.opt_str(descriptor, "timestamp", "descriptor")?,
                    "descriptor.timestamp",
                )?
            }
        };
        let matches = self.opt_array(root, "matches", "")?;
        self.count(matches.len(), "matches")?;
        let mut vulnerabilities = Vec::with_capacity(matches.len());
        for (i, item) in matches.iter().enumerate() {
            let here = index("matches", i);
            let matched = self.object(item, &here)?;
            let vuln_path = member(&here, "vulnerability");
            let vuln = match Self::opt(matched, "vulnerability") {
                Some(vuln) => self.object(vuln, &vuln_path)?,
                None => return Err(self.error(&vuln_path, "missing")),
            };
            let artifact_path = member(&here, "artifact");
            let artifact = match Self::opt(matched, "artifact") {
                Some(artifact) => self.object(artifact, &artifact_path)?,
                None => return Err(self.error(&artifact_path, "missing")),
            };
            let fixed = match Self::opt(vuln, "fix") {
                None => None,
                Some(fix) => {
                    let fix_path = member(&vuln_path, "fix");
                    let fix = self.object(fix, &fix_path)?;
                    let state = self.opt_str(fix, "state", &fix_path)?.unwrap_or_default();
                    let versions = self.strings(fix, "versions", &fix_path)?;
                    (state.eq_ignore_ascii_case("fixed") && !versions.is_empty())
                        .then(|| versions.join(", "))
                }
            };
            let severity = self
                .opt_str(vuln, "severity", &vuln_path)?
                .unwrap_or("Unknown");
            vulnerabilities.push(Vulnerability {
                id: self.req_str(vuln, "id", &vuln_path)?.trim().to_owned(),
                package: self
                    .req_str(artifact, "name", &artifact_path)?
                    .trim()
                    .to_owned(),
                installed: self
                    .opt_str(artifact, "version", &artifact_path)?
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                fixed,
                severity: self.severity(severity, &member(&vuln_path, "severity"))?,
                title: None,
            });
        }
        Ok(VulnReport {
            file: self.file.to_owned(),
            scanner: Scanner::Grype,
            created,
            images: vec![ScannedImage {
                name,
                digests,
                tags,
                workload: None,
                vulnerabilities,
            }],
        })
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The scanned name joins the digests when it holds one (`app@sha256:…`), else the tags.
fn add_name(name: &str, digests: &mut Vec<String>, tags: &mut Vec<String>) {
    if name.is_empty() {
        return;
    }
    let list = if name.contains("@sha256:") {
        digests
    } else {
        tags
    };
    if !list.iter().any(|n| n == name) {
        list.push(name.to_owned());
    }
}

/// `nginx:1.25 (debian 12.5)` → `nginx:1.25`; a path target stays as it is.
fn image_of_target(target: &str) -> &str {
    let target = target.trim();
    match target.find(" (") {
        Some(at) if target.ends_with(')') => &target[..at],
        _ => target,
    }
}

/// A target that names an image rather than a file inside one (no spaces, not a path).
fn looks_like_image(target: &str) -> bool {
    !target.contains(' ')
        && !target.starts_with('/')
        && (target.contains(':') || target.contains('@'))
}

/// `2024-05-01T12:00:00Z`, with optional fraction and offset: a date, `T`, a time.
fn looks_like_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 20
        && bytes[..10].iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
        && (bytes[10] == b'T' || bytes[10] == b't' || bytes[10] == b' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-built reports IMG005's fixtures use (real shapes of each scanner's output).
    fn fixture(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../aksguard_rules/fixtures/image/IMG005/reports")
            .join(name);
        std::fs::read_to_string(path).expect("report fixture")
    }

    fn parse(text: &str) -> Result<VulnReport, VulnReportError> {
        parse_vuln_report("report.json", text)
    }

    fn error(text: &str) -> String {
        parse(text).expect_err("must be refused").to_string()
    }

    #[test]
    fn trivy_image_report() {
        let report = parse(&fixture("trivy-frontend.json")).unwrap();
        assert_eq!(report.scanner, Scanner::TrivyImage);
        assert_eq!(
            report.created.as_deref(),
            Some("2026-11-28T09:12:44.318273645Z")
        );
        let [image] = &report.images[..] else {
            panic!("one image")
        };
        assert_eq!(image.name, "contosoacr.azurecr.io/shop/frontend:1.4.2");
        assert_eq!(image.tags, ["contosoacr.azurecr.io/shop/frontend:1.4.2"]);
        assert_eq!(image.digests.len(), 1);
        assert_eq!(image.vulnerabilities.len(), 6);
        let regresshion = &image.vulnerabilities[0];
        assert_eq!(regresshion.id, "CVE-2024-6387");
        assert_eq!(regresshion.package, "openssh-client");
        assert_eq!(regresshion.fixed.as_deref(), Some("1:9.2p1-2+deb12u3"));
        assert_eq!(regresshion.severity, VulnSeverity::High);
        // `will_not_fix` has no FixedVersion.
        assert_eq!(image.vulnerabilities[3].fixed, None);
    }

    #[test]
    fn grype_report() {
        let report = parse(&fixture("grype-cart.json")).unwrap();
        assert_eq!(report.scanner, Scanner::Grype);
        assert_eq!(
            report.created.as_deref(),
            Some("2026-12-01T18:40:02.448133+01:00")
        );
        let image = &report.images[0];
        assert_eq!(image.name, "contosoacr.azurecr.io/shop/cart:2.0.1");
        // repoDigests and the bare manifestDigest.
        assert_eq!(image.digests.len(), 2);
        let fixes: Vec<Option<&str>> = image
            .vulnerabilities
            .iter()
            .map(|v| v.fixed.as_deref())
            .collect();
        assert_eq!(
            fixes,
            [
                Some("0.31.0"),
                Some("1.21.11, 1.22.4"),
                Some("1.22.7"),
                Some("0.17.0"),
                None,
                Some("3.1.4-r5")
            ]
        );
        assert_eq!(image.vulnerabilities[0].severity, VulnSeverity::Critical);
    }

    #[test]
    fn trivy_k8s_report() {
        let report = parse(&fixture("trivy-k8s.json")).unwrap();
        assert_eq!(report.scanner, Scanner::TrivyK8s);
        assert_eq!(report.created, None);
        // The misconfiguration-only resource has no image.
        let [image] = &report.images[..] else {
            panic!("one image, got {:?}", report.images)
        };
        assert_eq!(image.name, "redis:7.2.4");
        let workload = image.workload.as_ref().unwrap();
        assert_eq!(
            (
                workload.namespace.as_deref(),
                workload.kind.as_str(),
                workload.name.as_str()
            ),
            (Some("shop"), "Deployment", "cache")
        );
        // Both the OS packages and the binary inside the one image.
        assert_eq!(image.vulnerabilities.len(), 2);
    }

    #[test]
    fn trivy_k8s_resources_with_several_images_split_results_by_target() {
        let text = r#"{"ClusterName": "c", "CreatedAt": "2026-12-01T00:00:00Z", "Resources": [{
            "Namespace": "a", "Kind": "Deployment", "Name": "w",
            "Metadata": [{"RepoTags": ["nginx:1.25"]}, {"RepoTags": ["redis:7"]}],
            "Results": [
              {"Target": "nginx:1.25 (debian 12.5)", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-1", "PkgName": "p", "Severity": "HIGH"}]},
              {"Target": "redis:7 (debian 12.5)", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-2", "PkgName": "p", "Severity": "LOW"}]},
              {"Target": "usr/bin/tool", "Vulnerabilities": [
                {"VulnerabilityID": "CVE-3", "PkgName": "p", "Severity": "LOW"}]}]}]}"#;
        let report = parse(text).unwrap();
        let ids: Vec<Vec<&str>> = report
            .images
            .iter()
            .map(|i| i.vulnerabilities.iter().map(|v| v.id.as_str()).collect())
            .collect();
        assert_eq!(ids, [vec!["CVE-1"], vec!["CVE-2"]]);
        // Without metadata the OS targets name the images.
        let text = r#"{"ClusterName": "c", "Vulnerabilities": [{"Namespace": "a", "Kind": "Pod",
            "Name": "p", "Results": [{"Target": "nginx:1.25 (debian 12.5)", "Vulnerabilities":
            [{"VulnerabilityID": "CVE-1", "PkgName": "p", "Severity": "HIGH"}]}]}]}"#;
        let report = parse(text).unwrap();
        assert_eq!(report.images[0].tags, ["nginx:1.25"]);
    }

    #[test]
    fn malformed_reports_are_errors_naming_file_and_path() {
        assert_eq!(
            error(r#"{"SchemaVersion": 1, "ArtifactName": "x"}"#),
            "vulnerability report report.json: at SchemaVersion: unsupported Trivy schema \
             version 1 (aksguard reads version 2)"
        );
        assert!(error("[]").contains("older than schema version 2"));
        assert!(error(r#"{"kind": "Deployment"}"#).contains("not a Trivy or Grype JSON report"));
        assert!(error("not json").contains("not valid JSON"));
        let wrong_type = error(
            r#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Vulnerabilities": [
                {"VulnerabilityID": "CVE-1", "PkgName": "p", "Severity": 3}]}]}"#,
        );
        assert!(
            wrong_type.contains("at Results[0].Vulnerabilities[0].Severity: expected a string"),
            "{wrong_type}"
        );
        let unknown = error(
            r#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Vulnerabilities": [
                {"VulnerabilityID": "CVE-1", "PkgName": "p", "Severity": "SEVERE"}]}]}"#,
        );
        assert!(unknown.contains("unknown severity `SEVERE`"), "{unknown}");
        let missing = error(
            r#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Vulnerabilities": [
                {"PkgName": "p", "Severity": "HIGH"}]}]}"#,
        );
        assert!(
            missing.contains("at Results[0].Vulnerabilities[0].VulnerabilityID: missing or empty"),
            "{missing}"
        );
        assert!(error(r#"{"SchemaVersion": 2, "ArtifactName": "."#).contains("truncated JSON"));
        assert!(
            error(r#"{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem"}"#)
                .contains("not the scan of a container image")
        );
        assert!(
            error(r#"{"matches": [], "source": {"type": "directory", "target": "."}}"#)
                .contains("at source.type")
        );
        assert!(error(r#"{"matches": []}"#).contains("at source: missing"));
        assert!(
            error(r#"{"SchemaVersion": 2, "ArtifactName": "x", "CreatedAt": "yesterday"}"#)
                .contains("not an RFC 3339 timestamp")
        );
        let k8s = error(r#"{"ClusterName": "c", "Resources": [{"Kind": "Pod"}]}"#);
        assert!(
            k8s.contains("at Resources[0].Name: missing or empty"),
            "{k8s}"
        );
    }

    #[test]
    fn every_truncation_of_a_report_is_an_error_not_a_crash() {
        let text = fixture("grype-cart.json");
        for end in (0..text.len()).step_by(37) {
            if text.is_char_boundary(end) {
                assert!(parse(&text[..end]).is_err(), "prefix of {end} bytes parsed");
            }
        }
    }

    #[test]
    fn deep_nesting_and_size_are_bounded() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(error(&deep).contains("not valid JSON"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, fixture("trivy-frontend.json")).unwrap();
        let refused = read_vuln_report_limited(&path, 100).unwrap_err();
        assert!(
            refused.message.contains("more than the 100 bytes"),
            "{refused}"
        );
        assert!(read_vuln_report(&path).is_ok());
        let missing = read_vuln_report(&dir.path().join("absent.json")).unwrap_err();
        assert!(
            missing.to_string().contains("absent.json: cannot read"),
            "{missing}"
        );
    }

    #[test]
    fn a_report_over_the_vulnerability_bound_is_refused() {
        let mut reader = Reader {
            file: "r.json",
            vulnerabilities: MAX_VULNERABILITIES,
        };
        assert!(reader.count(1, "matches").is_err());
    }
}
