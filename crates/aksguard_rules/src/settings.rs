//! Options rules read (filled from CLI and, later, aksguard.toml).

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSettings {
    /// IMG003: registries images may come from. `*.azurecr.io` matches any subdomain.
    pub allowed_registries: Vec<String>,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            allowed_registries: vec!["*.azurecr.io".into(), "mcr.microsoft.com".into()],
        }
    }
}
