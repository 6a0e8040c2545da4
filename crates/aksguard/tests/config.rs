//! aksguard.toml, exceptions with expiry, `aksguard.io/ignore` annotations and baselines,
//! end to end through the real binary in temporary directories.
//!
//! Rules are being added all the time, so scans select the rules they are about and never
//! rely on total finding counts.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// The binary, run in `dir`, with no colour and no inherited "today".
fn aksguard(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("AKSGUARD_AS_OF");
    cmd
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

/// A Deployment in `namespace` with a privileged container `app` (POD001, critical) and
/// `annotations` (YAML lines under metadata.annotations, already indented) if any.
fn privileged_deployment(namespace: &str, name: &str, annotations: &str) -> String {
    let annotations = if annotations.is_empty() {
        String::new()
    } else {
        format!("  annotations:\n{annotations}")
    };
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
{annotations}spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: app
          image: myacr.azurecr.io/{name}:1.0.0
          securityContext:
            privileged: true
"
    )
}

/// A temp dir holding `k8s/app.yaml`: Deployment legacy/billing-api, privileged.
fn project() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "k8s/app.yaml",
        &privileged_deployment("legacy", "billing-api", ""),
    );
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let output = aksguard(dir).args(args).output().unwrap();
    Run {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let result = run(dir, &all);
    let report = serde_json::from_str(&result.stdout)
        .unwrap_or_else(|e| panic!("JSON report: {e}\n{}\n{}", result.stdout, result.stderr));
    (result.code, report)
}

/// The rule IDs of a findings list, sorted.
fn rule_ids(findings: &Value) -> Vec<String> {
    let mut ids: Vec<String> = findings
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

const EXCEPTION: &str = r#"
[[exception]]
rules = ["POD001"]
namespace = "legacy"
kind = "Deployment"
name = "billing-*"
reason = "vendor image needs it until the Q3 rewrite"
expires = "2027-03-31"
"#;

#[test]
fn config_is_found_upward_from_the_first_path() {
    let dir = project();
    write(
        dir.path(),
        "aksguard.toml",
        "select = [\"POD001\", \"POD007\"]\nfail-on = \"none\"\n",
    );
    // From the project root, and from deep inside it (`.` and `-` included).
    for (cwd, path) in [
        (dir.path().to_path_buf(), "k8s/app.yaml"),
        (dir.path().join("k8s"), "."),
        (dir.path().join("k8s"), "app.yaml"),
    ] {
        let (code, report) = json(&cwd, &["scan", path]);
        assert_eq!(code, 0, "fail-on = none from the file ({path})");
        assert_eq!(rule_ids(&report["findings"]), ["POD001", "POD007"]);
    }
    let stdin = std::fs::read_to_string(dir.path().join("k8s/app.yaml")).unwrap();
    let output = aksguard(&dir.path().join("k8s"))
        .args(["scan", "-", "--format", "json"])
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdin: found from the current dir"
    );
    // --no-config: every rule, default fail-on high.
    let (code, report) = json(dir.path(), &["scan", "k8s", "--no-config"]);
    assert_eq!(code, 1);
    assert!(rule_ids(&report["findings"]).len() > 2);
}

