//! Options → typed, validated configuration ([`Config`]) → merged with command-line flags
//! ([`Effective`]). Command-line flags override the file: `--select` replaces the file's
//! `select` and `ignore`; `--ignore` removes rules from whatever is selected; `--fail-on`,
//! `--min-severity`, `--allowed-registries` and `--k8s-version` replace the file's values;
//! `--complete` turns `complete` on. `[severity]` overrides and exceptions come only from the
//! file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aksguard_engine::{Exception, Pattern, SelectError, select_rules};
use aksguard_model::Severity;
use aksguard_rules::{AzureRuleSettings, Rule, RuleSettings, find_rule};
use toml::Spanned;

use crate::date::{Date, parse_date};
use crate::discovery::{ConfigSource, discover, display_path, start_dir};
use crate::error::{ConfigError, line_of};
use crate::options::{self, AzureOptions, ExceptionOptions, Options};
use crate::webhook::WebhookConfig;

/// When the exit code turns to 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// A finding at or above this severity.
    At(Severity),
    /// Never because of findings (`none`).
    Never,
}

impl FailOn {
    pub fn parse(text: &str) -> Option<FailOn> {
        if text.eq_ignore_ascii_case("none") {
            return Some(FailOn::Never);
        }
        Severity::parse(text).map(FailOn::At)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::At(severity) => severity.as_str(),
            FailOn::Never => "none",
        }
    }

    pub fn fails(self, severity: Severity) -> bool {
        matches!(self, FailOn::At(threshold) if severity >= threshold)
    }
}

pub const DEFAULT_FAIL_ON: FailOn = FailOn::At(Severity::High);
pub const DEFAULT_MIN_SEVERITY: Severity = Severity::Info;
/// Vulnerability reports older than this many days are noted as stale.
pub const DEFAULT_VULNS_MAX_AGE_DAYS: u32 = 30;

/// The configuration file, validated. `None` values were not set in the file.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file used, as shown to users; `None` when there is none (or `--no-config`).
    pub file: Option<String>,
    /// Set when the file was searched for: where the search started.
    pub searched_from: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<FailOn>,
    pub min_severity: Option<Severity>,
    /// Rule ID → severity.
    pub severity: BTreeMap<&'static str, Severity>,
    pub allowed_registries: Option<Vec<String>>,
    pub complete: Option<bool>,
    pub k8s_version: Option<(u32, u32)>,
    /// `vulns-max-age-days`.
    pub vulns_max_age_days: Option<u32>,
    pub exceptions: Vec<Exception>,
    /// "Today" the exceptions' expiry was judged against.
    pub as_of: Option<Date>,
    /// `[webhook]` (defaults when absent).
    pub webhook: WebhookConfig,
    /// `[azure]` (defaults when absent or for keys it leaves out).
    pub azure: AzureRuleSettings,
    /// Whether the file has an `[azure]` table (`config --show` marks defaults).
    pub azure_set: bool,
    /// `policies = [...]`: policy files and directories, resolved against the file's
    /// directory (the CLI adds `--policy`).
    pub policies: Vec<PathBuf>,
    /// `vulns = [...]`: image vulnerability reports, resolved against the file's directory
    /// (the scan adds `--vulns`).
    pub vulns: Vec<PathBuf>,
}

/// What the command line says; empty / `None` / `false` means "not given".
#[derive(Clone, Debug, Default)]
pub struct CliOverrides {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<FailOn>,
    pub min_severity: Option<Severity>,
    pub allowed_registries: Vec<String>,
    pub complete: bool,
    pub k8s_version: Option<(u32, u32)>,
    /// `--vulns`: image vulnerability reports (IMG005).
    pub vulns: Vec<PathBuf>,
    /// `--vulns-max-age-days`.
    pub vulns_max_age_days: Option<u32>,
}

/// The configuration a scan runs with: file and flags merged, defaults filled in.
#[derive(Clone, Debug)]
pub struct Effective {
    pub rules: Vec<&'static Rule>,
    pub fail_on: FailOn,
    pub min_severity: Severity,
    pub rule_settings: RuleSettings,
    pub severity: BTreeMap<&'static str, Severity>,
    pub exceptions: Vec<Exception>,
    /// Reports older than this many days are noted as stale (`--vulns-max-age-days`,
    /// `vulns-max-age-days`).
    pub vulns_max_age_days: u32,
}

