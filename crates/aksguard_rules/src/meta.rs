//! What a rule declares about itself.

use aksguard_model::{ContainerView, Inventory, Object, PodSpecView, RuleText, Severity};

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
            Check::Inventory(_) => {}
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
        if let Check::Inventory(check) = self.check {
            check(inventory, out);
        }
    }

    pub fn is_inventory_rule(&self) -> bool {
        matches!(self.check, Check::Inventory(_))
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
