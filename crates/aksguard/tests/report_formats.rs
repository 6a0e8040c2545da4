//! The real binary writing SARIF, JUnit and Markdown: one snapshot per format on the bundled
//! examples, SARIF validated against the official schema (examples, stdin, awkward paths),
//! JUnit parsed as XML, Markdown tables checked, and no secret value in any of them.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn aksguard() -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    // Pinned "today" so AKS017 (version support) snapshots do not change with the date.
    cmd.current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", "2026-11-24");
    cmd
}

fn scan_examples(format: &str) -> String {
    let output = aksguard()
        .args(["scan", "examples/", "--format", format])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "the examples have high findings: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Validates against `../shared/schemas/sarif-schema-2.1.0.json` (beside the workspace);
/// skips with a message when it is absent.
fn validate_sarif(document: &Value) {
    let Some(path) = aksguard_testkit::shared_path("schemas/sarif-schema-2.1.0.json") else {
        return;
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

/// GitHub code scanning's requirements beyond the schema.
fn check_github_requirements(document: &Value) {
    let run = &document["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        let severity = rule["properties"]["security-severity"].as_str().unwrap();
        severity
            .parse::<f64>()
            .expect("security-severity parses as a float");
    }
    for result in run["results"].as_array().unwrap() {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], id,
            "ruleId is in driver.rules at ruleIndex"
        );
        assert!(
            result["partialFingerprints"]["aksguard/v1"]
                .as_str()
                .is_some_and(|f| !f.is_empty())
        );
    }
}

#[test]
fn scan_examples_as_sarif() {
    let text = scan_examples("sarif");
    let mut document: Value = serde_json::from_str(&text).unwrap();
    validate_sarif(&document);
    check_github_requirements(&document);
    let run = &mut document["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(root.starts_with("file:///") && root.ends_with('/'));
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert!(artifact["uri"].as_str().unwrap().starts_with("examples/"));
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }
    // Every rule that ran has metadata; the snapshot lists their IDs only (the metadata
    // itself is tested in aksguard_report and changes with every docs edit).
    let driver = &mut run["tool"]["driver"];
    let ids: Vec<Value> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    let listed = aksguard()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let catalogue: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        ids.len(),
        catalogue.as_array().unwrap().len(),
        "every rule ran"
    );
    driver["rules"] = Value::Array(ids);
    driver["version"] = "[version]".into();
    driver["semanticVersion"] = "[version]".into();
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "[root]".into();
    insta::assert_json_snapshot!("scan_examples_sarif", document);
}

#[test]
fn sarif_from_stdin_and_awkward_paths_is_valid() {
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  containers:\n    - name: c\n      image: busybox\n      securityContext:\n        privileged: true\n";
    let output = aksguard()
        .args(["scan", "-", "--format", "sarif", "--select", "POD001"])
        .write_stdin(manifest)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    validate_sarif(&document);
    check_github_requirements(&document);
    let location = &document["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "stdin");
    assert_eq!(location["region"]["startLine"], 11);

    // A directory and file name with spaces and non-ASCII characters, plus a broken file.
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("my manifests");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("pod ünï#1.yaml"), manifest).unwrap();
    std::fs::write(
        sub.join("broken.yaml"),
        "kind: Pod\napiVersion: v1\n  bad: [\n",
    )
    .unwrap();
    let output = Command::cargo_bin("aksguard")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", ".", "--format", "sarif", "--select", "POD001"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "the broken file is an error");
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    validate_sarif(&document);
    check_github_requirements(&document);
    let run = &document["runs"][0];
    let location = &run["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "my%20manifests/pod%20%C3%BCn%C3%AF%231.yaml"
    );
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "error");
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20manifests/broken.yaml"
    );
}

#[test]
fn scan_examples_as_junit() {
    let text = scan_examples("junit");
    let doc = roxmltree::Document::parse(&text).expect("JUnit output is well-formed XML");
    let root = doc.root_element();
    assert!(root.has_tag_name("testsuites"));
    let failures: usize = root.attribute("failures").unwrap().parse().unwrap();
    let failing_cases = root
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, failing_cases);
    assert!(failures > 0);
    let suites = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .count();
    let listed = aksguard()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let catalogue: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(
        suites,
        catalogue.as_array().unwrap().len(),
        "one suite per rule"
    );
    insta::assert_snapshot!("scan_examples_junit", text);
}

#[test]
fn scan_examples_as_markdown() {
    let text = scan_examples("markdown");
    for line in text.lines().filter(|l| l.starts_with('|')) {
        let cells = line.replace("\\|", "").matches('|').count();
        // The summary (3) and the findings with their fix column (7).
        assert!([3, 7].contains(&cells), "{line}");
    }
    insta::assert_snapshot!("scan_examples_markdown", text);
}

