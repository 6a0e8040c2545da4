//! `aksguard serve` as a process: the listen policy exits 2 before anything is served, a
//! served request with the token from the environment, and SIGTERM stopping it (exit 0)
//! without the token in any output.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use assert_cmd::Command;

const TOKEN: &str = "process-test-token-0123456789abcdef";

fn serve(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("aksguard").unwrap();
    cmd.arg("serve")
        .arg("--store")
        .arg(format!(
            "sqlite://{}",
            dir.join("history.sqlite3").display()
        ))
        .env_remove("AKSGUARD_STORE")
        .env_remove("AKSGUARD_SERVE_TOKEN")
        .timeout(Duration::from_secs(30));
    cmd
}

#[test]
fn beyond_loopback_needs_a_token_or_no_auth() {
    let dir = tempfile::tempdir().unwrap();
    let output = serve(dir.path())
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--token") && stderr.contains("--no-auth"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("history.sqlite3").exists(),
        "refused before opening the store"
    );

    let output = serve(dir.path())
        .args(["--listen", "0.0.0.0:0"])
        .env("AKSGUARD_SERVE_TOKEN", "short-secret")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("AKSGUARD_SERVE_TOKEN") && stderr.contains("too short"),
        "{stderr}"
    );
    assert!(!stderr.contains("short-secret"), "{stderr}");

    let output = serve(dir.path())
        .args(["--listen", "0.0.0.0:0", "--no-auth"])
        .env("AKSGUARD_SERVE_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("contradict"));
}

/// The server process and its stderr lines (read on a thread).
struct Server {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn wait_for(&mut self, text: &str) -> String {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(line) = self.seen.iter().find(|line| line.contains(text)) {
                return line.clone();
            }
            let left = until.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no `{text}` in {:#?}", self.seen);
            if let Ok(line) = self.lines.recv_timeout(left) {
                self.seen.push(line);
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// One HTTP/1.1 GET; the whole answer as text.
fn http_get(port: u16, path: &str, token: Option<&str>) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn serves_with_the_token_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin!("aksguard"))
        .arg("serve")
        .arg("--store")
        .arg(format!(
            "sqlite://{}",
            dir.path().join("history.sqlite3").display()
        ))
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("AKSGUARD_STORE")
        .env("AKSGUARD_SERVE_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (send, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let mut server = Server {
        child,
        lines,
        seen: Vec::new(),
    };
    let line = server.wait_for("serving the scan history on http://127.0.0.1:");
    let port: u16 = line
        .split("http://127.0.0.1:")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap();

    let answer = http_get(port, "/api/v1/targets", Some(TOKEN));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("{\"targets\":[]}"), "{answer}");
    assert!(
        answer.contains("content-security-policy: default-src 'none'"),
        "{answer}"
    );
    let answer = http_get(port, "/api/v1/targets", None);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let answer = http_get(port, "/api/v1/targets", Some("not-the-token-0123456789"));
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");

    let killed = StdCommand::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let until = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < until, "the server stops in time");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "{:#?}", server.seen);
    while let Ok(line) = server.lines.recv_timeout(Duration::from_millis(500)) {
        server.seen.push(line);
    }
    let log = server.seen.join("\n");
    assert!(log.contains("SIGTERM") && log.contains("stopped"), "{log}");
    assert!(log.contains("status=401"), "requests are logged: {log}");
    assert!(!log.contains(TOKEN), "{log}");
}
