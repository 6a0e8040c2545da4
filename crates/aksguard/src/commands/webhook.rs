//! `aksguard webhook`: flags → settings and server options, then `aksguard_webhook` serves
//! until SIGTERM/SIGINT. `--list-rules` prints which selected rules run at admission.

use std::time::Duration;

use aksguard_config::{CliOverrides, ConfigSource, WebhookMode};
use aksguard_scan::{ScanSettings, SettingsRequest};
use aksguard_webhook::{Judge, Options, TlsFiles, logging, policy, serve_until_signal};

use crate::cli::{self, WebhookArgs};
use crate::commands::config::fail_on;
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

fn mode(mode: cli::WebhookMode) -> WebhookMode {
    match mode {
        cli::WebhookMode::Enforce => WebhookMode::Enforce,
        cli::WebhookMode::Warn => WebhookMode::Warn,
        cli::WebhookMode::Audit => WebhookMode::Audit,
    }
}

pub fn run(args: &WebhookArgs) -> u8 {
    let request = SettingsRequest {
        source: match &args.config {
            Some(path) => ConfigSource::Explicit(path.clone()),
            None => ConfigSource::Disabled,
        },
        overrides: CliOverrides {
            select: args.select.clone(),
            ignore: args.ignore.clone(),
            fail_on: args.fail_on.map(fail_on),
            allowed_registries: args.allowed_registries.clone(),
            ..CliOverrides::default()
        },
        as_of: None,
        baseline: None,
        write_baseline: None,
    };
    let settings = match ScanSettings::resolve(&request) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_ERROR;
        }
    };
    let default_mode = args
        .mode
        .map(mode)
        .or(settings.config.webhook.mode)
        .unwrap_or(policy::DEFAULT_MODE);
    // `policies = [...]` of aksguard.toml: judged at admission beside the rules. A policy
    // that does not load stops the server (a webhook must not start without the policies
    // it was configured with).
    let policies = match aksguard_policy::load_for_scan(
        &settings.config.policies,
        &settings.config.select,
        &settings.config.ignore,
    ) {
        Ok(policies) => policies,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_ERROR;
        }
    };
    if !policies.errors.is_empty() {
        for error in &policies.errors {
            eprintln!("error: {error}");
        }
        return EXIT_ERROR;
    }
    let mut judge = Judge::new(settings);
    if let Some(rules) = policies.rules {
        let set = rules.shared_set();
        let selected = rules.selected().cloned();
        judge = judge.with_extra(std::sync::Arc::new(move |admission| {
            let mut per_review = aksguard_policy::PolicyRules::new(set.clone());
            if let Some(selected) = &selected {
                per_review = per_review.with_selected(selected.clone());
            }
            // The policies see the real request (operation, userInfo, oldObject…).
            if let Some(admission) = admission {
                per_review = per_review.for_request(admission.clone());
            }
            std::sync::Arc::new(per_review) as std::sync::Arc<dyn aksguard_scan::ExtraRules>
        }));
    }
    if args.list_rules {
        print!("{}", list_rules(&judge));
        return EXIT_CLEAN;
    }
    // clap requires both unless --list-rules.
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        eprintln!("error: --tls-cert and --tls-key are required");
        return EXIT_ERROR;
    };
    aksguard_webhook::install_crypto_provider();
    logging::init(args.verbose);
    logging::log_panics();
    let options = Options {
        listen: args.listen,
        metrics_listen: args.metrics_listen,
        default_mode,
        deadline: Duration::from_millis(args.deadline_ms),
        max_in_flight: usize::try_from(args.max_in_flight).unwrap_or(usize::MAX),
        reload_interval: Duration::from_millis(args.reload_interval_ms),
        grace: Duration::from_secs(args.grace_seconds),
        ..Options::new(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        })
    };
    match serve_until_signal(options, judge, crate::signal::stop_signal()) {
        Ok(()) => EXIT_CLEAN,
        Err(err) => {
            // Also in the JSON log, where the platform collects it.
            logging::error(&err);
            eprintln!("error: {err}");
            EXIT_ERROR
        }
    }
}

/// `--list-rules`: the rules that run, then those skipped with why.
fn list_rules(judge: &Judge) -> String {
    let mut out = format!(
        "aksguard webhook runs {} rule(s) and skips {} of the selected:\n\nRuns (each judges the object under review alone):\n",
        judge.rules().len(),
        judge.skipped().len()
    );
    let mut runs = judge.rules().to_vec();
    runs.sort_by_key(|rule| rule.id);
    for rule in runs {
        out.push_str(&format!(
            "  {:<7} {:<9} {}\n",
            rule.id,
            rule.severity.as_str(),
            rule.title
        ));
    }
    out.push_str("\nSkipped:\n");
    let mut skipped = judge.skipped().to_vec();
    skipped.sort_by_key(|(rule, _)| rule.id);
    for (rule, why) in skipped {
        out.push_str(&format!(
            "  {:<7} {}: {}\n",
            rule.id,
            rule.title,
            why.reason()
        ));
    }
    out
}
