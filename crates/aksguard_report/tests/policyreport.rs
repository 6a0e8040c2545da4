//! `--format policyreport`: every document valid against the v1alpha2 CRD schema (strictly: no
//! field the CRD does not declare), valid object names, the namespaces and the cluster report
//! split as documented, summaries that match the results, oversized reports continued in more
//! objects, and the stream accepted by `kubectl` when it is installed.

mod sample;

use std::time::{Duration, UNIX_EPOCH};

use aksguard_report::ScanReport;
use aksguard_report::policyreport::{self, MAX_RESULTS_BYTES};
use serde_json::Value;

/// The scan time the tests render with.
fn at() -> std::time::SystemTime {
    UNIX_EPOCH + Duration::new(1_796_000_000, 123_000_000)
}

fn documents(report: &ScanReport) -> (String, Vec<Value>) {
    let text = policyreport::render(report, at());
    assert!(text.starts_with("---\n"), "{text}");
    let documents = text
        .split("---\n")
        .skip(1)
        .map(|document| {
            let value: Value =
                yaml_serde::from_str(document).unwrap_or_else(|e| panic!("YAML: {e}\n{document}"));
            value
        })
        .collect();
    (text, documents)
}

/// The CRD's openAPIV3Schema, made strict: every object that lists its properties accepts no
/// other (the API server would drop them silently; we want to know).
fn strict_schema() -> Value {
    fn close(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".to_owned(), Value::Bool(false));
                }
                for (key, child) in map.iter_mut() {
                    // The map of property names is not itself a schema.
                    if key == "properties" {
                        if let Value::Object(properties) = child {
                            properties.values_mut().for_each(close);
                        }
                    } else {
                        close(child);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(close),
            _ => {}
        }
    }
    let text = include_str!("fixtures/policyreport-v1alpha2.schema.json");
    let mut schema: Value = serde_json::from_str(text).expect("schema fixture is JSON");
    close(&mut schema);
    schema
}

fn validate(document: &Value) {
    let schema = strict_schema();
    let validator = jsonschema::validator_for(&schema).expect("the CRD schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "PolicyReport schema violations:\n{}\n{document:#}",
        errors.join("\n")
    );
    // metadata is `type: object` in the CRD; the API server checks these.
    let metadata = &document["metadata"];
    let name = metadata["name"].as_str().expect("a name");
    assert!(is_dns_subdomain(name), "{name}");
    assert_eq!(
        metadata["labels"]["app.kubernetes.io/managed-by"],
        "aksguard"
    );
    match document["kind"].as_str() {
        Some("PolicyReport") => {
            let namespace = metadata["namespace"].as_str().expect("a namespace");
            assert!(policyreport::is_dns_label(namespace), "{namespace}");
        }
        Some("ClusterPolicyReport") => assert!(metadata.get("namespace").is_none()),
        other => panic!("unexpected kind {other:?}"),
    }
    assert_eq!(document["apiVersion"], "wgpolicyk8s.io/v1alpha2");
    // The summary counts the results.
    let results = document["results"].as_array().expect("results");
    for outcome in ["pass", "fail", "warn", "error", "skip"] {
        let count = results.iter().filter(|r| r["result"] == outcome).count();
        assert_eq!(document["summary"][outcome], count, "{outcome}");
    }
}

/// RFC 1123 subdomain: what Kubernetes requires of a custom resource's name.
fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(policyreport::is_dns_label)
}

#[test]
fn schema_check_catches_malformed_reports() {
    // Guards against a validator that accepts anything.
    let (_, documents) = documents(&sample::live_report());
    let mut document = documents[0].clone();
    document["results"][0]["result"] = "failed".into();
    document["results"][0]["severity"] = "urgent".into();
    document["results"][0]["unknownField"] = 1.into();
    document["results"][0]["timestamp"] = serde_json::json!({"seconds": 1});
    document["summary"]["pass"] = "zero".into();
    let schema = strict_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert_eq!(validator.iter_errors(&document).count(), 5);
}

