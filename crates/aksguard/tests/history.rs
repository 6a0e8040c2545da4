//! The history commands through the real binary, on both store engines (SQLite, and
//! PostgreSQL when `AKSGUARD_TEST_POSTGRES_URL` is set; `.ci/postgres.sh start` prints one):
//! `scan --store`, then a changed fixture scanned again, then `history`, `diff` and `store`
//! outputs (snapshots shared by both engines: they must agree), URL errors, an unreachable
//! store, and a kill test (SIGKILL during the write leaves the previous state or the whole
//! new run).

use std::path::{Path, PathBuf};
use std::process::Output;

use aksguard_store::test_support::Scratch;
use aksguard_store::{FindingQuery, Store, StoreLocation};
use assert_cmd::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The binary with a pinned "today", no colour, and a data directory of its own, so the
/// default store of a test never lands in the user's home.
fn aksguard(data_home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", "2026-11-24")
        .env("XDG_DATA_HOME", data_home)
        .env_remove("AKSGUARD_STORE")
        .timeout(std::time::Duration::from_secs(180));
    cmd
}

/// The `--store=URL` form of a scratch store.
fn url(scratch: &Scratch) -> String {
    match scratch.location() {
        StoreLocation::Sqlite(path) => format!("sqlite://{}", path.display()),
        StoreLocation::Postgres(url) => url.clone(),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Times (`2026-12-06 20:55:07`) and the scratch directories replaced, so snapshots hold
/// what does not change from run to run.
fn redact(text: &str, dirs: &[&Path]) -> String {
    let mut out = text.to_owned();
    for dir in dirs {
        let canonical = dir.canonicalize().unwrap_or(dir.to_path_buf());
        out = out.replace(&canonical.display().to_string(), "[dir]");
        out = out.replace(&dir.display().to_string(), "[dir]");
    }
    let chars: Vec<char> = out.chars().collect();
    let shape = "dddd-dd-dd dd:dd:dd";
    let mut result = String::new();
    let mut i = 0;
    while i < chars.len() {
        let window = chars.get(i..i + shape.len());
        let is_time = window.is_some_and(|w| {
            w.iter().zip(shape.chars()).all(|(c, s)| match s {
                'd' => c.is_ascii_digit(),
                s => *c == s,
            })
        });
        if is_time {
            // As wide as a time, so the tables stay aligned in the snapshots.
            result.push_str("YYYY-MM-DD hh:mm:ss");
            i += shape.len();
        } else {
            result.push(chars[i]);
            i += 1;
        }
    }
    result
}

/// JSON with the values that change from run to run (times, uids, the tool's version, the
/// rule set's hash, directories) replaced.
fn redact_json(value: &mut serde_json::Value, dirs: &[&Path]) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let volatile = key.ends_with("_at")
                    || matches!(key.as_str(), "uid" | "tool_version" | "ruleset_hash");
                if volatile && !value.is_null() {
                    *value = format!("[{key}]").into();
                } else {
                    redact_json(value, dirs);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| redact_json(v, dirs)),
        serde_json::Value::String(text) => *text = redact(text, dirs),
        _ => {}
    }
}

