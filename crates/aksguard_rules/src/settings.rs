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
    /// Kinds a complete scan could not read (a live scan never lists Secrets; a 403 on
    /// Deployments; ARM `DiagnosticSetting`, `MaintenanceConfiguration`, `DefenderPricing`
    /// denied): an absence of these proves nothing even with `complete`.
    pub unread: Vec<String>,
    /// `[azure]` of aksguard.toml: what the rules about the cluster's Azure surroundings need
    /// to know of the organisation.
    pub azure: AzureRuleSettings,
    /// `--vulns`: the image vulnerability reports IMG005 reads, indexed by image; `None`
    /// when none was given (IMG005 then judges nothing).
    pub vulns: Option<std::sync::Arc<crate::image::vulns::VulnIndex>>,
}

/// `[azure]` settings (aksguard.toml).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AzureRuleSettings {
    /// AKS043: principals allowed to hold Owner, Contributor, User Access Administrator or the
    /// AKS cluster-admin roles at the cluster's scopes: object IDs (GUIDs, any case) or
    /// principal names (UPNs, group or app display names) as `az role assignment list`
    /// prints them.
    pub admin_principals: Vec<String>,
    /// AKS045: the age in days past which a node image is reported (default 60).
    pub node_image_max_age_days: u32,
}

impl Default for AzureRuleSettings {
    fn default() -> Self {
        AzureRuleSettings {
            admin_principals: Vec::new(),
            node_image_max_age_days: 60,
        }
    }
}

impl RuleSettings {
    /// Whether the absence of an object of every one of `kinds` is conclusive: the scan is
    /// complete and read all of them.
    pub fn complete_for(&self, kinds: &[&str]) -> bool {
        self.complete
            && !kinds
                .iter()
                .any(|kind| self.unread.iter().any(|u| u == kind))
    }
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            allowed_registries: vec!["*.azurecr.io".into(), "mcr.microsoft.com".into()],
            complete: false,
            kubernetes_version: None,
            as_of: None,
            unread: Vec::new(),
            azure: AzureRuleSettings::default(),
            vulns: None,
        }
    }
}
