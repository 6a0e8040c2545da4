//! Agreement with checkov's Bicep framework (which runs its ARM checks on Bicep resources) on
//! the corpus Bicep files that define clusters or registries
//! (`../shared/corpus/aks/**/*.bicep`) and on our own Bicep rule fixtures
//! (`crates/aksguard_rules/fixtures/{cluster,registry}/<ID>/*.bicep`).
//!
//! checkov runs live, once, on all those files (`checkov --framework bicep -o json`, bounded by
//! [`CHECKOV_TIMEOUT`]). [`MAPPINGS`] pairs each checkov check that means the same as one of
//! our rules with that rule. Per checkov resource (a cluster, node pool or registry with its
//! line range), checkov FAILED must mean our rule has a finding within those lines (and in no
//! resource nested there) and PASSED that it has none. Fixtures are compared on the checks mapped to their own rule (the one setting the
//! fixture is about); corpus files on every mapped check. Every difference must be listed,
//! with its reason, in [`DISAGREEMENTS`]; an entry that no longer disagrees fails too. Files
//! checkov cannot parse are listed in [`CHECKOV_CANNOT_PARSE`] with the reason (and what we
//! find there is printed). A few of checkov's verdicts change from run to run (they depend on
//! Python's hash seed); those are listed in [`CHECKOV_UNSTABLE`] and not compared. Run with
//! `--nocapture` for the per-resource verdicts and the agreement rate.
//!
//! checkov is test tooling only (`.ci/run` installs a pinned version in a venv under
//! `target/ci-tools`); never part of the binary. Without `checkov` on PATH the test prints
//! why and passes, except under `AKSGUARD_REQUIRE_SHARED=1` (CI), where it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aksguard_engine::evaluate;
use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::{Finding, Inventory, Severity};
use aksguard_rules::{Rule, RuleSettings, find_rule};
use serde_json::Value;

/// The longest one checkov run over every file may take (it takes about 10 s).
const CHECKOV_TIMEOUT: Duration = Duration::from_secs(300);

/// checkov check ID, its class (for the reader), our rule with the same meaning.
const MAPPINGS: &[(&str, &str, &str)] = &[
    ("CKV_AZURE_4", "AKSLoggingEnabled", "AKS015"),
    ("CKV_AZURE_5", "AKSRbacEnabled", "AKS001"),
    ("CKV_AZURE_6", "AKSApiServerAuthorizedIpRanges", "AKS005"),
    ("CKV_AZURE_7", "AKSNetworkPolicy", "AKS008"),
    ("CKV_AZURE_8", "AKSDashboardDisabled", "AKS030"),
    ("CKV_AZURE_137", "ACRAdminAccountDisabled", "ACR001"),
    ("CKV_AZURE_138", "ACRAnonymousPullDisabled", "ACR002"),
    ("CKV_AZURE_141", "AKSLocalAdminDisabled", "AKS003"),
    ("CKV_AZURE_171", "AKSUpgradeChannel", "AKS018"),
    ("CKV_AZURE_172", "AkSSecretStoreRotation", "AKS013"),
    ("CKV_AZURE_226", "AKSEphemeralOSDisks", "AKS041"),
    ("CKV_AZURE_227", "AKSEncryptionAtHostEnabled", "AKS023"),
];

/// checkov checks on clusters and registries with no rule of ours of the same meaning, and why.
const UNMAPPED: &[(&str, &str)] = &[
    (
        "CKV_AZURE_139",
        "ACRPublicNetworkAccessDisabled wants `publicNetworkAccess: Disabled`; ACR003 fires \
         only when the registry is public AND its network rules allow every address (public \
         access restricted by IP rules is a sound setup), so the two mean different things",
    ),
    (
        "CKV_AZURE_163",
        "ACRContainerScanEnabled passes on the Premium SKU only (a proxy for Defender \
         scanning); no ACR rule judges a SKU as vulnerability scanning",
    ),
    (
        "CKV_AZURE_166",
        "ACREnableImageQuarantine wants the quarantine policy; ACR004 accepts quarantine OR \
         content trust (either stops unverified images), so the two mean different things",
    ),
    (
        "CKV_AZURE_168",
        "AKSMaxPodsMinimum wants maxPods >= 50 per node pool: a capacity/IP-planning choice, \
         not a security control in the AKS security guidance RULES.md follows",
    ),
    (
        "CKV_AZURE_169",
        "AKSPoolTypeIsScaleSet wants VirtualMachineScaleSets pools: AvailabilitySet pools are \
         retired and cannot be created on current API versions",
    ),
    (
        "CKV_AZURE_233",
        "ACREnableZoneRedundancy is about availability of the registry, not a security \
         control; no ACR rule has it",
    ),
];

