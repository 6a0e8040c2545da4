use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;

use aksguard_model::{Fingerprint, Fix, FixSafety, Location, ObjectRef, RuleText, Severity};

use super::*;

fn finding(rule_id: &'static str, cluster: &str, commands: &[&str]) -> Finding {
    let rule: &'static RuleText = Box::leak(Box::new(RuleText {
        title: "title",
        remediation: "remediation",
        references: Vec::new(),
    }));
    let mut fix = Fix::new(format!("Fix {rule_id}."), FixSafety::Review);
    for command in commands {
        fix = fix.with_command(*command);
    }
    Finding {
        rule_id,
        severity: Severity::Medium,
        rule,
        message: "message".into(),
        object: Arc::new(ObjectRef {
            api_version: "2024-05-01".into(),
            kind: "ManagedCluster".into(),
            namespace: None,
            name: cluster.into(),
        }),
        container: None,
        location: Location {
            path: Arc::from("main.tf"),
            line: 3,
            column: 1,
            template: None,
        },
        fingerprint: Fingerprint(0),
        fix: Some(Arc::new(fix)),
        on_attack_path: false,
    }
}

/// `bash -n` (parse only, nothing runs) accepts the script.
fn bash_parses(script: &str) {
    let mut child = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn orders_steps_by_disruption_and_runs_each_command_once() {
    let findings = [
        finding(
            "AKS040",
            "prod",
            &[
                "az aks nodepool add --resource-group rg --cluster-name prod --name <new-pool> --zones 1 2 3",
            ],
        ),
        finding(
            "AKS012",
            "prod",
            &["az aks update --resource-group rg --name prod --ssh-access disabled"],
        ),
        finding(
            "AKS031",
            "prod",
            &["az aks update --resource-group rg --name prod --disable-run-command"],
        ),
        finding(
            "AKS032",
            "prod",
            &["az aks update --resource-group rg --name prod --disable-run-command"],
        ),
    ];
    let script = script(&findings);
    bash_parses(&script);
    assert!(script.starts_with("#!/usr/bin/env bash\n"));
    assert!(script.contains("\nset -euo pipefail\n"));
    let run = script.find("--disable-run-command").unwrap();
    let ssh = script.find("--ssh-access disabled").unwrap();
    let add = script.find("nodepool add").unwrap();
    assert!(run < ssh && ssh < add, "{script}");
    assert_eq!(
        script.matches("--disable-run-command\n").count(),
        1,
        "{script}"
    );
    assert!(
        script.contains(
            "# Fixes AKS031 ManagedCluster/prod (main.tf:3): Fix AKS031.\n# Fixes AKS032"
        )
    );
    assert!(script.contains("# Step 1 of 3 (in place; no node restarts)"));
    assert!(script.contains("# Step 2 of 3 (RESTARTS NODES"));
    assert!(script.contains("# Step 3 of 3 (RE-CREATES"));
    assert!(script.contains(": \"${NEW_POOL:?set NEW_POOL before running this script}\""));
    assert!(
        script.contains("--name \"$NEW_POOL\" --zones 1 2 3"),
        "{script}"
    );
}

#[test]
fn values_are_quoted_and_never_expanded() {
    let findings = [finding(
        "AKS001",
        "my cluster",
        &[
            "az aks update --resource-group 'rg; rm -rf /' --name 'my cluster' --tags note=$(id) x=`id` 'it'\\''s'",
            "kubectl delete ns shop",
            "az aks update --name 'unclosed",
        ],
    )];
    let script = script(&findings);
    bash_parses(&script);
    assert!(script.contains(
        "az aks update --resource-group 'rg; rm -rf /' --name 'my cluster' --tags 'note=$(id)' 'x=`id`' 'it'\\''s'\n"
    ), "{script}");
    assert!(script.contains("# not an az command, left out: kubectl delete ns shop"));
    assert!(script.contains("# an unclosed single quote, left out"));
    assert!(!script.contains("\nkubectl"));
}

#[test]
fn without_commands_the_script_says_so() {
    let script = script(&[finding("AKS001", "prod", &[])]);
    bash_parses(&script);
    assert!(script.ends_with("# No cluster finding has an az command to run.\n"));
}

#[test]
fn classifies_commands() {
    let of = |command: &str| disruption_of(&split_words(command).unwrap());
    assert_eq!(
        of("az aks update -g rg -n c --enable-azure-rbac"),
        Disruption::InPlace
    );
    assert_eq!(
        of("az aks enable-addons -g rg -n c --addons azure-policy"),
        Disruption::InPlace
    );
    assert_eq!(
        of("az aks nodepool upgrade -g rg --cluster-name c -n p --node-image-only"),
        Disruption::RestartsNodes
    );
    assert_eq!(
        of("az aks upgrade -g rg -n c --kubernetes-version 1.31"),
        Disruption::RestartsNodes
    );
    assert_eq!(
        of("az aks update -g rg -n c --network-policy=cilium"),
        Disruption::RestartsNodes
    );
    assert_eq!(of("az aks create -g rg -n c"), Disruption::Recreates);
    assert_eq!(
        of("az aks nodepool delete -g rg --cluster-name c -n old"),
        Disruption::Recreates
    );
}

#[test]
fn splits_words_like_a_shell() {
    assert_eq!(
        split_words(r#"az  a\ b 'c d' "e \"f\" \x" ''"#).unwrap(),
        ["az", "a b", "c d", "e \"f\" \\x", ""]
    );
    assert!(split_words("a \"b").is_err());
    assert!(split_words("a \\").is_err());
    assert_eq!(split_words("").unwrap(), Vec::<String>::new());
}
