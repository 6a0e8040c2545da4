//! The server against the protocol: discovery shapes, paging with continue tokens, the failure
//! Status bodies and headers (401, 403, 404, 410, 429), stalls, malformed pages, and kubectl as
//! an independent client.

use std::time::{Duration, Instant};

use aksguard_fakekube::{
    Cluster, Expire, Faults, Malformed, Options, Running, Stall, Store, StoreOptions, Throttle,
};
use serde_json::Value;

const TOKEN: &str = "t0ken-for-tests-only";

const MANIFESTS: &str = "
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: a}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p2, namespace: a}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p3, namespace: b}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: p4}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: a}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: myacr.azurecr.io/web:1.0}]}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: a}
stringData: {password: hunter2}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: canary, namespace: b}
spec:
  template:
    spec: {containers: [{name: app, image: myacr.azurecr.io/web:2.0}]}
";

fn store() -> Store {
    let mut cluster = Cluster::new();
    cluster.add_yaml(MANIFESTS, "protocol.rs");
    Store::build(&cluster.finish(), StoreOptions::default())
}

async fn serve(faults: Faults) -> (Running, reqwest::Client) {
    aksguard_fakekube::install_crypto_provider();
    let running = aksguard_fakekube::start(
        store(),
        Options {
            token: Some(TOKEN.to_owned()),
            faults,
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let root = reqwest::Certificate::from_pem(running.ca_pem.as_ref().unwrap().as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([root])
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    (running, client)
}

async fn get_with(
    running: &Running,
    client: &reqwest::Client,
    path: &str,
    token: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let response = client
        .get(format!("{}{path}", running.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

async fn get(running: &Running, client: &reqwest::Client, path: &str) -> (u16, Value) {
    let (status, headers, body) = get_with(running, client, path, TOKEN).await;
    assert_eq!(headers["content-type"], "application/json", "{path}");
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{}/{}",
                i["metadata"]["namespace"].as_str().unwrap_or(""),
                i["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_documents_have_the_real_shapes() {
    let (running, client) = serve(Faults::default()).await;
    let (code, version) = get(&running, &client, "/version").await;
    assert_eq!((code, version["major"].as_str()), (200, Some("1")));
    assert!(version["gitVersion"].as_str().unwrap().starts_with("v1."));

    let (_, api) = get(&running, &client, "/api").await;
    assert_eq!(api["kind"], "APIVersions");
    assert_eq!(api["versions"], serde_json::json!(["v1"]));
    assert!(api["serverAddressByClientCIDRs"][0]["clientCIDR"].is_string());

    let (_, core) = get(&running, &client, "/api/v1").await;
    assert_eq!(core["kind"], "APIResourceList");
    assert_eq!(core["groupVersion"], "v1");
    let pods = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "pods")
        .unwrap();
    assert_eq!(pods["kind"], "Pod");
    assert_eq!(pods["singularName"], "pod");
    assert_eq!(pods["namespaced"], true);
    assert!(
        pods["verbs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "list")
    );
    let namespaces = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "namespaces")
        .unwrap();
    assert_eq!(namespaces["namespaced"], false);

    let (_, groups) = get(&running, &client, "/apis").await;
    assert_eq!(
        (groups["kind"].as_str(), groups["apiVersion"].as_str()),
        (Some("APIGroupList"), Some("v1"))
    );
    let group = |name: &str| {
        groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == name)
            .cloned()
            .unwrap()
    };
    let apps = group("apps");
    assert_eq!(
        apps["preferredVersion"],
        serde_json::json!({"groupVersion": "apps/v1", "version": "v1"})
    );
    assert_eq!(apps["versions"][0]["groupVersion"], "apps/v1");
    assert_eq!(
        group("argoproj.io")["preferredVersion"]["version"],
        "v1alpha1"
    );

    let (_, group_doc) = get(&running, &client, "/apis/apps").await;
    assert_eq!(group_doc["kind"], "APIGroup");
    assert_eq!(group_doc["name"], "apps");

    let (_, apps_v1) = get(&running, &client, "/apis/apps/v1").await;
    assert_eq!(apps_v1["kind"], "APIResourceList");
    assert_eq!(apps_v1["apiVersion"], "v1");
    assert_eq!(apps_v1["groupVersion"], "apps/v1");
    let deployments = apps_v1["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "deployments")
        .unwrap();
    assert_eq!(deployments["kind"], "Deployment");
    assert_eq!(deployments["shortNames"], serde_json::json!(["deploy"]));

    // The custom resource is served with its CRD, so a client can find pod templates in it.
    let (_, rollouts) = get(&running, &client, "/apis/argoproj.io/v1alpha1").await;
    assert_eq!(rollouts["resources"][0]["name"], "rollouts");
    let (_, crds) = get(
        &running,
        &client,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    )
    .await;
    assert_eq!(crds["kind"], "CustomResourceDefinitionList");
    assert_eq!(crds["items"][0]["metadata"]["name"], "rollouts.argoproj.io");
    assert_eq!(crds["items"][0]["spec"]["scope"], "Namespaced");
    let schema = &crds["items"][0]["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    assert_eq!(
        schema.pointer(
            "/properties/spec/properties/template/properties/spec/properties/containers/type"
        ),
        Some(&Value::from("array")),
        "the CRD declares the pod template"
    );
    let (_, rollout_list) = get(&running, &client, "/apis/argoproj.io/v1alpha1/rollouts").await;
    assert_eq!(rollout_list["kind"], "RolloutList");
    assert_eq!(
        rollout_list["items"][0]["kind"], "Rollout",
        "custom resources keep their kind in lists"
    );

    for missing in [
        "/apis/nosuch.io/v1",
        "/api/v1/widgets",
        "/apis/apps/v1/namespaces/a/nodes",
        "/healthz/x/y/z/w",
    ] {
        let (code, status) = get(&running, &client, missing).await;
        assert_eq!(code, 404, "{missing}");
        assert_eq!(status["kind"], "Status");
        assert_eq!(status["reason"], "NotFound");
        assert_eq!(
            status["message"],
            "the server could not find the requested resource"
        );
    }
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_with_opaque_continue_tokens_and_objects_carry_server_fields() {
    let (running, client) = serve(Faults::default()).await;
    let (_, all) = get(&running, &client, "/api/v1/pods").await;
    assert_eq!(all["kind"], "PodList");
    assert_eq!(all["apiVersion"], "v1");
    assert!(all["metadata"]["resourceVersion"].is_string());
    assert!(all["metadata"].get("continue").is_none());
    // 4 declared pods and 3 owned by the Deployment's ReplicaSet, in namespace then name order.
    let every = names(&all);
    assert_eq!(every.len(), 7, "{every:?}");
    let mut sorted = every.clone();
    sorted.sort();
    assert_eq!(every, sorted);
    assert!(
        every.contains(&"default/p4".to_owned()),
        "a pod without namespace is in default"
    );

    let mut paged = Vec::new();
    let mut path = "/api/v1/pods?limit=2".to_owned();
    let mut remaining = Vec::new();
    for _ in 0..10 {
        let (code, page) = get(&running, &client, &path).await;
        assert_eq!(code, 200);
        assert!(page["items"].as_array().unwrap().len() <= 2);
        paged.extend(names(&page));
        match page["metadata"]["continue"].as_str() {
            Some(token) => {
                remaining.push(page["metadata"]["remainingItemCount"].as_u64().unwrap());
                path = format!("/api/v1/pods?limit=2&continue={}", urlencode(token));
            }
            None => break,
        }
    }
    assert_eq!(paged, every);
    assert_eq!(remaining, [5, 3, 1]);

    let (_, in_a) = get(&running, &client, "/api/v1/namespaces/a/pods").await;
    assert_eq!(names(&in_a).len(), 5);
    assert!(names(&in_a).iter().all(|n| n.starts_with("a/")));

    let pod = &all["items"][0];
    assert!(
        pod.get("kind").is_none() && pod.get("apiVersion").is_none(),
        "typed list items carry no kind"
    );
    let owned = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["metadata"]["ownerReferences"].is_array())
        .unwrap();
    let owner = &owned["metadata"]["ownerReferences"][0];
    assert_eq!(
        (owner["kind"].as_str(), owner["controller"].as_bool()),
        (Some("ReplicaSet"), Some(true))
    );
    let (_, rs) = get(&running, &client, "/apis/apps/v1/namespaces/a/replicasets").await;
    assert_eq!(
        rs["items"][0]["metadata"]["ownerReferences"][0]["kind"],
        "Deployment"
    );
    assert_eq!(owner["uid"], rs["items"][0]["metadata"]["uid"]);

    let (code, one) = get(
        &running,
        &client,
        "/apis/apps/v1/namespaces/a/deployments/web",
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(
        (one["kind"].as_str(), one["apiVersion"].as_str()),
        (Some("Deployment"), Some("apps/v1"))
    );
    let metadata = &one["metadata"];
    for field in [
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "generation",
        "managedFields",
    ] {
        assert!(!metadata[field].is_null(), "{field}");
    }
    let applied: Value = serde_json::from_str(
        metadata["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(applied["spec"]["replicas"], 3);
    assert_eq!(one["status"]["availableReplicas"], 3);

    let (code, missing) = get(&running, &client, "/api/v1/namespaces/a/pods/nope").await;
    assert_eq!(code, 404);
    assert_eq!(missing["message"], "pods \"nope\" not found");
    let (code, bad) = get(&running, &client, "/api/v1/pods?limit=2&continue=garbage").await;
    assert_eq!((code, bad["reason"].as_str()), (400, Some("BadRequest")));
    running.shutdown().await;
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_missing_or_expired_token_gets_401() {
    let (running, client) = serve(Faults {
        unauthorized_after: Some(3),
        ..Faults::default()
    })
    .await;
    let (code, _, body) = get_with(&running, &client, "/api/v1/pods", "wrong").await;
    assert_eq!(code, 401);
    let status: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (status["reason"].as_str(), status["code"].as_u64()),
        (Some("Unauthorized"), Some(401))
    );
    let response = client
        .get(format!("{}/api", running.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    // The third request from the start is the last accepted; then the token has "expired".
    let (code, _, _) = get_with(&running, &client, "/api", TOKEN).await;
    assert_eq!(code, 200);
    let (code, _, body) = get_with(&running, &client, "/api", TOKEN).await;
    assert_eq!(code, 401);
    assert!(!body.contains(TOKEN));
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forbidden_resource_gets_rbacs_403() {
    let (running, client) = serve(Faults {
        forbidden: vec!["deployments.apps".into(), "pods".into()],
        ..Faults::default()
    })
    .await;
    let (code, status) = get(&running, &client, "/apis/apps/v1/deployments?limit=500").await;
    assert_eq!(code, 403);
    assert_eq!(status["reason"], "Forbidden");
    assert_eq!(
        status["message"],
        "deployments.apps is forbidden: User \"aksguard-test\" cannot list resource \"deployments\" in API group \"apps\" at the cluster scope"
    );
    assert_eq!(
        status["details"],
        serde_json::json!({"group": "apps", "kind": "deployments"})
    );
    let (_, status) = get(&running, &client, "/api/v1/namespaces/a/pods/p1").await;
    assert_eq!(
        status["message"],
        "pods is forbidden: User \"aksguard-test\" cannot get resource \"pods\" in API group \"\" in the namespace \"a\""
    );
    let (code, _) = get(&running, &client, "/api/v1/services").await;
    assert_eq!(code, 200, "other resources still answer");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_continue_token_gets_410_once_or_always() {
    let (running, client) = serve(Faults {
        expire: vec![Expire {
            resource: "pods".into(),
            page: 2,
            always: false,
        }],
        ..Faults::default()
    })
    .await;
    async fn first(running: &Running, client: &reqwest::Client) -> String {
        let (_, page) = get(running, client, "/api/v1/pods?limit=3").await;
        page["metadata"]["continue"].as_str().unwrap().to_owned()
    }
    let token = first(&running, &client).await;
    let path = format!("/api/v1/pods?limit=3&continue={}", urlencode(&token));
    let (code, status) = get(&running, &client, &path).await;
    assert_eq!(code, 410);
    assert_eq!(
        (status["reason"].as_str(), status["status"].as_str()),
        (Some("Expired"), Some("Failure"))
    );
    assert!(status["message"].as_str().unwrap().contains("too old"));
    // Restarted from the first page, the list completes.
    let token = first(&running, &client).await;
    let (code, _) = get(
        &running,
        &client,
        &format!("/api/v1/pods?limit=3&continue={}", urlencode(&token)),
    )
    .await;
    assert_eq!(code, 200);

    running.set_faults(Faults {
        expire: vec![Expire {
            resource: "pods".into(),
            page: 2,
            always: true,
        }],
        ..Faults::default()
    });
    for _ in 0..2 {
        let token = first(&running, &client).await;
        let (code, _) = get(
            &running,
            &client,
            &format!("/api/v1/pods?limit=3&continue={}", urlencode(&token)),
        )
        .await;
        assert_eq!(code, 410);
    }
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_requests_get_429_with_retry_after() {
    let (running, client) = serve(Faults {
        throttle: vec![Throttle {
            resource: Some("pods".into()),
            first: 2,
            retry_after_seconds: 3,
        }],
        ..Faults::default()
    })
    .await;
    for _ in 0..2 {
        let (code, headers, body) = get_with(&running, &client, "/api/v1/pods", TOKEN).await;
        assert_eq!(code, 429);
        assert_eq!(headers["retry-after"], "3");
        let status: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(status["reason"], "TooManyRequests");
        assert_eq!(status["details"]["retryAfterSeconds"], 3);
    }
    let (code, _) = get(&running, &client, "/api/v1/services").await;
    assert_eq!(code, 200, "other resources are not throttled");
    let (code, _) = get(&running, &client, "/api/v1/pods").await;
    assert_eq!(code, 200);

    // A storm: every request, discovery included, until the count is spent.
    running.set_faults(Faults {
        throttle: vec![Throttle {
            resource: None,
            first: 3,
            retry_after_seconds: 1,
        }],
        ..Faults::default()
    });
    let codes: Vec<u16> = futures_codes(
        &running,
        &client,
        &["/api", "/apis", "/api/v1/pods", "/version"],
    )
    .await;
    assert_eq!(codes, [429, 429, 429, 200]);
    let log = running.requests();
    assert_eq!(log.iter().filter(|r| r.status == 429).count(), 5);
    running.shutdown().await;
}

async fn futures_codes(running: &Running, client: &reqwest::Client, paths: &[&str]) -> Vec<u16> {
    let mut codes = Vec::new();
    for path in paths {
        codes.push(get_with(running, client, path, TOKEN).await.0);
    }
    codes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalls_delay_or_never_answer_and_malformed_pages_are_cut() {
    let (running, client) = serve(Faults {
        stall: vec![
            Stall {
                resource: Some("services".into()),
                delay_ms: Some(400),
            },
            Stall {
                resource: Some("configmaps".into()),
                delay_ms: None,
            },
        ],
        malformed: vec![Malformed {
            resource: "pods".into(),
            page: 2,
        }],
        ..Faults::default()
    })
    .await;
    let started = Instant::now();
    let (code, _) = get(&running, &client, "/api/v1/services").await;
    assert_eq!(code, 200);
    assert!(started.elapsed() >= Duration::from_millis(400));

    let started = Instant::now();
    let never = client
        .get(format!("{}/api/v1/configmaps", running.url()))
        .bearer_auth(TOKEN)
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(never.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_secs(5));

    let (_, first) = get(&running, &client, "/api/v1/pods?limit=2").await;
    let token = urlencode(first["metadata"]["continue"].as_str().unwrap());
    let (code, _, body) = get_with(
        &running,
        &client,
        &format!("/api/v1/pods?limit=2&continue={token}"),
        TOKEN,
    )
    .await;
    assert_eq!(code, 200);
    assert!(
        serde_json::from_str::<Value>(&body).is_err(),
        "page 2 must be cut: {body}"
    );
    running.shutdown().await;
}

/// kubectl, an independent client, reads discovery and pages through pods with a kubeconfig
/// the server wrote.
#[test]
fn kubectl_reads_discovery_and_pages_through_pods() {
    let kubectl = std::path::Path::new("/usr/bin/kubectl");
    let kubectl = if kubectl.exists() {
        kubectl.to_owned()
    } else {
        match which("kubectl") {
            Some(path) => path,
            None => {
                eprintln!("SKIPPED: kubectl not found (install it to run this test)");
                return;
            }
        }
    };
    aksguard_fakekube::install_crypto_provider();
    let server = aksguard_fakekube::Background::start(
        store(),
        Options {
            token: Some(TOKEN.to_owned()),
            ..Options::default()
        },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    server
        .write_kubeconfig(&kubeconfig, "fake-context")
        .unwrap();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(&kubectl)
            .args(args)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .arg("--cache-dir")
            .arg(dir.path().join("cache"))
            .arg("--request-timeout=20s")
            .env("HOME", dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "kubectl {args:?}: {stderr}");
        assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
        stdout
    };
    let resources = run(&["api-resources", "--no-headers"]);
    let line = |name: &str| {
        resources
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} in {resources}"))
            .to_owned()
    };
    assert!(line("deployments").contains("apps/v1"), "{resources}");
    assert!(line("deployments").contains("true"));
    assert!(line("rollouts").contains("argoproj.io/v1alpha1"));
    assert!(line("namespaces").contains("false"));

    let pods = run(&["get", "pods", "-A", "--chunk-size=2", "-o", "name"]);
    assert_eq!(pods.lines().count(), 7, "{pods}");
    let table = run(&["get", "pods", "-A", "--chunk-size=2"]);
    assert!(table.lines().any(|l| l.contains("p4")), "{table}");
    let current = run(&["config", "current-context"]);
    assert_eq!(current.trim(), "fake-context");
    let pages = server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/pods" && r.query.contains("limit=2"))
        .count();
    assert_eq!(pages, 8, "two listings of four pages of at most two");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| !r.path.contains("secrets"))
    );
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| std::path::Path::new(d).join(name))
        .find(|p| p.exists())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_reports_are_kept_by_server_side_apply() {
    aksguard_fakekube::install_crypto_provider();
    let running = aksguard_fakekube::start(
        store(),
        Options {
            token: Some(TOKEN.to_owned()),
            policy_reports: true,
            ..Options::default()
        },
    )
    .await
    .unwrap();
    let root = reqwest::Certificate::from_pem(running.ca_pem.as_ref().unwrap().as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([root])
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let path = "/apis/wgpolicyk8s.io/v1alpha2/namespaces/a/policyreports/aksguard";
    let report = "apiVersion: wgpolicyk8s.io/v1alpha2\nkind: PolicyReport\nmetadata: {name: aksguard}\nsummary: {fail: 2}\nresults: []\n";
    let patch = |content_type: &'static str, query: &'static str| {
        client
            .patch(format!("{}{path}{query}", running.url()))
            .bearer_auth(TOKEN)
            .header("content-type", content_type)
            .body(report)
            .send()
    };
    let created = patch(
        "application/apply-patch+yaml",
        "?fieldManager=aksguard&force=true",
    )
    .await
    .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let updated = patch(
        "application/apply-patch+yaml",
        "?fieldManager=aksguard&force=true",
    )
    .await
    .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(
        patch("application/merge-patch+json", "?fieldManager=aksguard")
            .await
            .unwrap()
            .status()
            .as_u16(),
        415
    );
    assert_eq!(
        patch("application/apply-patch+yaml", "")
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    let (code, kept) = get(&running, &client, path).await;
    assert_eq!(code, 200);
    assert_eq!(kept["summary"]["fail"], 2);
    assert_eq!(kept["metadata"]["namespace"], "a");
    assert_eq!(kept["metadata"]["managedFields"][0]["manager"], "aksguard");
    let (_, list) = get(
        &running,
        &client,
        "/apis/wgpolicyk8s.io/v1alpha2/policyreports",
    )
    .await;
    assert_eq!(list["kind"], "PolicyReportList");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (_, crds) = get(
        &running,
        &client,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    )
    .await;
    assert!(
        crds["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["metadata"]["name"] == "clusterpolicyreports.wgpolicyk8s.io")
    );
    let (code, _) = get(
        &running,
        &client,
        "/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports",
    )
    .await;
    assert_eq!(code, 200);
    // Equality label selectors pick applied reports; set-based ones are refused, not ignored.
    let reports = "/apis/wgpolicyk8s.io/v1alpha2/policyreports";
    for (selector, expected) in [("app%3Dother", 0), ("app%21%3Dother", 1)] {
        let (code, list) = get(
            &running,
            &client,
            &format!("{reports}?labelSelector={selector}"),
        )
        .await;
        assert_eq!(code, 200, "{selector}");
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            expected,
            "{selector}"
        );
    }
    let (code, _) = get(
        &running,
        &client,
        &format!("{reports}?labelSelector=app%20in%20%28a%29"),
    )
    .await;
    assert_eq!(code, 400);
    // DELETE answers the object, then 404.
    let delete = || {
        client
            .delete(format!("{}{path}", running.url()))
            .bearer_auth(TOKEN)
            .send()
    };
    let deleted = delete().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 200);
    assert_eq!(delete().await.unwrap().status().as_u16(), 404);
    let (code, _) = get(&running, &client, path).await;
    assert_eq!(code, 404);
    running.shutdown().await;
}