/// Corpus files (under `corpus/aks/`) checkov's Bicep parser rejects, and why. We read them.
const CHECKOV_CANNOT_PARSE: &[(&str, &str)] = &[
    (
        "AKS-Construction/bicep/main.bicep",
        "checkov's Bicep grammar (pycep) rejects a `//` comment line inside an array literal \
         (line 312)",
    ),
    (
        "AKS-Landing-Zone-Accelerator/AKS-Secure-Baseline-PrivateCluster/Bicep/06-AKS-cluster/main.bicep",
        "checkov's Bicep grammar (pycep) rejects a ternary continued on the next line (a line \
         starting with `?`, line 124)",
    ),
    (
        "aks-baseline/workload-team/cluster-stamp.bicep",
        "checkov's Bicep grammar (pycep) rejects a `@description` decorator on a nested child \
         resource (line 677)",
    ),
    (
        "aks-store-demo/infra/bicep/kubernetes.bicep",
        "checkov's Bicep grammar (pycep) rejects a `//` comment line inside an object literal \
         (line 107)",
    ),
];

/// (checkov check ID, file label, checkov resource, why we differ from checkov's verdict).
/// File labels are `fixture:<family>/<ID>/<file>` and `corpus:<path under corpus/aks>`.
const DISAGREEMENTS: &[(&str, &str, &str, &str)] = &[
    (
        "CKV_AZURE_141",
        "fixture:cluster/AKS003/pass.unresolved.bicep",
        "Microsoft.ContainerService/managedClusters.aks",
        "`disableLocalAccounts` is a parameter without a default and no parameters file sets it: Unknown, so AKS003 stays silent; checkov fails on what it cannot resolve",
    ),
    (
        "CKV_AZURE_6",
        "fixture:cluster/AKS005/pass.private.bicep",
        "Microsoft.ContainerService/managedClusters.aks",
        "a private cluster (`enablePrivateCluster: true`) has no public API endpoint, so authorized IP ranges do not apply; checkov fails whenever `authorizedIPRanges` is empty",
    ),
    (
        "CKV_AZURE_7",
        "fixture:cluster/AKS008/fail.policy-none.bicep",
        "Microsoft.ContainerService/managedClusters.aks",
        "`networkPolicy: 'none'` is the API's explicit value for no policy engine; checkov passes any non-empty string",
    ),
    (
        "CKV_AZURE_172",
        "fixture:cluster/AKS013/pass.rotation-true.bicep",
        "Microsoft.ContainerService/managedClusters.aks",
        "`enableSecretRotation: string(rotation)` with `rotation` defaulting to true is the string `true`; checkov does not evaluate `string()` and fails on the expression text",
    ),
    (
        "CKV_AZURE_172",
        "fixture:cluster/AKS013/pass.unresolved.bicep",
        "Microsoft.ContainerService/managedClusters.aks",
        "`enableSecretRotation: string(rotation)` with `rotation` a parameter without a default: Unknown, so AKS013 stays silent; checkov fails on what it cannot resolve",
    ),
    (
        "CKV_AZURE_4",
        "fixture:cluster/AKS015/pass.container-insights-profile.bicep",
        "Microsoft.ContainerService/managedClusters.aks",
        "Container Insights is on through `azureMonitorProfile.containerInsights.enabled: true` (the successor of the omsagent add-on); checkov knows only the omsagent add-on",
    ),
    (
        "CKV_AZURE_227",
        "fixture:cluster/AKS023/pass.unknown.bicep",
        "Microsoft.ContainerService/managedClusters.aks",
        "the pool's `enableEncryptionAtHost` is a parameter without a default: Unknown, so AKS023 stays silent; checkov fails on what it cannot resolve",
    ),
    (
        "CKV_AZURE_226",
        "fixture:cluster/AKS041/pass.unknown.bicep",
        "Microsoft.ContainerService/managedClusters.aks",
        "the pool's `osDiskType` is a parameter without a default: Unknown, so AKS041 stays silent; checkov fails on what it cannot resolve",
    ),
    (
        "CKV_AZURE_138",
        "fixture:registry/ACR002/pass.unknown.bicep",
        "Microsoft.ContainerRegistry/registries.acr",
        "`anonymousPullEnabled` is a parameter without a default: Unknown, so ACR002 stays silent; checkov takes the unresolved reference for true on a Standard registry",
    ),
];

