//! Findings from a live scan (`cluster://…` objects from the Kubernetes API, `azure://…`
//! resources from ARM, always at 1:1) in every report format: nothing treats them as files,
//! nothing prints their meaningless `:1:1`, JSON keeps the location as it is, SARIF gives
//! them a logical location and stays valid.

mod sample;

use aksguard_report::{html, json, junit, markdown, sarif, table};
use serde_json::Value;

const WEB: &str = "cluster://aks-prod/shop/Deployment/web";
const BINDING: &str = "cluster://aks-prod/ClusterRoleBinding/ops-admin";

fn azure() -> String {
    format!("azure://{}", sample::CLUSTER_ID)
}

/// No live location is ever followed by a position.
fn assert_no_live_position(text: &str) {
    for live in [
        WEB,
        BINDING,
        &azure(),
        "cluster://aks-prod/legacy/Deployment/billing",
    ] {
        for position in [":1:1", ":1 ", ":1`", ":1|", ":1<", ":1\n"] {
            assert!(
                !text.contains(&format!("{live}{position}")),
                "`{live}{position}` in:\n{text}"
            );
        }
    }
    assert!(!text.contains(":1:1"), "a `:1:1` in:\n{text}");
}

#[test]
fn table_groups_live_objects_by_cluster_without_positions() {
    let report = sample::live_report();
    let text = table::render(
        &report,
        table::TableOptions {
            show_suppressed: true,
            ..Default::default()
        },
    );
    assert_no_live_position(&text);
    // The cluster heads its objects as a file heads its objects.
    assert!(
        text.starts_with("cluster://aks-prod\n  Deployment shop/web\n"),
        "{text}"
    );
    assert!(text.contains("  ClusterRoleBinding ops-admin\n"), "{text}");
    assert!(text.contains(&format!("\n{}\n  ManagedCluster aks-prod\n", azure())));
    // A live finding's row has blanks where a file's position is; files keep theirs.
    assert!(
        text.contains("              CRITICAL POD001 [app] container `app` runs privileged"),
        "{text}"
    );
    assert!(
        text.contains("k8s/api.yaml\n  Deployment shop/api\n       12:7 "),
        "{text}"
    );
    assert!(text.contains("suppressed by exception: billing is rewritten in Q3"));
    assert!(text.contains("cluster://aks-prod: cannot list networking.k8s.io/v1 networkpolicies"));
}

#[test]
fn summary_line_omits_files_when_none_were_read() {
    let mut report = sample::live_report();
    report.files = 0;
    let line = table::summary_line(&report);
    assert!(line.contains("in 42 objects; 1 error"), "{line}");
    report.files = 3;
    assert!(table::summary_line(&report).contains("in 42 objects from 3 files;"));
}

#[test]
fn json_keeps_live_locations_as_they_are() {
    let report = sample::live_report();
    let document: Value = serde_json::from_str(&json::render(&report)).expect("JSON");
    let findings = document["findings"].as_array().unwrap();
    let location = |i: usize| &findings[i]["location"];
    assert_eq!(location(0)["path"], WEB);
    assert_eq!(location(0)["line"], 1);
    assert_eq!(location(0)["column"], 1);
    assert_eq!(location(2)["path"], BINDING);
    assert_eq!(location(3)["path"], azure().as_str());
    assert_eq!(location(4)["path"], "k8s/api.yaml");
    assert_eq!(
        document["suppressed"][0]["location"]["path"],
        "cluster://aks-prod/legacy/Deployment/billing"
    );
    assert_eq!(document["errors"][0]["path"], "cluster://aks-prod");
}

