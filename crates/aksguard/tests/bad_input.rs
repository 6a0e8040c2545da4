//! The real `aksguard` binary against hostile, broken and unusual inputs.
//!
//! Every bad-input case checks that the scan neither crashes nor hangs, exits 2, reports an
//! error naming the bad file (and line where there is one), and still loads and checks a
//! valid manifest placed beside it. Rules are being added all the time, so assertions rely
//! on POD001 (`--select POD001`) and never on total finding counts.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const TIMEOUT: Duration = Duration::from_secs(60);

/// A pod POD001 flags (privileged container), named `name`.
fn privileged_pod(name: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: app
    image: nginx:1.27
    securityContext:
      privileged: true
"
    )
}

/// A pod POD001 does not flag.
fn clean_pod(name: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: app
    image: nginx:1.27
    securityContext:
      privileged: false
"
    )
}

/// A fresh directory holding `good.yaml`, a privileged pod named `good`.
fn dir_with_good() -> TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "good.yaml", privileged_pod("good"));
    dir
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, contents).expect("write");
    path
}

/// `aksguard scan ARGS --format json`, run in `dir`, with a timeout.
fn scan(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("aksguard");
    cmd.current_dir(dir)
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .timeout(TIMEOUT);
    cmd
}

/// What one run produced.
struct Run {
    code: i32,
    report: Value,
    stderr: String,
}

impl Run {
    fn errors(&self) -> &[Value] {
        self.report["errors"].as_array().expect("errors[]")
    }

    fn findings(&self) -> &[Value] {
        self.report["findings"].as_array().expect("findings[]")
    }

    fn objects(&self) -> u64 {
        self.report["summary"]["objects"]
            .as_u64()
            .expect("summary.objects")
    }

    /// The error whose path ends with `suffix`; fails with the whole report otherwise.
    fn error_for(&self, suffix: &str) -> &Value {
        self.errors()
            .iter()
            .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
            .unwrap_or_else(|| panic!("no error for `{suffix}` in {:#}", self.report))
    }

    /// Whether some POD001 finding is about the object called `name`.
    fn pod001_on(&self, name: &str) -> bool {
        self.findings()
            .iter()
            .any(|f| f["rule_id"] == "POD001" && f["object"]["name"] == name)
    }

    /// The valid manifest beside the bad input was loaded and checked.
    fn assert_good_scanned(&self) {
        assert!(self.objects() >= 1, "no objects loaded: {:#}", self.report);
        assert!(
            self.pod001_on("good"),
            "no POD001 finding on `good`: {:#}",
            self.report
        );
    }
}

fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("aksguard runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let Some(code) = output.status.code() else {
        panic!(
            "aksguard was killed (crash or {TIMEOUT:?} timeout): {:?}\nstderr: {stderr}",
            output.status
        );
    };
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}); exit {code}\nstdout: {}\nstderr: {stderr}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    Run {
        code,
        report,
        stderr,
    }
}

/// Runs a scan expected to fail on bad input: exit 2, the good file still scanned.
fn run_bad(cmd: &mut Command) -> Run {
    let run = run(cmd);
    assert_eq!(
        run.code, 2,
        "expected exit 2; report {:#}\nstderr: {}",
        run.report, run.stderr
    );
    run.assert_good_scanned();
    run
}

fn message(error: &Value) -> &str {
    error["message"].as_str().expect("message")
}

// ---------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------

#[test]
fn malformed_yaml_names_file_and_line() {
    let dir = dir_with_good();
    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  key: value: other\n",
    );
    let run = run_bad(&mut scan(dir.path(), &[".", "--select", "POD001"]));
    let error = run.error_for("broken.yaml");
    assert_eq!(error["line"], 6, "{error}");
    assert!(message(error).contains("invalid YAML"), "{error}");
}

