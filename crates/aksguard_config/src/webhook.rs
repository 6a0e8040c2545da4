//! The `[webhook]` table resolved: the mode `aksguard webhook` judges in where no request or
//! namespace says otherwise, per-namespace modes, who is exempt, and what UPDATE does with
//! findings the old object already had. The precedence between these and the request's
//! `?mode=` lives in `aksguard_webhook`; this module only validates the file.

use aksguard_engine::Pattern;
use toml::Spanned;

use crate::error::ConfigError;
use crate::options::WebhookOptions;
use crate::settings::Resolver;

/// What the webhook does with findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookMode {
    /// Deny when a finding is at or above `fail-on`; lower findings warn.
    Enforce,
    /// Allow, with one warning per finding.
    Warn,
    /// Allow silently; findings go to the log and the metrics.
    Audit,
}

impl WebhookMode {
    pub const ALL: [WebhookMode; 3] = [WebhookMode::Enforce, WebhookMode::Warn, WebhookMode::Audit];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookMode::Enforce => "enforce",
            WebhookMode::Warn => "warn",
            WebhookMode::Audit => "audit",
        }
    }

    /// Exact, lower-case names only: a label value `Enforce` is a typo to report, not guess.
    pub fn parse(text: &str) -> Option<WebhookMode> {
        Self::ALL.into_iter().find(|mode| mode.as_str() == text)
    }
}

impl std::fmt::Display for WebhookMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an UPDATE does with a finding that `oldObject` already had.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UpdatePolicy {
    /// Warn instead of deny, so a legacy workload can still be scaled or rolled back.
    #[default]
    WarnExisting,
    /// Judge the new object fully, as a CREATE.
    Judge,
}

impl UpdatePolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            UpdatePolicy::WarnExisting => "warn-existing",
            UpdatePolicy::Judge => "judge",
        }
    }
}

/// `[webhook]`, validated. Empty lists and `None` where the file says nothing.
#[derive(Clone, Debug, Default)]
pub struct WebhookConfig {
    pub mode: Option<WebhookMode>,
    /// In file order: the first pattern that matches a namespace gives its mode.
    pub namespaces: Vec<(Pattern, WebhookMode)>,
    pub exempt_namespaces: Vec<Pattern>,
    pub exempt_users: Vec<Pattern>,
    pub exempt_groups: Vec<Pattern>,
    pub update: UpdatePolicy,
}

impl WebhookConfig {
    /// The mode `[[webhook.namespace]]` gives `namespace`, if any.
    pub fn namespace_mode(&self, namespace: &str) -> Option<WebhookMode> {
        self.namespaces
            .iter()
            .find(|(pattern, _)| pattern.matches(namespace))
            .map(|(_, mode)| *mode)
    }
}