#[test]
fn live_scan_becomes_namespace_and_cluster_reports() {
    let (text, documents) = documents(&sample::live_report());
    for document in &documents {
        validate(document);
    }
    let names: Vec<(&str, &str)> = documents
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("PolicyReport", "aksguard-legacy"),
            ("PolicyReport", "aksguard-shop"),
            ("ClusterPolicyReport", "aksguard-cluster"),
        ]
    );

    // shop: the live Deployment's two findings and the file Deployment's one, as `fail`.
    let shop = &documents[1];
    assert_eq!(shop["metadata"]["namespace"], "shop");
    assert_eq!(shop["summary"]["fail"], 3);
    let privileged = &shop["results"][0];
    assert_eq!(privileged["source"], "aksguard");
    assert_eq!(privileged["policy"], "POD001");
    assert_eq!(privileged["rule"], "privileged-container");
    assert_eq!(privileged["category"], "Pod and container security");
    assert_eq!(privileged["severity"], "critical");
    assert_eq!(privileged["result"], "fail");
    assert_eq!(privileged["scored"], true);
    assert_eq!(
        privileged["timestamp"],
        serde_json::json!({"seconds": 1_796_000_000, "nanos": 123_000_000})
    );
    assert_eq!(
        privileged["resources"],
        serde_json::json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "shop"}])
    );
    assert!(
        privileged["message"]
            .as_str()
            .unwrap()
            .starts_with("container `app` runs privileged")
    );
    let properties = &privileged["properties"];
    assert_eq!(
        properties["location"],
        "cluster://aks-prod/shop/Deployment/web"
    );
    assert!(
        properties.get("resourceId").is_none(),
        "only Azure resources"
    );
    assert_eq!(properties["container"], "app");
    assert_eq!(properties["title"], "Container runs privileged");
    assert_eq!(properties["fingerprint"].as_str().unwrap().len(), 16);
    assert!(properties["docs"].as_str().unwrap().ends_with("/POD001.md"));
    let from_file = shop["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == "SEC001")
        .expect("the file finding");
    assert_eq!(from_file["properties"]["location"], "k8s/api.yaml:12:7");
    assert!(from_file["properties"].get("resourceId").is_none());
    // The rules mask secret values; the report adds nothing of the object's.
    assert!(from_file["message"].as_str().unwrap().contains("****"));

    // legacy: the suppressed finding, `skip`, with how and why.
    let legacy = &documents[0];
    assert_eq!(legacy["summary"]["skip"], 1);
    assert_eq!(legacy["summary"]["fail"], 0);
    let skipped = &legacy["results"][0];
    assert_eq!(skipped["result"], "skip");
    assert_eq!(skipped["scored"], true);
    assert_eq!(skipped["properties"]["suppressedBy"], "exception");
    assert_eq!(
        skipped["properties"]["reason"],
        "billing is rewritten in Q3"
    );
    assert_eq!(skipped["properties"]["expires"], "2027-03-31");

    // The cluster report: the cluster-scoped binding, the Azure resource, the rule that
    // judged nothing and the kind that could not be listed.
    let cluster = &documents[2];
    let results = cluster["results"].as_array().unwrap();
    let by_policy = |policy: &str| {
        results
            .iter()
            .find(|r| r["policy"] == policy)
            .unwrap_or_else(|| panic!("{policy} in {cluster:#}"))
    };
    let binding = by_policy("RBAC001");
    assert_eq!(binding["result"], "fail");
    assert!(binding["resources"][0].get("namespace").is_none());
    assert_eq!(binding["resources"][0]["kind"], "ClusterRoleBinding");
    let azure = by_policy("AKS001");
    assert_eq!(azure["resources"][0]["kind"], "ManagedCluster");
    assert_eq!(azure["properties"]["resourceId"], sample::CLUSTER_ID);
    assert_eq!(
        azure["properties"]["location"],
        format!("azure://{}", sample::CLUSTER_ID)
    );
    assert_eq!(azure["category"], "AKS cluster configuration");
    let not_judged = by_policy("NET001");
    assert_eq!(not_judged["result"], "skip");
    assert_eq!(not_judged["scored"], false);
    assert!(not_judged.get("resources").is_none());
    assert!(
        not_judged["message"]
            .as_str()
            .unwrap()
            .starts_with("not judged: ")
    );
    let error = by_policy(policyreport::ERROR_POLICY);
    assert_eq!(error["result"], "error");
    assert_eq!(error["properties"]["path"], "cluster://aks-prod");
    assert!(error["message"].as_str().unwrap().contains("forbidden"));
    assert_eq!(cluster["summary"]["fail"], 2);
    assert_eq!(cluster["summary"]["skip"], 1);
    assert_eq!(cluster["summary"]["error"], 1);
    assert_eq!(cluster["summary"]["pass"], 0);

    // Findings with no position print none.
    assert!(!text.contains(":1:1"));
}