/// libyaml-safer, the YAML fallback, panics on this document (an unwrap after a final `\` in
/// a quoted scalar); the loader catches it. The user sees the YAML error, not a panic report
/// that reads as a crash.
#[test]
fn a_panic_in_the_yaml_fallback_is_a_quiet_yaml_error() {
    let dir = dir_with_good();
    write(dir.path(), "panics.yaml", "a: \"x\ny\"\nb: \"\\");
    let run = run_bad(&mut scan(dir.path(), &[".", "--select", "POD001"]));
    let error = run.error_for("panics.yaml");
    assert!(message(error).contains("invalid YAML"), "{error}");
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("libyaml"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_document_in_a_stream_reports_its_file_line_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    // Line 12 is inside the second document; the first and third are valid.
    let text = format!(
        "{}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm\ndata: {{}}\n---\n{}",
        privileged_pod("good"),
        privileged_pod("after")
    );
    write(dir.path(), "stream.yaml", text);
    let run = run_bad(&mut scan(
        dir.path(),
        &["stream.yaml", "--select", "POD001"],
    ));
    let error = run.error_for("stream.yaml");
    let line = error["line"].as_u64().expect("a line");
    assert!((14..=15).contains(&line), "line {line}: {error}");
    assert!(run.pod001_on("after"), "{:#}", run.report);
}

#[test]
fn malformed_json_names_file_and_line() {
    let dir = dir_with_good();
    // The comma missing after `"Pod"` is detected on line 4.
    write(
        dir.path(),
        "broken.json",
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\"\n  \"metadata\": {\"name\": \"x\"}\n}\n",
    );
    let run = run_bad(&mut scan(dir.path(), &[".", "--select", "POD001"]));
    let error = run.error_for("broken.json");
    assert_eq!(error["line"], 4, "{error}");
}

#[test]
fn non_utf8_bytes_name_file_and_line() {
    let dir = dir_with_good();
    write(
        dir.path(),
        "latin1.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n".as_slice(),
    );
    let run = run_bad(&mut scan(dir.path(), &[".", "--select", "POD001"]));
    let error = run.error_for("latin1.yaml");
    assert_eq!(error["line"], 4, "{error}");
    assert!(message(error).contains("UTF-8"), "{error}");
}

#[test]
fn binary_file_passed_explicitly_is_refused() {
    let dir = dir_with_good();
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    png.extend_from_slice(b"IHDR\x00\x00\x01\x00");
    write(dir.path(), "x.yaml", png);
    let run = run_bad(&mut scan(
        dir.path(),
        &["x.yaml", "good.yaml", "--select", "POD001"],
    ));
    let error = run.error_for("x.yaml");
    assert!(message(error).contains("binary"), "{error}");
}

#[test]
fn hundred_megabyte_file_is_refused_by_the_size_limit_without_parsing() {
    let dir = dir_with_good();
    // ~100 MiB of valid YAML documents, written in 1 MiB blocks.
    let doc = format!("---\n{}", privileged_pod("copy"));
    let block = doc.repeat((1 << 20) / doc.len() + 1);
    let path = dir.path().join("huge.yaml");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for _ in 0..100 {
        file.write_all(block.as_bytes()).unwrap();
    }
    file.flush().unwrap();
    drop(file);
    assert!(std::fs::metadata(&path).unwrap().len() >= 100 << 20);

    let started = Instant::now();
    let run = run_bad(&mut scan(dir.path(), &[".", "--select", "POD001"]));
    let elapsed = started.elapsed();
    let error = run.error_for("huge.yaml");
    assert!(message(error).contains("limit"), "{error}");
    assert!(message(error).contains("not scanned"), "{error}");
    // Refused before reading: none of its ~300k pods was loaded.
    assert!(!run.pod001_on("copy"), "the huge file was parsed");
    assert!(run.objects() < 10, "{:#}", run.report["summary"]);
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
}

#[test]
fn ten_thousand_deep_nesting_is_an_error_not_a_stack_overflow() {
    let dir = dir_with_good();
    write(dir.path(), "deep.yaml", "[".repeat(10_000));
    write(
        dir.path(),
        "deep.json",
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
    );
    let run = run_bad(&mut scan(dir.path(), &[".", "--select", "POD001"]));
    run.error_for("deep.yaml");
    run.error_for("deep.json");
}

#[test]
fn billion_laughs_alias_bomb_is_refused() {
    let dir = dir_with_good();
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n");
    text.push_str("  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let aliases = vec![format!("*l{}", level - 1); 10].join(", ");
        text.push_str(&format!("  l{level}: &l{level} [{aliases}]\n"));
    }
    write(dir.path(), "bomb.yaml", text);
    let run = run_bad(&mut scan(dir.path(), &[".", "--select", "POD001"]));
    let error = run.error_for("bomb.yaml");
    assert!(message(error).contains("alias bomb"), "{error}");
    let line = error["line"].as_u64().expect("a line");
    assert!((5..=14).contains(&line), "{error}");
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_and_the_rest_scanned() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "manifests/apps/good.yaml",
        privileged_pod("good"),
    );
    std::os::unix::fs::symlink("..", dir.path().join("manifests/apps/back")).unwrap();
    let run = run_bad(&mut scan(dir.path(), &["manifests", "--select", "POD001"]));
    let error = run.error_for("back");
    assert!(message(error).contains("loop"), "{error}");
    // The good pod is found once, not once per trip round the loop.
    let count = run
        .findings()
        .iter()
        .filter(|f| f["object"]["name"] == "good")
        .count();
    assert_eq!(count, 1, "{:#}", run.report);
}

#[test]
fn nonexistent_path_is_an_error() {
    let dir = dir_with_good();
    let run = run_bad(&mut scan(
        dir.path(),
        &["missing.yaml", "good.yaml", "--select", "POD001"],
    ));
    let error = run.error_for("missing.yaml");
    assert!(message(error).contains("no such file"), "{error}");
}

