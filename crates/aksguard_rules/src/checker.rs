//! The sink rules report into.

use std::sync::Arc;

use aksguard_model::{ContainerView, Inventory, Object, ObjectRef, Pos, Severity};

use crate::settings::RuleSettings;

/// The object a violation is reported on, when it is not the object being checked (rules
/// over the inventory, namespace-level findings on `Namespace/<name>`).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportedOn {
    pub object: Arc<ObjectRef>,
    /// The stream the location refers to.
    pub path: Arc<str>,
    pub template: Option<Arc<str>>,
}

impl ReportedOn {
    pub fn object(object: &Object) -> Self {
        ReportedOn {
            object: object_ref(object),
            path: object.source.path.clone(),
            template: object.template.clone(),
        }
    }
}

/// The reference findings carry for an object (shared by all of its findings).
pub fn object_ref(object: &Object) -> Arc<ObjectRef> {
    object.reference.clone()
}

/// One breach found by a rule, before the engine turns it into a [`aksguard_model::Finding`].
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub pos: Pos,
    pub message: String,
    pub container: Option<String>,
    /// Overrides the rule's default severity (e.g. POD009 for SYS_ADMIN).
    pub severity: Option<Severity>,
    /// The object reported on; `None` means the object the rule was run on.
    pub on: Option<ReportedOn>,
    /// How to fix this breach, as data (see `aksguard_model::fix`).
    pub fix: Option<aksguard_model::Fix>,
}

impl Violation {
    /// A breach of the object or pod as a whole (`container: null`).
    pub fn at(pos: Pos, message: impl Into<String>) -> Self {
        Violation {
            pos,
            message: message.into(),
            container: None,
            severity: None,
            on: None,
            fix: None,
        }
    }

    /// A breach by one container.
    pub fn in_container(
        container: &ContainerView<'_>,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        Violation {
            container: Some(container.name().to_owned()),
            ..Violation::at(pos, message)
        }
    }

    pub fn with_fix(mut self, fix: aksguard_model::Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// Reports on `object` (needed by rules over the inventory).
    pub fn on(mut self, object: &Object) -> Self {
        self.on = Some(ReportedOn::object(object));
        self
    }

    /// Reports on an Azure resource (`ManagedCluster/<name>`, `ContainerRegistry/<name>`)
    /// read from `source`.
    pub fn on_azure(mut self, kind: &str, name: &str, source: &aksguard_model::Source) -> Self {
        self.on = Some(ReportedOn {
            object: Arc::new(ObjectRef {
                api_version: "azure".into(),
                kind: kind.into(),
                namespace: None,
                name: name.into(),
            }),
            path: source.path.clone(),
            template: None,
        });
        self
    }

    /// Reports on `Namespace/<name>`, located in `anchor` (the Namespace manifest when it is
    /// in the scan, else the first object of that namespace; `pos` should be within it).
    pub fn on_namespace(mut self, name: &str, anchor: &Object) -> Self {
        let mut on = ReportedOn::object(anchor);
        on.object = Arc::new(ObjectRef {
            api_version: "v1".into(),
            kind: "Namespace".into(),
            namespace: None,
            name: name.into(),
        });
        self.on = Some(on);
        self
    }
}

pub struct Checker<'a> {
    settings: &'a RuleSettings,
    /// None while files load: only rules that read no other object run then.
    inventory: Option<&'a Inventory>,
    violations: Vec<Violation>,
    /// What the rule could not judge because a value it needs is Unknown (see
    /// [`Checker::unknown_value`]).
    unknown_values: Vec<Violation>,
    /// One reason per target the rule reached but could not judge (see [`Checker::undecided`]).
    undecided: Vec<String>,
}

impl<'a> Checker<'a> {
    pub fn new(settings: &'a RuleSettings, inventory: &'a Inventory) -> Self {
        Checker {
            settings,
            inventory: Some(inventory),
            violations: Vec::new(),
            unknown_values: Vec::new(),
            undecided: Vec::new(),
        }
    }

