//! `aksguard config --show`: the effective configuration as TOML-like text: which file was
//! used, every setting (marked `# default` where the file does not set it), the severity
//! overrides, each exception with its state (active, or expired on a date), and `[webhook]`.

use std::fmt::Write;

use aksguard_rules::{RuleSettings, all_rules};

use aksguard_engine::Pattern;

use crate::settings::{CliOverrides, Config, DEFAULT_FAIL_ON, DEFAULT_MIN_SEVERITY};
use crate::webhook::{WebhookConfig, WebhookMode};

fn quote(text: &str) -> String {
    // A JSON string is a valid TOML basic string.
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

fn list(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| quote(v)).collect();
    format!("[{}]", items.join(", "))
}

fn default_mark(set: bool) -> &'static str {
    if set { "" } else { "  # default" }
}

/// The text of `aksguard config --show` for `config`.
pub fn render(config: &Config) -> Result<String, String> {
    let mut out = String::new();
    let _ = writeln!(out, "# aksguard effective configuration");
    match (&config.file, &config.searched_from) {
        (Some(file), _) => {
            let _ = writeln!(out, "# file: {file}");
        }
        (None, Some(from)) => {
            let _ = writeln!(
                out,
                "# file: none found (searched upward from {})",
                from.display()
            );
        }
        (None, None) => {
            let _ = writeln!(out, "# file: none (--no-config)");
        }
    }
    if let Some(as_of) = config.as_of {
        let _ = writeln!(out, "# exceptions judged as of {as_of}");
    }
    let _ = writeln!(
        out,
        "# flags given to `aksguard scan` override these values\n"
    );
    let effective = config
        .effective(&CliOverrides::default())
        .map_err(|e| e.to_string())?;
    let select = if config.select.is_empty() {
        vec!["ALL".to_owned()]
    } else {
        config.select.clone()
    };
    let _ = writeln!(
        out,
        "select = {}{}",
        list(&select),
        default_mark(!config.select.is_empty())
    );
    let _ = writeln!(
        out,
        "ignore = {}{}",
        list(&config.ignore),
        default_mark(!config.ignore.is_empty())
    );
    let _ = writeln!(
        out,
        "# rules that run: {} of {}",
        effective.rules.len(),
        all_rules().len()
    );
    let _ = writeln!(
        out,
        "fail-on = {}{}",
        quote(config.fail_on.unwrap_or(DEFAULT_FAIL_ON).as_str()),
        default_mark(config.fail_on.is_some())
    );
    let _ = writeln!(
        out,
        "min-severity = {}{}",
        quote(config.min_severity.unwrap_or(DEFAULT_MIN_SEVERITY).as_str()),
        default_mark(config.min_severity.is_some())
    );
    let registries = config
        .allowed_registries
        .clone()
        .unwrap_or_else(|| RuleSettings::default().allowed_registries);
    let _ = writeln!(
        out,
        "allowed-registries = {}{}",
        list(&registries),
        default_mark(config.allowed_registries.is_some())
    );
    let _ = writeln!(
        out,
        "complete = {}{}",
        config.complete.unwrap_or(false),
        default_mark(config.complete.is_some())
    );
    match config.k8s_version {
        Some((major, minor)) => {
            let _ = writeln!(out, "k8s-version = \"{major}.{minor}\"");
        }
        None => {
            let _ = writeln!(
                out,
                "# k8s-version: not set (the newest Kubernetes version aksguard knows)"
            );
        }
    }
    let _ = writeln!(out, "\n[severity]");
    if config.severity.is_empty() {
        let _ = writeln!(out, "# no overrides: every rule has its own severity");
    }
    for (rule, severity) in &config.severity {
        let default = aksguard_rules::find_rule(rule)
            .map(|r| format!("  # default {}", r.severity))
            .unwrap_or_default();
        let _ = writeln!(out, "{rule} = {}{default}", quote(severity.as_str()));
    }
    if config.exceptions.is_empty() {
        let _ = writeln!(out, "\n# no [[exception]] entries");
    }
    for exception in &config.exceptions {
        let state = match (&exception.expires, exception.expired) {
            (Some(date), true) => format!("expired on {date}: no longer suppresses"),
            (Some(date), false) => format!("active until {date}"),
            (None, _) => "active, no expiry".to_owned(),
        };
        let _ = writeln!(out, "\n[[exception]]  # {}", exception.origin);
        let _ = writeln!(out, "# state: {state}");
        let rules: Vec<String> = exception.rules.iter().map(|r| (*r).to_owned()).collect();
        let _ = writeln!(out, "rules = {}", list(&rules));
        for (key, pattern) in [
            ("namespace", &exception.namespace),
            ("kind", &exception.kind),
            ("name", &exception.name),
            ("container", &exception.container),
        ] {
            if let Some(pattern) = pattern {
                let _ = writeln!(out, "{key} = {}", quote(pattern.as_str()));
            }
        }
        let _ = writeln!(out, "reason = {}", quote(&exception.reason));
        if let Some(date) = &exception.expires {
            let _ = writeln!(out, "expires = {}", quote(date));
        }
    }
    render_webhook(&mut out, &config.webhook);
    render_azure(&mut out, config);
    Ok(out)
}

/// `[azure]`: what the Azure-surroundings rules know of the organisation.
fn render_azure(out: &mut String, config: &Config) {
    let azure = &config.azure;
    let _ = writeln!(out, "\n[azure]{}", default_mark(config.azure_set));
    let _ = writeln!(out, "admin-principals = {}", list(&azure.admin_principals));
    let _ = writeln!(
        out,
        "node-image-max-age-days = {}",
        azure.node_image_max_age_days
    );
}

/// `[webhook]`: what `aksguard webhook` uses besides the rules (`--mode` overrides `mode`).
fn render_webhook(out: &mut String, webhook: &WebhookConfig) {
    let patterns = |patterns: &[Pattern]| -> String {
        list(
            &patterns
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect::<Vec<_>>(),
        )
    };
    let _ = writeln!(out, "\n[webhook]  # aksguard webhook");
    let _ = writeln!(
        out,
        "mode = {}{}",
        quote(webhook.mode.unwrap_or(WebhookMode::Warn).as_str()),
        default_mark(webhook.mode.is_some())
    );
    let _ = writeln!(
        out,
        "exempt-namespaces = {}",
        patterns(&webhook.exempt_namespaces)
    );
    let _ = writeln!(out, "exempt-users = {}", patterns(&webhook.exempt_users));
    let _ = writeln!(out, "exempt-groups = {}", patterns(&webhook.exempt_groups));
    let _ = writeln!(out, "update = {}", quote(webhook.update.as_str()));
    for (pattern, mode) in &webhook.namespaces {
        let _ = writeln!(out, "\n[[webhook.namespace]]");
        let _ = writeln!(out, "name = {}", quote(pattern.as_str()));
        let _ = writeln!(out, "mode = {}", quote(mode.as_str()));
    }
}