#[test]
fn file_scan_objects_without_a_valid_namespace_go_to_the_cluster_report() {
    let (_, documents) = documents(&sample::sample_report());
    for document in &documents {
        validate(document);
    }
    let namespaces: Vec<&str> = documents
        .iter()
        .filter_map(|d| d["metadata"]["namespace"].as_str())
        .collect();
    // `débit` is no namespace name a cluster could have.
    assert_eq!(namespaces, ["kube-system", "legacy", "shop"]);
    let cluster = documents.last().unwrap();
    assert_eq!(cluster["kind"], "ClusterPolicyReport");
    let results = cluster["results"].as_array().unwrap();
    let namespaces_in_cluster: Vec<Option<&str>> = results
        .iter()
        .filter(|r| r["result"] != "error")
        .map(|r| r["resources"][0]["namespace"].as_str())
        .collect();
    assert_eq!(namespaces_in_cluster, [Some("débit"), None, None]);
    // Rendered chart findings name their template; load errors are `error` results.
    let shop = &documents[2];
    let from_chart = shop["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["policy"] == "SEC001")
        .unwrap();
    assert_eq!(
        from_chart["properties"]["template"],
        "shop/templates/api.yaml"
    );
    assert_eq!(
        from_chart["properties"]["location"],
        "charts/shop (helm template):41:7"
    );
    assert_eq!(cluster["summary"]["error"], 2);
    let broken = results
        .iter()
        .find(|r| r["result"] == "error" && r["properties"].get("line").is_some())
        .unwrap();
    assert_eq!(broken["properties"]["path"], "k8s/broken file.yaml");
    assert_eq!(broken["properties"]["line"], "7");
}

#[test]
fn azure_resources_always_go_to_the_cluster_report() {
    let mut report = sample::live_report();
    report.findings.retain(|f| f.rule_id == "AKS001");
    // Even if a resource group were carried as its namespace.
    std::sync::Arc::make_mut(&mut report.findings[0].object).namespace = Some("rg-prod".into());
    let (_, documents) = documents(&report);
    let kinds: Vec<&str> = documents
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["PolicyReport", "ClusterPolicyReport"],
        "legacy's skip, then the cluster"
    );
    let cluster = documents.last().unwrap();
    assert!(
        cluster["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["policy"] == "AKS001")
    );
}

#[test]
fn a_clean_scan_writes_an_empty_cluster_report() {
    let mut report = sample::sample_report();
    report.findings.clear();
    report.suppressed.clear();
    report.errors.clear();
    let (text, documents) = documents(&report);
    assert_eq!(documents.len(), 1, "{text}");
    validate(&documents[0]);
    assert_eq!(documents[0]["metadata"]["name"], "aksguard-cluster");
    assert_eq!(documents[0]["results"], serde_json::json!([]));
    assert_eq!(
        documents[0]["summary"],
        serde_json::json!({"pass": 0, "fail": 0, "warn": 0, "error": 0, "skip": 0})
    );
}

#[test]
fn large_namespaces_are_continued_in_more_reports() {
    let mut report = sample::live_report();
    let template = report.findings[0].clone();
    report.findings = (0..3000)
        .map(|i| {
            let mut finding = template.clone();
            finding.message = format!("{} (copy {i})", template.message).into();
            finding
        })
        .collect();
    let (_, documents) = documents(&report);
    let shop: Vec<&Value> = documents
        .iter()
        .filter(|d| d["metadata"]["namespace"] == "shop")
        .collect();
    assert!(shop.len() >= 2, "{} shop reports", shop.len());
    let names: Vec<&str> = shop
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "aksguard-shop");
    assert_eq!(names[1], "aksguard-shop-2");
    let mut total = 0;
    for document in &shop {
        validate(document);
        let size = serde_json::to_vec(document).unwrap().len();
        // Client-side apply stores the object in a 256 KiB annotation budget.
        assert!(size < 256 * 1024, "{size} bytes");
        assert!(
            serde_json::to_vec(&document["results"]).unwrap().len() <= MAX_RESULTS_BYTES + 1024
        );
        total += document["results"].as_array().unwrap().len();
    }
    assert_eq!(total, 3000, "no result is lost");
}

