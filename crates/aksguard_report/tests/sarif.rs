//! SARIF output: valid against the official 2.1.0 schema and meets GitHub code scanning's
//! requirements (rule metadata for every result, numeric security-severity, fingerprints).

mod sample;

use aksguard_report::sarif;
use serde_json::Value;

use sample::{sarif_schema_path as schema_path, validate_sarif as validate};

fn render() -> Value {
    let text = sarif::render_with_root(&sample::sample_report(), Some(sample::root()));
    serde_json::from_str(&text).expect("SARIF is JSON")
}

#[test]
fn sample_report_is_valid_sarif() {
    let document = render();
    validate(&document);
}

#[test]
fn schema_validation_catches_malformed_sarif() {
    // Guards against a validator that accepts anything.
    let mut document = render();
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    document["runs"][0]["columnKind"] = "bytes".into();
    let Some(path) = schema_path() else {
        eprintln!("skipping: SARIF schema absent");
        return;
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    assert_eq!(validator.iter_errors(&document).count(), 2);
}

#[test]
fn meets_github_code_scanning_requirements() {
    let document = render();
    assert_eq!(document["version"], "2.1.0");
    assert!(
        document["$schema"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let runs = document["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "aksguard");
    assert_eq!(driver["version"], aksguard_report::TOOL_VERSION);
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, sample::RULES, "every rule that ran, in order");
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .expect("security-severity is a string")
            .parse()
            .expect("security-severity parses as a number");
        assert!((0.0..=10.0).contains(&severity));
        assert!(rule["name"].as_str().unwrap().contains('-'), "slug");
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(!full.contains("  ") && !full.contains('\n'), "collapsed");
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("**Remediation**")
        );
        assert!(
            rule["help"]["text"]
                .as_str()
                .unwrap()
                .contains("Remediation: ")
        );
        assert_eq!(
            rule["helpUri"],
            format!("https://github.com/aksguard/aksguard/blob/main/docs/rules/{id}.md")
        );
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert_eq!(tags[0], "security");
        assert!(tags.iter().any(|t| id.starts_with(t.as_str().unwrap())));
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
    }
    let pod001 = &rules[0];
    assert_eq!(pod001["properties"]["security-severity"], "9.5");
    assert_eq!(pod001["defaultConfiguration"]["level"], "error");

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 6 + 3, "findings and suppressed findings");
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            result["ruleId"], rules[index]["id"],
            "ruleIndex points at ruleId"
        );
        let fingerprint = result["partialFingerprints"]["aksguard/v1"]
            .as_str()
            .unwrap();
        assert_eq!(fingerprint.len(), 16);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.contains(' ') && !uri.starts_with("./") && !uri.contains('<'),
            "{uri}"
        );
        assert!(result["message"]["text"].as_str().unwrap().contains(": "));
    }
    let fingerprints: std::collections::HashSet<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["aksguard/v1"].as_str().unwrap())
        .collect();
    assert_eq!(
        fingerprints.len(),
        results.len(),
        "fingerprints are distinct"
    );
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///home/ci/work/my%20repo/"
    );
    assert_eq!(run["columnKind"], "unicodeCodePoints");
}