#[test]
fn explicit_config_and_flags_override_the_file() {
    let dir = project();
    write(dir.path(), "aksguard.toml", "select = [\"POD007\"]\n");
    write(
        dir.path(),
        "ci/strict.toml",
        "select = [\"POD001\"]\nfail-on = \"none\"\n",
    );
    let (code, report) = json(dir.path(), &["scan", "k8s", "--config", "ci/strict.toml"]);
    assert_eq!(
        (code, rule_ids(&report["findings"])),
        (0, vec!["POD001".into()])
    );
    // Flags win over the file.
    let (code, report) = json(
        dir.path(),
        &[
            "scan",
            "k8s",
            "--config",
            "ci/strict.toml",
            "--fail-on",
            "critical",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(rule_ids(&report["findings"]), ["POD001"]);
    let (_, report) = json(dir.path(), &["scan", "k8s", "--select", "POD002"]);
    assert_eq!(rule_ids(&report["findings"]), ["POD002"]);
    // A missing --config file is an error, and --config conflicts with --no-config.
    let missing = run(dir.path(), &["scan", "k8s", "--config", "nope.toml"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("nope.toml"), "{}", missing.stderr);
    let both = run(
        dir.path(),
        &["scan", "k8s", "--config", "ci/strict.toml", "--no-config"],
    );
    assert_eq!(both.code, 2);
}

#[test]
fn config_errors_name_the_file_and_line_and_exit_2() {
    let dir = project();
    for (text, needle) in [
        (
            "select = [\"POD001\"]\n\nfial-on = \"low\"\n",
            "aksguard.toml:3: unknown field `fial-on`",
        ),
        (
            "ignore = [\"POD999\"]\n",
            "aksguard.toml:1: `ignore`: unknown rule or family `POD999`",
        ),
        (
            "[severity]\nPOD001 = \"urgent\"\n",
            "aksguard.toml:2: `severity.POD001`: unknown severity",
        ),
        (
            "[severity]\nNOPE001 = \"low\"\n",
            "aksguard.toml:2: `[severity]`: unknown rule `NOPE001`",
        ),
        (
            "[[exception]]\nrules = [\"POD001\"]\nname = \"x\"\n",
            "aksguard.toml:1: missing field `reason`",
        ),
        (
            "[[exception]]\nrules = [\"POD001\"]\nreason = \"\"\n",
            "aksguard.toml:3: `[[exception]]`: `reason` is empty",
        ),
        (
            "[[exception]]\nrules = [\"POD001\"]\nreason = \"x\"\nexpires = \"2027-02-30\"\n",
            "aksguard.toml:4: `[[exception]]`: `expires`: `2027-02-30` is not a real date",
        ),
    ] {
        write(dir.path(), "aksguard.toml", text);
        let result = run(dir.path(), &["scan", "k8s"]);
        assert_eq!(result.code, 2, "{text}");
        assert!(
            result.stderr.contains(needle),
            "{text}: stderr should contain {needle:?}:\n{}",
            result.stderr
        );
        assert!(
            result.stdout.is_empty(),
            "nothing is scanned with a broken config"
        );
        let show = run(dir.path(), &["config", "--show"]);
        assert_eq!(show.code, 2);
        assert!(show.stderr.contains(needle), "{}", show.stderr);
    }
}

#[test]
fn exception_suppresses_counts_and_lists_and_drops_the_exit_code() {
    let dir = project();
    let args = ["scan", "k8s", "--select", "POD001", "--fail-on", "critical"];
    assert_eq!(run(dir.path(), &args).code, 1, "without the exception");
    write(dir.path(), "aksguard.toml", EXCEPTION);
    let as_of = ["--as-of", "2026-01-15"];
    let all: Vec<&str> = args.iter().chain(&as_of).copied().collect();

    let (code, report) = json(dir.path(), &all);
    assert_eq!(code, 0, "only a suppressed finding is at/above fail-on");
    assert_eq!(report["findings"], Value::Array(vec![]));
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(report["summary"]["by_severity"]["critical"], 0);
    let suppressed = &report["suppressed"][0];
    assert_eq!(suppressed["rule_id"], "POD001");
    assert_eq!(
        suppressed["suppression"],
        serde_json::json!({
            "kind": "exception",
            "reason": "vendor image needs it until the Q3 rewrite",
            "expires": "2027-03-31"
        })
    );

    let table = run(dir.path(), &all);
    assert!(!table.stdout.contains("POD001"), "{}", table.stdout);
    assert!(table.stdout.contains("; 1 suppressed"), "{}", table.stdout);
    let mut listed = all.clone();
    listed.push("--show-suppressed");
    let table = run(dir.path(), &listed);
    assert_eq!(table.code, 0);
    assert!(
        table.stdout.contains("Suppressed (1, not counted):"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("POD001"));
    assert!(
        table.stdout.contains(
            "suppressed by exception: vendor image needs it until the Q3 rewrite (until 2027-03-31)"
        ),
        "{}",
        table.stdout
    );
}

#[test]
fn expired_exception_stops_suppressing_and_says_so() {
    let dir = project();
    write(dir.path(), "aksguard.toml", EXCEPTION);
    let args = ["scan", "k8s", "--select", "POD001", "--fail-on", "critical"];
    // The expiry day itself still counts; the day after does not.
    let (code, _) = json(
        dir.path(),
        &[&args[..], &["--as-of", "2027-03-31"]].concat(),
    );
    assert_eq!(code, 0);
    let (code, report) = json(
        dir.path(),
        &[&args[..], &["--as-of", "2027-04-01"]].concat(),
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["suppressed"], 0);
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.ends_with(
            " (exception expired 2027-03-31: vendor image needs it until the Q3 rewrite)"
        ),
        "{message}"
    );
    // The same "today" from the environment.
    let output = aksguard(dir.path())
        .args(args)
        .env("AKSGUARD_AS_OF", "2027-04-01")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("exception expired 2027-03-31"));
    // A malformed --as-of is a usage error.
    assert_eq!(
        run(dir.path(), &["scan", "k8s", "--as-of", "31/03/2027"]).code,
        2
    );
}

#[test]
fn exception_name_globs_select_objects() {
    let dir = project();
    write(
        dir.path(),
        "k8s/payments.yaml",
        &privileged_deployment("legacy", "payments-api", ""),
    );
    write(
        dir.path(),
        "k8s/other-ns.yaml",
        &privileged_deployment("shop", "billing-web", ""),
    );
    write(dir.path(), "aksguard.toml", EXCEPTION);
    let (_, report) = json(
        dir.path(),
        &["scan", "k8s", "--select", "POD001", "--as-of", "2026-01-15"],
    );
    let names = |list: &Value| -> Vec<String> {
        let mut names: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["object"]["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&report["suppressed"]), ["billing-api"]);
    assert_eq!(names(&report["findings"]), ["billing-web", "payments-api"]);
}

#[test]
fn unused_exception_is_a_note_not_an_error() {
    let dir = project();
    write(
        dir.path(),
        "aksguard.toml",
        "[[exception]]\nrules = [\"POD001\"]\nnamespace = \"gone\"\nreason = \"old app\"\n",
    );
    let result = run(dir.path(), &["scan", "k8s", "--select", "POD001"]);
    assert_eq!(result.code, 1);
    assert!(
        result
            .stderr
            .contains("note: aksguard.toml:1: exception for POD001 matched no finding"),
        "{}",
        result.stderr
    );
    let quiet = run(dir.path(), &["scan", "k8s", "--select", "POD001", "-q"]);
    assert!(!quiet.stderr.contains("note:"), "{}", quiet.stderr);
}

#[test]
fn inline_annotation_with_reason_suppresses() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.yaml",
        &privileged_deployment(
            "legacy",
            "billing-api",
            "    aksguard.io/ignore: \"POD001, POD002 -- node agent, reviewed by security\"\n",
        ),
    );
    let (code, report) = json(
        dir.path(),
        &[
            "scan",
            ".",
            "--select",
            "POD001,POD002,POD007",
            "--fail-on",
            "high",
        ],
    );
    assert_eq!(code, 0, "POD007 is medium");
    assert_eq!(rule_ids(&report["findings"]), ["POD007"]);
    assert_eq!(rule_ids(&report["suppressed"]), ["POD001", "POD002"]);
    assert_eq!(
        report["suppressed"][0]["suppression"],
        serde_json::json!({"kind": "annotation", "reason": "node agent, reviewed by security"})
    );
}

#[test]
fn inline_annotation_without_reason_or_with_unknown_rule_is_an_error() {
    for (value, needle) in [
        ("POD001", "needs a reason"),
        ("POD001 --   ", "the reason after `--` is empty"),
        ("POD0001 -- typo", "unknown rule or family `POD0001`"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "app.yaml",
            &privileged_deployment(
                "legacy",
                "billing-api",
                &format!("    aksguard.io/ignore: \"{value}\"\n"),
            ),
        );
        let (code, report) = json(dir.path(), &["scan", ".", "--select", "POD001"]);
        assert_eq!(code, 2, "{value}");
        assert_eq!(
            rule_ids(&report["findings"]),
            ["POD001"],
            "nothing suppressed"
        );
        let error = &report["errors"][0];
        assert_eq!(error["path"], "./app.yaml");
        assert_eq!(error["line"], 7, "the annotation's line");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("Deployment legacy/billing-api"),
            "{message}"
        );
        assert!(message.contains(needle), "{value}: {message}");
    }
}

#[test]
fn namespace_annotation_suppresses_namespace_findings() {
    let dir = project();
    write(
        dir.path(),
        "k8s/ns.yaml",
        "apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  annotations:
    aksguard.io/ignore: \"NET001 -- ingress is filtered by the hub firewall\"
",
    );
    let (_, report) = json(dir.path(), &["scan", "k8s", "--select", "NET001,POD001"]);
    assert_eq!(rule_ids(&report["findings"]), ["POD001"]);
    let suppressed = &report["suppressed"][0];
    assert_eq!(suppressed["rule_id"], "NET001");
    assert_eq!(suppressed["object"]["kind"], "Namespace");
    assert_eq!(suppressed["suppression"]["kind"], "annotation");
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = project();
    let select = ["--select", "POD001,POD007"];
    let write_args = [
        &[
            "scan",
            "k8s",
            "--write-baseline",
            "baseline.json",
            "--as-of",
            "2026-01-15",
        ][..],
        &select[..],
    ]
    .concat();
    let first = run(dir.path(), &write_args);
    assert_eq!(first.code, 1, "exits as usual");
    assert!(
        first
            .stderr
            .contains("wrote 2 finding(s) to baseline baseline.json"),
        "{}",
        first.stderr
    );
    let text = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    let mut baseline: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(baseline["created"], "2026-01-15");
    baseline["tool"]["version"] = "[version]".into();
    for entry in baseline["findings"].as_array_mut().unwrap() {
        entry["fingerprint"] = "[fingerprint]".into();
    }
    insta::assert_json_snapshot!("baseline_file", baseline);
    // Deterministic: written again, byte for byte the same.
    run(dir.path(), &write_args);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("baseline.json")).unwrap(),
        text
    );

    let read_args = [
        &["scan", "k8s", "--baseline", "baseline.json"][..],
        &select[..],
    ]
    .concat();
    let (code, report) = json(dir.path(), &read_args);
    assert_eq!(code, 0, "everything is in the baseline");
    assert_eq!(report["summary"]["suppressed"], 2);
    assert_eq!(report["suppressed"][0]["suppression"]["kind"], "baseline");
    assert_eq!(
        report["suppressed"][0]["suppression"]["reason"],
        "in baseline baseline.json"
    );
    // Moving lines keeps fingerprints; a new violation is reported.
    let moved = format!(
        "# a comment that moves every line\n{}",
        std::fs::read_to_string(dir.path().join("k8s/app.yaml")).unwrap()
    );
    write(dir.path(), "k8s/app.yaml", &moved);
    write(
        dir.path(),
        "k8s/new.yaml",
        &privileged_deployment("shop", "new-api", ""),
    );
    let (code, report) = json(dir.path(), &read_args);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["suppressed"], 2);
    let new: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(new, ["new-api", "new-api"]);
}

