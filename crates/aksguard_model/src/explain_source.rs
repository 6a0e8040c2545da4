//! Where each setting the AKS rules judged came from (`aksguard explain-source`): per managed
//! cluster and node pool, every REST path a rule looked up, its state (Known with the value
//! and line, Unknown with the reason, Absent so the API default applies) and the rules that
//! read it. Built by `aksguard_scan::explain`, rendered by `aksguard_report::explain_source`.
//!
//! Values are stored already redacted: a secret-like path (see [`is_secret_path`]) or a
//! container holding a secret-like key never carries its value here, so no renderer can
//! print one.

use serde::Serialize;

/// The explanation of every cluster asked for, in the order the scan found them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceExplanation {
    pub clusters: Vec<ClusterSource>,
}

/// One managed cluster's definition and the settings rules read from it.
#[derive(Clone, Debug, Serialize)]
pub struct ClusterSource {
    pub name: String,
    /// `AzureFormat::label()`: `arm-template`, `bicep`, `terraform`, …
    pub form: &'static str,
    /// The file defining the cluster resource.
    pub file: String,
    pub line: u32,
    pub settings: Vec<SettingSource>,
    pub node_pools: Vec<PoolSource>,
}

/// One node pool of a cluster and the settings rules read from it.
#[derive(Clone, Debug, Serialize)]
pub struct PoolSource {
    pub name: String,
    pub file: String,
    pub line: u32,
    pub settings: Vec<SettingSource>,
}

/// One REST path a rule looked up.
#[derive(Clone, Debug, Serialize)]
pub struct SettingSource {
    /// Dotted REST path (`apiServerAccessProfile.enablePrivateCluster`).
    pub path: String,
    #[serde(flatten)]
    pub state: SettingState,
    /// IDs of the rules that read it, sorted.
    pub rules: Vec<&'static str>,
}

/// What a lookup found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum SettingState {
    /// Set, here. `value` is compact JSON of the value as read, or `<redacted>`.
    Known {
        value: String,
        redacted: bool,
        file: String,
        line: u32,
    },
    /// Present but unresolvable: rules never fire on it.
    Unknown { reason: String },
    /// Not set: the API (or provider) default applies.
    Absent,
}

/// What a redacted value reads as.
pub const REDACTED: &str = "<redacted>";

/// Whether a key names a secret (or key material we never print): `secret`, `clientSecret`,
/// `adminPassword`, `password(s)`, `…Token`, `ssh`, `keyData`, `privateKey`, `credentials`,
/// `connectionString`; case-insensitive, whole key (so `azureKeyvaultSecretsProvider` and
/// `secretRotationEnabled` are not).
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "secrets", "password", "passwords", "token"]
        .iter()
        .any(|suffix| key.ends_with(suffix))
        || [
            "ssh",
            "keydata",
            "privatekey",
            "credentials",
            "connectionstring",
        ]
        .contains(&key.as_str())
}

/// Whether any segment of a dotted REST path (`linuxProfile.ssh.publicKeys`,
/// `windowsProfile.adminPassword`) names a secret; `[i]` indexes are ignored.
pub fn is_secret_path(path: &str) -> bool {
    path.split('.')
        .map(|segment| segment.split('[').next().unwrap_or(segment))
        .any(is_secret_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_paths_are_recognised_by_whole_segments() {
        for path in [
            "linuxProfile.ssh",
            "linuxProfile.ssh.publicKeys[0].keyData",
            "servicePrincipalProfile.secret",
            "windowsProfile.adminPassword",
            "identityProfile.x.clientSecret",
            "something.accessToken",
        ] {
            assert!(is_secret_path(path), "{path}");
        }
        for path in [
            "addonProfiles.azureKeyvaultSecretsProvider.enabled",
            "addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation",
            "servicePrincipalProfile.clientId",
            "windowsProfile.adminUsername",
            "securityProfile.workloadIdentity.enabled",
        ] {
            assert!(!is_secret_path(path), "{path}");
        }
    }

    #[test]
    fn states_serialise_with_a_state_tag() {
        let setting = SettingSource {
            path: "enableRBAC".into(),
            state: SettingState::Unknown {
                reason: "ARM expression `[x]`".into(),
            },
            rules: vec!["AKS001"],
        };
        assert_eq!(
            serde_json::to_string(&setting).unwrap(),
            r#"{"path":"enableRBAC","state":"unknown","reason":"ARM expression `[x]`","rules":["AKS001"]}"#
        );
    }
}
