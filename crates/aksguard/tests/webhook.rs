//! `aksguard webhook` as a real process: the listening line, audit findings as JSON log lines
//! (never object contents), SIGTERM draining a request in flight and exit 0, `--list-rules`,
//! and start-up errors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serde_json::{Value, json};

const SECRET: &str = "hunter2-not-for-logs";

struct Certs {
    ca_der: Vec<u8>,
    cert_pem: String,
    key_pem: String,
}

fn certs() -> Certs {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    Certs {
        ca_der: ca.der().to_vec(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// The webhook process and its stdout lines (read on a thread).
struct Webhook {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Webhook {
    fn start(dir: &Path, extra: &[&str]) -> Webhook {
        let mut child = Command::cargo_bin("aksguard")
            .unwrap()
            .args([
                "webhook",
                "--listen",
                "127.0.0.1:0",
                "--metrics-listen",
                "127.0.0.1:0",
            ])
            .arg("--tls-cert")
            .arg(dir.join("tls.crt"))
            .arg("--tls-key")
            .arg(dir.join("tls.key"))
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Webhook {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The first log line (JSON) whose message starts with `message`, waiting up to 20 s.
    fn wait_for(&mut self, message: &str) -> Value {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(found) = self.seen.iter().find_map(|line| {
                let value: Value = serde_json::from_str(line).ok()?;
                value["fields"]["message"]
                    .as_str()?
                    .starts_with(message)
                    .then_some(value)
            }) {
                return found;
            }
            let left = until.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no `{message}` log line in {:#?}",
                self.seen
            );
            if let Ok(line) = self.lines.recv_timeout(left) {
                self.seen.push(line);
            }
        }
    }

    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(line);
                }
                return status;
            }
            assert!(Instant::now() < until, "the webhook exits in time");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        // Only if a test failed before the process stopped.
        let _ = self.child.kill();
    }
}

/// A blocking TLS connection trusting only the test CA.
fn connect(addr: &str, ca_der: &[u8]) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca_der.to_vec().into()).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = "localhost".try_into().unwrap();
    let connection = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    rustls::StreamOwned::new(connection, tcp)
}

/// Reads one HTTP/1.1 response: the status and the body.
fn read_response(stream: &mut impl Read) -> (u16, String) {
    let mut buffer = Vec::new();
    let mut byte = [0u8; 1];
    while !buffer.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "response headers");
        buffer.push(byte[0]);
    }
    let head = String::from_utf8(buffer).unwrap();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("content-length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    (status, String::from_utf8(body).unwrap())
}

fn review(uid: &str) -> String {
    let container = json!({"name": "app", "image": "myacr.azurecr.io/web:1.0",
        "env": [{"name": "DB_PASSWORD", "value": SECRET}],
        "securityContext": {"privileged": true}});
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": uid, "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "name": "web", "namespace": "shop", "operation": "CREATE", "dryRun": true,
            "userInfo": {"username": "alice"},
            "object": {"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web"},
                "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [container]}}}}}})
    .to_string()
}

fn request_head(body_len: usize) -> String {
    format!(
        "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {body_len}\r\n\r\n"
    )
}

