//! Builds the [`SecurityGraph`] of one scan: Kubernetes exposure, workloads, service
//! accounts and RBAC here, Azure identities and roles in [`crate::azure`].
//!
//! Findings decide what per-object property holds (POD001 privileged, NET010 no source
//! ranges, …): objects have shed their container fields by the time the graph is built, and
//! a finding is also what the user can fix. Structure across objects (which Service selects
//! which pods, who a binding grants what, which NetworkPolicy isolates a pod) comes from the
//! model: label selectors, [`aksguard_model::netpol`], the RBAC graph's rules.
//!
//! Every step is one pass over the objects of a kind with hash lookups, so building is
//! linear in objects (see the benchmark in `examples/paths_bench.rs`).

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};

use aksguard_model::azure::ManagedCluster;
use aksguard_model::netpol::{self, NetworkPolicy, PeerKind};
use aksguard_model::rbac::{Binding, Role, RoleKind};
use aksguard_model::service::{ingress_backend_services, service_selector};
use aksguard_model::{
    Finding, Inventory, LabelSelector, Node, Object, PodServiceAccount, Severity,
};

use crate::cost::{edge_fix, impact, likelihood};
use crate::graph::{EdgeFix, NodeRef, Place, SecurityGraph};

/// An address no private range holds: traffic from the internet to a LoadBalancer.
const PUBLIC_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));

pub(crate) struct Builder<'a> {
    pub inventory: &'a Inventory,
    pub findings: &'a [Finding],
    /// (kind, namespace or "", name) → finding indexes.
    by_object: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    pub graph: SecurityGraph,
    /// The only AKS cluster of the scan: its nodes run every workload. With several
    /// clusters which one runs a manifest is unknown, so no workload reaches a kubelet
    /// identity.
    pub cluster: Option<&'a ManagedCluster>,
    host: Option<usize>,
    imds: Option<usize>,
    /// NetworkPolicies per namespace, parsed once.
    policies: HashMap<&'a str, Vec<NetworkPolicy<'a>>>,
    /// ServiceAccount nodes created for workloads: (namespace, name, node).
    pub accounts: Vec<(&'a str, &'a str, usize)>,
}

