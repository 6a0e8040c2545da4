//! The shared corpus of real-world manifests (`../shared/corpus`, next to the workspace):
//! every real file loads without error, every rule runs over all of it without panicking, and
//! every deliberately broken file is reported with its path and line.
//!
//! The corpus is not part of the repository. When it is absent (a plain clone) these tests
//! print why and pass.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use aksguard_engine::{evaluate, select_rules};
use aksguard_load::{LoadOptions, Loaded, load_inputs};
use aksguard_model::{Inventory, Severity};
use aksguard_rules::RuleSettings;

/// Files under `corpus/invalid/` that are in fact valid YAML and must load: the source lists
/// them as broken, but only some parsers reject them.
const VALID_AFTER_ALL: &[(&str, &str)] = &[(
    "gke-samples/ai-ml/vllm-tpu/vllm-llama3-70b.yaml",
    "its only problem is a trailing tab after a plain scalar (`type: LoadBalancer\\t`): valid \
     YAML 1.2 and accepted by kubectl's libyaml-based decoder; only PyYAML rejects it",
)];

/// Fewest objects `corpus/real/` must yield (it holds 1,846 when nothing is lost).
const MIN_REAL_OBJECTS: usize = 1_800;

fn corpus_dir(sub: &str) -> Option<PathBuf> {
    aksguard_testkit::shared_path(&format!("corpus/{sub}"))
}

/// Loads a corpus folder as the CLI would with `--no-render`, so the test needs neither
/// kubectl nor helm.
fn load(dir: &Path) -> Loaded {
    let options = LoadOptions {
        render: false,
        ..LoadOptions::default()
    };
    load_inputs(&[dir.display().to_string()], &options, &mut io::empty())
}

/// Every file under `dir`, as paths relative to it with `/` separators, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).expect("under the root");
                let parts: Vec<_> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn real_manifests_load_cleanly_and_every_rule_runs() {
    let Some(dir) = corpus_dir("real") else {
        return;
    };
    let loaded = load(&dir);
    for error in &loaded.errors {
        eprintln!("load error: {error}");
    }
    assert!(
        loaded.errors.is_empty(),
        "{} load error(s) in corpus/real (listed above)",
        loaded.errors.len()
    );
    assert!(
        loaded.objects.len() >= MIN_REAL_OBJECTS,
        "corpus/real yielded {} objects from {} files; expected at least {MIN_REAL_OBJECTS}",
        loaded.objects.len(),
        loaded.files
    );

    let rules = select_rules(&[], &[]).expect("all rules");
    let findings = evaluate(
        &Inventory::new(loaded.objects.clone()),
        &rules,
        &RuleSettings::default(),
        Severity::Info,
    );

    let mut counts: BTreeMap<&str, (usize, BTreeMap<Severity, usize>)> =
        rules.iter().map(|r| (r.id, Default::default())).collect();
    for finding in &findings {
        let (total, by_severity) = counts.entry(finding.rule_id).or_default();
        *total += 1;
        *by_severity.entry(finding.severity).or_default() += 1;
    }
    eprintln!(
        "corpus/real: {} files, {} objects, {} rules, {} findings",
        loaded.files,
        loaded.objects.len(),
        rules.len(),
        findings.len()
    );
    eprintln!("{:<8} {:>8}  by severity", "rule", "findings");
    for (id, (total, by_severity)) in &counts {
        let detail: Vec<String> = by_severity
            .iter()
            .rev()
            .map(|(severity, n)| format!("{severity} {n}"))
            .collect();
        eprintln!("{id:<8} {total:>8}  {}", detail.join(", "));
    }
}

#[test]
fn every_invalid_file_is_reported_with_its_line() {
    let Some(dir) = corpus_dir("invalid") else {
        return;
    };
    let loaded = load(&dir);
    let files = files_under(&dir);
    assert!(!files.is_empty(), "corpus/invalid is empty");
    for (file, _) in VALID_AFTER_ALL {
        assert!(
            files.iter().any(|f| f == file),
            "VALID_AFTER_ALL names {file}, which is not in corpus/invalid"
        );
    }

    let mut problems = Vec::new();
    for file in &files {
        let errors: Vec<_> = loaded
            .errors
            .iter()
            .filter(|e| Path::new(&e.path).ends_with(file))
            .collect();
        if let Some((_, reason)) = VALID_AFTER_ALL.iter().find(|(f, _)| f == file) {
            let objects = loaded
                .objects
                .iter()
                .filter(|o| Path::new(&*o.source.path).ends_with(file))
                .count();
            eprintln!("{file}: loads ({objects} objects) as expected: {reason}");
            if !errors.is_empty() || objects == 0 {
                problems.push(format!(
                    "{file}: should load (valid YAML) but gave {objects} objects and errors {:?}",
                    errors.iter().map(ToString::to_string).collect::<Vec<_>>()
                ));
            }
            continue;
        }
        match errors.first() {
            None => problems.push(format!("{file}: no error reported")),
            Some(_) if errors.iter().all(|e| e.line.is_none()) => problems.push(format!(
                "{file}: error(s) without a line number: {:?}",
                errors.iter().map(ToString::to_string).collect::<Vec<_>>()
            )),
            Some(_) => {
                for error in &errors {
                    eprintln!(
                        "{file}:{}: {}",
                        error.line.map_or("?".into(), |l| l.to_string()),
                        error.message
                    );
                }
            }
        }
    }
    // What did load (the valid file, good documents before a broken one) still scans.
    let rules = select_rules(&[], &[]).expect("all rules");
    evaluate(
        &Inventory::new(loaded.objects.clone()),
        &rules,
        &RuleSettings::default(),
        Severity::Info,
    );
    // Errors must name a real file of the folder, not the folder or something else.
    for error in &loaded.errors {
        if !files.iter().any(|f| Path::new(&error.path).ends_with(f)) {
            problems.push(format!("error names no corpus file: {error}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in corpus/invalid:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