/// `kubectl kustomize` (offline) parses every document of the stream into a resource, refusing
/// missing or duplicate names, and gives each back unchanged. Skipped when kubectl is absent.
#[test]
fn kubectl_reads_the_stream() {
    let Some(kubectl) = kubectl() else {
        eprintln!("skipping: kubectl is not installed");
        return;
    };
    let dir = tempdir();
    // Values YAML 1.1 reads as something else when plain: a date, booleans, null.
    let mut report = sample::live_report();
    let mut tricky = report.suppressed[0].clone();
    tricky.finding.container = Some("on".into());
    tricky.finding.message = "2027-03-31".into();
    tricky.suppression.reason = "no".into();
    tricky.suppression.expires = Some("2027-04-01".to_owned());
    std::sync::Arc::make_mut(&mut tricky.finding.object).name = "y".into();
    report.suppressed.push(tricky);
    report.errors[0].message = "~".to_owned();
    let (text, documents) = documents(&report);
    std::fs::write(dir.join("reports.yaml"), &text).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources:\n- reports.yaml\n",
    )
    .unwrap();
    let output = std::process::Command::new(&kubectl)
        .arg("kustomize")
        .arg(&dir)
        .env("KUBECONFIG", dir.join("no-kubeconfig"))
        .output()
        .expect("kubectl runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "kubectl kustomize refused the stream: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rendered = String::from_utf8(output.stdout).unwrap();
    let objects: Vec<Value> = rendered
        .split("\n---\n")
        .map(|d| yaml_serde::from_str(d).expect("kubectl's output is YAML"))
        .collect();
    assert_eq!(objects.len(), documents.len(), "{rendered}");
    for object in &objects {
        assert!(documents.contains(object), "kubectl changed {object:#}");
    }
}