impl<'a> Builder<'a> {
    pub fn new(inventory: &'a Inventory, findings: &'a [Finding]) -> Builder<'a> {
        let mut by_object: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
        for (index, finding) in findings.iter().enumerate() {
            let object = &*finding.object;
            by_object
                .entry((
                    object.kind.as_str(),
                    object.namespace.as_deref().unwrap_or(""),
                    object.name.as_str(),
                ))
                .or_default()
                .push(index);
        }
        let clusters = &inventory.azure().clusters;
        Builder {
            inventory,
            findings,
            by_object,
            graph: SecurityGraph::new(),
            cluster: (clusters.len() == 1).then(|| &clusters[0]),
            host: None,
            imds: None,
            policies: HashMap::new(),
            accounts: Vec::new(),
        }
    }

    /// Findings of `rules` on one object: their indexes and rule IDs.
    pub fn on(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        rules: &[&str],
    ) -> (Vec<usize>, Vec<&'static str>) {
        self.on_where(kind, namespace, name, |f| rules.contains(&f.rule_id))
    }

    pub fn on_where(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        keep: impl Fn(&Finding) -> bool,
    ) -> (Vec<usize>, Vec<&'static str>) {
        let mut indexes = Vec::new();
        let mut rules = Vec::new();
        if let Some(found) = self.by_object.get(&(kind, namespace.unwrap_or(""), name)) {
            for &index in found {
                let finding = &self.findings[index];
                if keep(finding) {
                    indexes.push(index);
                    rules.push(finding.rule_id);
                }
            }
        }
        (indexes, rules)
    }

    /// Findings of `rule` anywhere (cluster-level rules report on the cluster resource).
    pub fn any_of(&self, rule: &str) -> (Vec<usize>, Vec<&'static str>) {
        let indexes: Vec<usize> = self
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.rule_id == rule)
            .map(|(i, _)| i)
            .collect();
        let rules = indexes.iter().map(|&i| self.findings[i].rule_id).collect();
        (indexes, rules)
    }

    pub fn fix(
        &self,
        summary: String,
        default: u8,
        rules: &[&'static str],
        findings: &[usize],
    ) -> EdgeFix {
        edge_fix(summary, default, rules, findings, self.findings)
    }

    pub fn object_node(&mut self, object: &Object) -> usize {
        let reference = NodeRef::new(
            &object.kind,
            object.namespace.as_deref(),
            object.name.as_deref().unwrap_or("<unnamed>"),
        );
        let place = Place {
            path: object.source.path.to_string(),
            line: object.root.pos.line,
        };
        self.graph.node(reference, Some(place))
    }

    /// The nodes the workloads run on: a crown jewel.
    pub fn host(&mut self) -> usize {
        if let Some(host) = self.host {
            return host;
        }
        let (name, place) = match self.cluster {
            Some(cluster) => (
                cluster.name.clone(),
                Some(Place {
                    path: cluster.source.path.to_string(),
                    line: cluster.pos.line,
                }),
            ),
            None => ("nodes".to_owned(), None),
        };
        let host = self.graph.node(NodeRef::new("Node", None, &name), place);
        self.graph.mark_jewel(host, "node/host", impact::NODE_HOST);
        self.host = Some(host);
        host
    }

    /// The instance metadata endpoint the pods can reach.
    pub fn imds(&mut self) -> usize {
        if let Some(imds) = self.imds {
            return imds;
        }
        let imds = self.graph.node(
            NodeRef::new("InstanceMetadata", None, "169.254.169.254"),
            None,
        );
        self.imds = Some(imds);
        imds
    }

    fn policies_of(&mut self, namespace: &'a str) -> &[NetworkPolicy<'a>] {
        let inventory = self.inventory;
        self.policies
            .entry(namespace)
            .or_insert_with(|| netpol::policies_in(inventory, namespace))
    }

    pub fn build(mut self) -> SecurityGraph {
        let workloads = self.workloads();
        self.exposure(&workloads);
        self.rbac();
        crate::azure::add(&mut self);
        self.graph
    }

    /// One node per workload, with its moves to the node, IMDS and its ServiceAccount.
    /// Returns the workloads' labels index for Service selectors.
    fn workloads(&mut self) -> WorkloadIndex<'a> {
        let inventory = self.inventory;
        let mut index = WorkloadIndex::default();
        let no_policy_engine = self.cluster.is_some() && !self.any_of("AKS008").0.is_empty();
        for (object, pod) in inventory.workloads() {
            let node = self.object_node(object);
            let namespace = object.namespace.as_deref().unwrap_or("");
            let name = object.name.as_deref().unwrap_or("<unnamed>");
            let labels = Inventory::pod_labels(&pod);
            index.add(namespace, labels, node);
            self.host_moves(object, node);
            self.imds_move(
                object,
                &pod,
                namespace,
                name,
                labels,
                node,
                no_policy_engine,
            );
            self.account_move(object, &pod, node);
        }
        index
    }

    fn host_moves(&mut self, object: &Object, node: usize) {
        let namespace = object.namespace.as_deref();
        let name = object.name.as_deref().unwrap_or("<unnamed>");
        let (found, _) = self.on_where(&object.kind, namespace, name, |f| match f.rule_id {
            "POD001" | "POD004" | "POD019" => true,
            // hostPath and added capabilities give the host only at their critical level
            // (runtime socket, `/`, /etc, …; SYS_ADMIN, SYS_MODULE, …).
            "POD013" | "POD009" => f.severity == Severity::Critical,
            _ => false,
        });
        if found.is_empty() {
            return;
        }
        let host = self.host();
        for index in found {
            let rule = self.findings[index].rule_id;
            let (reason, fix) = match rule {
                "POD001" => ("privileged container", "remove `privileged: true`"),
                "POD004" => ("shares the host's PID namespace", "remove `hostPID: true`"),
                "POD019" => (
                    "Windows HostProcess container",
                    "remove `hostProcess: true`",
                ),
                "POD013" => (
                    "mounts a sensitive host path",
                    "replace the hostPath volume (emptyDir, a CSI volume)",
                ),
                _ => (
                    "adds a capability that escapes the container",
                    "drop the added capability",
                ),
            };
            let fix = self.fix(
                format!("{fix} in {}", object.display_name()),
                2,
                &[rule],
                &[index],
            );
            self.graph
                .edge(node, host, vec![index], vec![rule], reason, Some(fix));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn imds_move(
        &mut self,
        object: &Object,
        pod: &aksguard_model::PodSpecView<'a>,
        namespace: &'a str,
        name: &str,
        labels: Option<&Node>,
        node: usize,
        no_policy_engine: bool,
    ) {
        let kind = &object.kind;
        let host_network = pod.get("hostNetwork").and_then(Node::as_bool) == Some(true);
        if host_network {
            let found = self.on(
                kind,
                Some(namespace).filter(|n| !n.is_empty()),
                name,
                &["POD003"],
            );
            let fix = format!("remove `hostNetwork: true` from {}", object.display_name());
            self.imds_edge(
                node,
                found,
                fix,
                2,
                "host network: no network policy applies",
            );
            return;
        }
        if no_policy_engine {
            let found = self.any_of("AKS008");
            let fix =
                "enable a network policy engine on the cluster, then block 169.254.169.254 egress";
            let reason = "no network policy engine: every pod reaches IMDS";
            self.imds_edge(node, found, fix.to_owned(), 5, reason);
            return;
        }
        let allowed = {
            let policies = self.policies_of(namespace);
            let selecting = policies.iter().filter(|p| p.selects(labels));
            netpol::imds_egress(selecting).is_allowed()
        };
        if allowed {
            let found = self.on("Namespace", None, namespace, &["NET003"]);
            let fix = format!(
                "add an egress NetworkPolicy in `{namespace}` that excepts 169.254.169.254/32"
            );
            let reason = "no egress policy blocks 169.254.169.254";
            self.imds_edge(node, found, fix, 2, reason);
        }
    }

    /// Workload → IMDS for `reason`, with the findings that open the way and the fix that
    /// closes it, priced from `default_cost` and those findings (see [`edge_fix`]).
    fn imds_edge(
        &mut self,
        node: usize,
        (found, rules): (Vec<usize>, Vec<&'static str>),
        fix: String,
        default_cost: u8,
        reason: &str,
    ) {
        let fix = self.fix(fix, default_cost, &rules, &found);
        let imds = self.imds();
        self.graph.edge(node, imds, found, rules, reason, Some(fix));
    }

    /// Workload → its ServiceAccount, when the pod holds a credential of it: the token is
    /// mounted, or the workload identity webhook injects one.
    fn account_move(
        &mut self,
        object: &Object,
        pod: &aksguard_model::PodSpecView<'a>,
        node: usize,
    ) {
        let inventory = self.inventory;
        let account = PodServiceAccount::of(pod);
        let pod_mounts = pod
            .get("automountServiceAccountToken")
            .and_then(Node::as_bool);
        let mut definitions = inventory
            .service_accounts(account.namespace, account.name)
            .peekable();
        let account_mounts = definitions.peek().is_none()
            || inventory
                .service_accounts(account.namespace, account.name)
                .any(|sa| {
                    sa.root
                        .get("automountServiceAccountToken")
                        .and_then(Node::as_bool)
                        != Some(false)
                });
        let token = match pod_mounts {
            Some(mounts) => mounts,
            None => account_mounts,
        };
        let workload_identity = pod
            .metadata
            .and_then(|m| m.at("labels"))
            .and_then(|l| l.get("azure.workload.identity/use"))
            .and_then(Node::as_str)
            == Some("true");
        if !token && !workload_identity {
            return;
        }
        let namespace = account.namespace;
        let place = inventory
            .service_account(namespace, account.name)
            .map(|sa| Place {
                path: sa.source.path.to_string(),
                line: sa.root.pos.line,
            });
        let sa = self.graph.node(
            NodeRef::new(
                "ServiceAccount",
                Some(namespace).filter(|n| !n.is_empty()),
                account.name,
            ),
            place,
        );
        let name = object.name.as_deref().unwrap_or("<unnamed>");
        let (found, rules) = self.on(&object.kind, object.namespace.as_deref(), name, &["POD016"]);
        let (reason, fix) = if token {
            (
                "runs as it (token mounted)",
                Some(self.fix(
                    format!(
                        "set `automountServiceAccountToken: false` on {}",
                        object.display_name()
                    ),
                    2,
                    &rules,
                    &found,
                )),
            )
        } else {
            ("runs as it (workload identity token)", None)
        };
        if !self.accounts.iter().any(|&(_, _, n)| n == sa) {
            self.accounts.push((namespace, account.name, sa));
        }
        self.graph.edge(node, sa, found, rules, reason, fix);
    }

    /// Public Services and Ingresses, and the workloads they reach.
    fn exposure(&mut self, workloads: &WorkloadIndex<'a>) {
        let inventory = self.inventory;
        // Ingress backends first: a Service they route to is reached from the ingress
        // controller's namespace, not only from the internet.
        let mut backends: HashSet<(&str, String)> = HashSet::new();
        let mut ingress_routes: Vec<(&Object, Vec<String>)> = Vec::new();
        for ingress in inventory.of_kind("Ingress") {
            let namespace = ingress.namespace.as_deref().unwrap_or("");
            let services = ingress_backends(ingress);
            for service in &services {
                backends.insert((namespace, service.clone()));
            }
            ingress_routes.push((ingress, services));
        }
        let public_nodes = self.public_nodes();
        let mut service_nodes: HashMap<(&str, &str), usize> = HashMap::new();
        for service in inventory.of_kind("Service") {
            let namespace = service.namespace.as_deref().unwrap_or("");
            let name = service.name.as_deref().unwrap_or("<unnamed>");
            let spec = service.root.get("spec");
            let kind = spec
                .and_then(|s| s.get("type"))
                .and_then(Node::as_str)
                .unwrap_or("ClusterIP");
            let internal = service
                .annotation("service.beta.kubernetes.io/azure-load-balancer-internal")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            let ranges = spec
                .and_then(|s| s.get("loadBalancerSourceRanges"))
                .is_some_and(|r| !r.items().is_empty());
            let public_lb = kind == "LoadBalancer" && !internal && !ranges;
            let public_node_port = kind == "NodePort" && public_nodes.is_some();
            let backend = backends.contains(&(namespace, name.to_owned()));
            if !public_lb && !public_node_port && !backend {
                continue;
            }
            let Some((_, selector)) = service_selector(service) else {
                continue;
            };
            let node = self.object_node(service);
            service_nodes.insert((namespace, name), node);
            if public_lb {
                let (found, rules) = self.on(
                    "Service",
                    service.namespace.as_deref(),
                    name,
                    &["NET006", "NET010"],
                );
                let fix = self.fix(
                    format!(
                        "set `loadBalancerSourceRanges` on {} or make it internal",
                        service.display_name()
                    ),
                    2,
                    &rules,
                    &found,
                );
                self.entry(
                    node,
                    likelihood::PUBLIC_LOAD_BALANCER,
                    found,
                    rules,
                    "public load balancer, no source ranges",
                    fix,
                );
            } else if public_node_port {
                let (mut found, mut rules) =
                    self.on("Service", service.namespace.as_deref(), name, &["NET007"]);
                if let Some((more, more_rules)) = public_nodes.clone() {
                    found.extend(more);
                    rules.extend(more_rules);
                }
                let fix = self.fix(
                    format!(
                        "make {} a ClusterIP Service behind an ingress",
                        service.display_name()
                    ),
                    3,
                    &rules,
                    &found,
                );
                self.entry(
                    node,
                    likelihood::PUBLIC_NODE_PORT,
                    found,
                    rules,
                    "node port on nodes with public IPs",
                    fix,
                );
            }
            for target in workloads.selected(namespace, &selector) {
                let labels = workloads.labels(target);
                let reachable = (public_lb || public_node_port)
                    && self.admits(namespace, labels, Source::Internet)
                    || backend && self.admits(namespace, labels, Source::OtherNamespace);
                if !reachable {
                    continue;
                }
                let workload = self.graph.nodes[target].object.clone();
                let (found, rules) = self.on(
                    &workload.kind,
                    workload.namespace.as_deref(),
                    &workload.name,
                    &["NET004"],
                );
                let fix = self.fix(
                    format!(
                        "isolate {} with an ingress NetworkPolicy that admits only the traffic it serves",
                        workload.label()
                    ),
                    4,
                    &rules,
                    &found,
                );
                self.graph
                    .edge(node, target, found, rules, "selects its pods", Some(fix));
            }
        }
        for (ingress, services) in ingress_routes {
            let namespace = ingress.namespace.as_deref().unwrap_or("");
            let name = ingress.name.as_deref().unwrap_or("<unnamed>");
            let targets: Vec<usize> = services
                .iter()
                .filter_map(|s| service_nodes.get(&(namespace, s.as_str())).copied())
                .collect();
            if targets.is_empty() {
                continue;
            }
            let node = self.object_node(ingress);
            let (found, rules) = self.on(
                "Ingress",
                ingress.namespace.as_deref(),
                name,
                &["NET008", "NET009", "NET013"],
            );
            let chance = if rules.contains(&"NET009") {
                likelihood::INGRESS_WITHOUT_WAF
            } else {
                likelihood::INGRESS
            };
            let fix = self.fix(
                format!(
                    "put {} behind a WAF or restrict its sources",
                    ingress.display_name()
                ),
                3,
                &rules,
                &found,
            );
            self.entry(node, chance, found, rules, "public Ingress", fix);
            for target in targets {
                self.graph.edge(
                    node,
                    target,
                    Vec::new(),
                    Vec::new(),
                    "routes to the Service",
                    None,
                );
            }
        }
    }

    /// Whether node pools have public IPs (the findings that say so), for NodePorts.
    fn public_nodes(&self) -> Option<(Vec<usize>, Vec<&'static str>)> {
        let found = self.any_of("AKS020");
        (!found.0.is_empty()).then_some(found)
    }

    pub fn entry(
        &mut self,
        node: usize,
        chance: f64,
        found: Vec<usize>,
        rules: Vec<&'static str>,
        reason: &str,
        fix: EdgeFix,
    ) {
        let current = self.graph.nodes[node].likelihood.unwrap_or(0.0);
        self.graph.nodes[node].likelihood = Some(current.max(chance));
        self.graph.edge(
            SecurityGraph::INTERNET,
            node,
            found,
            rules,
            reason,
            Some(fix),
        );
    }

    /// Whether traffic from `source` may reach pods with `labels` in `namespace`: no
    /// NetworkPolicy isolates them for ingress, or one of the policies selecting them admits
    /// such a peer (ports are not weighed: a path needs one open port).
    fn admits(&mut self, namespace: &'a str, labels: Option<&Node>, source: Source) -> bool {
        let policies = self.policies_of(namespace);
        let mut isolated = false;
        for policy in policies
            .iter()
            .filter(|p| p.policy_types.ingress && p.selects(labels))
        {
            isolated = true;
            for rule in &policy.ingress {
                if rule.allows_all_peers() {
                    return true;
                }
                let admitted = rule.peers.iter().any(|peer| {
                    peer.is_everything()
                        || peer.contains_address(PUBLIC_ADDRESS)
                        || (source == Source::OtherNamespace
                            && matches!(
                                &peer.kind,
                                PeerKind::Pods {
                                    namespace_selector: Some(_),
                                    ..
                                }
                            ))
                });
                if admitted {
                    return true;
                }
            }
        }
        !isolated
    }

    /// RBAC: what each binding grants its subjects, as edges from the subjects (the
    /// workloads' ServiceAccounts, the groups they belong to, anonymous users) to
    /// permission nodes.
    fn rbac(&mut self) {
        let inventory = self.inventory;
        let graph = inventory.rbac();
        let objects = inventory.objects();
        let roles: HashMap<(RoleKind, Option<&str>, &str), &Role> = graph
            .roles
            .iter()
            .map(|r| {
                let namespace = match r.kind {
                    RoleKind::ClusterRole => None,
                    RoleKind::Role => r.namespace.as_deref(),
                };
                ((r.kind, namespace, r.name.as_str()), r)
            })
            .collect();
        let accounts: HashMap<(&str, &str), usize> = self
            .accounts
            .iter()
            .map(|&(ns, name, node)| ((ns, name), node))
            .collect();
        let mut groups_used = false;
        for binding in &graph.bindings {
            let role_namespace = match binding.role_kind {
                RoleKind::ClusterRole => None,
                RoleKind::Role => binding.namespace.as_deref(),
            };
            let role = roles
                .get(&(
                    binding.role_kind,
                    role_namespace,
                    binding.role_name.as_str(),
                ))
                .copied();
            let grants = grants_of(binding, role, graph, objects);
            if grants.is_empty() {
                continue;
            }
            let mut subjects = Vec::new();
            for subject in &binding.subjects {
                let namespace = subject.namespace.as_deref().unwrap_or("");
                let node = match subject.kind.as_str() {
                    "ServiceAccount" => accounts.get(&(namespace, subject.name.as_str())).copied(),
                    "Group" | "User" if is_shared_group(&subject.name) => {
                        groups_used = true;
                        Some(
                            self.graph
                                .node(NodeRef::new(&subject.kind, None, &subject.name), None),
                        )
                    }
                    _ => None,
                };
                subjects.extend(node);
            }
            if subjects.is_empty() {
                continue;
            }
            let binding_object = &objects[binding.object];
            let role_object = role.map(|r| &objects[r.object]);
            for grant in grants {
                let permission = self.permission(
                    grant,
                    binding
                        .namespace
                        .as_deref()
                        .filter(|_| !binding.cluster_wide),
                );
                let (mut found, mut rules) = self.on(
                    binding.kind(),
                    binding_object.namespace.as_deref(),
                    &binding.name,
                    grant.rules(),
                );
                if let Some(role_object) = role_object {
                    let (more, more_rules) = self.on(
                        &role_object.kind,
                        role_object.namespace.as_deref(),
                        role_object.name.as_deref().unwrap_or(""),
                        grant.rules(),
                    );
                    found.extend(more);
                    rules.extend(more_rules);
                }
                let reason = format!(
                    "{} grants {} through {} {}",
                    binding.display(),
                    grant.describe(),
                    binding.role_kind.as_str(),
                    binding.role_name
                );
                let fix = self.fix(
                    format!(
                        "remove the subject from {} or narrow {} {}",
                        binding.display(),
                        binding.role_kind.as_str(),
                        binding.role_name
                    ),
                    2,
                    &rules,
                    &found,
                );
                for &subject in &subjects {
                    self.graph.edge(
                        subject,
                        permission,
                        found.clone(),
                        rules.clone(),
                        reason.clone(),
                        Some(fix.clone()),
                    );
                }
            }
        }
        if groups_used {
            self.group_memberships();
        }
    }

    /// ServiceAccounts → the groups every ServiceAccount (of a namespace) belongs to.
    fn group_memberships(&mut self) {
        for (namespace, _, account) in self.accounts.clone() {
            for group in [
                "system:serviceaccounts".to_owned(),
                format!("system:serviceaccounts:{namespace}"),
                "system:authenticated".to_owned(),
            ] {
                if let Some(node) = self.graph.find(&NodeRef::new("Group", None, &group)) {
                    self.graph.edge(
                        account,
                        node,
                        Vec::new(),
                        Vec::new(),
                        "member of the group",
                        None,
                    );
                }
            }
        }
    }

    /// The permission node of a grant in `namespace` (`None`: cluster-wide), with its own
    /// moves on (a crown jewel, or to the node or cluster-admin).
    fn permission(&mut self, grant: Grant, namespace: Option<&str>) -> usize {
        let node = self
            .graph
            .node(NodeRef::new("Permission", namespace, grant.name()), None);
        match grant {
            Grant::ClusterAdmin => {
                self.graph
                    .mark_jewel(node, "cluster-admin", impact::CLUSTER_ADMIN);
            }
            Grant::SecretsRead => {
                let impact = if namespace.is_some() {
                    impact::SECRETS_NAMESPACE
                } else {
                    impact::SECRETS_CLUSTER
                };
                self.graph.mark_jewel(node, "secrets", impact);
            }
            Grant::Escalate => {
                if namespace.is_none() {
                    let admin = self.permission(Grant::ClusterAdmin, None);
                    self.graph.edge(
                        node,
                        admin,
                        Vec::new(),
                        Vec::new(),
                        "can grant itself any role",
                        None,
                    );
                } else {
                    for next in [Grant::SecretsRead, Grant::PodCreate] {
                        let target = self.permission(next, namespace);
                        self.graph.edge(
                            node,
                            target,
                            Vec::new(),
                            Vec::new(),
                            "can grant itself any role in the namespace",
                            None,
                        );
                    }
                }
            }
            Grant::PodCreate => self.pod_create_reaches_host(node, namespace),
            Grant::NodeProxy => {
                let host = self.host();
                self.graph.edge(
                    node,
                    host,
                    Vec::new(),
                    Vec::new(),
                    "the kubelet API runs commands in any pod of the node",
                    None,
                );
            }
        }
        node
    }

    /// Creating pods gives the node unless Pod Security enforces baseline or restricted in
    /// the namespace.
    fn pod_create_reaches_host(&mut self, node: usize, namespace: Option<&str>) {
        let (found, rules, reason) = match namespace {
            Some(namespace) => {
                let enforce = self
                    .inventory
                    .namespace_object(namespace)
                    .and_then(|ns| ns.label("pod-security.kubernetes.io/enforce"))
                    .unwrap_or("");
                if matches!(enforce, "baseline" | "restricted") {
                    return;
                }
                let (found, rules) = self.on("Namespace", None, namespace, &["NS001", "NS002"]);
                (
                    found,
                    rules,
                    format!(
                        "can start a privileged pod (Pod Security does not enforce baseline in `{namespace}`)"
                    ),
                )
            }
            None => (
                Vec::new(),
                Vec::new(),
                "can start a privileged pod in any namespace without Pod Security enforcement"
                    .to_owned(),
            ),
        };
        let fix = self.fix(
            match namespace {
                Some(namespace) => format!(
                    "label namespace `{namespace}` pod-security.kubernetes.io/enforce=baseline"
                ),
                None => "enforce Pod Security baseline on every namespace".to_owned(),
            },
            if namespace.is_some() { 2 } else { 3 },
            &rules,
            &found,
        );
        let host = self.host();
        self.graph.edge(node, host, found, rules, reason, Some(fix));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Internet,
    /// Pods of another namespace (an ingress controller).
    OtherNamespace,
}

/// What a binding grants that an attacker wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    ClusterAdmin,
    SecretsRead,
    PodCreate,
    Escalate,
    NodeProxy,
}

impl Grant {
    fn name(self) -> &'static str {
        match self {
            Grant::ClusterAdmin => "cluster-admin",
            Grant::SecretsRead => "read secrets",
            Grant::PodCreate => "create pods",
            Grant::Escalate => "escalate/bind/impersonate",
            Grant::NodeProxy => "nodes/proxy",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Grant::ClusterAdmin => "full control (`*` on `*`)",
            Grant::SecretsRead => "read access to Secrets",
            Grant::PodCreate => "pod creation or exec",
            Grant::Escalate => "escalate, bind or impersonate",
            Grant::NodeProxy => "`nodes/proxy`",
        }
    }

    /// The rules whose findings mark this grant.
    fn rules(self) -> &'static [&'static str] {
        match self {
            Grant::ClusterAdmin => &["RBAC001", "RBAC002", "RBAC007", "RBAC008"],
            Grant::SecretsRead => &["RBAC003", "RBAC002", "RBAC007", "RBAC008"],
            Grant::PodCreate => &["RBAC005", "RBAC002", "RBAC007", "RBAC008"],
            Grant::Escalate => &["RBAC004", "RBAC002", "RBAC007", "RBAC008"],
            Grant::NodeProxy => &["RBAC006", "RBAC007", "RBAC008"],
        }
    }
}

