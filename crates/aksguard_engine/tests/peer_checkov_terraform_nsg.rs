//! Agreement with checkov's Azure NSG checks on our own Terraform fixtures of the node-subnet
//! NSG rule (`crates/aksguard_rules/fixtures/network/NET014/*.tf`).
//!
//! checkov runs live, once (`checkov --framework terraform -o json`, bounded by
//! [`CHECKOV_TIMEOUT`]), each fixture copied alone into its own directory (checkov reads a
//! directory as one module, and the fixtures of a folder declare the same addresses). Per
//! NSG or NSG rule resource, checkov FAILED on any check of [`MAPPINGS`] must mean NET014 has a
//! finding within that resource's lines, and PASSED that it has none. Every difference must be
//! listed, with its reason, in [`DISAGREEMENTS`]; an entry that no longer disagrees fails too.
//! Run with `--nocapture` for the per-resource verdicts.
//!
//! Where the two mean the same: CKV_AZURE_9 (RDP) and CKV_AZURE_10 (SSH) fail an inbound Allow
//! rule from the internet (`*`, `0.0.0.0/0`, `Internet`, `any`) whose ports include 3389 / 22;
//! NET014 fires on those for an NSG on a cluster's node subnet (and also on 10250, 10255 and
//! any port, which checkov does not check). Not mapped: CKV_AZURE_160 (HTTP port 80 from the
//! internet: serving HTTP from a node subnet is what an ingress does, not a breach NET014
//! names) and CKV_AZURE_77 (UDP from the internet); and no checkov check judges role
//! assignments (CKV_AZURE_39 is about custom role definitions with `*` actions, not who holds
//! Owner), so AKS043 has no peer here.
//!
//! checkov is test tooling only (`.ci/run` installs a pinned version in a venv under
//! `target/ci-tools`). Without `checkov` on PATH the test prints why and passes, except under
//! `AKSGUARD_REQUIRE_SHARED=1` (CI), where it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aksguard_engine::evaluate;
use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::{Inventory, Severity};
use aksguard_rules::{RuleSettings, find_rule};
use serde_json::Value;

/// The longest one checkov run may take (it takes a few seconds).
const CHECKOV_TIMEOUT: Duration = Duration::from_secs(300);

/// The rule the checks are compared with.
const RULE: &str = "NET014";

/// checkov check ID, its class (for the reader).
const MAPPINGS: &[(&str, &str)] = &[
    ("CKV_AZURE_9", "NSGRuleRDPAccessRestricted"),
    ("CKV_AZURE_10", "NSGRuleSSHAccessRestricted"),
];

/// (fixture file, checkov resource, why we differ from checkov's verdict).
const DISAGREEMENTS: &[(&str, &str, &str)] = &[
    (
        "fail.terraform.tf",
        "azurerm_network_security_rule.kubelet",
        "the rule admits 0.0.0.0/0 to the kubelet ports 10250 and 10255: NET014 judges those \
         too (a kubelet reachable from the internet), checkov's checks look at 22 and 3389 only",
    ),
    (
        "undecided.terraform-subnet-variable.tf",
        "azurerm_network_security_group.nodes",
        "the NSG admits SSH from anywhere, but the node subnet is a variable without a default \
         and no association names the NSG: NET014 judges NSGs on the cluster's node subnets \
         and cannot tell whether this is one (checkov judges every NSG alone)",
    ),
];

fn require_tools() -> bool {
    std::env::var("AKSGUARD_REQUIRE_SHARED").is_ok_and(|v| v == "1")
}

/// `checkov --version`, or `None` when it cannot be run.
fn checkov_version() -> Option<String> {
    let output = Command::new("checkov")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// One checkov verdict on a resource of a file.
struct Verdict {
    check: String,
    resource: String,
    failed: bool,
    lines: (u32, u32),
}

/// Runs checkov once on `dir`, killing it after [`CHECKOV_TIMEOUT`]; verdicts per file.
fn run_checkov(dir: &Path) -> BTreeMap<PathBuf, Vec<Verdict>> {
    let checks: Vec<&str> = MAPPINGS.iter().map(|(c, _)| *c).collect();
    let mut child = Command::new("checkov")
        // --skip-download: no attempt to reach the vendor's platform (no network in tests).
        .args(["--framework", "terraform", "-o", "json", "--skip-download"])
        .args(["--check", &checks.join(",")])
        .arg("-d")
        .arg(dir)
        .env("LOG_LEVEL", "ERROR")
        .env("PYTHONHASHSEED", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("checkov starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("checkov can be waited for") {
            break status;
        }
        if started.elapsed() > CHECKOV_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("checkov did not finish within {CHECKOV_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout: io::Result<String> = out_reader.join().expect("stdout reader");
    let stderr = err_reader.join().expect("stderr reader");
    let stdout = stdout.expect("checkov's output is UTF-8");
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "checkov failed ({status}):\n{}",
        stderr.lines().rev().take(20).collect::<Vec<_>>().join("\n")
    );
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "checkov's output is not JSON ({e}): {}",
            stdout.chars().take(500).collect::<String>()
        )
    });
    let runs: Vec<&Value> = match &json {
        Value::Array(runs) => runs.iter().collect(),
        run => vec![run],
    };
    let mut verdicts: BTreeMap<PathBuf, Vec<Verdict>> = BTreeMap::new();
    for run in runs {
        for (key, failed) in [("passed_checks", false), ("failed_checks", true)] {
            for result in run["results"][key].as_array().into_iter().flatten() {
                let Some(path) = result["file_abs_path"].as_str() else {
                    continue;
                };
                let range = &result["file_line_range"];
                let line = |i: usize| range[i].as_u64().unwrap_or(0) as u32;
                verdicts
                    .entry(canonical(Path::new(path)))
                    .or_default()
                    .push(Verdict {
                        check: result["check_id"].as_str().unwrap_or("?").to_owned(),
                        resource: result["resource"].as_str().unwrap_or("?").to_owned(),
                        failed,
                        lines: (line(0), line(1)),
                    });
            }
        }
    }
    verdicts
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Our NET014 findings' lines in one fixture (loaded alone, as `aksguard scan FILE`).
fn our_lines(path: &Path) -> Vec<(u32, String)> {
    let rule = find_rule(RULE).expect("registered");
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    let loaded = load_inputs(&[path.display().to_string()], &options, &mut io::empty());
    assert!(
        loaded.errors.is_empty(),
        "{} does not load: {:?}",
        path.display(),
        loaded.errors
    );
    let inventory = Inventory::new(loaded.objects).with_azure(loaded.azure);
    evaluate(
        &inventory,
        &[rule],
        &RuleSettings::default(),
        Severity::Info,
    )
    .into_iter()
    .filter(|f| f.rule_id == RULE)
    .map(|f| (f.location.line, f.message.to_string()))
    .collect()
}