#[test]
fn glob_matching_nothing_is_an_error() {
    let dir = dir_with_good();
    let run = run_bad(&mut scan(
        dir.path(),
        &["nothing-*.yaml", "good.yaml", "--select", "POD001"],
    ));
    let error = run.error_for("nothing-*.yaml");
    assert!(message(error).contains("matched no files"), "{error}");
}

/// A selector typo fails the whole run before anything is scanned: a report from a scan
/// that silently ran fewer rules would look like a pass.
#[test]
fn unknown_rule_in_select_or_ignore_fails_naming_it() {
    let dir = dir_with_good();
    for flag in ["--select", "--ignore"] {
        let output = scan(dir.path(), &["good.yaml", flag, "POD001,NOSUCH042"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag}: {stderr}");
        assert!(stderr.contains("NOSUCH042"), "{flag}: {stderr}");
        assert!(output.stdout.is_empty(), "{flag}: a report was printed");
    }
}

#[test]
fn inputs_without_any_kubernetes_object_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "values.yaml", "replicaCount: 2\nimage: nginx\n");
    write(dir.path(), "empty.yaml", "");
    write(dir.path(), "comments.yml", "# nothing here\n---\n---\n");
    write(dir.path(), "config.json", "{\"debug\": true}\n");
    let run = run(&mut scan(dir.path(), &["."]));
    assert_eq!(run.code, 2, "{:#}", run.report);
    assert_eq!(run.objects(), 0);
    assert!(
        run.errors()
            .iter()
            .any(|e| message(e).contains("no Kubernetes objects")),
        "{:#}",
        run.report
    );
}

// ---------------------------------------------------------------------------------------
// Inputs that must work
// ---------------------------------------------------------------------------------------

#[test]
fn stdin_with_helm_source_comments_names_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let stream = format!(
        "---\n# Source: chart/templates/service.yaml\napiVersion: v1\nkind: Service\n\
         metadata:\n  name: svc\n---\n# Source: chart/templates/x.yaml\n{}",
        privileged_pod("from-helm")
    );
    let run = run(scan(dir.path(), &["-", "--select", "POD001"]).write_stdin(stream));
    assert_eq!(run.code, 1, "{:#}", run.report);
    assert_eq!(run.objects(), 2);
    let finding = run
        .findings()
        .iter()
        .find(|f| f["rule_id"] == "POD001")
        .expect("POD001 finding");
    let location = &finding["location"];
    assert_eq!(location["path"], "<stdin>");
    assert_eq!(location["template"], "chart/templates/x.yaml");
    // `privileged: true` is line 10 of the pod, which starts on line 9 of the stream.
    assert_eq!(location["line"], 18, "{location}");
}

#[test]
fn gitignored_files_are_not_scanned() {
    let dir = dir_with_good();
    write(dir.path(), ".gitignore", "generated/\nsecret-*.yaml\n");
    write(
        dir.path(),
        "generated/out.yaml",
        privileged_pod("generated"),
    );
    write(dir.path(), "secret-local.yaml", privileged_pod("ignored"));
    let run = run(&mut scan(dir.path(), &[".", "--select", "POD001"]));
    assert_eq!(run.code, 1, "{:#}", run.report);
    run.assert_good_scanned();
    assert_eq!(run.objects(), 1, "{:#}", run.report);
    assert!(!run.pod001_on("generated") && !run.pod001_on("ignored"));
}

#[test]
fn glob_patterns_expand() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "deploy/a.yaml", privileged_pod("a"));
    write(dir.path(), "deploy/b.yaml", privileged_pod("b"));
    write(dir.path(), "deploy/c.yml", privileged_pod("c"));
    let run = run(&mut scan(
        dir.path(),
        &["deploy/*.yaml", "--select", "POD001"],
    ));
    assert_eq!(run.code, 1, "{:#}", run.report);
    assert!(run.pod001_on("a") && run.pod001_on("b"), "{:#}", run.report);
    assert!(!run.pod001_on("c"), "c.yml does not match *.yaml");
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "clean.yaml", clean_pod("clean"));
    write(dir.path(), "privileged.yaml", privileged_pod("bad"));
    let clean = run(&mut scan(
        dir.path(),
        &["clean.yaml", "--select", "POD001", "--fail-on", "critical"],
    ));
    assert_eq!(clean.code, 0, "{:#}", clean.report);
    assert!(clean.findings().is_empty());
    let bad = run(&mut scan(
        dir.path(),
        &[
            "privileged.yaml",
            "--select",
            "POD001",
            "--fail-on",
            "critical",
        ],
    ));
    assert_eq!(bad.code, 1, "{:#}", bad.report);
    assert!(bad.pod001_on("bad"));
    let never = run(&mut scan(
        dir.path(),
        &["privileged.yaml", "--select", "POD001", "--fail-on", "none"],
    ));
    assert_eq!(never.code, 0, "{:#}", never.report);
}