    /// A checker for rules that [`Rule::judges_alone`](crate::Rule::judges_alone):
    /// there is no inventory yet.
    pub fn while_loading(settings: &'a RuleSettings) -> Self {
        Checker {
            settings,
            inventory: None,
            violations: Vec::new(),
            unknown_values: Vec::new(),
            undecided: Vec::new(),
        }
    }

    pub fn settings(&self) -> &'a RuleSettings {
        self.settings
    }

    /// Every object of the scan, with cross-object indexes (RBAC graph, namespaces, …).
    /// Only for rules that declare `reads_other_objects` (or run over the inventory): a rule
    /// that asks while files load gets an empty inventory, and fails its tests.
    pub fn inventory(&self) -> &'a Inventory {
        static EMPTY: std::sync::LazyLock<Inventory> = std::sync::LazyLock::new(Inventory::default);
        debug_assert!(
            self.inventory.is_some(),
            "a rule read the inventory without declaring `reads_other_objects`"
        );
        self.inventory.unwrap_or(&EMPTY)
    }

    pub fn report(&mut self, violation: Violation) {
        self.violations.push(violation);
    }

    /// How many violations were reported since the last [`Checker::take`].
    pub fn reported(&self) -> usize {
        self.violations.len()
    }

    /// Places the violations reported since `start` on an Azure target (unless they name
    /// their object) and gives each the rule's fix spelled for that target.
    pub(crate) fn place_since(
        &mut self,
        start: usize,
        rule: &crate::Rule,
        target: &crate::azure_fix::AzureTarget<'_>,
    ) {
        use crate::azure_fix::AzureTarget;
        for violation in self.violations.iter_mut().skip(start) {
            if violation.on.is_none() {
                let (kind, name, source) = match target {
                    AzureTarget::Cluster(cluster) => {
                        ("ManagedCluster", &cluster.name, &cluster.source)
                    }
                    AzureTarget::Pool { cluster, pool, .. } => {
                        ("ManagedCluster", &cluster.name, &pool.source)
                    }
                    AzureTarget::Registry(registry) => {
                        ("ContainerRegistry", &registry.name, &registry.source)
                    }
                };
                let placed = std::mem::replace(violation, Violation::at(Pos::default(), ""))
                    .on_azure(kind, name, source);
                *violation = placed;
            }
            violation.fix = Some(crate::azure_fix::build(rule, target, violation.fix.take()));
        }
    }

    /// Reports `violation` of `rule` on an Azure target, as the cluster, node-pool and
    /// registry targets do, for AKS/ACR rules that run over the whole inventory.
    pub(crate) fn report_on(
        &mut self,
        rule: &crate::Rule,
        target: &crate::azure_fix::AzureTarget<'_>,
        violation: Violation,
    ) {
        let start = self.violations.len();
        self.violations.push(violation);
        self.place_since(start, rule, target);
    }

    pub fn take(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.violations)
    }

    /// Records that the rule could not judge something because a value it needs is Unknown
    /// (a placeholder, an unresolved expression). Unknown never fires; this is how the scan
    /// says what was not judged. `violation.message` says what was unknown.
    pub fn unknown_value(&mut self, violation: Violation) {
        self.unknown_values.push(violation);
    }

    pub fn take_unknown_values(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.unknown_values)
    }

    /// Says that one target (a cluster, a registry) could not be judged: its source cannot
    /// hold what the rule looks for (`az aks show` JSON has no diagnostic settings), or the
    /// value is Unknown. Call it once per such target; a rule all of whose targets are
    /// undecided is reported as not judged, with `reason`, and its compliance controls as
    /// not assessed. Only rules over the inventory (`Check::Inventory`) may call it.
    pub fn undecided(&mut self, reason: impl Into<String>) {
        self.undecided.push(reason.into());
    }

    /// The reasons [`Checker::undecided`] collected since the last call.
    pub fn take_undecided(&mut self) -> Vec<String> {
        std::mem::take(&mut self.undecided)
    }
}