#[test]
fn checkov_nsg_verdicts_agree_with_net014() {
    if find_rule(RULE).is_none() {
        eprintln!("pending: {RULE} is not registered yet");
        return;
    }
    let Some(version) = checkov_version() else {
        assert!(
            !require_tools(),
            "checkov is not on PATH (AKSGUARD_REQUIRE_SHARED=1): run .ci/run to install it"
        );
        eprintln!("skipped: checkov is not on PATH (.ci/run installs it)");
        return;
    };
    eprintln!("checkov {version}");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../aksguard_rules/fixtures/network")
        .join(RULE);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", fixtures.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".tf") && !name.ends_with(".azapi.tf")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{RULE} has Terraform fixtures");
    // Each fixture alone in its own directory, as its own module.
    let work = tempfile::tempdir().expect("temporary directory");
    let mut copies = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let dir = work.path().join(format!("case{i}"));
        std::fs::create_dir(&dir).expect("case directory");
        let copy = dir.join("main.tf");
        std::fs::copy(file, &copy).expect("fixture copied");
        copies.push((
            file.file_name().unwrap().to_string_lossy().into_owned(),
            canonical(&copy),
        ));
    }
    let verdicts = run_checkov(work.path());
    let (mut agreed, mut compared) = (0usize, 0usize);
    let mut listed_used = BTreeSet::new();
    let mut problems = Vec::new();
    for (label, copy) in &copies {
        let ours = our_lines(copy);
        // checkov's verdict per resource: FAILED when any mapped check failed.
        let mut resources: BTreeMap<&str, (bool, (u32, u32))> = BTreeMap::new();
        for verdict in verdicts.get(copy).into_iter().flatten() {
            if !MAPPINGS.iter().any(|(c, _)| *c == verdict.check) {
                continue;
            }
            let entry = resources
                .entry(verdict.resource.as_str())
                .or_insert((false, verdict.lines));
            entry.0 |= verdict.failed;
        }
        for (resource, (failed, (first, last))) in &resources {
            let mine: Vec<&(u32, String)> = ours
                .iter()
                .filter(|(line, _)| (*first..=*last).contains(line))
                .collect();
            let fires = !mine.is_empty();
            let agrees = *failed == fires;
            compared += 1;
            agreed += usize::from(agrees);
            let listed = DISAGREEMENTS
                .iter()
                .position(|(l, r, _)| l == label && r == resource);
            if let Some(i) = listed {
                listed_used.insert(i);
            }
            let peer = if *failed { "FAILED" } else { "PASSED" };
            let verdict = if fires { "fires" } else { "silent" };
            let what = format!("{label} {resource}");
            eprintln!(
                "{} {what}: checkov {peer}, {RULE} {verdict}",
                if agrees { "agree   " } else { "DISAGREE" }
            );
            for (line, message) in &mine {
                eprintln!("           {line}: {message}");
            }
            match (agrees, listed) {
                (false, None) => problems.push(format!(
                    "{what}: checkov says {peer}, {RULE} {verdict} — fix the rule, the loader or \
                     the fixture, or list it in DISAGREEMENTS with the reason"
                )),
                (true, Some(_)) => problems.push(format!(
                    "{what} is listed in DISAGREEMENTS but now agrees: remove it"
                )),
                _ => {}
            }
        }
    }
    for (i, (label, resource, _)) in DISAGREEMENTS.iter().enumerate() {
        if !listed_used.contains(&i) {
            problems.push(format!(
                "DISAGREEMENTS lists {label} {resource}, which checkov did not judge: remove it"
            ));
        }
    }
    eprintln!("checkov NSG checks vs {RULE}: {agreed}/{compared} resources agree");
    assert!(compared > 0, "checkov judged no NSG in the {RULE} fixtures");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
