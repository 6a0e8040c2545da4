//! `aksguard export vap`: parses nothing further and prints what `aksguard_vap` builds.

use std::io::Write;

use aksguard_engine::select_rules;
use aksguard_rules::all_rules;
use aksguard_vap::Mode;

use crate::cli::{AdmissionMode, ExportVapArgs};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

pub fn run_vap(args: &ExportVapArgs) -> u8 {
    if args.list {
        print!("{}", list());
        return EXIT_CLEAN;
    }
    let rules = match select_rules(&args.select, &args.ignore) {
        Ok(rules) => rules,
        Err(error) => {
            eprintln!("error: {error}");
            return EXIT_ERROR;
        }
    };
    let mode = match args.mode {
        AdmissionMode::Enforce => Mode::Enforce,
        AdmissionMode::Warn => Mode::Warn,
        AdmissionMode::Audit => Mode::Audit,
    };
    let export = aksguard_vap::export(&rules, mode);
    if export.exported.is_empty() {
        eprintln!(
            "error: none of the {} selected rules can be exported as a ValidatingAdmissionPolicy \
             (see `aksguard export vap --list`)",
            rules.len()
        );
        return EXIT_ERROR;
    }
    if args.select.is_empty() {
        if !export.skipped.is_empty() {
            eprintln!(
                "note: {} rules exported; {} rules CEL cannot express are left out (see \
                 `aksguard export vap --list`)",
                export.exported.len(),
                export.skipped.len()
            );
        }
    } else {
        for (rule, reason) in &export.skipped {
            eprintln!("note: {} not exported: {reason}", rule.id);
        }
    }
    let yaml = aksguard_vap::to_yaml(&export.documents);
    let written = match &args.output {
        Some(path) => {
            std::fs::write(path, yaml).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => std::io::stdout()
            .write_all(yaml.as_bytes())
            .map_err(|e| format!("cannot write to stdout: {e}")),
    };
    match written {
        Ok(()) => EXIT_CLEAN,
        Err(error) => {
            eprintln!("error: {error}");
            EXIT_ERROR
        }
    }
}

/// One line per rule: exported, or not and why.
fn list() -> String {
    let mut out = String::new();
    for rule in all_rules() {
        match aksguard_vap::translation(rule.id) {
            Some(_) => out.push_str(&format!("{:<8} exported      {}\n", rule.id, rule.title)),
            None => out.push_str(&format!(
                "{:<8} not exported  {}\n",
                rule.id,
                aksguard_vap::not_exportable(rule).unwrap_or("no CEL translation")
            )),
        }
    }
    out
}