/// What `binding` grants, judged with the role's rules (aggregation included) through the
/// model's [`aksguard_model::PolicyRule::allows`]. A RoleBinding never grants cluster-admin:
/// full control of one namespace is its secrets, pods and roles.
fn grants_of(
    binding: &Binding,
    role: Option<&Role>,
    graph: &aksguard_model::RbacGraph,
    objects: &[Object],
) -> Vec<Grant> {
    let everything = match role {
        None => binding.role_kind == RoleKind::ClusterRole && binding.role_name == "cluster-admin",
        Some(role) => graph.rules_of(role, objects).iter().any(|rule| {
            rule.verbs.iter().any(|v| v == "*")
                && rule.resources.iter().any(|r| r == "*")
                && rule.api_groups.iter().any(|g| g == "*")
        }),
    };
    if everything {
        return if binding.cluster_wide {
            vec![Grant::ClusterAdmin]
        } else {
            vec![Grant::SecretsRead, Grant::PodCreate, Grant::Escalate]
        };
    }
    let Some(role) = role else {
        return Vec::new();
    };
    let rules = graph.rules_of(role, objects);
    let allows = |verb: &str, group: &str, resource: &str| {
        rules.iter().any(|r| r.allows(verb, group, resource))
    };
    let mut grants = Vec::new();
    if allows("get", "", "secrets") || allows("list", "", "secrets") {
        grants.push(Grant::SecretsRead);
    }
    let workload_kinds = [
        ("", "pods"),
        ("apps", "deployments"),
        ("apps", "daemonsets"),
        ("apps", "statefulsets"),
        ("batch", "jobs"),
        ("batch", "cronjobs"),
    ];
    if workload_kinds.iter().any(|(g, r)| allows("create", g, r))
        || allows("create", "", "pods/exec")
    {
        grants.push(Grant::PodCreate);
    }
    let rbac = "rbac.authorization.k8s.io";
    if allows("escalate", rbac, "clusterroles")
        || allows("escalate", rbac, "roles")
        || allows("bind", rbac, "clusterroles")
        || allows("bind", rbac, "roles")
        || allows("impersonate", "", "users")
        || allows("impersonate", "", "serviceaccounts")
        || allows("impersonate", "", "groups")
    {
        grants.push(Grant::Escalate);
    }
    if binding.cluster_wide
        && (allows("get", "", "nodes/proxy") || allows("create", "", "nodes/proxy"))
    {
        grants.push(Grant::NodeProxy);
    }
    grants
}

