//! Test harness: a CA and server certificates from rcgen, the server started on 127.0.0.1:0
//! with an aksguard.toml, an HTTPS client that trusts only the test CA, and reviews.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use aksguard_config::{ConfigSource, WebhookMode, parse_date};
use aksguard_scan::{ScanSettings, SettingsRequest};
use aksguard_webhook::{Judge, Options, Running, TlsFiles, start};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serde_json::{Value, json};

pub struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A server certificate: PEM of the chain and key, DER of the leaf.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub der: Vec<u8>,
}

/// notAfter of every test server certificate: 2030-01-01T00:00:00Z.
pub const NOT_AFTER: i64 = 1_893_456_000;

impl Ca {
    pub fn new() -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "aksguard test CA");
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        Ca { issuer }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    pub fn leaf(&self) -> Leaf {
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2030, 1, 1);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            der: cert.der().to_vec(),
        }
    }
}

pub struct Harness {
    pub running: Option<Running>,
    pub addr: std::net::SocketAddr,
    pub metrics_addr: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub ca: Ca,
    pub dir: tempfile::TempDir,
    pub leaf: Leaf,
}

/// Writes `text` to `path` in one step (a temporary file renamed over it), as cert-manager's
/// volume updates do.
pub fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

pub fn cert_path(dir: &Path) -> PathBuf {
    dir.join("tls.crt")
}

pub fn key_path(dir: &Path) -> PathBuf {
    dir.join("tls.key")
}

impl Harness {
    /// A server with `toml` as its aksguard.toml and `mode` as `--mode`.
    pub async fn start(toml: &str, mode: WebhookMode) -> Harness {
        Self::start_with(toml, mode, |_| {}).await
    }

    pub async fn start_with(
        toml: &str,
        mode: WebhookMode,
        adjust: impl FnOnce(&mut Options),
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, toml, mode, adjust, |_, judge| judge).await
    }

    /// [`Harness::start_with`] in `dir` (which may hold files the configuration names, such
    /// as policies), with the judge given to `wrap` (to plug users' policies in).
    pub async fn start_in(
        dir: tempfile::TempDir,
        toml: &str,
        mode: WebhookMode,
        adjust: impl FnOnce(&mut Options),
        wrap: impl FnOnce(&ScanSettings, Judge) -> Judge,
    ) -> Harness {
        aksguard_webhook::install_crypto_provider();
        let ca = Ca::new();
        let leaf = ca.leaf();
        std::fs::write(cert_path(dir.path()), &leaf.cert_pem).unwrap();
        std::fs::write(key_path(dir.path()), &leaf.key_pem).unwrap();
        let config = dir.path().join("aksguard.toml");
        std::fs::write(&config, toml).unwrap();
        let settings = ScanSettings::resolve(&SettingsRequest {
            source: ConfigSource::Explicit(config),
            overrides: Default::default(),
            as_of: Some(parse_date("2026-06-01").unwrap()),
            baseline: None,
            write_baseline: None,
        })
        .unwrap();
        let mut options = Options {
            listen: "127.0.0.1:0".parse().unwrap(),
            metrics_listen: "127.0.0.1:0".parse().unwrap(),
            default_mode: mode,
            reload_interval: Duration::from_millis(50),
            grace: Duration::from_secs(5),
            ..Options::new(TlsFiles {
                cert: cert_path(dir.path()),
                key: key_path(dir.path()),
            })
        };
        adjust(&mut options);
        let judge = wrap(&settings, Judge::new(settings.clone()));
        let running = tokio::time::timeout(Duration::from_secs(10), start(options, judge))
            .await
            .expect("server starts in time")
            .expect("server starts");
        let addr = running.addr;
        let client = client_for(&ca, addr, |b| b);
        Harness {
            addr,
            metrics_addr: running.metrics_addr,
            running: Some(running),
            client,
            ca,
            dir,
            leaf,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }

    /// POSTs `body` to `path`; the status and the body as JSON (or as a string).
    pub async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request answered");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    /// Sends a review to `/validate{query}`; asserts 200 and the uid, returns `response`.
    pub async fn review(&self, query: &str, review: Value) -> Value {
        let uid = review["request"]["uid"].as_str().unwrap().to_owned();
        let (status, body) = self
            .post(&format!("/validate{query}"), review.to_string())
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(body["kind"], "AdmissionReview");
        assert_eq!(body["response"]["uid"], uid.as_str());
        body["response"].clone()
    }

    pub async fn metrics(&self) -> String {
        reqwest::Client::new()
            .get(format!("http://{}/metrics", self.metrics_addr))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            tokio::time::timeout(Duration::from_secs(15), running.shutdown())
                .await
                .expect("stops in time")
                .expect("stops cleanly");
        }
    }
}

