//! End to end over real TLS: HTTP errors (malformed, non-v1, oversize, deadline), HTTP/2 and
//! HTTP/1.1, probes, metrics, and certificate rotation under load.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aksguard_config::WebhookMode;
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_non_v1_reviews_get_400_without_echo() {
    let server = Harness::start(CONFIG, WebhookMode::Enforce).await;
    let mut v1beta1 = Review::create("shop", bad_deployment()).json();
    v1beta1["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let mut no_uid = Review::create("shop", bad_deployment()).json();
    no_uid["request"].as_object_mut().unwrap().remove("uid");
    let mut no_request = Review::create("shop", bad_deployment()).json();
    no_request.as_object_mut().unwrap().remove("request");
    let mut wrong_kind = Review::create("shop", bad_deployment()).json();
    wrong_kind["kind"] = json!("Deployment");
    let cases = [
        (
            "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"Adm".to_owned(),
            "truncated JSON",
        ),
        ("token=s3cr3t-value".to_owned(), "not valid JSON"),
        ("".to_owned(), "truncated JSON"),
        (
            v1beta1.to_string(),
            "unsupported apiVersion `admission.k8s.io/v1beta1`",
        ),
        (no_uid.to_string(), "`request.uid` is missing"),
        (no_request.to_string(), "has no `request`"),
        (wrong_kind.to_string(), "`kind` is `Deployment`"),
    ];
    for (body, needle) in cases {
        let (status, answer) = server.post("/validate", body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let text = answer.as_str().unwrap();
        assert!(text.contains(needle), "{body}: {text}");
        assert!(!text.contains("s3cr3t"), "{text}");
    }
    // GET is not a review.
    let response = server
        .client
        .get(server.url("/validate"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("aksguard_webhook_rejected_requests_total{reason=\"bad_review\"} 7"),
        "{metrics}"
    );
    server.stop().await;
}

/// A review of `containers` privileged containers; each carries ~`padding` bytes of env.
fn big_review(containers: usize, padding: usize) -> String {
    let filler = "x".repeat(padding);
    let containers = (0..containers)
        .map(|i| {
            let mut c = container(&format!("c{i}"), true);
            c["env"] = json!([{"name": "FILLER", "value": filler}]);
            c
        })
        .collect();
    Review::create("shop", deployment(containers, 1))
        .json()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_3_mib_get_413_and_large_ones_under_it_are_judged() {
    let server = Harness::start(CONFIG, WebhookMode::Warn).await;
    let over = big_review(4, 800 * 1024);
    assert!(over.len() > 3 * 1024 * 1024);
    let (status, _) = server.post("/validate", over).await;
    assert_eq!(status, 413);
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("aksguard_webhook_rejected_requests_total{reason=\"too_large\"} 1"),
        "{metrics}"
    );
    let under = big_review(3, 900 * 1024);
    assert!(under.len() > 2 * 1024 * 1024 && under.len() < 3 * 1024 * 1024);
    let (status, answer) = server.post("/validate", under).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["response"]["allowed"], true);
    // The server still answers normally afterwards.
    let response = server
        .review("", Review::create("shop", clean_deployment()).json())
        .await;
    assert_eq!(response["allowed"], true);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_past_the_deadline_gets_503_for_the_failure_policy() {
    let server = Harness::start_with(CONFIG, WebhookMode::Enforce, |options| {
        options.deadline = Duration::from_millis(1);
    })
    .await;
    // 200 containers: judging takes far longer than a millisecond.
    let (status, answer) = server.post("/validate", big_review(200, 16)).await;
    assert_eq!(status, 503, "{answer}");
    assert!(answer.as_str().unwrap().contains("deadline"), "{answer}");
    let metrics = server.metrics().await;
    assert!(
        metrics.contains("aksguard_webhook_rejected_requests_total{reason=\"deadline\"} 1"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_and_http1_over_alpn_and_probes() {
    let server = Harness::start(CONFIG, WebhookMode::Warn).await;
    let review = Review::create("shop", bad_deployment()).json().to_string();
    let h2 = server
        .client
        .post(server.url("/validate"))
        .body(review.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(h2.version(), reqwest::Version::HTTP_2);
    assert_eq!(h2.status().as_u16(), 200);
    let h1_client = client_for(&server.ca, server.addr, |b| b.http1_only());
    for _ in 0..3 {
        // Keep-alive: the same connection answers several reviews.
        let h1 = h1_client
            .post(server.url("/validate"))
            .body(review.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(h1.version(), reqwest::Version::HTTP_11);
        assert_eq!(h1.status().as_u16(), 200);
        let _ = h1.bytes().await.unwrap();
    }
    for path in ["/healthz", "/readyz"] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
    }
    // A client that does not trust the test CA is refused.
    let stranger = reqwest::Client::builder()
        .resolve("localhost", server.addr)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(stranger.get(server.url("/healthz")).send().await.is_err());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_name_reviews_findings_latency_in_flight_and_expiry() {
    let server = Harness::start(CONFIG, WebhookMode::Enforce).await;
    server
        .review("", Review::create("shop", bad_deployment()).json())
        .await;
    server
        .review(
            "?mode=warn",
            Review::create("shop", bad_deployment()).json(),
        )
        .await;
    server
        .review("", Review::create("shop", clean_deployment()).json())
        .await;
    let metrics = server.metrics().await;
    for line in [
        "aksguard_webhook_reviews_total{operation=\"CREATE\",kind=\"Deployment\",decision=\"denied\"} 1",
        "aksguard_webhook_reviews_total{operation=\"CREATE\",kind=\"Deployment\",decision=\"warned\"} 1",
        "aksguard_webhook_reviews_total{operation=\"CREATE\",kind=\"Deployment\",decision=\"allowed\"} 1",
        "aksguard_webhook_findings_total{rule=\"POD001\",action=\"deny\"} 1",
        "aksguard_webhook_findings_total{rule=\"POD001\",action=\"warn\"} 1",
        "aksguard_webhook_findings_total{rule=\"POD024\",action=\"warn\"} 2",
        "aksguard_webhook_review_duration_seconds_count 3",
        "aksguard_webhook_in_flight_requests 0",
        &format!("aksguard_webhook_certificate_expiry_timestamp_seconds {NOT_AFTER}"),
        "# TYPE aksguard_webhook_review_duration_seconds histogram",
    ] {
        assert!(metrics.contains(line), "missing `{line}` in\n{metrics}");
    }
    // The metrics listener is plain HTTP and serves nothing else.
    let other = reqwest::get(format!("http://{}/validate", server.metrics_addr))
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 404);
    server.stop().await;
}

/// The leaf certificate a fresh connection is served.
async fn served_certificate(server: &Harness) -> Vec<u8> {
    let client = client_for(&server.ca, server.addr, |b| b.tls_info(true));
    let response = client.get(server.url("/healthz")).send().await.unwrap();
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("TLS info")
        .to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_rotation_under_load_fails_no_request() {
    let server = Arc::new(Harness::start(CONFIG, WebhookMode::Warn).await);
    assert_eq!(served_certificate(&server).await, server.leaf.der);
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (server, ok, failed, stop) = (server.clone(), ok.clone(), failed.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            // Half the workers keep one connection, half make a new one per request (a new
            // TLS handshake while the files change).
            let client = if worker % 2 == 0 {
                server.client.clone()
            } else {
                client_for(&server.ca, server.addr, |b| b.pool_max_idle_per_host(0))
            };
            let deadline = Instant::now() + Duration::from_secs(20);
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                let review = Review::create("shop", bad_deployment()).json().to_string();
                let result = client
                    .post(server.url("/validate"))
                    .body(review)
                    .send()
                    .await;
                match result {
                    Ok(r) if r.status().as_u16() == 200 => {
                        let body: serde_json::Value =
                            serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
                        assert_eq!(body["response"]["allowed"], true);
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                    other => {
                        eprintln!("failed request: {other:?}");
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }));
    }
    let dir = server.dir.path();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Step 1, as a non-atomic writer would leave it: the new certificate with the old key.
    let next = server.ca.leaf();
    replace(&cert_path(dir), &next.cert_pem);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        served_certificate(&server).await,
        server.leaf.der,
        "a mismatched pair keeps the old certificate"
    );
    // Step 2: the new key arrives; the pair is reloaded.
    replace(&key_path(dir), &next.key_pem);
    let until = Instant::now() + Duration::from_secs(10);
    while served_certificate(&server).await != next.der {
        assert!(
            Instant::now() < until,
            "the new certificate is served in time"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Garbage in both files: logged, the new pair keeps serving.
    replace(&cert_path(dir), "not a certificate");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(served_certificate(&server).await, next.der);
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    for worker in load {
        worker.await.unwrap();
    }
    assert_eq!(failed.load(Ordering::SeqCst), 0);
    assert!(
        ok.load(Ordering::SeqCst) >= 20,
        "{} requests",
        ok.load(Ordering::SeqCst)
    );
    let metrics = server.metrics().await;
    for line in [
        "aksguard_webhook_certificate_reloads_total{result=\"ok\"} 1",
        "aksguard_webhook_certificate_reloads_total{result=\"error\"} 2",
    ] {
        assert!(metrics.contains(line), "missing `{line}` in\n{metrics}");
    }
    let server = Arc::try_unwrap(server).ok().expect("workers are done");
    server.stop().await;
}