/// `kubectl apply --dry-run=client` of the stream, against a local server that answers the
/// discovery requests kubectl makes to map the two kinds (a real API server would also need the
/// CRDs installed) and 404 for every object, so each document is "created (dry run)".
#[test]
fn kubectl_apply_dry_run_accepts_the_stream() {
    let Some(kubectl) = kubectl() else {
        eprintln!("skipping: kubectl is not installed");
        return;
    };
    let dir = tempdir();
    let (text, documents) = documents(&sample::live_report());
    std::fs::write(dir.join("reports.yaml"), &text).unwrap();
    let server = discovery::serve();
    std::fs::write(
        dir.join("kubeconfig"),
        format!(
            "apiVersion: v1\nkind: Config\nclusters: [{{name: local, cluster: {{server: 'http://{server}'}}}}]\n\
             contexts: [{{name: local, context: {{cluster: local}}}}]\ncurrent-context: local\nusers: []\n"
        ),
    )
    .unwrap();
    let child = std::process::Command::new(&kubectl)
        .args(["apply", "--dry-run=client", "--validate=false", "-f"])
        .arg(dir.join("reports.yaml"))
        // Discovery is cached there, not in the home directory.
        .arg("--cache-dir")
        .arg(dir.join("cache"))
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl starts");
    let output = wait_with_timeout(child, Duration::from_secs(60));
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "kubectl apply refused the stream:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for document in &documents {
        let kind = document["kind"].as_str().unwrap().to_lowercase();
        let name = document["metadata"]["name"].as_str().unwrap();
        assert!(
            stdout.contains(&format!("{kind}.wgpolicyk8s.io/{name} created (dry run)")),
            "{kind}/{name} not applied:\n{stdout}"
        );
    }
}

/// Waits for `child`, killing it (and failing) after `limit`.
fn wait_with_timeout(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let start = std::time::Instant::now();
    loop {
        match child.try_wait().expect("kubectl can be waited for") {
            Some(_) => return child.wait_with_output().expect("kubectl output"),
            None if start.elapsed() > limit => {
                let _ = child.kill();
                let output = child.wait_with_output().expect("kubectl output");
                panic!(
                    "kubectl did not finish in {limit:?}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// A loopback HTTP/1.1 server with just the discovery documents kubectl reads before an apply.
mod discovery {
    use std::io::{BufRead, BufReader, Write};
    use std::net::{SocketAddr, TcpListener, TcpStream};
    use std::time::Duration;

    const GROUP: &str = r#"{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"wgpolicyk8s.io","versions":[{"groupVersion":"wgpolicyk8s.io/v1alpha2","version":"v1alpha2"}],"preferredVersion":{"groupVersion":"wgpolicyk8s.io/v1alpha2","version":"v1alpha2"}}]}"#;
    const RESOURCES: &str = r#"{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"wgpolicyk8s.io/v1alpha2","resources":[{"name":"policyreports","singularName":"policyreport","namespaced":true,"kind":"PolicyReport","verbs":["create","get","list","patch"],"shortNames":["polr"]},{"name":"clusterpolicyreports","singularName":"clusterpolicyreport","namespaced":false,"kind":"ClusterPolicyReport","verbs":["create","get","list","patch"],"shortNames":["cpolr"]}]}"#;
    const CORE: &str =
        r#"{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}"#;
    const CORE_V1: &str = r#"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["get","list"]}]}"#;
    const NOT_FOUND: &str = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"NotFound","code":404}"#;

    pub fn serve() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let _ = connection(stream);
                });
            }
        });
        address
    }

    /// Answers the requests of one keep-alive connection (GETs only: no bodies to read).
    fn connection(stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut writer = stream.try_clone()?;
        let mut reader = BufReader::new(stream);
        // At most 100 requests per connection: kubectl makes a handful.
        for _ in 0..100 {
            let mut request = String::new();
            if reader.read_line(&mut request)? == 0 {
                return Ok(());
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header)? == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let path = path.split('?').next().unwrap_or(path);
            let (status, body) = match path {
                "/api" => ("200 OK", CORE),
                "/api/v1" => ("200 OK", CORE_V1),
                "/apis" => ("200 OK", GROUP),
                "/apis/wgpolicyk8s.io/v1alpha2" => ("200 OK", RESOURCES),
                _ => ("404 Not Found", NOT_FOUND),
            };
            write!(
                writer,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )?;
            writer.flush()?;
        }
        Ok(())
    }
}

fn kubectl() -> Option<std::path::PathBuf> {
    let installed = std::path::Path::new("/usr/bin/kubectl");
    if installed.exists() {
        Some(installed.to_path_buf())
    } else {
        which("kubectl")
    }
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "aksguard-policyreport-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
