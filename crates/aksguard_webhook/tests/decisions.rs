//! End to end over real TLS: modes, precedence, exemptions, exceptions, annotations, severity
//! overrides, UPDATE, DELETE/CONNECT, dry-run.

mod common;

use aksguard_config::WebhookMode;
use common::*;
use serde_json::{Value, json};

fn warnings(response: &Value) -> Vec<String> {
    response["warnings"]
        .as_array()
        .map(|w| w.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn denial(response: &Value) -> String {
    assert_eq!(response["allowed"], false, "{response}");
    assert_eq!(response["status"]["code"], 403, "{response}");
    response["status"]["message"].as_str().unwrap().to_owned()
}

fn allowed_silently(response: &Value) {
    assert_eq!(response["allowed"], true, "{response}");
    assert!(response.get("warnings").is_none(), "{response}");
    assert!(response.get("status").is_none(), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enforce_denies_naming_rules_container_and_fix() {
    let server = Harness::start(CONFIG, WebhookMode::Enforce).await;
    let response = server
        .review("", Review::create("shop", bad_deployment()).json())
        .await;
    let message = denial(&response);
    assert!(
        message.starts_with("aksguard denied Deployment shop/web: 2 finding(s) at or above high:"),
        "{message}"
    );
    assert!(
        message.contains("- POD001 (container app): container `app` runs privileged"),
        "{message}"
    );
    assert!(message.contains("- POD006 (container app)"), "{message}");
    assert!(message.contains("Fix: "), "{message}");
    // The low finding warns.
    let warned = warnings(&response);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].starts_with("POD024 [low] container app:"),
        "{warned:?}"
    );

    allowed_silently(
        &server
            .review("", Review::create("shop", clean_deployment()).json())
            .await,
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warn_allows_with_one_short_warning_per_finding_bounded() {
    let server = Harness::start(CONFIG, WebhookMode::Warn).await;
    let response = server
        .review("", Review::create("shop", bad_deployment()).json())
        .await;
    assert_eq!(response["allowed"], true);
    let warned = warnings(&response);
    let mut rules: Vec<&str> = warned.iter().map(|w| &w[..6]).collect();
    rules.sort_unstable();
    assert_eq!(rules, ["POD001", "POD006", "POD024"]);
    assert_eq!(warned.len(), 3, "{warned:?}");
    // 15 bad containers: 45 findings → 9 warnings and "and 36 more".
    let many = deployment(
        (0..15)
            .map(|i| container(&format!("container-with-a-rather-long-name-{i:02}"), true))
            .collect(),
        1,
    );
    let response = server.review("", Review::create("shop", many).json()).await;
    assert_eq!(response["allowed"], true);
    let warned = warnings(&response);
    assert_eq!(warned.len(), 10, "{warned:?}");
    assert!(
        warned.iter().all(|w| w.chars().count() <= 120),
        "{warned:?}"
    );
    assert!(warned[0].ends_with('…'), "{warned:?}");
    assert_eq!(warned[9], "aksguard: and 36 more findings");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_allows_silently_and_counts() {
    let server = Harness::start(CONFIG, WebhookMode::Audit).await;
    let response = server
        .review("", Review::create("shop", bad_deployment()).json())
        .await;
    allowed_silently(&response);
    let metrics = server.metrics().await;
    for rule in ["POD001", "POD006", "POD024"] {
        let line = format!("aksguard_webhook_findings_total{{rule=\"{rule}\",action=\"audit\"}} 1");
        assert!(metrics.contains(&line), "{line} in\n{metrics}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_mode_then_namespace_patterns_then_default() {
    let server = Harness::start(CONFIG, WebhookMode::Warn).await;
    let bad = |ns: &str| Review::create(ns, bad_deployment()).json();
    // Default (warn) in a namespace no pattern names.
    assert_eq!(server.review("", bad("dev")).await["allowed"], true);
    // The namespace label's mode, in the path, wins over the default…
    denial(&server.review("/enforce", bad("dev")).await);
    // …and over [[webhook.namespace]].
    allowed_silently(&server.review("/audit", bad("prod-eu")).await);
    let warned = server.review("/warn", bad("prod-eu")).await;
    assert_eq!(warned["allowed"], true);
    assert_eq!(warnings(&warned).len(), 3);
    // `?mode=` says the same for direct callers.
    denial(&server.review("?mode=enforce", bad("dev")).await);
    allowed_silently(&server.review("/audit?mode=audit", bad("prod-eu")).await);
    let warned = server.review("?mode=warn", bad("prod-eu")).await;
    assert_eq!(warned["allowed"], true);
    assert_eq!(warnings(&warned).len(), 3);
    // Without ?mode=, the namespace patterns.
    denial(&server.review("", bad("prod-eu")).await);
    allowed_silently(&server.review("", bad("sandbox")).await);
    // A typo in the webhook configuration is an error, not the default.
    let (status, body) = server
        .post("/validate?mode=Enforce", bad("dev").to_string())
        .await;
    assert_eq!(status, 400);
    assert!(
        body.as_str().unwrap().contains("unknown mode `Enforce`"),
        "{body}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exempt_namespaces_users_and_groups_are_not_judged() {
    let server = Harness::start(CONFIG, WebhookMode::Enforce).await;
    allowed_silently(
        &server
            .review(
                "?mode=enforce",
                Review::create("kube-system", bad_deployment()).json(),
            )
            .await,
    );
    let mut by_user = Review::create("shop", bad_deployment());
    by_user.user = "system:serviceaccount:flux-system:kustomize-controller".into();
    allowed_silently(&server.review("", by_user.json()).await);
    let mut by_group = Review::create("shop", bad_deployment());
    by_group.user = "system:serviceaccount:kube-system:replicaset-controller".into();
    by_group.groups = vec![
        "system:serviceaccounts".into(),
        "system:serviceaccounts:kube-system".into(),
    ];
    allowed_silently(&server.review("", by_group.json()).await);
    // Not exempt: a user whose name only resembles a pattern.
    let mut other = Review::create("shop", bad_deployment());
    other.user = "system:serviceaccount:flux-systemx:a".into();
    denial(&server.review("", other.json()).await);
    let metrics = server.metrics().await;
    assert!(
        metrics.contains(
            "aksguard_webhook_reviews_total{operation=\"CREATE\",kind=\"Deployment\",decision=\"not_judged\"} 3"
        ),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exceptions_annotations_and_inherited_annotations_suppress_as_in_scan() {
    let server = Harness::start(CONFIG, WebhookMode::Enforce).await;
    // [[exception]] POD001 in namespace `legacy` (the object names no namespace: the
    // review's is used).
    let message = denial(
        &server
            .review("", Review::create("legacy", bad_deployment()).json())
            .await,
    );
    assert!(!message.contains("POD001"), "{message}");
    assert!(message.contains("POD006"), "{message}");
    // aksguard.io/ignore on the object.
    let mut annotated = bad_deployment();
    annotated["metadata"]["annotations"] =
        json!({"aksguard.io/ignore": "POD001,POD006 -- reviewed by the platform team"});
    let response = server
        .review("", Review::create("shop", annotated).json())
        .await;
    assert_eq!(response["allowed"], true, "{response}");
    assert_eq!(warnings(&response).len(), 1, "{response}");
    // A Pod its ReplicaSet created: the template's annotations were copied into the pod.
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"generateName": "web-7d9f-", "namespace": "shop",
                     "annotations": {"aksguard.io/ignore": "POD001,POD006 -- reviewed"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                          "name": "web-7d9f", "uid": "1", "controller": true}]},
        "spec": {"containers": [container("app", true)]}});
    let response = server
        .review("", Review::create("shop", pod.clone()).json())
        .await;
    assert_eq!(response["allowed"], true, "{response}");
    // The same pod without the annotation is denied.
    let mut bare = pod;
    bare["metadata"]["annotations"] = json!({});
    denial(&server.review("", Review::create("shop", bare).json()).await);
    // An annotation without a reason suppresses nothing, and says so.
    let mut no_reason = bad_deployment();
    no_reason["metadata"]["annotations"] = json!({"aksguard.io/ignore": "POD001"});
    let response = server
        .review("", Review::create("shop", no_reason).json())
        .await;
    denial(&response);
    let warned = warnings(&response);
    assert!(
        warned
            .iter()
            .any(|w| w.starts_with("aksguard: Deployment shop/web: invalid `aksguard.io/ignore`")),
        "{warned:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn severity_overrides_apply() {
    let config = format!("{CONFIG}\n[severity]\nPOD001 = \"low\"\nPOD006 = \"medium\"\n");
    let server = Harness::start(&config, WebhookMode::Enforce).await;
    let response = server
        .review("", Review::create("shop", bad_deployment()).json())
        .await;
    assert_eq!(response["allowed"], true, "{response}");
    let warned = warnings(&response);
    assert!(
        warned.iter().any(|w| w.starts_with("POD001 [low]")),
        "{warned:?}"
    );
    assert!(
        warned.iter().any(|w| w.starts_with("POD006 [medium]")),
        "{warned:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_warns_for_findings_the_old_object_had() {
    let server = Harness::start(CONFIG, WebhookMode::Enforce).await;
    // Scaling a legacy workload: its findings were already there.
    let mut scale = Review::create("shop", deployment(vec![container("app", true)], 5));
    scale.operation = "UPDATE";
    scale.old = bad_deployment();
    let response = server.review("", scale.json()).await;
    assert_eq!(response["allowed"], true, "{response}");
    let warned = warnings(&response);
    assert_eq!(warned.len(), 3, "{warned:?}");
    assert!(
        warned
            .iter()
            .all(|w| w[6..].starts_with(" [") && w.contains(", existing]")),
        "{warned:?}"
    );
    // Making a clean workload privileged is new: denied.
    let mut worsen = Review::create("shop", bad_deployment());
    worsen.operation = "UPDATE";
    worsen.old = clean_deployment();
    denial(&server.review("", worsen.json()).await);
    // A second container that is privileged is a new finding, even if the first was.
    let mut add = Review::create(
        "shop",
        deployment(vec![container("app", true), container("sidecar", true)], 2),
    );
    add.operation = "UPDATE";
    add.old = bad_deployment();
    let message = denial(&server.review("", add.json()).await);
    assert!(
        message.contains("(container sidecar)") && !message.contains("(container app)"),
        "{message}"
    );
    server.stop().await;

    // update = "judge": UPDATE is judged as a CREATE.
    let judge = CONFIG.replace("[webhook]\n", "[webhook]\nupdate = \"judge\"\n");
    let server = Harness::start(&judge, WebhookMode::Enforce).await;
    let mut scale = Review::create("shop", deployment(vec![container("app", true)], 5));
    scale.operation = "UPDATE";
    scale.old = bad_deployment();
    denial(&server.review("", scale.json()).await);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_and_connect_are_allowed_and_dry_run_is_judged() {
    let server = Harness::start(CONFIG, WebhookMode::Enforce).await;
    let mut delete = Review::create("shop", Value::Null);
    delete.operation = "DELETE";
    delete.old = bad_deployment();
    allowed_silently(&server.review("", delete.json()).await);
    let mut connect = Review::create(
        "shop",
        json!({"apiVersion": "v1", "kind": "PodExecOptions", "command": ["sh"]}),
    );
    connect.operation = "CONNECT";
    connect.kind = "Pod";
    allowed_silently(&server.review("", connect.json()).await);
    let mut dry = Review::create("shop", bad_deployment());
    dry.dry_run = true;
    denial(&server.review("", dry.json()).await);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_it_cannot_judge_are_allowed_with_a_warning() {
    let server = Harness::start(CONFIG, WebhookMode::Enforce).await;
    for object in [
        json!({"spec": {}}),
        json!([1, 2]),
        json!("text"),
        Value::Null,
    ] {
        let response = server
            .review("", Review::create("shop", object.clone()).json())
            .await;
        assert_eq!(response["allowed"], true, "{object}: {response}");
        let warned = warnings(&response);
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].starts_with("aksguard: could not judge this object: "),
            "{warned:?}"
        );
    }
    server.stop().await;
}
