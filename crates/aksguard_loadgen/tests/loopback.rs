//! The generator against a tiny stand-in webhook over real TLS on 127.0.0.1 (rcgen
//! certificates, tokio-rustls + hyper server): counts, failure kinds, the malformed burst,
//! and the binary's refusals. Every run is bounded (about a second each).

use aksguard_loadgen::check::{Expect, Failure};
use aksguard_loadgen::client::{Dialer, Protocol, tls_config};
use aksguard_loadgen::pacing::Schedule;
use aksguard_loadgen::payload::ReviewTemplate;
use aksguard_loadgen::run::{Burst, Payload, Plan, run};
use aksguard_loadgen::target::Target;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

struct Pki {
    dir: tempfile::TempDir,
    server: rustls::ServerConfig,
}

/// A CA, a server certificate for 127.0.0.1 signed by it, and the CA's PEM on disk.
fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server_params = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.pem"), ca_cert.pem()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(server_key.serialize_der()).unwrap(),
        )
        .unwrap();
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Pki { dir, server }
}

/// Answers like a webhook in warn mode: allowed with our uid, 400 for anything not a v1
/// review with a request, 200 on GET /healthz.
async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    if request.method() == hyper::Method::GET {
        return Ok(Response::new(Full::new(Bytes::from_static(b"ok"))));
    }
    let body = request.into_body().collect().await?.to_bytes();
    let review: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let uid = review
        .as_ref()
        .filter(|r| r["apiVersion"] == "admission.k8s.io/v1")
        .and_then(|r| r.pointer("/request/uid"))
        .and_then(|uid| uid.as_str());
    Ok(match uid {
        Some(uid) => Response::new(Full::new(Bytes::from(format!(
            r#"{{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{{"uid":"{uid}","allowed":true}}}}"#
        )))),
        None => Response::builder()
            .status(400)
            .body(Full::new(Bytes::from_static(b"malformed review")))
            .unwrap(),
    })
}

async fn serve(server: rustls::ServerConfig) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), hyper::service::service_fn(handle))
                    .await;
            });
        }
    });
    addr
}

fn dialer(addr: SocketAddr, path: &str, ca: &Path, protocol: Protocol) -> Arc<Dialer> {
    let target = Target::parse(&format!("https://{addr}{path}")).unwrap();
    let tls = tls_config(ca, protocol).unwrap();
    Arc::new(Dialer::new(target, tls, None, protocol, Duration::from_secs(2)).unwrap())
}

fn plan(payload: Payload, expect: Expect) -> Plan {
    Plan {
        connections: 4,
        rate: Schedule::new(400),
        warmup: Duration::from_millis(200),
        duration: Duration::from_millis(800),
        timeout: Duration::from_secs(2),
        payload,
        expect,
        burst: None,
        server_pid: None,
        sample_every: Duration::from_secs(30),
    }
}

#[tokio::test]
async fn paced_reviews_all_succeed_on_keep_alive_connections_with_a_burst() {
    let pki = pki();
    let addr = serve(pki.server).await;
    let ca = pki.dir.path().join("ca.pem");
    let template = Arc::new(ReviewTemplate::deployment());
    for protocol in [Protocol::Http1, Protocol::Http2] {
        let mut plan = plan(Payload::Review(template.clone()), Expect::Allowed);
        plan.burst = Some(Burst {
            at: Duration::from_millis(500),
            count: 41,
            connections: 2,
        });
        plan.server_pid = Some(std::process::id());
        plan.sample_every = Duration::from_millis(250);
        let dialer = dialer(addr, "/validate", &ca, protocol);
        let outcome = tokio::time::timeout(Duration::from_secs(10), run(dialer, Arc::new(plan)))
            .await
            .expect("the run is bounded");
        let main = &outcome.main;
        assert!(
            main.failures.is_empty(),
            "{protocol:?}: {:?}",
            main.failures
        );
        assert!(
            main.warmup_failures.is_empty(),
            "{:?}",
            main.warmup_failures
        );
        assert_eq!(outcome.unsent, 0);
        // 400/s: due times 0..1 s, 80 of them in the 200 ms warm-up
        assert_eq!(main.ok, 320, "{protocol:?}");
        assert_eq!(main.warmup_ok, 80);
        assert_eq!(main.latency.count(), 320);
        assert_eq!(
            main.connections_opened, 4,
            "keep-alive: one connection each"
        );
        let burst = outcome.burst.expect("burst ran");
        assert_eq!(burst.ok, 41, "{:?}", burst.failures);
        assert!(burst.failures.is_empty());
        assert_eq!(burst.connections_opened, 2);
        assert!(
            outcome.server_memory.len() >= 4,
            "{}",
            outcome.server_memory.len()
        );
        assert!(outcome.server_cpu.is_some());
        let summary = main.latency.summary();
        assert!(
            summary.p50_ms > 0.0 && summary.p50_ms < 100.0,
            "{summary:?}"
        );
    }
}