#[test]
fn audit_logs_findings_as_json_and_sigterm_drains_in_flight_requests() {
    let dir = tempfile::tempdir().unwrap();
    let certs = certs();
    std::fs::write(dir.path().join("tls.crt"), &certs.cert_pem).unwrap();
    std::fs::write(dir.path().join("tls.key"), &certs.key_pem).unwrap();
    std::fs::write(
        dir.path().join("aksguard.toml"),
        "select = [\"POD001\", \"POD006\", \"SEC\"]\n[webhook]\nmode = \"enforce\"\n",
    )
    .unwrap();
    let config = dir.path().join("aksguard.toml");
    // --mode overrides the file's `mode = "enforce"`.
    let mut webhook = Webhook::start(
        dir.path(),
        &["--mode", "audit", "--config", config.to_str().unwrap()],
    );
    let listening = webhook.wait_for("listening on");
    let addr = listening["fields"]["addr"].as_str().unwrap().to_owned();
    assert_eq!(listening["fields"]["default_mode"], "audit");
    assert_eq!(listening["level"], "INFO");

    // One review: allowed silently, one JSON log line per finding, marked dry-run.
    let mut stream = connect(&addr, &certs.ca_der);
    let body = review("first");
    stream
        .write_all(request_head(body.len()).as_bytes())
        .unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let (status, answer) = read_response(&mut stream);
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["response"]["uid"], "first");
    assert_eq!(answer["response"]["allowed"], true);
    assert!(answer["response"].get("warnings").is_none(), "{answer}");
    let audit = webhook.wait_for("audit finding");
    assert_eq!(audit["fields"]["uid"], "first");
    assert_eq!(audit["fields"]["dry_run"], true);
    assert_eq!(audit["fields"]["subject"], "Deployment shop/web");
    assert!(
        audit["fields"]["rule"].as_str().is_some() && audit["fields"]["finding"].as_str().is_some()
    );

    // A request in flight when SIGTERM arrives: headers and half the body now, the rest
    // after the signal was handled. It is answered; then the process exits 0.
    let body = review("in-flight");
    let (first, rest) = body.split_at(body.len() / 2);
    stream
        .write_all(request_head(body.len()).as_bytes())
        .unwrap();
    stream.write_all(first.as_bytes()).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let killed = Command::new("kill")
        .args(["-TERM", &webhook.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    webhook.wait_for("signal received");
    webhook.wait_for("shutting down");
    std::thread::sleep(Duration::from_millis(200));
    stream.write_all(rest.as_bytes()).unwrap();
    let (status, answer) = read_response(&mut stream);
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("\"uid\":\"in-flight\""), "{answer}");
    let status = webhook.wait_exit();
    assert!(status.success(), "{status:?}");
    webhook.wait_for("stopped");

    // Every line is JSON; none holds the secret value in the object.
    let audits = webhook
        .seen
        .iter()
        .filter(|line| line.contains("audit finding"))
        .count();
    assert!(
        audits >= 4,
        "POD001, POD006 and a SEC finding per review: {:#?}",
        webhook.seen
    );
    for line in &webhook.seen {
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "not JSON: {line}"
        );
        assert!(!line.contains(SECRET), "secret in the log: {line}");
    }
}

#[test]
fn list_rules_names_what_runs_and_what_is_skipped() {
    let output = Command::cargo_bin("aksguard")
        .unwrap()
        .args(["webhook", "--list-rules"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("aksguard webhook runs "), "{text}");
    let (runs, skipped) = text.split_once("\nSkipped:\n").unwrap();
    assert!(
        runs.contains("\n  POD001  critical  Container runs privileged\n"),
        "{text}"
    );
    assert!(runs.contains("\n  SEC001 "), "{text}");
    assert!(skipped.contains("admission never sees"), "{text}");
    assert!(
        skipped.contains("needs other objects than the one under review"),
        "{text}"
    );
    assert!(!skipped.contains("POD001"), "{text}");
    // --select limits both lists.
    let output = Command::cargo_bin("aksguard")
        .unwrap()
        .args(["webhook", "--list-rules", "--select", "POD001,NET001"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("aksguard webhook runs 1 rule(s) and skips 1 of the selected"),
        "{text}"
    );
}

#[test]
fn start_up_errors_exit_2_naming_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tls.crt"), "not a certificate").unwrap();
    std::fs::write(dir.path().join("tls.key"), "not a key").unwrap();
    std::fs::write(dir.path().join("bad.toml"), "[webhook]\nmode = \"block\"\n").unwrap();
    let run = |extra: &[&str]| {
        let mut command = Command::cargo_bin("aksguard").unwrap();
        command.args([
            "webhook",
            "--listen",
            "127.0.0.1:0",
            "--metrics-listen",
            "127.0.0.1:0",
        ]);
        command.current_dir(dir.path()).args(extra);
        let output = command.output().unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (code, stderr) = run(&[]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--tls-cert"), "{stderr}");
    let (code, stderr) = run(&[
        "--tls-cert",
        "tls.crt",
        "--tls-key",
        "tls.key",
        "--config",
        "bad.toml",
    ]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("bad.toml:2: `webhook.mode`: unknown mode `block`"),
        "{stderr}"
    );
    let (code, stderr) = run(&["--tls-cert", "tls.crt", "--tls-key", "tls.key"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("tls.crt: no certificate in the file"),
        "{stderr}"
    );
    let (code, stderr) = run(&["--tls-cert", "missing.crt", "--tls-key", "tls.key"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("cannot read certificate missing.crt"),
        "{stderr}"
    );
}
