//! Command-line interface definition (clap). Exit codes: 0 clean, 1 findings at or above
//! `--fail-on`, 2 usage or input errors.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "aksguard",
    version,
    about = "Security posture scanner for Azure Kubernetes Service"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan Kubernetes manifests (files, directories, globs, `-` for stdin).
    Scan(Box<ScanArgs>),
    /// List every rule.
    Rules(RulesArgs),
    /// Explain one rule (by ID or slug).
    Rule(RuleArgs),
    /// List the compliance frameworks, their controls and the rules enforcing each.
    Frameworks(FrameworksArgs),
    /// Who may do VERB on RESOURCE, from the RBAC objects in the given files (like
    /// kubectl-who-can).
    WhoCan(WhoCanArgs),
    /// For each AKS managed cluster in the inputs (or the one --name gives): its form and
    /// defining file:line, then every setting the AKS/ACR rules read, per cluster and node
    /// pool: Known (value, file:line; secret-like values redacted), Unknown (why) or Absent
    /// (the API default applies), and which rules read it.
    ExplainSource(ExplainSourceArgs),
    /// Show the effective configuration (aksguard.toml found upward, or --config).
    Config(ConfigArgs),
    /// Validating admission webhook: judge objects at admission with the scan's rules
    /// (HTTPS `POST /validate`, `/healthz`, `/readyz`; Prometheus `/metrics`).
    Webhook(WebhookArgs),
    /// Serve the scan history: dashboard pages, JSON API (`/api/v1/`), Prometheus `/metrics`.
    /// Read-only; loopback by default; any other address needs a token or --no-auth.
    Serve(ServeArgs),
    /// Export rules as policies another engine enforces.
    #[command(subcommand)]
    Export(ExportCommand),
    /// The scan history (`scan --store`): every target, or one target's runs with counts,
    /// new/resolved and framework score trend.
    History(HistoryArgs),
    /// What changed between two stored runs: new, fixed and still-open findings [default:
    /// the last two runs of the target].
    Diff(DiffArgs),
    /// Look after the history store: prune old runs, export it, show what it holds.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Fix findings in manifests: a unified diff of verified edits (default), or `--write`.
    Fix(Box<FixArgs>),
    /// Users' policies (Gatekeeper ConstraintTemplates, ValidatingAdmissionPolicies).
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Attack paths: from the internet through exposure, workloads, identities and RBAC to
    /// crown jewels (cluster-admin, node/host, Azure roles, secrets, registry push), ranked,
    /// with each path's cheapest cut and the fixes that remove the most paths.
    Paths(Box<PathsArgs>),
}

/// `aksguard policy …` (issue 17).
#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Run Gatekeeper `suite.yaml` files (like `gator verify`): pass/fail per case, exit 1 on
    /// any failure.
    Test(PolicyTestArgs),
}

/// `policy test` output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PolicyTestFormat {
    /// One line per case and a summary.
    Text,
    /// JUnit XML for CI.
    Junit,
}

#[derive(Args, Debug)]
pub struct PolicyTestArgs {
    /// Suite files, or directories searched for them (`kind: Suite`).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = PolicyTestFormat::Text)]
    pub format: PolicyTestFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Where the history store is, for the commands that read it.
#[derive(Args, Debug)]
pub struct StoreOption {
    /// The history store: `sqlite://PATH` or `postgres://USER@HOST/DB` [default:
    /// AKSGUARD_STORE, else the SQLite file in the user's data directory].
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
}

/// `history`, `diff` output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    Table,
    Json,
    /// Markdown (a pull-request comment).
    Markdown,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub store: StoreOption,
    /// List this target's runs (its ID, name or key; see `aksguard history`) instead of
    /// every target.
    #[arg(long, value_name = "TARGET")]
    pub target: Option<String>,
    /// At most this many runs, newest first.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    #[arg(long, value_enum, default_value_t = HistoryFormat::Table)]
    pub format: HistoryFormat,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The run to compare from (a run ID as `aksguard history` lists them). Alone: that
    /// run against the run before it.
    #[arg(value_name = "RUN_A")]
    pub run_a: Option<i64>,
    /// The run to compare to.
    #[arg(value_name = "RUN_B", requires = "run_a")]
    pub run_b: Option<i64>,
    #[command(flatten)]
    pub store: StoreOption,
    /// The target whose last two runs are compared [default: the only target of the store].
    #[arg(long, value_name = "TARGET")]
    pub target: Option<String>,
    /// Also list the findings open at both runs (they are always counted).
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value_t = HistoryFormat::Table)]
    pub format: HistoryFormat,
    /// Exit 1 when a NEW finding is at or above this severity [default: none, exit 0].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
}

