//! `cargo run -p xtask -- generate-docs [--check]`: writes `docs/rules/<ID>.md` and
//! `docs/rules/index.md` from the rule definitions, and the in-cluster scanner's ClusterRole
//! (`deploy/components/scanner/clusterrole.yaml`) from the kinds a live scan lists. With
//! `--check` nothing is written and the exit code says whether the committed files are stale
//! (CI runs this).
//!
//! `cargo run -p xtask -- bicep-to-arm IN_DIR OUT_DIR`: Bicep files as the ARM JSON aksguard's
//! Bicep front end translates them into (for `bench/bicep.sh`; see [`bicep_to_arm`]).

mod bicep_to_arm;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aksguard_report::rule_doc;
use aksguard_rules::all_rules;

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules")
}

/// Every generated file, by name, with its content.
fn generated() -> BTreeMap<String, String> {
    let rules = all_rules();
    let mut files = BTreeMap::new();
    files.insert("index.md".to_owned(), rule_doc::catalogue_markdown(rules));
    for rule in rules {
        files.insert(format!("{}.md", rule.id), rule_doc::markdown(rule));
    }
    files
}

/// Generated files outside `docs/rules`, by path from the workspace root.
fn generated_elsewhere() -> BTreeMap<&'static str, String> {
    BTreeMap::from([(
        aksguard_kube::rbac::CLUSTER_ROLE_PATH,
        aksguard_kube::rbac::cluster_role_yaml(),
    )])
}

fn generate_docs(check: bool) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut stale_elsewhere = Vec::new();
    for (name, content) in generated_elsewhere() {
        let path = root.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            if check {
                stale_elsewhere.push(name);
            } else {
                std::fs::write(&path, content)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                println!("{name}: updated");
            }
        }
    }
    if !stale_elsewhere.is_empty() {
        return Err(format!(
            "{} out of date; run `cargo run -p xtask -- generate-docs`",
            stale_elsewhere.join(", ")
        ));
    }
    let dir = docs_dir();
    let files = generated();
    let mut stale = Vec::new();
    for (name, content) in &files {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            stale.push(name.clone());
        }
    }
    // Docs of rules that no longer exist are stale too.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") && !files.contains_key(&name) {
                stale.push(name);
            }
        }
    }
    if check {
        if stale.is_empty() {
            return Ok(());
        }
        return Err(format!(
            "docs/rules is out of date ({}); run `cargo run -p xtask -- generate-docs`",
            stale.join(", ")
        ));
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for name in &stale {
        let path = dir.join(name);
        match files.get(name) {
            Some(content) => std::fs::write(&path, content),
            None => std::fs::remove_file(&path),
        }
        .map_err(|e| format!("cannot update {}: {e}", path.display()))?;
    }
    println!("docs/rules: {} files, {} updated", files.len(), stale.len());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("generate-docs") => generate_docs(args.iter().any(|a| a == "--check")),
        Some("bicep-to-arm") => bicep_to_arm::run(&args[1..]),
        _ => Err(
            "usage: cargo run -p xtask -- generate-docs [--check] | bicep-to-arm IN_DIR OUT_DIR"
                .to_owned(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
