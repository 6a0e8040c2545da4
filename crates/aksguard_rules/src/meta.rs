//! What a rule declares about itself.

use std::sync::Arc;

use aksguard_model::azure::{ContainerRegistry, ManagedCluster, NodePool};
use aksguard_model::{
    ContainerView, Fix, FixSafety, Inventory, Object, PodSpecView, RuleText, Severity,
};

use crate::checker::Checker;

/// Rule families; the ID prefix names the family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Pod,
    Image,
    Secret,
    Rbac,
    Network,
    Namespace,
    Identity,
    Reliability,
    Cluster,
    Registry,
}

impl Family {
    pub const ALL: [Family; 10] = [
        Family::Pod,
        Family::Image,
        Family::Secret,
        Family::Rbac,
        Family::Network,
        Family::Namespace,
        Family::Identity,
        Family::Reliability,
        Family::Cluster,
        Family::Registry,
    ];

    /// The ID prefix, e.g. `POD`.
    pub fn code(self) -> &'static str {
        match self {
            Family::Pod => "POD",
            Family::Image => "IMG",
            Family::Secret => "SEC",
            Family::Rbac => "RBAC",
            Family::Network => "NET",
            Family::Namespace => "NS",
            Family::Identity => "IDN",
            Family::Reliability => "REL",
            Family::Cluster => "AKS",
            Family::Registry => "ACR",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Family::Pod => "Pod and container security",
            Family::Image => "Images and supply chain",
            Family::Secret => "Secrets and credentials",
            Family::Rbac => "Kubernetes role-based access",
            Family::Network => "Network policy and exposure",
            Family::Namespace => "Namespaces and tenancy",
            Family::Identity => "Workload identity",
            Family::Reliability => "Reliability for upgrades and rolling updates",
            Family::Cluster => "AKS cluster configuration",
            Family::Registry => "The cluster's container registry",
        }
    }

    /// The folder its rule files and fixtures live in.
    pub fn folder(self) -> &'static str {
        match self {
            Family::Pod => "pod",
            Family::Image => "image",
            Family::Secret => "secret",
            Family::Rbac => "rbac",
            Family::Network => "network",
            Family::Namespace => "namespace",
            Family::Identity => "identity",
            Family::Reliability => "reliability",
            Family::Cluster => "cluster",
            Family::Registry => "registry",
        }
    }
}

