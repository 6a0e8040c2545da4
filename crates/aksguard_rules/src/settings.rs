//! Options rules read (filled from CLI and, later, aksguard.toml).

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSettings {
    /// IMG003: registries images may come from. `*.azurecr.io` matches any subdomain.
    pub allowed_registries: Vec<String>,
    /// `--complete`: the scan is the whole cluster state, so a missing object (NetworkPolicy,
    /// ServiceAccount, Role) is conclusive rather than possibly elsewhere.
    pub complete: bool,
    /// `--k8s-version`: the Kubernetes minor version to check API removals against (REL001);
    /// `None` means the newest version in the shipped table.
    pub kubernetes_version: Option<(u32, u32)>,
    /// `--as-of YYYY-MM-DD`: "today" for date-based rules (AKS017 version support); `None`
    /// means the current UTC date ([`crate::clock::today_utc`]).
    pub as_of: Option<crate::clock::Date>,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            allowed_registries: vec!["*.azurecr.io".into(), "mcr.microsoft.com".into()],
            complete: false,
            kubernetes_version: None,
            as_of: None,
        }
    }
}