#[test]
fn parse_only_loads_everything_and_runs_no_rule() {
    let dir = dir_with_good();
    let clean = run(&mut scan(dir.path(), &[".", "--parse-only"]));
    assert_eq!(clean.code, 0, "{:#}", clean.report);
    assert_eq!(clean.objects(), 1);
    assert!(clean.findings().is_empty(), "{:#}", clean.report);
    // Load errors still exit 2.
    write(dir.path(), "broken.yaml", "a: [\n");
    let broken = run(&mut scan(dir.path(), &[".", "--parse-only"]));
    assert_eq!(broken.code, 2, "{:#}", broken.report);
    assert_eq!(broken.objects(), 1);
    assert_eq!(broken.error_for("broken.yaml")["line"], 1);
}

// ---------------------------------------------------------------------------------------
// Kustomize rendering with a fake `kubectl`
// ---------------------------------------------------------------------------------------

/// A directory with `app/kustomization.yaml` and a raw manifest (pod `raw`), and
/// `bin/kubectl` running `script`.
#[cfg(unix)]
fn kustomize_dir(script: &str) -> TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app/kustomization.yaml",
        "resources:\n- raw.yaml\n",
    );
    write(dir.path(), "app/raw.yaml", privileged_pod("raw"));
    let kubectl = write(dir.path(), "bin/kubectl", script);
    std::fs::set_permissions(&kubectl, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// `aksguard scan app` with the tempdir's `bin` first on PATH.
#[cfg(unix)]
fn scan_with_fake_kubectl(dir: &Path, extra: &[&str]) -> Run {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![dir.join("bin")];
    dirs.extend(std::env::split_paths(&path));
    let mut args = vec!["app", "--select", "POD001"];
    args.extend_from_slice(extra);
    run(scan(dir, &args).env("PATH", std::env::join_paths(dirs).unwrap()))
}

/// Prints a rendered pod for `kubectl kustomize DIR` and records that it ran.
#[cfg(unix)]
const FAKE_KUBECTL: &str = r#"#!/bin/sh
here=$(dirname "$0")
echo "$@" > "$here/invoked"
if [ "$1" != kustomize ] || [ ! -f "$2/kustomization.yaml" ]; then
  echo "unexpected arguments: $*" >&2
  exit 3
fi
cat <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: rendered
  namespace: kustomized
spec:
  containers:
  - name: app
    image: nginx:1.27
    securityContext:
      privileged: true
YAML
"#;

#[cfg(unix)]
#[test]
fn kustomize_output_is_scanned_instead_of_raw_files() {
    let dir = kustomize_dir(FAKE_KUBECTL);
    let run = scan_with_fake_kubectl(dir.path(), &[]);
    assert_eq!(run.code, 1, "{:#}\nstderr: {}", run.report, run.stderr);
    assert!(dir.path().join("bin/invoked").exists(), "kubectl not run");
    assert!(run.pod001_on("rendered"), "{:#}", run.report);
    assert!(!run.pod001_on("raw"), "raw files scanned too");
    let finding = run
        .findings()
        .iter()
        .find(|f| f["object"]["name"] == "rendered")
        .unwrap();
    let path = finding["location"]["path"].as_str().unwrap();
    assert!(path.contains("kubectl kustomize"), "{path}");
    assert!(run.errors().is_empty(), "{:#}", run.report);
}

#[cfg(unix)]
#[test]
fn failed_kustomize_render_falls_back_to_raw_files_with_a_note() {
    let dir = kustomize_dir("#!/bin/sh\necho 'Error: accumulating resources' >&2\nexit 1\n");
    let run = scan_with_fake_kubectl(dir.path(), &[]);
    // The render failure is a note, not an error: exit 1 comes from POD001 alone.
    assert_eq!(run.code, 1, "{:#}\nstderr: {}", run.report, run.stderr);
    assert!(run.errors().is_empty(), "{:#}", run.report);
    assert!(run.pod001_on("raw"), "{:#}", run.report);
    assert!(
        run.stderr.contains("note:") && run.stderr.contains("kubectl kustomize failed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("accumulating resources"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn no_render_scans_raw_files_and_never_runs_kubectl() {
    let dir = kustomize_dir(FAKE_KUBECTL);
    let run = scan_with_fake_kubectl(dir.path(), &["--no-render"]);
    assert_eq!(run.code, 1, "{:#}\nstderr: {}", run.report, run.stderr);
    assert!(run.pod001_on("raw"), "{:#}", run.report);
    assert!(!run.pod001_on("rendered"), "{:#}", run.report);
    assert!(!dir.path().join("bin/invoked").exists(), "kubectl was run");
}