#[test]
fn new_formats_never_print_secret_values() {
    for format in ["sarif", "junit", "markdown", "policyreport"] {
        let text = scan_examples(format);
        for secret in [
            "Sup3r-S3cret-Passw0rd!",
            "ZmFrZS1leGFtcGxlLWtleS1ub3QtcmVhbC1mYWtlLWV4YW1wbGUta2V5LTAwMDA=",
            "ZmFrZS1zdHJpcGUta2V5",
        ] {
            assert!(
                !text.contains(secret),
                "{format} output leaks a secret value"
            );
        }
    }
}

/// `--format policyreport` on a file scan: a PolicyReport per namespace, the
/// ClusterPolicyReport last, one `fail` result per finding of the JSON report (the
/// schema, names and `kubectl apply` are checked in aksguard_report's tests).
#[test]
fn scan_examples_as_policyreport() {
    let text = scan_examples("policyreport");
    let json: Value = serde_json::from_str(&scan_examples("json")).unwrap();
    let documents: Vec<&str> = text.split("---\n").skip(1).collect();
    assert!(documents.len() >= 2, "{text}");
    for document in &documents {
        assert!(
            document.starts_with("apiVersion: wgpolicyk8s.io/v1alpha2\n"),
            "{document}"
        );
        assert!(document.contains("    app.kubernetes.io/managed-by: aksguard\n"));
    }
    let (last, namespaced) = documents.split_last().unwrap();
    assert!(last.contains("kind: ClusterPolicyReport\n"), "{last}");
    assert!(last.contains("  name: aksguard-cluster\n"), "{last}");
    assert!(
        namespaced
            .iter()
            .all(|d| d.contains("kind: PolicyReport\n"))
    );
    let fails = text.matches("\n  result: fail\n").count();
    assert_eq!(
        fails,
        json["summary"]["findings"].as_u64().unwrap() as usize
    );
}

#[test]
fn output_file_and_unknown_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.sarif");
    aksguard()
        .args(["scan", "examples/", "--format", "sarif", "-o"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout("");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(document["version"], "2.1.0");
    aksguard()
        .args(["scan", "examples/", "--format", "sarif2"])
        .assert()
        .code(2);
}

/// `scan examples/store --framework cis-aks` (manifests only: every cluster control is not
/// assessed) in one format.
fn scan_store_cis(format: &str) -> String {
    let output = aksguard()
        .args([
            "scan",
            "examples/store",
            "--framework",
            "cis-aks",
            "--format",
            format,
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_format_shows_not_assessed_controls_and_the_coverage() {
    let sarif: Value = serde_json::from_str(&scan_store_cis("sarif")).unwrap();
    validate_sarif(&sarif);
    let properties = &sarif["runs"][0]["properties"];
    let framework = &properties["frameworks"][0];
    assert_eq!(framework["id"], "cis-aks");
    let control = framework["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "5.3.1")
        .unwrap();
    assert_eq!(control["status"], "not-assessed");
    assert!(
        properties["notJudged"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["ruleId"] == "AKS014"
                && n["reason"] == "no AKS cluster configuration in the scan")
    );
    let assessed = framework["assessed"].as_u64().unwrap();
    let total = framework["controls"].as_array().unwrap().len();
    let coverage = format!("{assessed} of {total} controls assessed");

    let markdown = scan_store_cis("markdown");
    assert!(markdown.contains(&format!("({coverage}: ")), "{markdown}");
    assert!(
        markdown.contains("| 5.3.1 Ensure Kubernetes Secrets are encrypted | not assessed | AKS014 | 0 | AKS014: no AKS cluster configuration in the scan |"),
        "{markdown}"
    );
    assert!(markdown.contains("- `AKS002, AKS004, "), "{markdown}");

    let junit = scan_store_cis("junit");
    assert!(
        junit.contains("<testsuite name=\"aksguard cis-aks controls\""),
        "{junit}"
    );
    assert!(junit.contains(&format!("value=\"{coverage}\"")), "{junit}");
    assert!(
        junit.contains(
            "<skipped message=\"not assessed: AKS014: no AKS cluster configuration in the scan\"/>"
        ),
        "{junit}"
    );

    let html = scan_store_cis("html");
    assert!(
        html.contains(&coverage),
        "coverage missing from the HTML cards"
    );
    assert!(html.contains("data-status=\"not-assessed\""));
    assert!(html.contains(">not assessed</span>"));
}