impl Resolver<'_> {
    fn webhook_mode(&self, key: &str, value: &Spanned<String>) -> Result<WebhookMode, ConfigError> {
        WebhookMode::parse(value.get_ref().trim()).ok_or_else(|| {
            self.error(
                value,
                format!(
                    "`{key}`: unknown mode `{}` (enforce, warn, audit)",
                    value.get_ref()
                ),
            )
        })
    }

    fn patterns(
        &self,
        key: &str,
        values: &Option<Vec<Spanned<String>>>,
    ) -> Result<Vec<Pattern>, ConfigError> {
        values
            .iter()
            .flatten()
            .map(|value| {
                let text = value.get_ref().trim();
                if text.is_empty() {
                    Err(self.error(value, format!("`{key}`: empty entry")))
                } else {
                    Ok(Pattern::new(text))
                }
            })
            .collect()
    }

    pub(crate) fn webhook(&self, options: &WebhookOptions) -> Result<WebhookConfig, ConfigError> {
        let mode = match &options.mode {
            None => None,
            Some(value) => Some(self.webhook_mode("webhook.mode", value)?),
        };
        let update = match &options.update {
            None => UpdatePolicy::default(),
            Some(value) => match value.get_ref().trim() {
                "warn-existing" => UpdatePolicy::WarnExisting,
                "judge" => UpdatePolicy::Judge,
                other => {
                    return Err(self.error(
                        value,
                        format!("`webhook.update`: unknown value `{other}` (warn-existing, judge)"),
                    ));
                }
            },
        };
        let mut namespaces = Vec::new();
        for entry in &options.namespace {
            let name = &entry.get_ref().name;
            if name.get_ref().trim().is_empty() {
                return Err(self.error(name, "`[[webhook.namespace]]`: `name` is empty"));
            }
            let mode = self.webhook_mode("webhook.namespace.mode", &entry.get_ref().mode)?;
            namespaces.push((Pattern::new(name.get_ref().trim()), mode));
        }
        Ok(WebhookConfig {
            mode,
            namespaces,
            exempt_namespaces: self
                .patterns("webhook.exempt-namespaces", &options.exempt_namespaces)?,
            exempt_users: self.patterns("webhook.exempt-users", &options.exempt_users)?,
            exempt_groups: self.patterns("webhook.exempt-groups", &options.exempt_groups)?,
            update,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, parse_date};

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "aksguard.toml", parse_date("2026-01-15").unwrap())
    }

    #[test]
    fn full_table_resolves() {
        let config = parse(
            r#"
[webhook]
mode = "enforce"
exempt-namespaces = ["kube-*", "gatekeeper-system"]
exempt-users = ["system:serviceaccount:flux-system:*"]
exempt-groups = ["system:serviceaccounts:kube-system"]
update = "judge"

[[webhook.namespace]]
name = "dev-*"
mode = "audit"

[[webhook.namespace]]
name = "*"
mode = "warn"
"#,
        )
        .unwrap();
        let webhook = &config.webhook;
        assert_eq!(webhook.mode, Some(WebhookMode::Enforce));
        assert_eq!(webhook.update, UpdatePolicy::Judge);
        assert_eq!(webhook.namespace_mode("dev-a"), Some(WebhookMode::Audit));
        // First match in file order wins.
        assert_eq!(webhook.namespace_mode("prod"), Some(WebhookMode::Warn));
        assert!(webhook.exempt_namespaces[0].matches("kube-system"));
        assert!(webhook.exempt_users[0].matches("system:serviceaccount:flux-system:kustomize"));
        assert!(webhook.exempt_groups[0].matches("system:serviceaccounts:kube-system"));
    }

    #[test]
    fn absent_table_means_defaults() {
        let config = parse("fail-on = \"high\"\n").unwrap();
        assert_eq!(config.webhook.mode, None);
        assert_eq!(config.webhook.update, UpdatePolicy::WarnExisting);
        assert_eq!(config.webhook.namespace_mode("any"), None);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("[webhook]\nmode = \"block\"\n", 2, "unknown mode `block`"),
            ("[webhook]\nmood = \"warn\"\n", 2, "unknown field `mood`"),
            (
                "[webhook]\nupdate = \"ignore\"\n",
                2,
                "unknown value `ignore`",
            ),
            (
                "[webhook]\nexempt-groups = [\"a\",\n  \" \"]\n",
                3,
                "`webhook.exempt-groups`: empty entry",
            ),
            (
                "[[webhook.namespace]]\nname = \"a\"\nmode = \"Enforce\"\n",
                3,
                "unknown mode `Enforce`",
            ),
            (
                "[[webhook.namespace]]\nname = \"\"\nmode = \"warn\"\n",
                2,
                "`name` is empty",
            ),
            (
                "[[webhook.namespace]]\nname = \"a\"\n",
                1,
                "missing field `mode`",
            ),
        ];
        for (text, line, needle) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text}: {err}");
            assert!(err.message.contains(needle), "{text}: {err}");
        }
    }
}