#[derive(Subcommand, Debug)]
pub enum StoreCommand {
    /// Delete runs finished more than N days ago (a target's latest run is always kept) and
    /// the findings resolved before the oldest run kept.
    Prune(StorePruneArgs),
    /// Write the whole store as JSON lines (targets, runs, findings).
    Export(StoreExportArgs),
    /// The store's (redacted) location, schema version and counts.
    Info(StoreInfoArgs),
}

#[derive(Args, Debug)]
pub struct StorePruneArgs {
    #[command(flatten)]
    pub store: StoreOption,
    /// Keep the runs of the last N days.
    #[arg(long, value_name = "N", required = true)]
    pub keep_days: u32,
}

#[derive(Args, Debug)]
pub struct StoreExportArgs {
    #[command(flatten)]
    pub store: StoreOption,
    /// Write to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct StoreInfoArgs {
    #[command(flatten)]
    pub store: StoreOption,
    #[arg(long, value_enum, default_value_t = FrameworksFormat::Text)]
    pub format: FrameworksFormat,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// Native ValidatingAdmissionPolicy + binding YAML (admissionregistration.k8s.io/v1)
    /// for every selected rule CEL can express; the others are listed on stderr.
    Vap(ExportVapArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AdmissionMode {
    /// Reject offending requests (validationActions: [Deny]).
    Enforce,
    /// Admit them with a warning to the client (validationActions: [Warn]).
    Warn,
    /// Admit them and record an audit annotation (validationActions: [Audit]).
    Audit,
}

#[derive(Args, Debug)]
pub struct ExportVapArgs {
    /// Export only these rules: IDs, slugs or families (`POD`), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Leave out these rules: IDs, slugs or families, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    #[arg(long, value_enum, default_value_t = AdmissionMode::Warn)]
    pub mode: AdmissionMode,
    /// Write the YAML to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// List which rules are exported and why the others are not, instead of exporting.
    #[arg(long, conflicts_with_all = ["select", "ignore", "output"])]
    pub list: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Table,
    Json,
    /// One self-contained HTML page (no network fetches).
    Html,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML (CI test tabs: Azure DevOps, GitHub test reporters).
    Junit,
    /// Markdown for pull-request comments.
    Markdown,
    /// wgpolicyk8s.io/v1alpha2 PolicyReport and ClusterPolicyReport objects (YAML stream for
    /// `kubectl apply -f -`; Policy Reporter).
    Policyreport,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail because of findings (errors still exit 2).
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MinSeverity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files, directories (recursive, .gitignore honoured), globs, or `-` for stdin
    /// (optional with --cluster or --azure).
    #[arg(required_unless_present_any = ["cluster", "azure"], value_name = "PATH")]
    pub paths: Vec<String>,
    /// Also scan the live cluster of the current kubeconfig context through the Kubernetes
    /// API (read-only; Secrets are never listed). Implies --complete for what it can read.
    #[arg(long, help_heading = "Live cluster")]
    pub cluster: bool,
    /// The kubeconfig context to scan [default: the current context].
    #[arg(
        long,
        value_name = "NAME",
        requires = "cluster",
        help_heading = "Live cluster"
    )]
    pub context: Option<String>,
    /// The kubeconfig file [default: $KUBECONFIG, else ~/.kube/config; in a pod, the
    /// in-cluster service account].
    #[arg(
        long,
        value_name = "FILE",
        requires = "cluster",
        help_heading = "Live cluster"
    )]
    pub kubeconfig: Option<PathBuf>,
    /// Only these namespaces (repeatable); cluster-scoped objects are still read.
    #[arg(
        long = "namespace",
        short = 'n',
        value_name = "NS",
        requires = "cluster",
        help_heading = "Live cluster"
    )]
    pub namespaces: Vec<String>,
    /// After the scan, write its PolicyReports and ClusterPolicyReport (as --format
    /// policyreport renders them) to the scanned cluster by server-side apply (field manager
    /// `aksguard`), and delete aksguard's reports the scan no longer produces. Needs the
    /// PolicyReport CRDs and write access to them; the report written to stdout stays --format's.
    #[arg(long, requires = "cluster", help_heading = "Live cluster")]
    pub publish_policyreports: bool,
    /// Also read the AKS clusters' Azure resources and surroundings through Azure Resource
    /// Manager (credentials: AKSGUARD_ARM_TOKEN, workload identity, managed identity, client
    /// secret or the Azure CLI's login). Implies --complete for what it can read (the
    /// cluster's Kubernetes objects only with --cluster).
    #[arg(long, help_heading = "Live Azure")]
    pub azure: bool,
    /// Only these subscriptions (repeatable) [default: every subscription the credentials
    /// see].
    #[arg(
        long = "subscription",
        value_name = "ID",
        requires = "azure",
        help_heading = "Live Azure"
    )]
    pub subscriptions: Vec<String>,
    /// Only the clusters of this resource group.
    #[arg(
        long,
        value_name = "RG",
        requires = "azure",
        help_heading = "Live Azure"
    )]
    pub resource_group: Option<String>,
    /// Only the cluster of this name.
    #[arg(
        long,
        value_name = "NAME",
        requires = "azure",
        help_heading = "Live Azure"
    )]
    pub aks_name: Option<String>,
    /// Give up reading a live cluster or Azure after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub live_timeout: u64,
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Run only these rules: IDs, slugs or families (`POD`), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules: IDs, slugs or families, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Also run these policies (files or directories): Gatekeeper ConstraintTemplates +
    /// constraints (`GK.<Kind>`), ValidatingAdmissionPolicies + bindings (`VAP.<name>`);
    /// added to `policies` in aksguard.toml.
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Run only the rules of this compliance framework (cis-aks, pss-baseline,
    /// pss-restricted, aks-practices; with --select/--ignore, their intersection) and report
    /// each control's pass/fail and the framework's score.
    #[arg(long, value_name = "FRAMEWORK")]
    pub framework: Option<String>,
    /// Exit 1 when a finding is at or above this severity [default: high, or aksguard.toml's
    /// `fail-on`].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Report only findings at or above this severity [default: info, or aksguard.toml's
    /// `min-severity`].
    #[arg(long, value_enum)]
    pub min_severity: Option<MinSeverity>,
    /// Use this configuration file instead of the aksguard.toml found upward from the first
    /// PATH.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any aksguard.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Also list suppressed findings (exceptions, annotations, baseline) with their reason.
    #[arg(long)]
    pub show_suppressed: bool,
    /// Suppress findings recorded in this baseline file (report only new ones).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the fingerprints of the current findings to FILE (a baseline).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Judge exception expiry as of this date (YYYY-MM-DD) instead of today
    /// [env: AKSGUARD_AS_OF].
    #[arg(long, value_name = "DATE", value_parser = aksguard_config::parse_date)]
    pub as_of: Option<aksguard_config::Date>,
    /// Print findings only: no remediation lines, notices or progress.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Finding order: `report` (the default: by file and position) or `risk` (findings on an
    /// attack path first, then by severity; every scan marks them, see `aksguard paths`).
    #[arg(long, value_enum, default_value_t = SortOrder::Report)]
    pub sort: SortOrder,
    /// Registries images may come from (IMG003); `*.azurecr.io` matches subdomains.
    #[arg(long, value_delimiter = ',', value_name = "REGISTRIES")]
    pub allowed_registries: Vec<String>,
    /// Do not render Helm charts / Kustomize directories even if helm/kubectl are on PATH.
    #[arg(long)]
    pub no_render: bool,
    /// Skip files larger than this many bytes (reported as errors).
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Declare that the inputs are the whole cluster state: a missing NetworkPolicy,
    /// ServiceAccount or Role is then conclusive, not possibly elsewhere.
    #[arg(long)]
    pub complete: bool,
    /// Kubernetes version to check API removals against (REL001), e.g. `1.31`
    /// (default: the newest version aksguard knows).
    #[arg(long, value_name = "MAJOR.MINOR", value_parser = parse_k8s_version)]
    pub k8s_version: Option<(u32, u32)>,
    /// Image vulnerability reports for IMG005 (repeatable or comma-separated): Trivy
    /// `trivy image -f json` or `trivy k8s --format json`, Grype `-o json`. Containers are
    /// matched to the scanned images by digest, then by repository:tag.
    #[arg(
        long,
        value_name = "FILE",
        value_delimiter = ',',
        help_heading = "Image vulnerabilities"
    )]
    pub vulns: Vec<PathBuf>,
    /// Note vulnerability reports made more than this many days before the scan's date
    /// (--as-of or today) [default: 30, or aksguard.toml's `vulns-max-age-days`].
    #[arg(
        long,
        value_name = "DAYS",
        requires = "vulns",
        value_parser = clap::value_parser!(u32).range(1..=3650),
        help_heading = "Image vulnerabilities"
    )]
    pub vulns_max_age_days: Option<u32>,
    /// Load and parse every input but run no rules (benchmark floor; see bench/compare.sh).
    #[arg(long, hide = true)]
    pub parse_only: bool,
    /// Record the scan in the history store. `--store` alone: AKSGUARD_STORE, else a SQLite
    /// file in the user's data directory; `--store=URL` (the `=` is required, so a path after
    /// `--store` is always a path to scan): `sqlite://PATH` or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        value_name = "URL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "",
        help_heading = "History"
    )]
    pub store: Option<String>,
    /// Store the run under this target name instead of the detected target (an AKS
    /// resource ID, a cluster's server, a repository, the paths).
    #[arg(
        long,
        value_name = "NAME",
        requires = "store",
        help_heading = "History"
    )]
    pub target_name: Option<String>,
}