#[test]
fn missing_or_corrupt_baseline_exits_2() {
    let dir = project();
    write(
        dir.path(),
        "corrupt.json",
        "{\"findings\": [{\"rule_id\": \"POD001\"}]",
    );
    write(dir.path(), "not-a-baseline.json", "[1, 2, 3]\n");
    for file in ["missing.json", "corrupt.json", "not-a-baseline.json"] {
        let result = run(dir.path(), &["scan", "k8s", "--baseline", file]);
        assert_eq!(result.code, 2, "{file}");
        assert!(result.stderr.contains(file), "{}", result.stderr);
    }
}

#[test]
fn severity_override_changes_the_exit_code() {
    let dir = project();
    let args = ["scan", "k8s", "--select", "POD001"];
    assert_eq!(run(dir.path(), &args).code, 1);
    write(
        dir.path(),
        "aksguard.toml",
        "[severity]\nprivileged-container = \"low\"\n",
    );
    let (code, report) = json(dir.path(), &args);
    assert_eq!(code, 0);
    assert_eq!(report["findings"][0]["severity"], "low");
    // --min-severity is judged after the override.
    let (_, report) = json(
        dir.path(),
        &[&args[..], &["--min-severity", "medium"]].concat(),
    );
    assert_eq!(report["findings"], Value::Array(vec![]));
    write(
        dir.path(),
        "aksguard.toml",
        "[severity]\nPOD007 = \"critical\"\n",
    );
    let (code, report) = json(dir.path(), &["scan", "k8s", "--select", "POD007"]);
    assert_eq!(code, 1);
    assert_eq!(report["findings"][0]["severity"], "critical");
}