/// (checkov check ID, file label, why checkov's verdict there is not compared): verdicts that
/// change from one checkov run to the next. They are printed, not counted.
const CHECKOV_UNSTABLE: &[(&str, &str, &str)] = &[
    (
        "CKV_AZURE_5",
        "fixture:cluster/AKS001/pass.parameter-default.bicep",
        "`enableRBAC: enableRbac` (a parameter defaulting to true): checkov's verdict changes \
         with Python's hash seed and with the other files of the run (its Bicep graph renders \
         parameter references in set order), PASSED in some runs and FAILED in others; we \
         resolve the default and stay silent",
    ),
    (
        "CKV_AZURE_5",
        "fixture:cluster/AKS001/pass.unresolved.bicep",
        "`enableRBAC: enableRbac` (a parameter without a default): checkov's verdict changes \
         with Python's hash seed and with the other files of the run, PASSED in some runs and \
         FAILED in others; the value is Unknown to us and AKS001 stays silent",
    ),
];

/// One checkov verdict: a check on a resource of a file.
struct Verdict {
    check: String,
    resource: String,
    failed: bool,
    lines: (u32, u32),
}

/// What one checkov run said, per canonical file path.
#[derive(Default)]
struct CheckovReport {
    verdicts: BTreeMap<PathBuf, Vec<Verdict>>,
    unparsed: BTreeSet<PathBuf>,
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

/// Runs checkov once on `files`, killing it after [`CHECKOV_TIMEOUT`].
fn run_checkov(files: &[PathBuf]) -> CheckovReport {
    let mut command = Command::new("checkov");
    // --skip-download: no attempt to reach the vendor's platform (no network in tests).
    command.args([
        "--framework",
        "bicep",
        "-o",
        "json",
        "--skip-download",
        "-f",
    ]);
    command.args(files);
    let mut child = command
        .env("LOG_LEVEL", "ERROR")
        // A fixed hash seed: some of checkov's Bicep verdicts depend on Python's set order.
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
    // checkov exits 1 when a check failed; anything else is a crash.
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
    parse_report(&json)
}

/// Reads checkov's JSON report (one object per framework run, or a list of them).
fn parse_report(json: &Value) -> CheckovReport {
    let mut report = CheckovReport::default();
    let runs: Vec<&Value> = match json {
        Value::Array(runs) => runs.iter().collect(),
        run => vec![run],
    };
    for run in runs {
        let results = &run["results"];
        for (key, failed) in [("passed_checks", false), ("failed_checks", true)] {
            for result in results[key].as_array().into_iter().flatten() {
                let Some(path) = result["file_abs_path"].as_str() else {
                    continue;
                };
                let range = &result["file_line_range"];
                let line = |i: usize| range[i].as_u64().unwrap_or(0) as u32;
                report
                    .verdicts
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
        for path in results["parsing_errors"].as_array().into_iter().flatten() {
            if let Some(path) = path.as_str() {
                report.unparsed.insert(canonical(Path::new(path)));
            }
        }
    }
    report
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Every `.bicep` file under `dir`, sorted.
fn bicep_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "bicep") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// Whether a corpus Bicep file defines (or calls the AVM module for) a cluster or a registry.
fn defines_cluster_or_registry(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().any(|line| {
        let line = line.trim_start();
        (line.starts_with("resource ")
            && (line.contains("'Microsoft.ContainerService/managedClusters@")
                || line.contains("'Microsoft.ContainerRegistry/registries@"))
            && !line.contains(" existing"))
            || (line.starts_with("module ")
                && line.contains("avm/res/container-service/managed-cluster:"))
    })
}

/// Our findings of `rules` on one file, loaded as `aksguard scan FILE` would (local modules
/// followed), with the load errors.
fn our_findings(path: &Path, rules: &[&'static Rule]) -> (Vec<Finding>, usize, Vec<String>) {
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    let loaded = load_inputs(&[path.display().to_string()], &options, &mut io::empty());
    let errors = loaded.errors.iter().map(|e| format!("{e:?}")).collect();
    let targets = loaded.azure.clusters.len() + loaded.azure.registries.len();
    let inventory = Inventory::new(loaded.objects).with_azure(loaded.azure);
    let findings = evaluate(&inventory, rules, &RuleSettings::default(), Severity::Info);
    (findings, targets, errors)
}

/// Tallies and the problems found while comparing.
#[derive(Default)]
struct Comparison {
    agreed: usize,
    compared: usize,
    per_rule: BTreeMap<&'static str, (usize, usize)>,
    listed_used: BTreeSet<usize>,
    unstable_seen: BTreeSet<usize>,
    problems: Vec<String>,
}

impl Comparison {
    /// Compares checkov's verdicts on `file` for `checks` with our findings there.
    /// A finding belongs to the innermost checkov resource whose lines hold it (a nested
    /// child resource, such as an agent pool declared inside its cluster, is its own
    /// resource to checkov).
    fn file(&mut self, label: &str, file: &Path, verdicts: &[Verdict], findings: &[Finding]) {
        let resources: BTreeMap<&str, (u32, u32)> = verdicts
            .iter()
            .map(|v| (v.resource.as_str(), v.lines))
            .collect();
        let owner = |line: u32| {
            resources
                .iter()
                .filter(|(_, (first, last))| (*first..=*last).contains(&line))
                .min_by_key(|(_, (first, last))| last - first)
                .map(|(resource, _)| *resource)
        };
        for verdict in verdicts {
            let Some((_, _, rule_id)) = MAPPINGS.iter().find(|(c, _, _)| *c == verdict.check)
            else {
                continue;
            };
            if let Some(i) = CHECKOV_UNSTABLE
                .iter()
                .position(|(c, l, _)| *c == verdict.check && *l == label)
            {
                self.unstable_seen.insert(i);
                eprintln!(
                    "unstable {} {label} {}: not compared: {}",
                    verdict.check, verdict.resource, CHECKOV_UNSTABLE[i].2
                );
                continue;
            }
            let ours: Vec<String> = findings
                .iter()
                .filter(|f| f.rule_id == *rule_id)
                .filter(|f| canonical(Path::new(&*f.location.path)) == file)
                .filter(|f| owner(f.location.line) == Some(verdict.resource.as_str()))
                .map(|f| format!("{}:{} {}", f.location.line, f.location.column, f.message))
                .collect();
            let fires = !ours.is_empty();
            let agrees = verdict.failed == fires;
            self.compared += 1;
            let entry = self.per_rule.entry(rule_id).or_default();
            entry.1 += 1;
            if agrees {
                self.agreed += 1;
                entry.0 += 1;
            }
            let listed = DISAGREEMENTS.iter().position(|(c, l, r, _)| {
                *c == verdict.check && *l == label && *r == verdict.resource
            });
            if let Some(i) = listed {
                self.listed_used.insert(i);
            }
            let peer = if verdict.failed { "FAILED" } else { "PASSED" };
            let mark = if agrees { "agree   " } else { "DISAGREE" };
            let ours_verdict = if fires { "fires" } else { "silent" };
            let what = format!("{} {label} {}", verdict.check, verdict.resource);
            eprintln!("{mark} {what}: checkov {peer}, {rule_id} {ours_verdict}");
            for line in &ours {
                eprintln!("           {line}");
            }
            if let Some(i) = listed {
                eprintln!("           listed: {}", DISAGREEMENTS[i].3);
            }
            match (agrees, listed) {
                (false, None) => self.problems.push(format!(
                    "{what}: checkov says {peer}, {rule_id} {ours_verdict} — fix the rule, the \
                     loader or the fixture, or list it in DISAGREEMENTS with the reason"
                )),
                (true, Some(_)) => self.problems.push(format!(
                    "{what} is listed in DISAGREEMENTS but now agrees: remove it"
                )),
                _ => {}
            }
        }
    }
}

#[test]
fn checkov_bicep_verdicts_agree() {
    let Some(version) = checkov_version() else {
        assert!(
            !aksguard_testkit::shared_required(),
            "checkov is not on PATH but {} is set: .ci/run installs it",
            aksguard_testkit::REQUIRE_SHARED
        );
        eprintln!(
            "SKIPPED: checkov is not on PATH (test tooling: .ci/run installs it in \
             target/ci-tools; set {}=1 to make this a failure)",
            aksguard_testkit::REQUIRE_SHARED
        );
        return;
    };
    eprintln!("checkov {version}");
    let fixtures_root = aksguard_testkit::workspace_root().join("crates/aksguard_rules/fixtures");
    let fixtures: Vec<PathBuf> = ["cluster", "registry"]
        .iter()
        .flat_map(|family| bicep_files(&fixtures_root.join(family)))
        .map(|p| canonical(&p))
        .collect();
    assert!(!fixtures.is_empty(), "no Bicep rule fixture found");
    let corpus_root = aksguard_testkit::shared_path("corpus/aks").map(|p| canonical(&p));
    let corpus: Vec<PathBuf> = corpus_root
        .as_deref()
        .map(|root| {
            bicep_files(root)
                .into_iter()
                .filter(|p| defines_cluster_or_registry(p))
                .map(|p| canonical(&p))
                .collect()
        })
        .unwrap_or_default();
    let all: Vec<PathBuf> = fixtures.iter().chain(&corpus).cloned().collect();
    let started = Instant::now();
    let report = run_checkov(&all);
    eprintln!(
        "checkov ran on {} files ({} fixtures, {} corpus) in {:.1?}",
        all.len(),
        fixtures.len(),
        corpus.len(),
        started.elapsed()
    );
    let mut comparison = Comparison::default();
    // Every check checkov ran on a cluster or registry is mapped or explained.
    let seen: BTreeSet<&str> = report
        .verdicts
        .values()
        .flatten()
        .filter(|v| {
            v.resource
                .starts_with("Microsoft.ContainerService/managedClusters")
                || v.resource
                    .starts_with("Microsoft.ContainerRegistry/registries")
        })
        .map(|v| v.check.as_str())
        .collect();
    for check in &seen {
        if !MAPPINGS.iter().any(|(c, _, _)| c == check) && !UNMAPPED.iter().any(|(c, _)| c == check)
        {
            comparison.problems.push(format!(
                "checkov check {check} runs on clusters or registries but is neither mapped nor \
                 listed as unmapped"
            ));
        }
    }
    for (check, why) in UNMAPPED {
        eprintln!("unmapped {check}: {why}");
    }
    let all_rules: Vec<&'static Rule> = MAPPINGS
        .iter()
        .filter_map(|(_, _, rule)| find_rule(rule))
        .collect();
    assert_eq!(
        all_rules.len(),
        MAPPINGS.len(),
        "every mapped rule is registered"
    );

    // Our fixtures: the checks mapped to the fixture's own rule.
    let mut fixtures_compared = 0usize;
    for file in &fixtures {
        let rule_id = file
            .parent()
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .expect("a fixture sits in its rule's folder");
        let checks: Vec<&str> = MAPPINGS
            .iter()
            .filter(|(_, _, r)| *r == rule_id)
            .map(|(c, _, _)| *c)
            .collect();
        if checks.is_empty() {
            continue;
        }
        let relative = file.strip_prefix(&fixtures_root).unwrap_or(file);
        let label = format!("fixture:{}", relative.display());
        assert!(
            !report.unparsed.contains(file),
            "checkov cannot parse our fixture {label}: keep fixtures to plain Bicep"
        );
        let rule = find_rule(rule_id).expect("mapped rule is registered");
        let (findings, _, errors) = our_findings(file, &[rule]);
        assert!(errors.is_empty(), "{label} does not load: {errors:?}");
        let verdicts: Vec<Verdict> = report
            .verdicts
            .get(file)
            .into_iter()
            .flatten()
            .filter(|v| checks.contains(&v.check.as_str()))
            .map(|v| Verdict {
                check: v.check.clone(),
                resource: v.resource.clone(),
                failed: v.failed,
                lines: v.lines,
            })
            .collect();
        fixtures_compared += 1;
        comparison.file(&label, file, &verdicts, &findings);
    }

    // The corpus: every mapped check on every file checkov can parse.
    let mut unparsed_listed = BTreeSet::new();
    for file in &corpus {
        let relative = corpus_root
            .as_deref()
            .and_then(|root| file.strip_prefix(root).ok())
            .unwrap_or(file)
            .display()
            .to_string();
        let label = format!("corpus:{relative}");
        let (findings, targets, errors) = our_findings(file, &all_rules);
        let listed = CHECKOV_CANNOT_PARSE
            .iter()
            .position(|(p, _)| *p == relative);
        if report.unparsed.contains(file) {
            eprintln!(
                "checkov cannot parse {label}; we read {targets} cluster(s)/registr(ies) from \
                 it, {} finding(s) of the mapped rules, {} load error(s)",
                findings.len(),
                errors.len()
            );
            match listed {
                Some(i) => {
                    unparsed_listed.insert(i);
                    eprintln!("           listed: {}", CHECKOV_CANNOT_PARSE[i].1);
                }
                None => comparison.problems.push(format!(
                    "checkov cannot parse {label}: list it in CHECKOV_CANNOT_PARSE with the reason"
                )),
            }
            continue;
        }
        if listed.is_some() {
            comparison.problems.push(format!(
                "{label} is listed in CHECKOV_CANNOT_PARSE but checkov now parses it: remove it"
            ));
        }
        let verdicts = report.verdicts.get(file).map(Vec::as_slice).unwrap_or(&[]);
        if verdicts.is_empty() {
            eprintln!(
                "checkov judges no resource of {label} (module calls only); we read {targets} \
                 cluster(s)/registr(ies) from it"
            );
        }
        comparison.file(&label, file, verdicts, &findings);
    }
    if corpus_root.is_some() {
        for (i, (path, _)) in CHECKOV_CANNOT_PARSE.iter().enumerate() {
            if !unparsed_listed.contains(&i) {
                comparison.problems.push(format!(
                    "CHECKOV_CANNOT_PARSE entry {path} matches no unparsed corpus file"
                ));
            }
        }
    }
    for (i, (check, label, resource, _)) in DISAGREEMENTS.iter().enumerate() {
        let compared = corpus_root.is_some() || label.starts_with("fixture:");
        if compared && !comparison.listed_used.contains(&i) {
            comparison.problems.push(format!(
                "DISAGREEMENTS entry {check} {label} {resource} matches no checkov verdict"
            ));
        }
    }
    for (i, (check, label, _)) in CHECKOV_UNSTABLE.iter().enumerate() {
        if !comparison.unstable_seen.contains(&i) {
            comparison.problems.push(format!(
                "CHECKOV_UNSTABLE entry {check} {label} matches no checkov verdict"
            ));
        }
    }
    for (rule, (ok, all)) in &comparison.per_rule {
        eprintln!("{rule}: {ok}/{all} agree");
    }
    let (agreed, compared) = (comparison.agreed, comparison.compared);
    if compared > 0 {
        eprintln!(
            "checkov Bicep agreement: {agreed}/{compared} verdicts ({:.0}%) on {fixtures_compared} \
             fixtures and {} corpus files, {} listed disagreements",
            100.0 * agreed as f64 / compared as f64,
            corpus.len(),
            compared - agreed
        );
    }
    assert!(
        comparison.problems.is_empty(),
        "{}",
        comparison.problems.join("\n")
    );
}