/// A copy of `examples/store` in a fresh directory (outside any git work tree).
fn copy_examples() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(workspace_root().join("examples/store")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// The second version of the fixture: the storefront container turns privileged (new
/// findings) and the report job is deleted (its findings are fixed).
fn change_examples(dir: &Path) {
    let storefront = dir.join("storefront.yaml");
    let text = std::fs::read_to_string(&storefront).unwrap();
    let changed = text.replace(
        "allowPrivilegeEscalation: false",
        "allowPrivilegeEscalation: true\n            privileged: true",
    );
    assert_ne!(text, changed, "the fixture changed");
    std::fs::write(&storefront, changed).unwrap();
    std::fs::remove_file(dir.join("report-job.yaml")).unwrap();
}

fn scan_into(data: &Path, store: &str, dir: &Path, extra: &[&str]) -> Output {
    let store_arg = format!("--store={store}");
    let mut args = vec!["scan", dir.to_str().unwrap(), store_arg.as_str()];
    args.extend_from_slice(extra);
    aksguard(data).args(&args).output().unwrap()
}

fn run(data: &Path, args: &[&str]) -> Output {
    aksguard(data).args(args).output().unwrap()
}

#[test]
fn history_and_diff_follow_a_changed_fixture_on_both_engines() {
    for scratch in Scratch::all() {
        let engine = scratch.engine();
        let store = url(&scratch);
        let data = tempfile::tempdir().unwrap();
        let fixture = copy_examples();
        let dirs = [fixture.path(), data.path()];
        let name = ["--target-name", "shop"];

        let first = scan_into(data.path(), &store, fixture.path(), &name);
        assert_eq!(
            first.status.code(),
            Some(1),
            "{engine}: {}",
            text(&first.stderr)
        );
        assert!(!first.stdout.is_empty(), "the report is printed");
        let notes = text(&first.stderr);
        assert!(
            notes.contains("note: stored run 1 of target shop (its run 1: "),
            "{engine}: {notes}"
        );
        assert!(notes.contains(" 0 resolved"), "{engine}: {notes}");

        change_examples(fixture.path());
        let second = scan_into(data.path(), &store, fixture.path(), &name);
        assert_eq!(
            second.status.code(),
            Some(1),
            "{engine}: {}",
            text(&second.stderr)
        );
        let notes = text(&second.stderr);
        assert!(
            notes.contains("note: stored run 2 of target shop (its run 2: "),
            "{engine}: {notes}"
        );

        // Every target.
        let targets = run(data.path(), &["history", "--store", &store]);
        assert_eq!(targets.status.code(), Some(0), "{}", text(&targets.stderr));
        insta::assert_snapshot!("history_targets", redact(&text(&targets.stdout), &dirs));

        // One target's runs, in each format.
        let runs = run(
            data.path(),
            &["history", "--store", &store, "--target", "shop"],
        );
        assert_eq!(runs.status.code(), Some(0), "{}", text(&runs.stderr));
        insta::assert_snapshot!("history_runs_table", redact(&text(&runs.stdout), &dirs));
        let markdown = run(
            data.path(),
            &[
                "history", "--store", &store, "--target", "shop", "--format", "markdown",
            ],
        );
        insta::assert_snapshot!(
            "history_runs_markdown",
            redact(&text(&markdown.stdout), &dirs)
        );
        let json = run(
            data.path(),
            &[
                "history", "--store", &store, "--target", "shop", "--format", "json",
            ],
        );
        let mut value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(value["runs"].as_array().unwrap().len(), 2, "{engine}");
        assert_eq!(value["runs"][0]["sequence"], 2, "newest first");
        assert!(value["runs"][0]["new"].as_u64().unwrap() > 0, "{value}");
        assert!(
            value["runs"][0]["resolved"].as_u64().unwrap() > 0,
            "{value}"
        );
        redact_json(&mut value, &dirs);
        insta::assert_json_snapshot!("history_runs_json", value);
        // --limit 1: the newest run only.
        let limited = run(
            data.path(),
            &[
                "history", "--store", &store, "--target", "shop", "--limit", "1", "--format",
                "json",
            ],
        );
        let limited: serde_json::Value = serde_json::from_slice(&limited.stdout).unwrap();
        assert_eq!(limited["runs"].as_array().unwrap().len(), 1);

        // The last two runs of the only target, in each format.
        let diff = run(data.path(), &["diff", "--store", &store]);
        assert_eq!(diff.status.code(), Some(0), "no --fail-on: exit 0");
        insta::assert_snapshot!("diff_table", redact(&text(&diff.stdout), &dirs));
        let markdown = run(
            data.path(),
            &["diff", "--store", &store, "--format", "markdown"],
        );
        let markdown_text = text(&markdown.stdout);
        assert!(
            markdown_text.contains("**This change adds "),
            "{markdown_text}"
        );
        insta::assert_snapshot!("diff_markdown", redact(&markdown_text, &dirs));
        let json = run(
            data.path(),
            &["diff", "--store", &store, "--format", "json", "--all"],
        );
        let mut value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert!(!value["new"].as_array().unwrap().is_empty());
        assert!(!value["fixed"].as_array().unwrap().is_empty());
        assert_eq!(
            value["still_open"].as_array().unwrap().len() as u64,
            value["still_open_counts"]
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum::<u64>(),
            "--all lists every still-open finding"
        );
        redact_json(&mut value, &dirs);
        insta::assert_json_snapshot!("diff_json", value);
        // Explicit runs: the same comparison; reversed, new and fixed swap.
        let explicit = run(
            data.path(),
            &["diff", "1", "2", "--store", &store, "--format", "json"],
        );
        let explicit: serde_json::Value = serde_json::from_slice(&explicit.stdout).unwrap();
        assert_eq!(explicit["new"], value_unredacted_new(&data, &store));
        let reversed = run(
            data.path(),
            &["diff", "2", "1", "--store", &store, "--format", "json"],
        );
        let reversed: serde_json::Value = serde_json::from_slice(&reversed.stdout).unwrap();
        assert_eq!(reversed["fixed"], explicit["new"]);
        // RUN_A alone: against the run before it.
        let alone = run(
            data.path(),
            &["diff", "2", "--store", &store, "--format", "json"],
        );
        let alone: serde_json::Value = serde_json::from_slice(&alone.stdout).unwrap();
        assert_eq!(alone["new"], explicit["new"]);
        let first_run = run(data.path(), &["diff", "1", "--store", &store]);
        assert_eq!(first_run.status.code(), Some(2));
        assert!(
            text(&first_run.stderr).contains("first run"),
            "{}",
            text(&first_run.stderr)
        );

        // --fail-on: the privileged container's findings are new and at least high.
        let gate = run(
            data.path(),
            &["diff", "--store", &store, "--fail-on", "high"],
        );
        assert_eq!(gate.status.code(), Some(1), "{}", text(&gate.stdout));
        let reversed_gate = run(
            data.path(),
            &["diff", "2", "1", "--store", &store, "--fail-on", "high"],
        );
        assert_eq!(
            reversed_gate.status.code(),
            Some(1),
            "the report job's findings come back (critical/high among them)"
        );
        let unknown = run(
            data.path(),
            &["diff", "--store", &store, "--target", "nope"],
        );
        assert_eq!(unknown.status.code(), Some(2));

        // A second target: diff without --target names them.
        let other = tempfile::tempdir().unwrap();
        std::fs::copy(
            fixture.path().join("payments.yaml"),
            other.path().join("payments.yaml"),
        )
        .unwrap();
        let third = scan_into(data.path(), &store, other.path(), &[]);
        assert_eq!(third.status.code(), Some(1), "{}", text(&third.stderr));
        let ambiguous = run(data.path(), &["diff", "--store", &store]);
        assert_eq!(ambiguous.status.code(), Some(2));
        let message = text(&ambiguous.stderr);
        assert!(
            message.contains("2 targets")
                && message.contains("shop")
                && message.contains("--target"),
            "{message}"
        );

        // store info, export, prune.
        let info = run(
            data.path(),
            &["store", "info", "--store", &store, "--format", "json"],
        );
        assert_eq!(info.status.code(), Some(0), "{}", text(&info.stderr));
        let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
        assert_eq!(info["engine"], engine);
        assert_eq!(
            (info["targets"].as_u64(), info["runs"].as_u64()),
            (Some(2), Some(3))
        );
        assert!(info["schema_version"].as_i64().unwrap() >= 1);
        let export_file = data.path().join("export.jsonl");
        let export = run(
            data.path(),
            &[
                "store",
                "export",
                "--store",
                &store,
                "--output",
                export_file.to_str().unwrap(),
            ],
        );
        assert_eq!(export.status.code(), Some(0), "{}", text(&export.stderr));
        let lines = std::fs::read_to_string(&export_file).unwrap();
        let mut types = std::collections::BTreeMap::<String, usize>::new();
        for line in lines.lines() {
            let value: serde_json::Value = serde_json::from_str(line).expect("one JSON per line");
            *types
                .entry(value["type"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        assert_eq!(types.get("target"), Some(&2), "{types:?}");
        assert_eq!(types.get("run"), Some(&3), "{types:?}");
        assert!(types.get("finding").is_some_and(|n| *n > 0), "{types:?}");
        let prune = run(
            data.path(),
            &["store", "prune", "--store", &store, "--keep-days", "0"],
        );
        assert_eq!(prune.status.code(), Some(0), "{}", text(&prune.stderr));
        assert!(
            text(&prune.stdout).contains("pruned 1 run(s)"),
            "{}",
            text(&prune.stdout)
        );
        let after = run(
            data.path(),
            &[
                "history", "--store", &store, "--target", "shop", "--format", "json",
            ],
        );
        let after: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
        assert_eq!(
            after["runs"].as_array().unwrap().len(),
            1,
            "the latest run is kept"
        );
    }
}

/// `diff 1 2`'s new findings, as the default diff (the last two runs) lists them.
fn value_unredacted_new(data: &tempfile::TempDir, store: &str) -> serde_json::Value {
    let output = run(data.path(), &["diff", "--store", store, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    value["new"].clone()
}

#[test]
fn a_repository_scan_is_stored_under_its_work_tree_with_the_commit() {
    let git_ok = std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !git_ok {
        eprintln!("SKIPPED: git is not installed");
        return;
    }
    let scratch = Scratch::sqlite();
    let store = url(&scratch);
    let data = tempfile::tempdir().unwrap();
    let fixture = copy_examples();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(fixture.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .output()
            .unwrap();
        assert!(status.status.success(), "git {args:?}");
        text(&status.stdout).trim().to_owned()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "fixture"]);
    let head = git(&["rev-parse", "HEAD"]);
    let scan = scan_into(data.path(), &store, fixture.path(), &[]);
    assert_eq!(scan.status.code(), Some(1), "{}", text(&scan.stderr));
    let history = run(
        data.path(),
        &["history", "--store", &store, "--format", "json"],
    );
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    let target = &history["targets"][0]["target"];
    assert_eq!(target["kind"], "repository", "{history}");
    let top = fixture.path().canonicalize().unwrap();
    assert_eq!(target["key"], top.display().to_string());
    assert_eq!(history["targets"][0]["latest"]["commit"], head.as_str());
}

#[test]
fn store_urls_that_are_not_urls_fail_before_the_scan() {
    let data = tempfile::tempdir().unwrap();
    for bad in [
        "--store=examples/",
        "--store=mysql://db/x",
        "--store=sqlit://x",
    ] {
        let output = run(data.path(), &["scan", "examples/", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(output.stdout.is_empty(), "{bad}: no scan ran");
        let message = text(&output.stderr);
        assert!(message.contains("--store"), "{bad}: {message}");
    }
    // The environment variable is checked the same way and named.
    let output = aksguard(data.path())
        .env("AKSGUARD_STORE", "not a url")
        .args(["scan", "examples/", "--store"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("AKSGUARD_STORE"),
        "{}",
        text(&output.stderr)
    );
    // --target-name needs --store; an empty name is refused.
    let output = run(data.path(), &["scan", "examples/", "--target-name", "x"]);
    assert_eq!(output.status.code(), Some(2));
    let output = run(
        data.path(),
        &["scan", "examples/", "--store", "--target-name", " "],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

#[test]
fn store_alone_is_the_default_file_and_a_following_path_is_scanned() {
    let data = tempfile::tempdir().unwrap();
    // `--store examples/`: the `=` is required, so `examples/` is the path to scan.
    let output = run(
        data.path(),
        &["scan", "--store", "examples/", "--target-name", "ex"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let default = data.path().join("aksguard/history.sqlite3");
    let notes = text(&output.stderr);
    assert!(
        notes.contains(&format!("created the history store {}", default.display())),
        "{notes}"
    );
    assert!(default.exists());
    let again = run(
        data.path(),
        &["scan", "--store", "examples/", "--target-name", "ex"],
    );
    assert!(
        !text(&again.stderr).contains("created the history store"),
        "only the first time"
    );
    assert!(text(&again.stderr).contains("stored run 2 of target ex"));
    // The history commands find the same default file.
    let history = run(
        data.path(),
        &["history", "--target", "ex", "--format", "json"],
    );
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(history["runs"].as_array().unwrap().len(), 2);
}

#[test]
fn an_unreachable_store_exits_2_after_the_report_and_never_prints_the_password() {
    let data = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there.
    let store = "--store=postgres://aksguard:hunter2-secret@127.0.0.1:1/history";
    let output = run(
        data.path(),
        &["scan", "examples/", store, "--target-name", "x"],
    );
    assert_eq!(output.status.code(), Some(2));
    let report = text(&output.stdout);
    assert!(report.contains("POD"), "the report is printed: {report}");
    let message = text(&output.stderr);
    assert!(
        message.contains("127.0.0.1:1"),
        "names the store: {message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    assert!(!report.contains("hunter2"));

    // A SQLite file that cannot be created.
    let blocker = data.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let store = format!("--store=sqlite://{}/sub/history.sqlite3", blocker.display());
    let output = run(
        data.path(),
        &["scan", "examples/", &store, "--target-name", "x"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(!output.stdout.is_empty());
    assert!(text(&output.stderr).contains(&blocker.display().to_string()));

    // history on an unreachable store: exit 2, nothing on stdout.
    let output = run(
        data.path(),
        &[
            "history",
            "--store",
            "postgres://aksguard:hunter2-secret@127.0.0.1:1/history",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(!text(&output.stderr).contains("hunter2"));
}

/// Deployments that break many rules at once, `count` of them, named `a-N`, or `b-N` from
/// `renamed_from` on.
fn write_large_input(dir: &Path, count: usize, renamed_from: usize) {
    let mut yaml = String::new();
    for n in 0..count {
        let prefix = if n < renamed_from { "a" } else { "b" };
        yaml.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {prefix}-{n}\n  \
             namespace: default\nspec:\n  selector:\n    matchLabels: {{app: a{n}}}\n  template:\n    \
             metadata:\n      labels: {{app: a{n}}}\n    spec:\n      hostNetwork: true\n      \
             hostPID: true\n      containers:\n        - name: c\n          image: nginx\n          \
             securityContext:\n            privileged: true\n            runAsUser: 0\n---\n"
        ));
    }
    std::fs::write(dir.join("large.yaml"), yaml).unwrap();
}

async fn store_state(location: &StoreLocation) -> (usize, usize, u32) {
    let store = Store::open(location).await.unwrap();
    let Ok(target) = store.target("large").await else {
        return (0, 0, 0);
    };
    let runs = store.runs(target.id, None).await.unwrap();
    let Some(latest) = runs.first() else {
        return (0, 0, 0);
    };
    let open = store
        .findings_at(latest.id, &FindingQuery::default())
        .await
        .unwrap();
    (runs.len(), open.len(), latest.counts.total())
}

#[cfg(unix)]
#[test]
fn a_scan_killed_while_writing_leaves_the_previous_state_or_the_whole_run() {
    use std::time::{Duration, Instant};

    const DEPLOYMENTS: usize = 1100;
    const KILLS: usize = 5;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for scratch in Scratch::all() {
        let engine = scratch.engine();
        let store = url(&scratch);
        let data = tempfile::tempdir().unwrap();
        // Two versions of one input, so each run of the other version resolves and adds
        // thousands of findings.
        let versions: Vec<tempfile::TempDir> =
            (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
        write_large_input(versions[0].path(), DEPLOYMENTS, DEPLOYMENTS);
        // Fewer Deployments, half of them renamed: the open counts differ, so a partial
        // write would show.
        write_large_input(versions[1].path(), DEPLOYMENTS * 3 / 4, DEPLOYMENTS / 2);
        let binary = assert_cmd::cargo::cargo_bin("aksguard");
        let spawn = |version: usize, report: &Path| {
            std::process::Command::new(&binary)
                .current_dir(workspace_root())
                .env("NO_COLOR", "1")
                .env("AKSGUARD_AS_OF", "2026-11-24")
                .env("XDG_DATA_HOME", data.path())
                .env_remove("AKSGUARD_STORE")
                .args(["scan", versions[version].path().to_str().unwrap()])
                .arg(format!("--store={store}"))
                .args([
                    "--target-name",
                    "large",
                    "--quiet",
                    "--format",
                    "json",
                    "--output",
                ])
                .arg(report)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        };
        // Reference runs (not killed): each version's report size (the write starts once the
        // report file has it) and open findings, and how long the write takes.
        let mut expected_open = [0usize; 2];
        let mut report_size = [0u64; 2];
        let mut write_time = Duration::ZERO;
        for version in [0, 1] {
            let report = data.path().join(format!("ref{version}.json"));
            let mut child = spawn(version, &report);
            let started = Instant::now();
            // The report's last byte (its flush) is the moment the store write starts.
            let (mut last_len, mut last_change) = (0, Instant::now());
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                let len = std::fs::metadata(&report).map(|m| m.len()).unwrap_or(0);
                if len != last_len {
                    (last_len, last_change) = (len, Instant::now());
                }
                assert!(started.elapsed() < Duration::from_secs(300), "bounded");
                std::thread::sleep(Duration::from_millis(2));
            };
            assert_eq!(status.code(), Some(1), "{engine}: reference run {version}");
            write_time = write_time.max(last_change.elapsed());
            report_size[version] = std::fs::metadata(&report).unwrap().len();
            let (_, open, counted) = runtime.block_on(store_state(scratch.location()));
            assert_eq!(open as u32, counted, "{engine}");
            expected_open[version] = open;
        }
        assert!(
            expected_open[0] > 20_000,
            "{engine}: {expected_open:?} findings"
        );
        assert_ne!(expected_open[0], expected_open[1]);
        eprintln!("{engine}: open findings {expected_open:?}, write ≈ {write_time:?}");

        // Kill at spread moments of the write (the report is complete from its first byte
        // count on, the store write follows), alternating the versions.
        let (mut runs_before, mut open_before, _) =
            runtime.block_on(store_state(scratch.location()));
        let mut state = 1usize;
        let mut killed = 0;
        let mut committed = 0;
        for attempt in 0..KILLS {
            let version = 1 - state;
            let report = data.path().join(format!("kill{attempt}.json"));
            let mut child = spawn(version, &report);
            let started = Instant::now();
            while std::fs::metadata(&report).map(|m| m.len()).unwrap_or(0) < report_size[version] {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                assert!(started.elapsed() < Duration::from_secs(300), "bounded");
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(write_time.mul_f64(attempt as f64 / KILLS as f64));
            let _ = child.kill();
            let status = child.wait().unwrap();
            if status.code().is_none() {
                killed += 1;
            }
            let (runs, open, counted) = runtime.block_on(store_state(scratch.location()));
            assert_eq!(
                open as u32, counted,
                "{engine} attempt {attempt}: run row vs findings"
            );
            if runs == runs_before {
                assert_eq!(
                    open, open_before,
                    "{engine} attempt {attempt}: previous state kept"
                );
            } else {
                assert_eq!(runs, runs_before + 1, "{engine} attempt {attempt}");
                assert_eq!(
                    open, expected_open[version],
                    "{engine} attempt {attempt}: whole run"
                );
                committed += 1;
                state = version;
            }
            runs_before = runs;
            open_before = open;
        }
        eprintln!("{engine}: {killed} of {KILLS} scans killed, {committed} runs committed");
        assert!(killed > 0, "{engine}: no scan was killed while running");
    }
}

/// A stored run keeps its attack paths (count and the riskiest chains) for the dashboard's
/// run page, on both engines: the vulnerable store of aksguard_paths' fixtures has paths.
#[test]
fn a_stored_run_keeps_its_attack_paths() {
    let fixture = workspace_root().join("crates/aksguard_paths/tests/fixtures/store");
    for scratch in Scratch::all() {
        let data = tempfile::tempdir().unwrap();
        let store = url(&scratch);
        let out = scan_into(
            data.path(),
            &store,
            &fixture,
            &["--target-name", "shop", "--fail-on", "none", "-q"],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let paths = runtime.block_on(async {
            let store = Store::open(scratch.location()).await.unwrap();
            let target = store.target("shop").await.unwrap();
            let runs = store.runs(target.id, None).await.unwrap();
            store.run_attack_paths(runs[0].id).await.unwrap()
        });
        let paths = paths.expect("the run has its attack paths");
        assert!(paths.total > 0, "{}: {paths:?}", scratch.engine());
        assert_eq!(paths.top.len(), paths.total.min(10) as usize);
        assert!(
            paths.top.windows(2).all(|w| w[0].risk >= w[1].risk),
            "riskiest first: {paths:?}"
        );
        assert!(paths.top[0].chain.starts_with("internet → "), "{paths:?}");
    }
}