/// `scan --sort`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortOrder {
    Report,
    Risk,
}

/// `paths` output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PathsFormat {
    Table,
    /// `paths[]` (risk, hops, cuts) and the ranked `fixes[]`.
    Json,
    /// The HTML report with its "Attack paths" section (inline SVG).
    Html,
    /// SARIF 2.1.0: one result per path, its hops as a code flow.
    Sarif,
}

/// `aksguard paths`: the sources of `scan` (files, --cluster, --azure) through the same
/// pipeline; the scan's flags that change what is judged are here too.
#[derive(Args, Debug)]
pub struct PathsArgs {
    /// Files, directories, globs, or `-` for stdin (optional with --cluster or --azure).
    #[arg(required_unless_present_any = ["cluster", "azure"], value_name = "PATH")]
    pub paths: Vec<String>,
    /// Also read the live cluster of the current kubeconfig context (as `scan --cluster`).
    #[arg(long, help_heading = "Live cluster")]
    pub cluster: bool,
    /// The kubeconfig context to read [default: the current context].
    #[arg(
        long,
        value_name = "NAME",
        requires = "cluster",
        help_heading = "Live cluster"
    )]
    pub context: Option<String>,
    /// The kubeconfig file.
    #[arg(
        long,
        value_name = "FILE",
        requires = "cluster",
        help_heading = "Live cluster"
    )]
    pub kubeconfig: Option<PathBuf>,
    /// Only these namespaces (repeatable).
    #[arg(
        long = "namespace",
        short = 'n',
        value_name = "NS",
        requires = "cluster",
        help_heading = "Live cluster"
    )]
    pub namespaces: Vec<String>,
    /// Also read the AKS clusters' Azure resources (as `scan --azure`).
    #[arg(long, help_heading = "Live Azure")]
    pub azure: bool,
    /// Only these subscriptions (repeatable).
    #[arg(
        long = "subscription",
        value_name = "ID",
        requires = "azure",
        help_heading = "Live Azure"
    )]
    pub subscriptions: Vec<String>,
    /// Only the clusters of this resource group.
    #[arg(
        long,
        value_name = "RG",
        requires = "azure",
        help_heading = "Live Azure"
    )]
    pub resource_group: Option<String>,
    /// Only the cluster of this name.
    #[arg(
        long,
        value_name = "NAME",
        requires = "azure",
        help_heading = "Live Azure"
    )]
    pub aks_name: Option<String>,
    /// Give up reading a live cluster or Azure after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub live_timeout: u64,
    #[arg(long, value_enum, default_value_t = PathsFormat::Table)]
    pub format: PathsFormat,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show at most this many paths (highest risk first); fixes are counted over all paths.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// Run only these rules: IDs, slugs or families, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules: IDs, slugs or families, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Use this configuration file instead of the aksguard.toml found upward.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any aksguard.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Judge exception expiry as of this date (YYYY-MM-DD) [env: AKSGUARD_AS_OF].
    #[arg(long, value_name = "DATE", value_parser = aksguard_config::parse_date)]
    pub as_of: Option<aksguard_config::Date>,
    /// No notices or progress.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Do not render Helm charts / Kustomize directories.
    #[arg(long)]
    pub no_render: bool,
    /// Declare that the inputs are the whole cluster state (as `scan --complete`).
    #[arg(long)]
    pub complete: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// Print the effective configuration (the default action).
    #[arg(long)]
    pub show: bool,
    /// Use this configuration file instead of searching upward from PATH.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Judge exception expiry as of this date (YYYY-MM-DD) instead of today
    /// [env: AKSGUARD_AS_OF].
    #[arg(long, value_name = "DATE", value_parser = aksguard_config::parse_date)]
    pub as_of: Option<aksguard_config::Date>,
    /// Where the search for aksguard.toml starts (as for `aksguard scan PATH`).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