#[test]
fn sarif_gives_live_results_a_logical_location_and_stays_valid() {
    let report = sample::live_report();
    let text = sarif::render_with_root(&report, Some(sample::root()));
    let document: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    if !sample::validate_sarif(&document) {
        eprintln!("skipping schema validation: SARIF schema absent");
    }
    let run = &document["runs"][0];
    let results = run["results"].as_array().unwrap();
    // GitHub code scanning rejects an upload whose results lack an artifact URI (GH1001).
    for result in results {
        let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert!(uri.as_str().is_some_and(|u| !u.is_empty()), "{result}");
    }
    let location = |i: usize| &results[i]["locations"][0];

    // A namespaced object: the absolute cluster URI, no base, no region, its id as the
    // logical location.
    let physical = &location(0)["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], WEB);
    assert!(physical["artifactLocation"].get("uriBaseId").is_none());
    assert!(physical.get("region").is_none());
    assert!(results[0]["properties"].get("renderedLocation").is_none());
    let logical = &location(0)["logicalLocations"][0];
    assert_eq!(logical["fullyQualifiedName"], WEB);
    assert_eq!(logical["name"], "web");
    assert_eq!(logical["kind"], "resource");

    assert_eq!(
        location(2)["logicalLocations"][0]["fullyQualifiedName"],
        BINDING
    );
    // An Azure resource: the ARM id as the logical location; the URI percent-encoded.
    assert_eq!(
        location(3)["physicalLocation"]["artifactLocation"]["uri"],
        "azure:///subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg%20prod/providers/Microsoft.ContainerService/managedClusters/aks-prod"
    );
    assert_eq!(
        location(3)["logicalLocations"][0]["fullyQualifiedName"],
        sample::CLUSTER_ID
    );
    assert_eq!(location(3)["logicalLocations"][0]["name"], "aks-prod");
    // The file finding is unchanged: relative URI, region, `Kind/ns/name`.
    let file = &location(4)["physicalLocation"];
    assert_eq!(file["artifactLocation"]["uri"], "k8s/api.yaml");
    assert_eq!(file["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(file["region"]["startLine"], 12);
    assert_eq!(
        location(4)["logicalLocations"][0]["fullyQualifiedName"],
        "Deployment/shop/api"
    );
    // The suppressed live finding, and the error of a kind that could not be listed.
    assert_eq!(
        location(5)["physicalLocation"]["artifactLocation"]["uri"],
        "cluster://aks-prod/legacy/Deployment/billing"
    );
    let note = &run["invocations"][0]["toolExecutionNotifications"][0];
    let note_location = &note["locations"][0]["physicalLocation"];
    assert_eq!(
        note_location["artifactLocation"]["uri"],
        "cluster://aks-prod"
    );
    assert!(note_location.get("region").is_none());
    assert!(!text.contains("%SRCROOT%\",\n                \"uri\": \"cluster"));
}

#[test]
fn junit_names_the_cluster_and_prints_no_position() {
    let report = sample::live_report();
    let xml = junit::render(&report);
    let document = roxmltree::Document::parse(&xml).expect("JUnit is XML");
    let case = document
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("Deployment shop/web"))
        .expect("a case for the live Deployment");
    assert_eq!(case.attribute("classname"), Some("cluster://aks-prod"));
    let failure = case
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_owned();
    assert!(
        failure.contains(&format!("{WEB} critical POD001 [container app]")),
        "{failure}"
    );
    let azure_case = document
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase") && n.attribute("name") == Some("ManagedCluster aks-prod")
        })
        .expect("a case for the managed cluster");
    assert_eq!(azure_case.attribute("classname"), Some(azure().as_str()));
    assert_no_live_position(&xml);
    assert!(xml.contains("k8s/api.yaml:12:7 medium SEC001"), "{xml}");
}

#[test]
fn markdown_counts_live_sources_and_prints_no_line() {
    let report = sample::live_report();
    let text = markdown::render(&report);
    assert_no_live_position(&text);
    assert!(
        text.contains("in 1 file, 2 cluster objects and 1 Azure resource**"),
        "{text}"
    );
    assert!(text.contains(&format!("| `{WEB}` |")), "{text}");
    assert!(text.contains("| `k8s/api.yaml:12` |"), "{text}");
    let mut live_only = report.clone();
    live_only
        .findings
        .retain(|f| f.location.path.starts_with("cluster://"));
    live_only.files = 0;
    let text = markdown::render(&live_only);
    assert!(text.contains("in 2 cluster objects**"), "{text}");
    assert!(text.contains("Scanned 42 objects with 7 rules."), "{text}");
}

#[test]
fn html_shows_live_locations_without_positions() {
    let report = sample::live_report();
    // minijinja escapes `/` in text.
    let page = html::render(&report).replace("&#x2f;", "/");
    assert_no_live_position(&page);
    assert!(page.contains(&format!(">{WEB}<")), "the location is shown");
    assert!(page.contains("k8s/api.yaml:12:7"));
}
