//! What one scan runs with: the configuration file merged with the caller's overrides, the
//! date exceptions and baselines are judged on, and the baselines to apply and to write.

use std::collections::HashSet;
use std::path::PathBuf;

use aksguard_config::{CliOverrides, Config, ConfigSource, Date, Effective, baseline};

/// How a caller asks for its settings: where the configuration is, what its flags override,
/// and its baseline files.
#[derive(Clone, Debug)]
pub struct SettingsRequest {
    pub source: ConfigSource,
    pub overrides: CliOverrides,
    /// "Today"; `None` reads `AKSGUARD_AS_OF` or the clock.
    pub as_of: Option<Date>,
    /// `--baseline`: findings whose fingerprint it lists are suppressed.
    pub baseline: Option<PathBuf>,
    /// `--write-baseline`: the active findings (after exceptions) are written there.
    pub write_baseline: Option<PathBuf>,
}

/// A baseline read from a file: its fingerprints and the suppression reason naming it.
#[derive(Clone, Debug)]
pub struct Baseline {
    pub fingerprints: HashSet<String>,
    pub reason: String,
}

/// The settings of one scan, resolved and validated.
#[derive(Clone, Debug)]
pub struct ScanSettings {
    /// The loaded configuration file (the webhook reads its `[webhook]` table).
    pub config: Config,
    pub effective: Effective,
    /// "Today" for exception expiry and the written baseline's `created` date.
    pub as_of: Date,
    pub baseline: Option<Baseline>,
    pub write_baseline: Option<PathBuf>,
    /// `--vulns`: the reports' counts and their notes (stale or undated reports); the index
    /// IMG005 reads is in `effective.rule_settings.vulns`.
    pub vulns: Option<crate::vulns::LoadedVulns>,
}

impl ScanSettings {
    /// Loads the configuration, merges the overrides, reads the baseline. The error is the
    /// message to show (it names the file and line where there is one).
    pub fn resolve(request: &SettingsRequest) -> Result<ScanSettings, String> {
        let as_of = aksguard_config::today(request.as_of)?;
        let config = Config::load(&request.source, as_of).map_err(|e| e.to_string())?;
        let mut effective = config
            .effective(&request.overrides)
            .map_err(|e| e.to_string())?;
        effective.rule_settings.as_of = Some(as_of);
        // aksguard.toml's `vulns` (relative to the file), then `--vulns`; a report named by
        // both is read once (it would count its vulnerabilities twice).
        let mut seen = HashSet::new();
        let vuln_paths: Vec<PathBuf> = config
            .vulns
            .iter()
            .chain(&request.overrides.vulns)
            .filter(|path| seen.insert(*path))
            .cloned()
            .collect();
        let vulns = crate::vulns::load(&vuln_paths, effective.vulns_max_age_days, as_of)?;
        effective.rule_settings.vulns = vulns.as_ref().map(|v| v.index.clone());
        let baseline = match &request.baseline {
            None => None,
            Some(path) => Some(Baseline {
                fingerprints: baseline::read(path).map_err(|e| e.to_string())?,
                reason: format!("in baseline {}", path.display()),
            }),
        };
        Ok(ScanSettings {
            config,
            effective,
            as_of,
            baseline,
            write_baseline: request.write_baseline.clone(),
            vulns,
        })
    }
}