#[derive(Args, Debug)]
pub struct FrameworksArgs {
    #[arg(long, value_enum, default_value_t = FrameworksFormat::Text)]
    pub format: FrameworksFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FrameworksFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// Rule ID (`POD001`) or slug (`privileged-container`).
    pub id: String,
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

#[derive(Args, Debug)]
pub struct WhoCanArgs {
    /// The verb: get, list, watch, create, update, patch, delete, escalate, bind, …
    pub verb: String,
    /// The resource: `pods`, a subresource (`pods/exec`), `resource.group`
    /// (`deployments.apps`, `certificates.cert-manager.io`), or a short name (`deploy`).
    pub resource: String,
    /// Files, directories, globs or `-` (stdin) holding the RBAC objects.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<String>,
    /// API group of RESOURCE (`""` for the core group); overrides `resource.group` and the
    /// built-in table.
    #[arg(long, value_name = "GROUP")]
    pub api_group: Option<String>,
    /// Also count RoleBindings of this namespace (and those that set no namespace). Without
    /// it, only cluster-wide grants (ClusterRoleBindings) are shown.
    #[arg(
        long,
        short = 'n',
        value_name = "NS",
        conflicts_with = "all_namespaces"
    )]
    pub namespace: Option<String>,
    /// Also count RoleBindings of every namespace.
    #[arg(long, short = 'A')]
    pub all_namespaces: bool,
    #[arg(long, value_enum, default_value_t = WhoCanFormat::Table)]
    pub format: WhoCanFormat,
    /// Do not render Helm charts / Kustomize directories even if helm/kubectl are on PATH.
    #[arg(long)]
    pub no_render: bool,
}

