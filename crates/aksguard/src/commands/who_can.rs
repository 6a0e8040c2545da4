//! `aksguard who-can VERB RESOURCE [PATH…] [-n NS | -A]`: which users, groups and
//! ServiceAccounts the scanned RBAC objects let do VERB on RESOURCE, and through which binding
//! and role (like kubectl-who-can, but over manifests). The question is answered by
//! [`aksguard_model::who_can`] and rendered by [`aksguard_report::who_can`]; this command
//! only reads the arguments and inputs and prints.
//!
//! Exit 0 when it answered (even with no subject), 2 on load errors or when no object was
//! found.

use std::io::Write;

use aksguard_load::{Limits, LoadOptions, load_inputs};
use aksguard_model::who_can::{Question, Scope, Target, answer};
use aksguard_model::{Inventory, LoadError};
use aksguard_report::who_can::{json, table};

use crate::cli::{WhoCanArgs, WhoCanFormat};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

pub fn run(args: &WhoCanArgs) -> u8 {
    let target = match Target::parse(&args.verb, &args.resource, args.api_group.as_deref()) {
        Ok(target) => target,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let scope = match (&args.namespace, args.all_namespaces) {
        (Some(ns), _) => Scope::Namespace(ns.clone()),
        (None, true) => Scope::AllNamespaces,
        (None, false) => Scope::ClusterWide,
    };
    let question = Question { target, scope };
    let options = LoadOptions {
        limits: Limits::default(),
        render: !args.no_render,
        progress: None,
    };
    let loaded = load_inputs(&args.paths, &options, &mut std::io::stdin().lock());
    for notice in &loaded.notices {
        eprintln!("note: {notice}");
    }
    let inventory = Inventory::new(loaded.objects);
    let mut errors = loaded.errors;
    if inventory.is_empty() {
        errors.push(LoadError::new(
            args.paths.join(" "),
            None,
            "no Kubernetes objects found in the given inputs (nothing to answer from)",
        ));
    }
    for error in &errors {
        eprintln!("error: {error}");
    }
    if inventory.is_empty() {
        return EXIT_ERROR;
    }
    let answer = answer(&inventory, &question);
    let rendered = match args.format {
        WhoCanFormat::Table => table::render(&question, &answer),
        WhoCanFormat::Json => json::render(&question, &answer),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return EXIT_ERROR;
    }
    if errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    }
}