impl Config {
    /// Loads the configuration `source` points at; `as_of` is "today" for expiry.
    pub fn load(source: &ConfigSource, as_of: Date) -> Result<Config, ConfigError> {
        let (path, searched_from) = match source {
            ConfigSource::Disabled => return Ok(Config::default()),
            ConfigSource::Explicit(path) => (Some(path.clone()), None),
            ConfigSource::Discover(scanned) => {
                let start = start_dir(scanned);
                (discover(&start), Some(start))
            }
        };
        let Some(path) = path else {
            return Ok(Config {
                searched_from,
                as_of: Some(as_of),
                ..Config::default()
            });
        };
        let shown = match source {
            ConfigSource::Explicit(_) => path.display().to_string(),
            _ => display_path(&path),
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ConfigError::new(&shown, None, format!("cannot read: {e}")))?;
        let mut config = Config::parse(&text, &shown, as_of)?;
        config.searched_from = searched_from;
        Ok(config)
    }

    /// Parses and validates the text of a config file shown as `file`.
    pub fn parse(text: &str, file: &str, as_of: Date) -> Result<Config, ConfigError> {
        let options = options::parse(text).map_err(|e| {
            let line = e.span().map(|span| line_of(text, span.start));
            ConfigError::new(file, line, e.message().trim_end().to_owned())
        })?;
        Resolver { text, file }.resolve(options, as_of)
    }

    /// Merges command-line flags over the file (see the module documentation).
    pub fn effective(&self, cli: &CliOverrides) -> Result<Effective, SelectError> {
        let rules = if cli.select.is_empty() {
            let ignore: Vec<String> = self.ignore.iter().chain(&cli.ignore).cloned().collect();
            select_rules(&self.select, &ignore)?
        } else {
            select_rules(&cli.select, &cli.ignore)?
        };
        let mut rule_settings = RuleSettings::default();
        if !cli.allowed_registries.is_empty() {
            rule_settings.allowed_registries = cli.allowed_registries.clone();
        } else if let Some(registries) = &self.allowed_registries {
            rule_settings.allowed_registries = registries.clone();
        }
        rule_settings.complete = cli.complete || self.complete.unwrap_or(false);
        rule_settings.kubernetes_version = cli.k8s_version.or(self.k8s_version);
        rule_settings.azure = self.azure.clone();
        Ok(Effective {
            rules,
            fail_on: cli.fail_on.or(self.fail_on).unwrap_or(DEFAULT_FAIL_ON),
            min_severity: cli
                .min_severity
                .or(self.min_severity)
                .unwrap_or(DEFAULT_MIN_SEVERITY),
            rule_settings,
            severity: self.severity.clone(),
            exceptions: self.exceptions.clone(),
            vulns_max_age_days: cli
                .vulns_max_age_days
                .or(self.vulns_max_age_days)
                .unwrap_or(DEFAULT_VULNS_MAX_AGE_DAYS),
        })
    }
}

/// `1.31`, `v1.31` or `1.31.2` → (1, 31).
pub fn parse_k8s_version(text: &str) -> Result<(u32, u32), String> {
    let trimmed = text.trim().trim_start_matches('v');
    let mut parts = trimmed.split('.');
    let major = parts.next().and_then(|p| p.parse().ok());
    let minor = parts.next().and_then(|p| p.parse().ok());
    match (
        major,
        minor,
        parts.next().is_none_or(|p| p.parse::<u32>().is_ok()),
    ) {
        (Some(major), Some(minor), true) => Ok((major, minor)),
        _ => Err(format!("`{text}` is not a Kubernetes version such as 1.31")),
    }
}

pub(crate) struct Resolver<'a> {
    text: &'a str,
    file: &'a str,
}