#[derive(Args, Debug)]
pub struct ExplainSourceArgs {
    /// Files, directories, globs or `-` (stdin) holding the cluster definitions (ARM, Bicep,
    /// Terraform, az JSON, …), as for `scan`.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<String>,
    /// Explain only the cluster of this name (case-insensitive); an unknown name is an error
    /// listing the names found.
    #[arg(long, value_name = "CLUSTER")]
    pub name: Option<String>,
    #[arg(long, value_enum, default_value_t = ExplainSourceFormat::Table)]
    pub format: ExplainSourceFormat,
    /// Do not render Helm charts / Kustomize directories even if helm/kubectl are on PATH.
    #[arg(long)]
    pub no_render: bool,
}

/// `explain-source` output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainSourceFormat {
    Table,
    /// One JSON object (`clusters`, each with `settings` and `node_pools`; see the README).
    Json,
}

/// `who-can` output formats (its own enum, so scan report formats do not leak into it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WhoCanFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WebhookMode {
    /// Deny findings at or above `fail-on`; lower ones warn.
    Enforce,
    /// Allow, with one warning per finding.
    Warn,
    /// Allow silently; log each finding (JSON on stdout) and count it in the metrics.
    Audit,
}

#[derive(Args, Debug)]
pub struct WebhookArgs {
    /// PEM certificate chain to serve (re-read when it changes).
    #[arg(long, value_name = "FILE", required_unless_present = "list_rules")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of the certificate (re-read when it changes).
    #[arg(long, value_name = "FILE", required_unless_present = "list_rules")]
    pub tls_key: Option<PathBuf>,
    /// Address of the HTTPS listener.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub listen: std::net::SocketAddr,
    /// Address of the plain-HTTP metrics listener (`/metrics`).
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:9090")]
    pub metrics_listen: std::net::SocketAddr,
    /// aksguard.toml to use (rules, fail-on, severity overrides, exceptions, [webhook]).
    /// Without it the webhook uses the defaults: a server does not search for files.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Mode where neither the request's `?mode=` nor a `[[webhook.namespace]]` applies
    /// [default: `[webhook] mode`, else warn].
    #[arg(long, value_enum)]
    pub mode: Option<WebhookMode>,
    /// Run only these rules: IDs, slugs or families, comma-separated (replaces the file's).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Skip these rules: IDs, slugs or families, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// In enforce mode, deny findings at or above this severity [default: high, or
    /// aksguard.toml's `fail-on`].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Registries images may come from (IMG003); `*.azurecr.io` matches subdomains.
    #[arg(long, value_delimiter = ',', value_name = "REGISTRIES")]
    pub allowed_registries: Vec<String>,
    /// Answer 503 (the webhook's failurePolicy applies) when a review is not judged within
    /// this many milliseconds; keep it below the webhook's timeoutSeconds.
    #[arg(long, value_name = "MS", default_value_t = 2500, value_parser = clap::value_parser!(u64).range(1..))]
    pub deadline_ms: u64,
    /// Reviews judged at once; more wait (within the deadline).
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_in_flight: u64,
    /// How often the certificate and key files are checked for a change.
    #[arg(long, value_name = "MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..))]
    pub reload_interval_ms: u64,
    /// How long SIGTERM waits for requests in flight before stopping.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub grace_seconds: u64,
    /// Also log every review (debug level), not only denials, warnings and audit findings.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// List the selected rules the webhook runs and those it skips (and why), then exit.
    #[arg(long)]
    pub list_rules: bool,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The history store: `sqlite://PATH` or `postgres://…` [default: AKSGUARD_STORE, else
    /// the SQLite file in the user's data directory].
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// Address to listen on. Anything but loopback needs --token or --no-auth.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Token every request must carry (`Authorization: Bearer TOKEN`; browsers log in at
    /// /login). Prefer AKSGUARD_SERVE_TOKEN: arguments are visible to other local users.
    #[arg(long, value_name = "TOKEN", conflicts_with = "no_auth")]
    pub token: Option<String>,
    /// Serve beyond loopback without a token (a proxy in front authenticates).
    #[arg(long)]
    pub no_auth: bool,
    /// PEM certificate chain: serve HTTPS (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Flag targets not scanned for this many days as stale.
    #[arg(long, value_name = "N", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub stale_days: u32,
}

/// `1.31`, `v1.31` or `1.31.2` → (1, 31).
fn parse_k8s_version(text: &str) -> Result<(u32, u32), String> {
    let trimmed = text.trim().trim_start_matches('v');
    let mut parts = trimmed.split('.');
    let major = parts.next().and_then(|p| p.parse().ok());
    let minor = parts.next().and_then(|p| p.parse().ok());
    match (major, minor) {
        (Some(major), Some(minor)) => Ok((major, minor)),
        _ => Err(format!("`{text}` is not a Kubernetes version such as 1.31")),
    }
}

/// `aksguard fix`: every flag of the command, one block (issue 15).
#[derive(Args, Debug)]
pub struct FixArgs {
    /// Files, directories or globs to fix (stdin is scanned but never edited).
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Only fix findings of these rules (IDs, slugs, families, frameworks; comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// The riskiest fixes to apply: `safe` only, or `review` (safe and review).
    #[arg(long, value_enum, default_value_t = FixSafetyArg::Safe)]
    pub safety: FixSafetyArg,
    /// Print a unified diff of the edits on stdout; nothing is written (the default).
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,
    /// Edit the files in place (each written atomically).
    #[arg(long)]
    pub write: bool,
    /// Use this configuration file instead of the aksguard.toml found upward from the first
    /// PATH.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any aksguard.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Do not print the summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the objects absence findings ask for (default-deny NetworkPolicies,
    /// ResourceQuota/LimitRange, ServiceAccounts, PodDisruptionBudgets) into one new file per
    /// namespace in --out; existing files are never replaced.
    #[arg(long, conflicts_with_all = ["write", "diff", "az"])]
    pub generate: bool,
    /// The directory --generate writes into [default: the current directory].
    #[arg(long, value_name = "DIR", requires = "generate")]
    pub out: Option<PathBuf>,
    /// The inputs are the whole cluster state (as `scan --complete`): --generate also answers
    /// the rules that need it (REL004, IDN004).
    #[arg(long)]
    pub complete: bool,
    /// Print a bash script of the `az` commands that fix the cluster findings, ordered (in
    /// place first, node restarts and re-creations last); aksguard never runs it.
    #[arg(long, conflicts_with_all = ["write", "diff"])]
    pub az: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FixSafetyArg {
    Safe,
    Review,
}