#[test]
fn config_show_prints_the_effective_configuration() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "aksguard.toml",
        &format!(
            "{}{EXCEPTION}
[[exception]]
rules = [\"IMG001\", \"IMG002\"]
kind = \"CronJob\"
reason = \"batch images are rebuilt nightly\"
expires = 2025-12-31

[[exception]]
rules = [\"privileged-container\"]
container = \"istio-*\"
reason = \"mesh sidecar\"

[webhook]
mode = \"enforce\"
exempt-groups = [\"system:serviceaccounts:kube-system\"]

[[webhook.namespace]]
name = \"dev-*\"
mode = \"audit\"
",
            r#"# team defaults
select = ["POD", "IMG", "SEC"]
ignore = ["POD024"]
fail-on = "medium"
allowed-registries = ["contoso.azurecr.io", "mcr.microsoft.com"]
complete = true
k8s-version = "1.31"

[severity]
POD007 = "high"
"#
        ),
    );
    let result = run(dir.path(), &["config", "--show", "--as-of", "2026-01-15"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    // The rule counts change as rules are added.
    let text: String = result
        .stdout
        .lines()
        .map(|line| {
            if line.starts_with("# rules that run:") {
                "# rules that run: [n] of [total]".to_owned()
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("config_show", text);
    // The output is itself a valid configuration with the same meaning.
    write(dir.path(), "shown/aksguard.toml", &result.stdout);
    let again = run(
        dir.path(),
        &["config", "--show", "--as-of", "2026-01-15", "shown"],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);

    let empty = tempfile::tempdir().unwrap();
    let none = run(empty.path(), &["config", "--show"]);
    assert_eq!(none.code, 0);
    assert!(
        none.stdout
            .contains("# file: none found (searched upward from "),
        "{}",
        none.stdout
    );
    assert!(none.stdout.contains("fail-on = \"high\"  # default"));
}

#[test]
fn readme_example_configuration_is_valid() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let start = readme
        .find("```toml\n# aksguard.toml\n")
        .expect("README has the aksguard.toml example")
        + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "aksguard.toml", &readme[start..end]);
    let result = run(dir.path(), &["config", "--show", "--as-of", "2026-01-15"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(result.stdout.contains("# state: active until 2027-03-31"));
}
