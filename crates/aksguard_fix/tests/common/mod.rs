//! What the fix tests share.

use aksguard_config::{CliOverrides, ConfigSource};
use aksguard_scan::{ScanSettings, SettingsRequest};

/// Scan settings without a configuration file, running the rules in `select` (all rules
/// when it is empty).
pub fn settings(select: &[&str]) -> ScanSettings {
    ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: CliOverrides {
            select: select.iter().map(|s| (*s).to_owned()).collect(),
            ..CliOverrides::default()
        },
        as_of: None,
        baseline: None,
        write_baseline: None,
    })
    .expect("settings")
}