/// Groups (and the anonymous user) that take in many subjects: every ServiceAccount, those
/// of a namespace, every authenticated or unauthenticated caller.
fn is_shared_group(name: &str) -> bool {
    name == "system:serviceaccounts"
        || name.starts_with("system:serviceaccounts:")
        || name == "system:authenticated"
        || name == "system:unauthenticated"
        || name == "system:anonymous"
}

/// The Service names an Ingress routes to, each once, default backend first.
fn ingress_backends(ingress: &Object) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in ingress_backend_services(ingress)
        .into_iter()
        .filter_map(Node::as_str)
    {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Workload nodes by (namespace, label key, label value), so a Service's selector looks only
/// at the workloads carrying its first label.
#[derive(Default)]
struct WorkloadIndex<'a> {
    by_label: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    labels: HashMap<usize, Option<&'a Node>>,
}

impl<'a> WorkloadIndex<'a> {
    fn add(&mut self, namespace: &'a str, labels: Option<&'a Node>, node: usize) {
        self.labels.insert(node, labels);
        for entry in labels.map(Node::entries).unwrap_or_default() {
            if let Some(value) = entry.value.as_str() {
                self.by_label
                    .entry((namespace, entry.key.as_str(), value))
                    .or_default()
                    .push(node);
            }
        }
    }

    fn labels(&self, node: usize) -> Option<&'a Node> {
        self.labels.get(&node).copied().flatten()
    }

    fn selected(&self, namespace: &str, selector: &LabelSelector) -> Vec<usize> {
        let Some(first) = selector.requirements.first() else {
            return Vec::new();
        };
        let Some(value) = first.values.first() else {
            return Vec::new();
        };
        let mut found: Vec<usize> = self
            .by_label
            .get(&(namespace, first.key.as_str(), value.as_str()))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&node| selector.matches(self.labels(node)))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}