#[test]
fn locations_suppressions_and_errors() {
    let document = render();
    let run = &document["runs"][0];
    let results = run["results"].as_array().unwrap();
    let physical = |i: usize| &results[i]["locations"][0]["physicalLocation"];

    // A plain file: relative URI, region with line and column.
    assert_eq!(physical(0)["artifactLocation"]["uri"], "k8s/web.yaml");
    assert_eq!(physical(0)["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(physical(0)["region"]["startLine"], 12);
    assert_eq!(physical(0)["region"]["startColumn"], 7);
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[0]["properties"]["container"], "app");
    assert_eq!(results[0]["properties"]["object"]["kind"], "Deployment");
    let logical = &results[0]["locations"][0]["logicalLocations"][0];
    assert_eq!(logical["fullyQualifiedName"], "Deployment/shop/web");
    assert_eq!(logical["kind"], "resource");
    // `./` stripped.
    assert_eq!(physical(2)["artifactLocation"]["uri"], "k8s/web.yaml");
    // Spaces and unicode percent-encoded (UTF-8).
    assert_eq!(
        physical(3)["artifactLocation"]["uri"],
        "k8s/my%20dir/%C3%BCn%C3%AFcode%20caf%C3%A9.yaml"
    );
    // stdin: a URI that names no file, keeping the stream position.
    assert_eq!(physical(4)["artifactLocation"]["uri"], "stdin");
    assert!(physical(4)["artifactLocation"].get("uriBaseId").is_none());
    assert_eq!(physical(4)["region"]["startLine"], 3);
    // A rendered chart: the template file, no region, the rendered position kept.
    assert_eq!(
        physical(5)["artifactLocation"]["uri"],
        "charts/shop/templates/api.yaml"
    );
    assert!(physical(5).get("region").is_none());
    assert_eq!(
        results[5]["properties"]["renderedLocation"],
        "charts/shop (helm template):41:7"
    );

    // Active findings carry no suppressions; suppressed ones say how and why.
    assert!(results[..6].iter().all(|r| r.get("suppressions").is_none()));
    let suppression = |i: usize| &results[i]["suppressions"][0];
    assert_eq!(suppression(6)["kind"], "external");
    assert_eq!(suppression(6)["properties"]["source"], "exception");
    assert_eq!(suppression(6)["properties"]["expires"], "2027-03-31");
    assert!(
        suppression(6)["justification"]
            .as_str()
            .unwrap()
            .starts_with("billing is")
    );
    assert_eq!(suppression(7)["kind"], "inSource");
    assert_eq!(suppression(8)["kind"], "external");
    assert_eq!(suppression(8)["properties"]["source"], "baseline");

    // Load errors: notifications, and the run did not succeed.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["level"], "error");
    let where_ = &notes[0]["locations"][0]["physicalLocation"];
    assert_eq!(where_["artifactLocation"]["uri"], "k8s/broken%20file.yaml");
    assert_eq!(where_["region"]["startLine"], 7);
    assert!(
        notes[1]["locations"][0]["physicalLocation"]
            .get("region")
            .is_none()
    );
}

#[test]
fn a_clean_scan_is_valid_and_successful() {
    let mut report = sample::sample_report();
    report.findings.clear();
    report.suppressed.clear();
    report.errors.clear();
    let document: Value = serde_json::from_str(&sarif::render_with_root(&report, None)).unwrap();
    validate(&document);
    let run = &document["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert!(
        run["invocations"][0]
            .get("toolExecutionNotifications")
            .is_none()
    );
    assert_eq!(run["results"].as_array().unwrap().len(), 0);
    assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 6);
    assert!(run.get("originalUriBaseIds").is_none());
}

#[test]
fn absolute_paths_are_made_relative_to_the_root() {
    let mut report = sample::sample_report();
    report.findings[0].location.path = "/home/ci/work/my repo/k8s/web.yaml".into();
    report.findings[1].location.path = "/elsewhere/x y.yaml".into();
    let document: Value =
        serde_json::from_str(&sarif::render_with_root(&report, Some(sample::root()))).unwrap();
    validate(&document);
    let results = &document["runs"][0]["results"];
    let artifact = |i: usize| &results[i]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact(0)["uri"], "k8s/web.yaml");
    assert_eq!(artifact(0)["uriBaseId"], "%SRCROOT%");
    assert_eq!(artifact(1)["uri"], "file:///elsewhere/x%20y.yaml");
    assert!(artifact(1).get("uriBaseId").is_none());
}

#[test]
fn fix_edits_become_sarif_fixes_and_commands_stay_in_properties() {
    let report = sample::report_with_fixes();
    let text = sarif::render_with_root(&report, Some(sample::root()));
    let document: Value = serde_json::from_str(&text).unwrap();
    validate(&document);
    let results = document["runs"][0]["results"].as_array().unwrap();
    let with_edits = results
        .iter()
        .find(|r| r["fixes"].is_array())
        .expect("the finding with edits has SARIF fixes");
    let fix = &with_edits["fixes"][0];
    assert_eq!(fix["description"]["text"], "Set privileged to false.");
    let change = &fix["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "k8s/web.yaml");
    assert_eq!(change["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let replacements = change["replacements"].as_array().unwrap();
    assert_eq!(replacements.len(), 2, "both edits of the one file");
    assert_eq!(replacements[0]["deletedRegion"]["startLine"], 12);
    assert_eq!(replacements[0]["deletedRegion"]["startColumn"], 23);
    assert_eq!(replacements[0]["deletedRegion"]["endColumn"], 27);
    assert_eq!(replacements[0]["insertedContent"]["text"], "false");
    assert!(
        replacements[1].get("insertedContent").is_none(),
        "a deletion inserts nothing"
    );
    // Only edits make SARIF fixes: every other result has none.
    assert_eq!(
        results.iter().filter(|r| r.get("fixes").is_some()).count(),
        1
    );
    let with_commands = results
        .iter()
        .find(|r| r["properties"]["fix"].is_object())
        .expect("commands and IaC go in the property bag");
    let properties = &with_commands["properties"]["fix"];
    assert_eq!(properties["safety"], "review");
    assert_eq!(
        properties["commands"][0],
        "az aks update --resource-group rg --name aks --disable-run-command"
    );
    assert_eq!(properties["iac"][0]["attribute"], "run_command_enabled");
    assert_eq!(properties["iac"][0]["variable"], "run_command");
    // Rule metadata says how each rule is fixed.
    let rules = document["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        rules
            .iter()
            .all(|r| r["help"]["markdown"].as_str().unwrap().contains("**Fix**")),
        "every rule's help has a Fix section"
    );
}