/// An HTTPS client that trusts only `ca` and resolves `localhost` to `addr`.
pub fn client_for(
    ca: &Ca,
    addr: std::net::SocketAddr,
    adjust: impl FnOnce(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
) -> reqwest::Client {
    let root = reqwest::Certificate::from_pem(ca.pem().as_bytes()).unwrap();
    adjust(
        reqwest::Client::builder()
            .tls_certs_only([root])
            .resolve("localhost", addr)
            .timeout(Duration::from_secs(10)),
    )
    .build()
    .unwrap()
}

/// Container `app`: privileged when `bad` (POD001 critical, POD006 high, POD024 low); with
/// `runAsNonRoot`, probes and no privilege otherwise (no finding of the test rules).
pub fn container(name: &str, bad: bool) -> Value {
    if bad {
        json!({"name": name, "image": "myacr.azurecr.io/web:1.0",
               "securityContext": {"privileged": true}})
    } else {
        json!({"name": name, "image": "myacr.azurecr.io/web:1.0",
               "readinessProbe": {"httpGet": {"path": "/", "port": 8080}},
               "livenessProbe": {"httpGet": {"path": "/", "port": 8080}},
               "securityContext": {"privileged": false}})
    }
}

/// A Deployment `web` (no namespace in its metadata, as `kubectl apply -n` sends it).
pub fn deployment(containers: Vec<Value>, replicas: u32) -> Value {
    let bad = containers
        .iter()
        .any(|c| c["securityContext"]["privileged"] == true);
    let mut pod_spec = json!({"containers": containers});
    if !bad {
        pod_spec["securityContext"] = json!({"runAsNonRoot": true, "runAsUser": 10001});
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web"},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec}}})
}

pub fn bad_deployment() -> Value {
    deployment(vec![container("app", true)], 2)
}

pub fn clean_deployment() -> Value {
    deployment(vec![container("app", false)], 2)
}

/// An AdmissionReview; `object`/`old` as given (`Value::Null` leaves them out).
pub struct Review {
    pub uid: String,
    pub operation: &'static str,
    pub namespace: String,
    pub kind: &'static str,
    pub object: Value,
    pub old: Value,
    pub user: String,
    pub groups: Vec<String>,
    pub dry_run: bool,
}

impl Review {
    pub fn create(namespace: &str, object: Value) -> Review {
        let kind = if object["kind"] == "Pod" {
            "Pod"
        } else {
            "Deployment"
        };
        Review {
            uid: format!("uid-{}", rand_suffix()),
            operation: "CREATE",
            namespace: namespace.to_owned(),
            kind,
            object,
            old: Value::Null,
            user: "alice".into(),
            groups: vec!["system:authenticated".into()],
            dry_run: false,
        }
    }

    pub fn json(&self) -> Value {
        let (group, version) = if self.kind == "Pod" {
            ("", "v1")
        } else {
            ("apps", "v1")
        };
        let mut request = json!({
            "uid": self.uid,
            "kind": {"group": group, "version": version, "kind": self.kind},
            "resource": {"group": group, "version": version, "resource": format!("{}s", self.kind.to_lowercase())},
            "requestKind": {"group": group, "version": version, "kind": self.kind},
            "name": "web",
            "namespace": self.namespace,
            "operation": self.operation,
            "userInfo": {"username": self.user, "groups": self.groups},
            "dryRun": self.dry_run,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
        });
        if !self.object.is_null() {
            request["object"] = self.object.clone();
        } else {
            request["object"] = Value::Null;
        }
        if !self.old.is_null() {
            request["oldObject"] = self.old.clone();
        }
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The aksguard.toml most tests use: three rules (POD001 critical, POD006 high, POD024 low).
pub const CONFIG: &str = r#"
select = ["POD001", "POD006", "POD024"]

[webhook]
exempt-namespaces = ["kube-system"]
exempt-users = ["system:serviceaccount:flux-system:*"]
exempt-groups = ["system:serviceaccounts:kube-system"]

[[webhook.namespace]]
name = "prod-*"
mode = "enforce"

[[webhook.namespace]]
name = "sandbox"
mode = "audit"

[[exception]]
rules = ["POD001"]
namespace = "legacy"
reason = "vendor image needs it until Q3"
"#;
