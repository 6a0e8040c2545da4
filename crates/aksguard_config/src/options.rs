//! The `aksguard.toml` schema, as written by users: kebab-case keys (`fail-on`,
//! `allowed-registries`), every table closed (`deny_unknown_fields`: a misspelt key is an
//! error, never ignored). Values keep their source spans so that errors found after parsing
//! (an unknown rule, a bad date) still name the line. [`crate::settings`] resolves these into
//! typed settings.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Rules to run: IDs, slugs, families or prefixes (`--select`).
    pub select: Option<Vec<Spanned<String>>>,
    /// Rules to skip (`--ignore`).
    pub ignore: Option<Vec<Spanned<String>>>,
    /// `critical`, `high`, `medium`, `low`, `info` or `none` (`--fail-on`).
    pub fail_on: Option<Spanned<String>>,
    /// `critical` … `info` (`--min-severity`).
    pub min_severity: Option<Spanned<String>>,
    /// Per-rule severity overrides: `POD007 = "high"` (rule ID or slug).
    pub severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    /// Registries IMG003 accepts (`--allowed-registries`).
    pub allowed_registries: Option<Vec<Spanned<String>>>,
    /// The inputs are the whole cluster state (`--complete`).
    pub complete: Option<bool>,
    /// `"1.31"`: the Kubernetes version REL001 checks API removals against (`--k8s-version`).
    pub k8s_version: Option<Spanned<String>>,
    /// Gatekeeper ConstraintTemplates + constraints and ValidatingAdmissionPolicies +
    /// bindings to run beside the rules: files or directories, relative to this file
    /// (`--policy`).
    pub policies: Option<Vec<Spanned<String>>>,
    /// Image vulnerability reports IMG005 reads: files relative to this file (`--vulns`
    /// adds to them).
    pub vulns: Option<Vec<Spanned<String>>>,
    /// Vulnerability reports (`--vulns`) older than this many days are noted as stale
    /// (`--vulns-max-age-days`).
    pub vulns_max_age_days: Option<Spanned<i64>>,
    /// `[[exception]]` entries.
    #[serde(default)]
    pub exception: Vec<Spanned<ExceptionOptions>>,
    /// `[webhook]`: how `aksguard webhook` decides (modes, exemptions, UPDATE).
    pub webhook: Option<WebhookOptions>,
    /// `[azure]`: what the rules about the cluster's Azure surroundings need to know of the
    /// organisation.
    pub azure: Option<AzureOptions>,
}

/// `[azure]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AzureOptions {
    /// Principals allowed to hold the privileged Azure roles on the cluster (AKS043): object
    /// IDs or principal names as `az role assignment list` prints them.
    pub admin_principals: Option<Vec<Spanned<String>>>,
    /// The node image age, in days, past which AKS045 reports a node pool.
    pub node_image_max_age_days: Option<Spanned<i64>>,
}

/// `[webhook]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct WebhookOptions {
    /// `enforce`, `warn` or `audit`: the mode where nothing more specific applies.
    pub mode: Option<Spanned<String>>,
    /// Namespaces never judged (`*` patterns).
    pub exempt_namespaces: Option<Vec<Spanned<String>>>,
    /// Users never judged (`*` patterns), e.g. `system:serviceaccount:kube-system:*`.
    pub exempt_users: Option<Vec<Spanned<String>>>,
    /// Groups never judged (`*` patterns), e.g. `system:serviceaccounts:kube-system`.
    pub exempt_groups: Option<Vec<Spanned<String>>>,
    /// `warn-existing` (default) or `judge`: what UPDATE does with findings `oldObject` had.
    pub update: Option<Spanned<String>>,
    /// `[[webhook.namespace]]`: per-namespace modes, first match in file order wins.
    #[serde(default)]
    pub namespace: Vec<Spanned<NamespaceModeOptions>>,
}

/// One `[[webhook.namespace]]`: namespaces named like `name` are judged in `mode`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NamespaceModeOptions {
    /// A namespace name; `*` matches any run of characters.
    pub name: Spanned<String>,
    pub mode: Spanned<String>,
}

/// One `[[exception]]`: which rules on which objects, why, and until when.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExceptionOptions {
    /// Required and non-empty: rule IDs, slugs or families.
    pub rules: Spanned<Vec<Spanned<String>>>,
    /// Selectors; `*` matches any run of characters. Absent: any.
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub container: Option<String>,
    /// Mandatory and non-empty.
    pub reason: Spanned<String>,
    /// `"YYYY-MM-DD"` (or a bare TOML date): the last day the exception applies.
    pub expires: Option<Spanned<toml::Value>>,
}

/// Parses the file's text.
pub fn parse(text: &str) -> Result<Options, toml::de::Error> {
    toml::from_str(text)
}