impl Resolver<'_> {
    pub(crate) fn error<T>(&self, spanned: &Spanned<T>, message: impl Into<String>) -> ConfigError {
        ConfigError::new(
            self.file,
            Some(line_of(self.text, spanned.span().start)),
            message,
        )
    }

    /// Validates selectors of `key` (fail closed: an unknown one is an error).
    fn selectors(
        &self,
        key: &str,
        values: &[Spanned<String>],
    ) -> Result<Vec<&'static Rule>, ConfigError> {
        let mut rules = Vec::new();
        for value in values {
            let expanded = select_rules(std::slice::from_ref(value.get_ref()), &[])
                .map_err(|e| self.error(value, format!("`{key}`: {e}")))?;
            rules.extend(expanded);
        }
        Ok(rules)
    }

    fn severity(&self, key: &str, value: &Spanned<String>) -> Result<Severity, ConfigError> {
        Severity::parse(value.get_ref()).ok_or_else(|| {
            self.error(
                value,
                format!(
                    "`{key}`: unknown severity `{}` (critical, high, medium, low, info)",
                    value.get_ref()
                ),
            )
        })
    }

    fn resolve(&self, options: Options, as_of: Date) -> Result<Config, ConfigError> {
        let strings = |values: &Option<Vec<Spanned<String>>>| -> Vec<String> {
            values
                .iter()
                .flatten()
                .map(|v| v.get_ref().trim().to_owned())
                .collect()
        };
        self.selectors("select", options.select.as_deref().unwrap_or_default())?;
        self.selectors("ignore", options.ignore.as_deref().unwrap_or_default())?;
        let fail_on = match &options.fail_on {
            None => None,
            Some(value) => Some(FailOn::parse(value.get_ref()).ok_or_else(|| {
                self.error(
                    value,
                    format!(
                        "`fail-on`: unknown value `{}` (critical, high, medium, low, info, none)",
                        value.get_ref()
                    ),
                )
            })?),
        };
        let min_severity = match &options.min_severity {
            None => None,
            Some(value) => Some(self.severity("min-severity", value)?),
        };
        let mut severity = BTreeMap::new();
        for (rule, level) in options.severity.iter().flatten() {
            if let Some(id) = aksguard_engine::policy_rule_id(rule.get_ref()) {
                let level = self.severity(&format!("severity.{}", rule.get_ref()), level)?;
                severity.insert(id, level);
                continue;
            }
            let Some(found) = find_rule(rule.get_ref()) else {
                return Err(self.error(
                    rule,
                    format!(
                        "`[severity]`: unknown rule `{}` (a rule ID such as POD007 or its slug; \
                         see `aksguard rules`)",
                        rule.get_ref()
                    ),
                ));
            };
            let level = self.severity(&format!("severity.{}", rule.get_ref()), level)?;
            if severity.insert(found.id, level).is_some() {
                return Err(self.error(
                    rule,
                    format!("`[severity]`: {} is set twice (by ID and slug)", found.id),
                ));
            }
        }
        let allowed_registries = match &options.allowed_registries {
            None => None,
            Some(values) => {
                if let Some(empty) = values.iter().find(|v| v.get_ref().trim().is_empty()) {
                    return Err(self.error(empty, "`allowed-registries`: empty registry"));
                }
                Some(strings(&options.allowed_registries))
            }
        };
        let k8s_version = match &options.k8s_version {
            None => None,
            Some(value) => Some(
                parse_k8s_version(value.get_ref())
                    .map_err(|e| self.error(value, format!("`k8s-version`: {e}")))?,
            ),
        };
        let vulns_max_age_days = match &options.vulns_max_age_days {
            None => None,
            Some(days) => Some(
                u32::try_from(*days.get_ref())
                    .ok()
                    .filter(|d| (1..=3650).contains(d))
                    .ok_or_else(|| {
                        self.error(
                            days,
                            "`vulns-max-age-days`: a number of days from 1 to 3650",
                        )
                    })?,
            ),
        };
        let exceptions = options
            .exception
            .iter()
            .map(|entry| self.exception(entry, as_of))
            .collect::<Result<Vec<_>, _>>()?;
        let webhook = match &options.webhook {
            None => WebhookConfig::default(),
            Some(table) => self.webhook(table)?,
        };
        let azure = match &options.azure {
            None => AzureRuleSettings::default(),
            Some(table) => self.azure(table)?,
        };
        Ok(Config {
            file: Some(self.file.to_owned()),
            searched_from: None,
            select: strings(&options.select),
            ignore: strings(&options.ignore),
            fail_on,
            min_severity,
            severity,
            allowed_registries,
            complete: options.complete,
            k8s_version,
            vulns_max_age_days,
            exceptions,
            as_of: Some(as_of),
            webhook,
            azure,
            azure_set: options.azure.is_some(),
            policies: self.paths("policies", &options.policies)?,
            vulns: self.paths("vulns", &options.vulns)?,
        })
    }

    /// `key`'s paths: non-empty, relative to the configuration file's directory (the file
    /// means the same wherever the scan runs from).
    fn paths(
        &self,
        key: &str,
        values: &Option<Vec<Spanned<String>>>,
    ) -> Result<Vec<PathBuf>, ConfigError> {
        let base = Path::new(self.file).parent().unwrap_or(Path::new(""));
        let mut paths = Vec::new();
        for value in values.iter().flatten() {
            let text = value.get_ref().trim();
            if text.is_empty() {
                return Err(self.error(value, format!("`{key}`: empty path")));
            }
            paths.push(base.join(text));
        }
        Ok(paths)
    }

    /// `[azure]`: principals must be non-empty and distinct (ignoring case, as they are
    /// matched); the image age a positive number of days.
    fn azure(&self, table: &AzureOptions) -> Result<AzureRuleSettings, ConfigError> {
        let mut azure = AzureRuleSettings::default();
        let mut principals: Vec<String> = Vec::new();
        for principal in table.admin_principals.iter().flatten() {
            let text = principal.get_ref().trim();
            if text.is_empty() {
                return Err(self.error(
                    principal,
                    "`[azure]`: `admin-principals` has an empty entry",
                ));
            }
            if principals.iter().any(|p| p.eq_ignore_ascii_case(text)) {
                return Err(self.error(
                    principal,
                    format!("`[azure]`: `admin-principals` lists `{text}` twice"),
                ));
            }
            principals.push(text.to_owned());
        }
        azure.admin_principals = principals;
        if let Some(days) = &table.node_image_max_age_days {
            azure.node_image_max_age_days = u32::try_from(*days.get_ref())
                .ok()
                .filter(|d| *d > 0)
                .ok_or_else(|| {
                    self.error(
                        days,
                        format!(
                            "`[azure]`: `node-image-max-age-days` must be a positive number of \
                             days, not {}",
                            days.get_ref()
                        ),
                    )
                })?;
        }
        Ok(azure)
    }

    fn exception(
        &self,
        entry: &Spanned<ExceptionOptions>,
        as_of: Date,
    ) -> Result<Exception, ConfigError> {
        let options = entry.get_ref();
        if options.rules.get_ref().is_empty() {
            return Err(self.error(&options.rules, "`[[exception]]`: `rules` is empty"));
        }
        // Policy rules (`GK.<Kind>`, `VAP.<name>`) are named one by one: which exist is known
        // only once the policies load.
        let mut rules: Vec<&'static str> = Vec::new();
        let mut built_in = Vec::new();
        for value in options.rules.get_ref() {
            if let Some(id) = aksguard_engine::policy_rule_id(value.get_ref()) {
                rules.push(id);
            } else if aksguard_engine::is_policy_selector(value.get_ref()) {
                return Err(self.error(
                    value,
                    "`exception.rules`: name policy rules one by one (GK.<TemplateKind>, VAP.<policy-name>)",
                ));
            } else {
                built_in.push(value.clone());
            }
        }
        rules.extend(
            self.selectors("exception.rules", &built_in)?
                .iter()
                .map(|r| r.id),
        );
        rules.sort_unstable();
        rules.dedup();
        if options.reason.get_ref().trim().is_empty() {
            return Err(self.error(
                &options.reason,
                "`[[exception]]`: `reason` is empty (say why the risk is accepted)",
            ));
        }
        let pattern = |key: &str, value: &Option<String>| -> Result<Option<Pattern>, ConfigError> {
            match value {
                Some(text) if text.trim().is_empty() => Err(self.error(
                    entry,
                    format!("`[[exception]]`: `{key}` is empty (leave it out to match any)"),
                )),
                Some(text) => Ok(Some(Pattern::new(text.trim()))),
                None => Ok(None),
            }
        };
        let expires = match &options.expires {
            None => None,
            Some(value) => {
                let text = match value.get_ref() {
                    toml::Value::String(text) => text.clone(),
                    toml::Value::Datetime(datetime)
                        if datetime.time.is_none() && datetime.offset.is_none() =>
                    {
                        datetime.to_string()
                    }
                    other => {
                        return Err(self.error(
                            value,
                            format!(
                                "`[[exception]]`: `expires` must be a date \"YYYY-MM-DD\", not {}",
                                other.type_str()
                            ),
                        ));
                    }
                };
                let date = parse_date(&text)
                    .map_err(|e| self.error(value, format!("`[[exception]]`: `expires`: {e}")))?;
                Some(date)
            }
        };
        Ok(Exception {
            rules,
            namespace: pattern("namespace", &options.namespace)?,
            kind: pattern("kind", &options.kind)?,
            name: pattern("name", &options.name)?,
            container: pattern("container", &options.container)?,
            reason: options.reason.get_ref().trim().to_owned(),
            expires: expires.map(|d| d.to_string()),
            expired: expires.is_some_and(|d| d < as_of),
            origin: format!("{}:{}", self.file, line_of(self.text, entry.span().start)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "aksguard.toml", day("2026-01-15"))
    }

    #[test]
    fn full_file_resolves() {
        let config = parse(
            r#"
select = ["POD", "IMG"]
ignore = ["POD024"]
fail-on = "critical"
min-severity = "low"
allowed-registries = ["myacr.azurecr.io"]
complete = true
k8s-version = "1.31"

[severity]
POD007 = "high"
privileged-container = "medium"

[[exception]]
rules = ["POD007"]
namespace = "legacy"
kind = "Deployment"
name = "billing-*"
reason = "vendor image, replaced in Q2"
expires = "2026-03-31"

[[exception]]
rules = ["IMG"]
reason = "old"
expires = 2026-01-14
"#,
        )
        .unwrap();
        assert_eq!(config.fail_on, Some(FailOn::At(Severity::Critical)));
        assert_eq!(config.min_severity, Some(Severity::Low));
        assert_eq!(config.severity["POD007"], Severity::High);
        assert_eq!(config.severity["POD001"], Severity::Medium);
        assert_eq!(config.k8s_version, Some((1, 31)));
        assert_eq!(config.exceptions.len(), 2);
        assert!(!config.exceptions[0].expired);
        assert_eq!(config.exceptions[0].origin, "aksguard.toml:14");
        assert!(config.exceptions[1].expired);
        assert!(config.exceptions[1].rules.contains(&"IMG001"));
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                "fail-on = \"high\"\nfial-on = \"low\"\n",
                2,
                "unknown field `fial-on`",
            ),
            ("select = [\"POD\",\n  \"POD999\"]\n", 2, "POD999"),
            (
                "[severity]\nPOD999 = \"high\"\n",
                2,
                "unknown rule `POD999`",
            ),
            (
                "[severity]\nPOD007 = \"urgent\"\n",
                2,
                "unknown severity `urgent`",
            ),
            ("fail-on = \"sometimes\"\n", 1, "unknown value `sometimes`"),
            ("k8s-version = \"one\"\n", 1, "not a Kubernetes version"),
            (
                "\n[[exception]]\nrules = [\"POD007\"]\n",
                2,
                "missing field `reason`",
            ),
            (
                "[[exception]]\nrules = [\"POD007\"]\nreason = \" \"\n",
                3,
                "`reason` is empty",
            ),
            (
                "[[exception]]\nrules = []\nreason = \"x\"\n",
                2,
                "`rules` is empty",
            ),
            (
                "[[exception]]\nrules = [\"POD007\"]\nreason = \"x\"\nexpires = \"2026-02-30\"\n",
                4,
                "not a real date",
            ),
            (
                "[[exception]]\nrules = [\"POD007\"]\nreason = \"x\"\nexpires = \"31.12.2026\"\n",
                4,
                "YYYY-MM-DD",
            ),
            (
                "[[exception]]\nrules = [\"POD007\"]\nreason = \"x\"\nnamspace = \"a\"\n",
                4,
                "unknown field `namspace`",
            ),
        ];
        for (text, line, needle) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text}: {err}");
            assert!(err.message.contains(needle), "{text}: {err}");
            assert_eq!(err.path, "aksguard.toml");
        }
    }

    #[test]
    fn vulns_max_age_days_from_the_file_the_flag_or_the_default() {
        let none = parse("").unwrap();
        let effective = none.effective(&CliOverrides::default()).unwrap();
        assert_eq!(effective.vulns_max_age_days, DEFAULT_VULNS_MAX_AGE_DAYS);
        let config = parse("vulns-max-age-days = 7\n").unwrap();
        assert_eq!(
            config
                .effective(&CliOverrides::default())
                .unwrap()
                .vulns_max_age_days,
            7
        );
        let flag = CliOverrides {
            vulns_max_age_days: Some(90),
            ..CliOverrides::default()
        };
        assert_eq!(config.effective(&flag).unwrap().vulns_max_age_days, 90);
        for bad in ["vulns-max-age-days = 0\n", "vulns-max-age-days = -3\n"] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.line, Some(1), "{bad}");
            assert!(err.message.contains("from 1 to 3650"), "{err}");
        }
    }

    #[test]
    fn vulns_and_policies_are_relative_to_the_file() {
        let config = Config::parse(
            "vulns = [\"reports/web.json\", \" cart.json \"]\npolicies = [\"policies\"]\n",
            "ci/aksguard.toml",
            day("2026-01-15"),
        )
        .unwrap();
        assert_eq!(
            config.vulns,
            [
                PathBuf::from("ci/reports/web.json"),
                PathBuf::from("ci/cart.json")
            ]
        );
        assert_eq!(config.policies, [PathBuf::from("ci/policies")]);
        assert!(parse("").unwrap().vulns.is_empty());
        let err = parse("fail-on = \"high\"\nvulns = [\"a.json\", \" \"]\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        assert!(err.message.contains("`vulns`: empty path"), "{err}");
        let err = parse("vulns = \"a.json\"\n").unwrap_err();
        assert_eq!(err.line, Some(1), "{err}");
    }

    #[test]
    fn the_azure_table_reaches_the_rules() {
        let config = parse(
            "[azure]\nadmin-principals = [\"ops@contoso.com\", \" 0b1f3c2e-1111-2222-3333-444455556666 \"]\nnode-image-max-age-days = 30\n",
        )
        .unwrap();
        let effective = config.effective(&CliOverrides::default()).unwrap();
        assert_eq!(
            effective.rule_settings.azure.admin_principals,
            vec!["ops@contoso.com", "0b1f3c2e-1111-2222-3333-444455556666"]
        );
        assert_eq!(effective.rule_settings.azure.node_image_max_age_days, 30);
        let defaults = parse("[azure]\n").unwrap();
        assert_eq!(defaults.azure, AzureRuleSettings::default());
        assert!(defaults.azure_set);
        assert!(!parse("").unwrap().azure_set);
    }

    #[test]
    fn azure_table_errors_name_the_key_and_line() {
        let cases = [
            (
                "[azure]\nadmin-principal = [\"x\"]\n",
                2,
                "unknown field `admin-principal`",
            ),
            (
                "[azure]\nadmin-principals = [\"a\", \" \"]\n",
                2,
                "`admin-principals` has an empty entry",
            ),
            (
                "[azure]\nadmin-principals = [\"Ops\",\n  \"ops\"]\n",
                3,
                "lists `ops` twice",
            ),
            (
                "[azure]\nnode-image-max-age-days = 0\n",
                2,
                "positive number of days, not 0",
            ),
            ("[azure]\nnode-image-max-age-days = -5\n", 2, "not -5"),
            (
                "[azure]\nnode-image-max-age-days = \"60\"\n",
                2,
                "invalid type",
            ),
        ];
        for (text, line, needle) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text}: {err}");
            assert!(err.message.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn flags_override_the_file() {
        let config =
            parse("select = [\"POD001\", \"POD002\"]\nignore = [\"POD002\"]\nfail-on = \"low\"\n")
                .unwrap();
        let ids = |e: &Effective| e.rules.iter().map(|r| r.id).collect::<Vec<_>>();
        let file_only = config.effective(&CliOverrides::default()).unwrap();
        assert_eq!(ids(&file_only), vec!["POD001"]);
        assert_eq!(file_only.fail_on, FailOn::At(Severity::Low));
        let cli = CliOverrides {
            select: vec!["POD002".into()],
            fail_on: Some(FailOn::Never),
            ..CliOverrides::default()
        };
        let merged = config.effective(&cli).unwrap();
        assert_eq!(ids(&merged), vec!["POD002"]);
        assert_eq!(merged.fail_on, FailOn::Never);
        let more_ignored = CliOverrides {
            ignore: vec!["POD001".into()],
            ..CliOverrides::default()
        };
        assert!(ids(&config.effective(&more_ignored).unwrap()).is_empty());
    }
}