#[tokio::test]
async fn wrong_expectations_and_statuses_are_counted_by_kind() {
    let pki = pki();
    let addr = serve(pki.server).await;
    let ca = pki.dir.path().join("ca.pem");
    let template = Arc::new(ReviewTemplate::deployment());
    let dialer_validate = dialer(addr, "/validate", &ca, Protocol::Http1);
    let denied = plan(Payload::Review(template.clone()), Expect::Denied);
    let outcome = run(dialer_validate.clone(), Arc::new(denied)).await;
    assert_eq!(outcome.main.ok, 0);
    assert_eq!(
        outcome
            .main
            .failures
            .get(&Failure::Decision { allowed: true }),
        Some(&320)
    );
    // malformed reviews are expected to get 400: they do
    let malformed = plan(Payload::Malformed(template.clone()), Expect::Status(400));
    let outcome = run(dialer_validate, Arc::new(malformed)).await;
    assert_eq!(outcome.main.ok, 320, "{:?}", outcome.main.failures);
    // GET /healthz
    let healthz = plan(Payload::Get, Expect::Status(200));
    let outcome = run(
        dialer(addr, "/healthz", &ca, Protocol::Http1),
        Arc::new(healthz),
    )
    .await;
    assert_eq!(outcome.main.ok, 320, "{:?}", outcome.main.failures);
}

#[tokio::test]
async fn max_rate_runs_closed_loop_for_the_duration() {
    let pki = pki();
    let addr = serve(pki.server).await;
    let ca = pki.dir.path().join("ca.pem");
    let mut max = plan(Payload::Get, Expect::Status(200));
    max.rate = None;
    max.connections = 2;
    let started = std::time::Instant::now();
    let outcome = run(
        dialer(addr, "/healthz", &ca, Protocol::Http1),
        Arc::new(max),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(outcome.main.ok > 100, "{}", outcome.main.ok);
    assert!(outcome.main.failures.is_empty());
    assert_eq!(outcome.unsent, 0);
}

#[tokio::test]
async fn untrusted_certificates_and_closed_ports_fail_as_tls_and_connect() {
    let pki = pki();
    let other = self::pki();
    let addr = serve(pki.server).await;
    let untrusted_ca = other.dir.path().join("ca.pem");
    let dialer_untrusted = dialer(addr, "/healthz", &untrusted_ca, Protocol::Http1);
    assert_eq!(dialer_untrusted.connect().await.err(), Some(Failure::Tls));
    // a port nobody listens on (bound, then released)
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let ca = pki.dir.path().join("ca.pem");
    let dialer_closed = dialer(closed, "/healthz", &ca, Protocol::Http1);
    assert_eq!(dialer_closed.connect().await.err(), Some(Failure::Connect));
    let mut short = plan(Payload::Get, Expect::Status(200));
    short.warmup = Duration::ZERO;
    short.duration = Duration::from_millis(100);
    let outcome = run(dialer_closed, Arc::new(short)).await;
    assert_eq!(outcome.main.ok, 0);
    assert_eq!(outcome.main.failures.get(&Failure::Connect), Some(&40));
}

#[test]
fn the_binary_refuses_non_loopback_hosts_and_missing_cas() {
    let bin = env!("CARGO_BIN_EXE_aksguard-loadgen");
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "").unwrap();
    for (url, ca_path, want) in [
        (
            "https://10.1.2.3:8443/validate",
            ca.clone(),
            "not a loopback address",
        ),
        (
            "https://webhook.example:8443/",
            ca.clone(),
            "not an IP literal",
        ),
        (
            "https://127.0.0.1:8443/",
            dir.path().join("missing.pem"),
            "--ca",
        ),
        ("https://127.0.0.1:8443/", ca.clone(), "no certificate"),
    ] {
        let output = std::process::Command::new(bin)
            .args(["--url", url, "--ca"])
            .arg(&ca_path)
            .args(["--duration", "1s"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{url}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(want), "{url}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_reports_a_passing_run_as_text_and_json() {
    let pki = pki();
    let addr = serve(pki.server).await;
    let ca = pki.dir.path().join("ca.pem");
    let json = pki.dir.path().join("report.json");
    let bin = env!("CARGO_BIN_EXE_aksguard-loadgen");
    let mut command = std::process::Command::new(bin);
    command
        .args(["--url", &format!("https://{addr}/validate"), "--ca"])
        .arg(&ca)
        .args(["--rate", "300", "--warmup", "100ms", "--duration", "500ms"])
        .args([
            "--connections",
            "3",
            "--burst-malformed",
            "8",
            "--burst-at",
            "200ms",
        ])
        .arg("--server-pid")
        .arg(std::process::id().to_string())
        .args(["--sample-every", "200ms", "--json"])
        .arg(&json);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("150 sent, 150 ok, 0 failed, 0 unsent"),
        "{stdout}"
    );
    assert!(stdout.contains("8 sent, 8 answered 400"), "{stdout}");
    assert!(stdout.trim_end().ends_with("PASS"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["setup"]["rate"], 300);
    assert_eq!(report["counts"]["ok"], 150);
    assert_eq!(report["counts"]["connections_opened"], 3);
    assert_eq!(report["burst"]["rejected_400"], 8);
    assert!(report["latency"]["p99_ms"].as_f64().unwrap() > 0.0);
    assert!(report["server"]["memory"].as_array().unwrap().len() >= 3);
}
