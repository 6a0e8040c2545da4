//! `aksguard scan --store`: the scan's report recorded as one run of its target. Runs after
//! the report is written, so a store failure never costs the report.

use aksguard_report::ScanReport;
use aksguard_store::{
    RunRecord, ScannedAks, ScannedCluster, ScannedInputs, StoreLocation, VulnSummary, detect_target,
};
use jiff::Timestamp;

use crate::cli::ScanArgs;
use crate::commands::store_access::{self, Resolved};

/// What the scan read, as far as its target goes.
pub struct ScanIdentity {
    pub cluster: Option<ScannedCluster>,
    pub aks: Vec<ScannedAks>,
}

/// Where `--store` points, checked before the scan starts: a typo in the URL must not wait
/// for a long scan to be reported. `None` without `--store`.
pub fn location(args: &ScanArgs) -> Result<Option<Resolved>, String> {
    let Some(flag) = args.store.as_deref() else {
        return Ok(None);
    };
    if let Some(name) = &args.target_name {
        aksguard_store::check_target_name(name)?;
    }
    store_access::resolve(Some(flag)).map(Some)
}

/// Records the run and says so on stderr (`note: stored run …`, not with `--quiet`; the
/// default file's path the first time it is created, always: the user must know where the
/// history went).
pub fn record(
    args: &ScanArgs,
    store: &Resolved,
    report: &ScanReport,
    identity: ScanIdentity,
    extras: RunExtras<'_>,
    started_at: Timestamp,
    finished_at: Timestamp,
) -> Result<(), String> {
    let inputs = ScannedInputs {
        paths: args.paths.clone(),
        cwd: std::env::current_dir().unwrap_or_default(),
        cluster_requested: args.cluster,
        cluster: identity.cluster,
        azure: args.azure,
        aks_clusters: identity.aks,
        target_name: args.target_name.clone(),
    };
    let target = detect_target(&inputs).map_err(|message| {
        format!(
            "the run is not stored in {}: {message}",
            store.location.redacted()
        )
    })?;
    let target_name = target.spec.name.clone();
    let mut record =
        RunRecord::from_report(report, target.spec, started_at, finished_at, target.commit);
    record.vulnerabilities = extras.vulns.map(|counts| vuln_summary(counts, report));
    record.attack_paths = extras.attack_paths;
    // The report lists the built-in rules only; the policies that ran judged too, so a
    // policy finding that is gone is resolved like a rule's (else it stays open forever).
    record
        .rules_judged
        .extend(extras.policy_rules.iter().map(|id| (*id).to_owned()));
    let created = match &store.location {
        StoreLocation::Sqlite(path) if store.is_default && !path.exists() => Some(path.clone()),
        _ => None,
    };
    let recorded = store_access::block_on(async {
        let opened = store_access::open(&store.location).await?;
        opened
            .record(&record)
            .await
            .map_err(|err| store_access::failed(&store.location, &err))
    })?;
    if let Some(path) = created {
        eprintln!(
            "note: created the history store {} (choose another with --store=URL or {})",
            path.display(),
            store_access::STORE_VAR
        );
    }
    if !args.quiet {
        eprintln!(
            "note: stored run {} of target {target_name} (its run {}: {} new, {} resolved, {} \
             changed)",
            recorded.run_id, recorded.sequence, recorded.new, recorded.resolved, recorded.changed
        );
    }
    Ok(())
}

/// What a stored run keeps beside its report, when the scan computed it.
pub struct RunExtras<'a> {
    /// The `--vulns` reports' counts.
    pub vulns: Option<&'a aksguard_scan::vulns::VulnCounts>,
    /// The scan's attack paths.
    pub attack_paths: Option<aksguard_store::AttackPaths>,
    /// The users' policy rules that ran.
    pub policy_rules: &'a [&'static str],
}

/// What a run keeps of its attack paths: how many, and the riskiest few as readable chains.
pub fn attack_paths(analysis: &aksguard_paths::AttackPaths) -> aksguard_store::AttackPaths {
    let mut ranked: Vec<&aksguard_paths::AttackPath> = analysis.paths.iter().collect();
    ranked.sort_by(|a, b| b.risk.total_cmp(&a.risk));
    aksguard_store::AttackPaths {
        total: u32::try_from(analysis.paths.len()).unwrap_or(u32::MAX),
        top: ranked
            .into_iter()
            .take(aksguard_store::AttackPaths::TOP)
            .map(|path| aksguard_store::StoredPath {
                risk: path.risk,
                chain: path.chain(),
            })
            .collect(),
    }
}

/// The run's image vulnerabilities: the reports' counts and the containers IMG005 reported.
fn vuln_summary(counts: &aksguard_scan::vulns::VulnCounts, report: &ScanReport) -> VulnSummary {
    let containers = report
        .findings
        .iter()
        .filter(|f| f.rule_id == aksguard_rules::vulns::RULE_ID)
        .count();
    VulnSummary {
        reports: counts.reports,
        images: counts.images,
        critical: counts.critical,
        high: counts.high,
        medium: counts.medium,
        low: counts.low,
        fixable: counts.fixable,
        containers: u32::try_from(containers).unwrap_or(u32::MAX),
    }
}