/// Where the engine hands a rule its input. The engine does the iterating (every workload
/// kind, every init/regular/ephemeral container), so rules only inspect one view.
#[derive(Clone, Copy)]
pub enum Check {
    /// Called once per container of every pod template.
    Container(fn(&ContainerView<'_>, &mut Checker<'_>)),
    /// Called once per pod template.
    PodSpec(fn(&PodSpecView<'_>, &mut Checker<'_>)),
    /// Called once per object of any kind.
    Object(fn(&Object, &mut Checker<'_>)),
    /// Called once per scan with every object (cross-resource rules). Violations must say
    /// which object they are on (`Violation::on` / `on_namespace`).
    Inventory(fn(&Inventory, &mut Checker<'_>)),
    /// Called once per managed cluster of the scan. Violations are reported on
    /// `ManagedCluster/<name>` in the cluster's source, with the rule's fix spelled for that
    /// cluster (see `crate::azure_fix`), unless the rule says otherwise.
    Cluster(fn(&ManagedCluster, &mut Checker<'_>)),
    /// Called once per node pool of every managed cluster; violations are reported on the
    /// cluster, located in the pool's own source.
    NodePool(fn(&ManagedCluster, &NodePool, &mut Checker<'_>)),
    /// Called once per container registry; violations are reported on
    /// `ContainerRegistry/<name>`.
    Registry(fn(&ContainerRegistry, &mut Checker<'_>)),
}

/// One setting to change in infrastructure as code, in each language's spelling. Either
/// spelling may be empty when that language cannot express it (azurerm has no attribute for
/// some preview settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IacSetting {
    /// The REST path below the resource's `properties` (below the agent pool for node-pool
    /// rules), as ARM, Bicep and azapi write it: `apiServerAccessProfile.disableRunCommand`.
    pub arm: &'static str,
    /// The ARM/Bicep value: `true`, `'Standard'` is written `"Standard"` (JSON).
    pub arm_value: &'static str,
    /// The azurerm attribute, dotted through nested blocks: `run_command_enabled`,
    /// `key_vault_secrets_provider.secret_rotation_enabled`. For node-pool rules it is the
    /// attribute of the pool block (`default_node_pool` or the node pool resource).
    pub terraform: &'static str,
    /// The Terraform value as written in HCL: `false`, `"Standard"`.
    pub terraform_value: &'static str,
}

impl IacSetting {
    /// The same property path for ARM and a Terraform attribute.
    pub const fn new(
        arm: &'static str,
        arm_value: &'static str,
        terraform: &'static str,
        terraform_value: &'static str,
    ) -> Self {
        IacSetting {
            arm,
            arm_value,
            terraform,
            terraform_value,
        }
    }

    /// A setting only ARM, Bicep and azapi can write.
    pub const fn arm(arm: &'static str, arm_value: &'static str) -> Self {
        IacSetting::new(arm, arm_value, "", "")
    }
}

/// How a rule's findings are fixed: the one definition the default fix of each finding,
/// `aksguard rule`, the docs and SARIF derive from. A violation may carry its own
/// [`Fix`] (a patch, a command with the values it found); the rest come from here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleFix {
    /// One sentence ending with a period; `None` takes the first sentence of the rule's
    /// `remediation`.
    pub summary: Option<&'static str>,
    pub safety: FixSafety,
    /// `az` command templates (AKS/ACR rules), filled per finding: `{cluster-args}` becomes
    /// `--resource-group <rg> --name <cluster>`, and `{group}`, `{cluster}`, `{pool}`,
    /// `{registry}` the names themselves (placeholders such as `<cluster>` when unresolved).
    pub commands: &'static [&'static str],
    /// The IaC settings that fix it, spelled per finding for the source it came from.
    pub iac: &'static [IacSetting],
}

impl RuleFix {
    /// Needs a human choice; nothing mechanical.
    pub const MANUAL: RuleFix = RuleFix {
        summary: None,
        safety: FixSafety::Manual,
        commands: &[],
        iac: &[],
    };
    /// A mechanical change no workload notices beyond the security property.
    pub const SAFE: RuleFix = RuleFix {
        safety: FixSafety::Safe,
        ..RuleFix::MANUAL
    };
    /// A mechanical change that may break a workload: read before applying.
    pub const REVIEW: RuleFix = RuleFix {
        safety: FixSafety::Review,
        ..RuleFix::MANUAL
    };

    /// What `aksguard rules` shows in its fix column: `commands+iac`, `iac`, `commands`, or
    /// the safety of a fix without either (`safe`/`review` are edited by `aksguard fix`).
    pub fn kind(&self) -> String {
        let mut parts = Vec::new();
        if !self.commands.is_empty() {
            parts.push("commands");
        }
        if !self.iac.is_empty() {
            parts.push("iac");
        }
        if parts.is_empty() {
            parts.push(match self.safety {
                FixSafety::Manual => "manual",
                FixSafety::Safe | FixSafety::Review => "edits",
            });
        }
        parts.join("+")
    }
}

/// The first sentence of `text` (up to the first `. ` outside backticks that does not end
/// an abbreviation such as `e.g.`), with its period.
pub fn first_sentence(text: &str) -> String {
    let mut in_code = false;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'.' if !in_code => {
                let at_end = bytes
                    .get(i + 1)
                    .is_none_or(|next| next.is_ascii_whitespace());
                let before = &text[..i];
                let abbreviation = ["e.g", "i.e", "etc", "vs"]
                    .iter()
                    .any(|a| before.ends_with(a));
                if at_end && !abbreviation {
                    return shortened(&collapse(&text[..=i]));
                }
            }
            _ => {}
        }
    }
    let whole = collapse(text);
    if whole.ends_with('.') {
        whole
    } else {
        format!("{whole}.")
    }
}

/// Longest summary kept whole: a longer first sentence is cut at its first `:` or `;`
/// (outside backticks and parentheses), which ends the instruction before its details.
const SUMMARY_MAX: usize = 160;

fn shortened(sentence: &str) -> String {
    if sentence.len() <= SUMMARY_MAX {
        return sentence.to_owned();
    }
    let (mut in_code, mut depth) = (false, 0u32);
    for (i, c) in sentence.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '(' if !in_code => depth += 1,
            ')' if !in_code => depth = depth.saturating_sub(1),
            ':' | ';' if !in_code && depth == 0 && i > 0 => {
                return format!("{}.", sentence[..i].trim_end());
            }
            _ => {}
        }
    }
    sentence.to_owned()
}

/// Runs of whitespace as one space (rule texts are wrapped in the source).
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The guidance a rule enforces and peers' equivalent checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference {
    /// Kubernetes Pod Security Standards: level and control name.
    Pss(&'static str, &'static str),
    /// CIS Azure Kubernetes Service Benchmark recommendation ID (`4.2.1`), numbered as in
    /// the version `controls::CIS_AKS_VERSION` names.
    CisAks(&'static str),
    /// A page of Microsoft's AKS guidance: title and URL.
    Guide(&'static str, &'static str),
    /// A peer scanner's check and how its meaning relates to the rule's (see `crate::peer`).
    Peer(crate::peer::PeerCheck),
    Cve(&'static str),
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reference::Pss(level, control) => {
                write!(f, "Pod Security Standards ({level}): {control}")
            }
            Reference::CisAks(control) => {
                write!(
                    f,
                    "CIS AKS Benchmark {} {control}",
                    crate::controls::CIS_AKS_VERSION
                )?;
                match crate::controls::cis_aks_title(control) {
                    Some(title) => write!(f, ": {title}"),
                    None => Ok(()),
                }
            }
            Reference::Guide(title, url) => write!(f, "{title} <{url}>"),
            Reference::Peer(check) => write!(f, "{}: {}", check.tool.name(), check.id),
            Reference::Cve(id) => write!(f, "{id}"),
        }
    }
}

pub struct Rule {
    /// Stable ID (`POD001`); never changes meaning.
    pub id: &'static str,
    /// Human name in kebab case, named after the bad state (`privileged-container`).
    pub slug: &'static str,
    /// One line, no trailing period, at most 80 characters.
    pub title: &'static str,
    pub family: Family,
    /// Default severity; a finding may raise or lower it where the rule says so.
    pub severity: Severity,
    /// What the rule checks, precisely (the docs' "What it checks").
    pub checks: &'static str,
    /// Why it matters (the docs' "Why it matters", SARIF fullDescription).
    pub rationale: &'static str,
    /// How to fix it; ends with a period.
    pub remediation: &'static str,
    pub references: &'static [Reference],
    /// How its findings are fixed (summary, safety, `az` commands, IaC settings).
    pub fix: RuleFix,
    /// Linux-only rules are skipped for Windows pods (RULES.md "General semantics").
    pub linux_only: bool,
    /// A per-object check that also looks at other objects (`Checker::inventory`). The
    /// engine runs every other per-object check while files load, before the inventory
    /// exists, and sheds the bulk of each object afterwards (see `Object::shed_bulk`); these
    /// run once the inventory is built. Cross-resource (`Check::Inventory`) rules set false.
    pub reads_other_objects: bool,
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Rule {
    /// Runs this rule over one object, dispatching by its target. Rules over the inventory
    /// do nothing here; see [`Rule::run_inventory`].
    pub fn run(&self, object: &Object, out: &mut Checker<'_>) {
        self.run_with_pod(object, PodSpecView::of(object).as_ref(), out);
    }

    /// [`Rule::run`] with the object's pod template already found (`PodSpecView::of`), so
    /// that a caller running many rules over one object looks it up once.
    pub fn run_with_pod(
        &self,
        object: &Object,
        pod: Option<&PodSpecView<'_>>,
        out: &mut Checker<'_>,
    ) {
        let pod = pod.filter(|pod| !(self.linux_only && pod.is_windows()));
        match self.check {
            Check::Inventory(_) | Check::Cluster(_) | Check::NodePool(_) | Check::Registry(_) => {}
            Check::Object(check) => check(object, out),
            Check::PodSpec(check) => {
                if let Some(pod) = pod {
                    check(pod, out);
                }
            }
            Check::Container(check) => {
                if let Some(pod) = pod {
                    for container in pod.containers() {
                        check(&container, out);
                    }
                }
            }
        }
    }

    /// Runs a cross-resource rule once over the whole inventory; per-object rules do nothing.
    pub fn run_inventory(&self, inventory: &Inventory, out: &mut Checker<'_>) {
        use crate::azure_fix::AzureTarget;
        let azure = inventory.azure();
        match self.check {
            Check::Inventory(check) => check(inventory, out),
            Check::Cluster(check) => {
                for cluster in &azure.clusters {
                    let start = out.reported();
                    check(cluster, out);
                    out.place_since(start, self, &AzureTarget::Cluster(cluster));
                }
            }
            Check::NodePool(check) => {
                for cluster in &azure.clusters {
                    for (index, pool) in cluster.node_pools.iter().enumerate() {
                        let start = out.reported();
                        check(cluster, pool, out);
                        let target = AzureTarget::Pool {
                            cluster,
                            pool,
                            index,
                        };
                        out.place_since(start, self, &target);
                    }
                }
            }
            Check::Registry(check) => {
                for registry in &azure.registries {
                    let start = out.reported();
                    check(registry, out);
                    out.place_since(start, self, &AzureTarget::Registry(registry));
                }
            }
            Check::Object(_) | Check::PodSpec(_) | Check::Container(_) => {}
        }
    }

    /// Whether the rule runs once over the inventory (cross-resource rules and the
    /// cluster, node-pool and registry targets) rather than on each object.
    pub fn is_inventory_rule(&self) -> bool {
        matches!(
            self.check,
            Check::Inventory(_) | Check::Cluster(_) | Check::NodePool(_) | Check::Registry(_)
        )
    }

    /// The fix's one-sentence summary.
    pub fn fix_summary(&self) -> String {
        self.fix
            .summary
            .map_or_else(|| first_sentence(self.remediation), str::to_owned)
    }

    /// The fix a finding gets when its violation carries none: the rule's summary and
    /// safety, made once per rule and shared by all of its findings (a large scan holds
    /// hundreds of thousands of findings; they hold one pointer each).
    pub fn default_fix(&self) -> Arc<Fix> {
        static FIXES: std::sync::LazyLock<std::collections::HashMap<&'static str, Arc<Fix>>> =
            std::sync::LazyLock::new(|| {
                crate::all_rules()
                    .iter()
                    .map(|rule| (rule.id, Arc::new(rule.make_default_fix())))
                    .collect()
            });
        FIXES
            .get(self.id)
            .cloned()
            .unwrap_or_else(|| Arc::new(self.make_default_fix()))
    }

    fn make_default_fix(&self) -> Fix {
        Fix::new(self.fix_summary(), self.fix.safety)
    }

    /// The title, remediation and references (as text) that each of the rule's findings
    /// carries: made once per rule and shared by its findings.
    pub fn text(&self) -> &'static RuleText {
        static TEXTS: std::sync::LazyLock<std::collections::HashMap<&'static str, RuleText>> =
            std::sync::LazyLock::new(|| {
                crate::all_rules()
                    .iter()
                    .map(|rule| (rule.id, rule.make_text()))
                    .collect()
            });
        // Findings come only from rules the engine found in the registry.
        TEXTS
            .get(self.id)
            .expect("every rule that reports is in the registry")
    }

    fn make_text(&self) -> RuleText {
        RuleText {
            title: self.title,
            remediation: self.remediation,
            references: self.references.iter().map(ToString::to_string).collect(),
        }
    }

    /// Whether the rule needs nothing but the object it checks: it can run on each object as
    /// it is loaded (with `Checker::while_loading`), before the object sheds its bulk, and at
    /// admission, where a review carries one object.
    pub fn judges_alone(&self) -> bool {
        !self.is_inventory_rule() && !self.reads_other_objects
    }
}
