//! The order of reading: subscriptions → per subscription its clusters, pricings and
//! surroundings (security contacts, alert rules, user-assigned identities → their federated
//! credentials → the role assignments of those with one) → per cluster its child lists, role
//! assignments (at the cluster and at its node resource group), the policy assignments that
//! apply to it (`$filter=atScope()`: at the cluster, its resource group, subscription and
//! management groups), the subnets its pools name → their NSGs and route tables, and the
//! Application Gateway its AGIC add-on names → its WAF policy → the registries its kubelet
//! identity holds a role on. Lists of one level are read concurrently (the client bounds
//! requests in flight); each result is turned into model resources as soon as it arrives,
//! so a read cut off by the overall timeout keeps what it had. A resource named by several
//! clusters (a shared subnet, NSG or gateway) is read once.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aksguard_load::azure::{from_document, join_listed, node_pool_from_rest};
use aksguard_model::azure::builtins::is_guid;
use aksguard_model::azure::{AzureResources, NodePool};
use aksguard_model::{LoadError, Node, Source};
use futures::future::try_join_all;

use crate::api::Kind;
use crate::client::{Client, Failure};
use crate::{AzureListing, AzureRequest, ProgressEvent, UnreadableAzure};

const REGISTRY_PATH: &str = "/providers/microsoft.containerregistry/registries/";

/// Checks what goes into URL paths before anything is sent.
pub fn validate(request: &AzureRequest) -> Result<(), String> {
    for subscription in &request.subscriptions {
        if !is_guid(subscription.trim()) {
            return Err(format!(
                "--subscription `{subscription}` is not a subscription ID (a GUID such as \
                 00000000-0000-0000-0000-000000000000)"
            ));
        }
    }
    if let Some(group) = &request.resource_group {
        let ok = !group.is_empty()
            && group.len() <= 90
            && !group.ends_with('.')
            && group
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'));
        if !ok {
            return Err(format!(
                "--resource-group `{group}` is not a resource group name"
            ));
        }
    }
    if let Some(name) = &request.aks_name {
        let ok = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        if !ok {
            return Err(format!("--aks-name `{name}` is not an AKS cluster name"));
        }
    }
    Ok(())
}

/// What each cluster's child lists gave, by lower-cased cluster ID.
#[derive(Default)]
struct ClusterReads {
    diagnostic_settings: bool,
    maintenance_configurations: bool,
    node_pools: Option<Vec<NodePool>>,
}

#[derive(Default)]
struct Collected {
    azure: AzureResources,
    errors: Vec<LoadError>,
    unreadable: Vec<UnreadableAzure>,
    notes: Vec<String>,
    clusters: HashMap<String, ClusterReads>,
    /// IDs of role and policy assignments already kept (lists overlap: inherited
    /// assignments come back at every scope below theirs), and of resources already read
    /// by ID, lower-cased.
    seen: HashSet<String>,
    /// Registry IDs to read, lower-cased → as written.
    registries: HashMap<String, String>,
}

pub struct Reader<'a> {
    request: &'a AzureRequest,
    client: &'a Client,
    progress: &'a (dyn Fn(ProgressEvent) + Sync),
    collected: Mutex<Collected>,
}

/// A failure that stops the whole read.
type Fatal = String;

impl<'a> Reader<'a> {
    pub fn new(
        request: &'a AzureRequest,
        client: &'a Arc<Client>,
        progress: &'a (dyn Fn(ProgressEvent) + Sync),
    ) -> Self {
        Reader {
            request,
            client,
            progress,
            collected: Mutex::new(Collected::default()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Collected) -> T) -> T {
        f(&mut self
            .collected
            .lock()
            .unwrap_or_else(PoisonError::into_inner))
    }

    pub async fn read_all(&self) -> Result<(), Fatal> {
        let subscriptions = self.subscriptions().await?;
        try_join_all(subscriptions.iter().map(|s| self.read_subscription(s))).await?;
        let registries: Vec<String> = self.with(|c| {
            let mut ids: Vec<String> = c.registries.values().cloned().collect();
            ids.sort();
            ids
        });
        try_join_all(registries.iter().map(|id| self.read_registry(id))).await?;
        let (clusters, none_found) =
            self.with(|c| (c.azure.clusters.len(), c.azure.clusters.is_empty()));
        if none_found {
            let what = match (&self.request.aks_name, &self.request.resource_group) {
                (Some(name), _) => format!("no AKS cluster named `{name}`"),
                (None, Some(group)) => format!("no AKS cluster in resource group `{group}`"),
                (None, None) => "no AKS cluster".to_owned(),
            };
            self.with(|c| {
                c.errors.push(LoadError::new(
                    "azure://",
                    None,
                    format!(
                        "{what} was found in subscription(s) {}: nothing to judge",
                        subscriptions.join(", ")
                    ),
                ))
            });
        } else {
            let registries = registries.len();
            self.with(|c| {
                c.notes.push(format!(
                    "Azure: read {clusters} cluster(s) and {registries} registr{} in {} \
                     subscription(s)",
                    if registries == 1 { "y" } else { "ies" },
                    subscriptions.len()
                ))
            });
        }
        Ok(())
    }

    /// The subscriptions asked for, else every enabled one the credential sees.
    async fn subscriptions(&self) -> Result<Vec<String>, Fatal> {
        if !self.request.subscriptions.is_empty() {
            let mut seen = HashSet::new();
            return Ok(self
                .request
                .subscriptions
                .iter()
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| seen.insert(s.clone()))
                .collect());
        }
        let url = self.url(Kind::Subscriptions, "/subscriptions", &[]);
        let items = match self.client.list(url).await {
            Ok(items) => items,
            Err(failure) if failure.is_fatal() => return Err(fatal_text(failure)),
            Err(failure) => {
                return Err(format!(
                    "cannot list the subscriptions the credential sees ({}); name them with \
                     --subscription",
                    failure_text(Kind::Subscriptions, &failure)
                ));
            }
        };
        self.report(Kind::Subscriptions, "/subscriptions", Some(items.len()));
        let mut chosen = Vec::new();
        for item in &items {
            let Some(id) = text(item, "subscriptionId").filter(|id| is_guid(id)) else {
                continue;
            };
            let state = text(item, "state").unwrap_or_default();
            if state.eq_ignore_ascii_case("Disabled") || state.eq_ignore_ascii_case("Deleted") {
                self.with(|c| {
                    c.notes
                        .push(format!("Azure: subscription {id} is {state}; not read"))
                });
                continue;
            }
            chosen.push(id.to_ascii_lowercase());
        }
        if chosen.is_empty() {
            return Err("the credential sees no enabled subscription: nothing to read".into());
        }
        Ok(chosen)
    }

    async fn read_subscription(&self, subscription: &str) -> Result<(), Fatal> {
        let scope = format!("/subscriptions/{subscription}");
        let pricings = format!("{scope}/providers/Microsoft.Security/pricings");
        let (clusters, pricings, surroundings) = futures::join!(
            self.clusters(subscription),
            self.list(Kind::Pricings, &scope, &pricings, &[]),
            self.read_subscription_surroundings(&scope),
        );
        surroundings?;
        if let Some(items) = pricings? {
            self.keep(&items);
        }
        let clusters = clusters?;
        try_join_all(
            clusters
                .iter()
                .map(|(id, node)| self.read_cluster(id, node)),
        )
        .await?;
        Ok(())
    }

    /// What a subscription holds around its clusters: Defender security contacts, alert
    /// rules, and user-assigned identities with their federated credentials and, for the
    /// identities with one (workload identities), their role assignments anywhere in the
    /// subscription.
    async fn read_subscription_surroundings(&self, scope: &str) -> Result<(), Fatal> {
        let under = |kind: Kind| format!("{scope}/providers/{}", kind.resource_type());
        let paths = [
            Kind::SecurityContacts,
            Kind::ScheduledQueryRules,
            Kind::MetricAlerts,
            Kind::ActivityLogAlerts,
            Kind::UserAssignedIdentities,
        ]
        .map(|kind| (kind, under(kind)));
        let lists = futures::future::join_all(
            paths
                .iter()
                .map(|(kind, path)| self.list(*kind, scope, path, &[])),
        )
        .await;
        let mut identities = None;
        for ((kind, _), items) in paths.iter().zip(lists) {
            match (kind, items?) {
                (Kind::UserAssignedIdentities, items) => identities = items,
                (_, Some(items)) => self.keep(&items),
                (_, None) => {}
            }
        }
        let Some(identities) = identities else {
            return Ok(());
        };
        self.keep(&identities);
        try_join_all(
            identities
                .iter()
                .filter_map(|identity| text(identity, "id"))
                .map(|id| self.read_identity(scope, id, identities.as_slice())),
        )
        .await?;
        Ok(())
    }

    /// An identity's federated credentials, and when it has one, its role assignments in
    /// the subscription (what a workload using it may do).
    async fn read_identity(&self, subscription: &str, id: &str, all: &[Node]) -> Result<(), Fatal> {
        let path = format!("{id}/federatedIdentityCredentials");
        let Some(credentials) = self
            .list(Kind::FederatedCredentials, id, &path, &[])
            .await?
        else {
            return Ok(());
        };
        self.keep(&credentials);
        let principal = all
            .iter()
            .find(|i| text(i, "id") == Some(id))
            .and_then(|i| i.get("properties"))
            .and_then(|p| text(p, "principalId"))
            .filter(|p| is_guid(p));
        let (false, Some(principal)) = (credentials.is_empty(), principal) else {
            return Ok(());
        };
        let filter = format!("principalId eq '{principal}'");
        let path = format!("{subscription}/providers/Microsoft.Authorization/roleAssignments");
        if let Some(items) = self
            .list(
                Kind::RoleAssignments,
                subscription,
                &path,
                &[("$filter", filter.as_str())],
            )
            .await?
        {
            self.keep_assignments(&items);
        }
        Ok(())
    }

    /// One resource by ID, kept in the model; `None` when it does not exist (a note), could
    /// not be read (an error entry) or was read already.
    async fn get_once(&self, kind: Kind, id: &str, named_by: &str) -> Result<Option<Node>, Fatal> {
        if !self.with(|c| c.seen.insert(id.to_ascii_lowercase())) {
            return Ok(None);
        }
        match self.client.get(&self.url(kind, id, &[])).await {
            Ok(node) => {
                self.report(kind, id, Some(1));
                self.keep(std::slice::from_ref(&node));
                Ok(Some(node))
            }
            Err(Failure::NotFound) => {
                self.report(kind, id, Some(0));
                self.with(|c| {
                    c.notes.push(format!(
                        "Azure: {} {id} (named by {named_by}) does not exist",
                        kind.resource_type()
                    ))
                });
                Ok(None)
            }
            Err(failure) => {
                self.failed(kind, id, &failure)?;
                Ok(None)
            }
        }
    }

    /// A node subnet, then its NSG and route table.
    async fn read_subnet(&self, subnet: &str, cluster: &str) -> Result<(), Fatal> {
        let Some(node) = self.get_once(Kind::Subnets, subnet, cluster).await? else {
            return Ok(());
        };
        let linked = |key: &str| {
            node.get("properties")
                .and_then(|p| p.get(key))
                .and_then(|l| text(l, "id"))
                .map(str::to_owned)
        };
        let (nsg, table) = (linked("networkSecurityGroup"), linked("routeTable"));
        let (nsg, table) = futures::join!(
            async {
                match &nsg {
                    Some(id) => self.get_once(Kind::NetworkSecurityGroups, id, subnet).await,
                    None => Ok(None),
                }
            },
            async {
                match &table {
                    Some(id) => self.get_once(Kind::RouteTables, id, subnet).await,
                    None => Ok(None),
                }
            },
        );
        nsg?;
        table?;
        Ok(())
    }

    /// The Application Gateway the cluster's AGIC add-on uses, then its WAF policy.
    async fn read_gateway(&self, gateway: &str, cluster: &str) -> Result<(), Fatal> {
        let Some(node) = self
            .get_once(Kind::ApplicationGateways, gateway, cluster)
            .await?
        else {
            return Ok(());
        };
        let policy = node
            .get("properties")
            .and_then(|p| p.get("firewallPolicy"))
            .and_then(|l| text(l, "id"))
            .map(str::to_owned);
        if let Some(policy) = policy {
            self.get_once(Kind::WafPolicies, &policy, gateway).await?;
        }
        Ok(())
    }

    /// The clusters of a subscription that the request selects, each kept in the model.
    async fn clusters(&self, subscription: &str) -> Result<Vec<(String, Node)>, Fatal> {
        const PROVIDER: &str = "providers/Microsoft.ContainerService/managedClusters";
        let request = self.request;
        let sub_scope = format!("/subscriptions/{subscription}");
        let nodes = match (&request.resource_group, &request.aks_name) {
            (Some(group), Some(name)) => {
                let id = format!("{sub_scope}/resourceGroups/{group}/{PROVIDER}/{name}");
                let url = self.url(Kind::ManagedClusters, &id, &[]);
                match self.client.get(&url).await {
                    Ok(node) => {
                        self.report(Kind::ManagedClusters, &id, Some(1));
                        vec![node]
                    }
                    Err(Failure::NotFound) => Vec::new(),
                    Err(failure) => {
                        self.failed(Kind::ManagedClusters, &id, &failure)?;
                        Vec::new()
                    }
                }
            }
            (group, name) => {
                let scope = match group {
                    Some(group) => format!("{sub_scope}/resourceGroups/{group}"),
                    None => sub_scope.clone(),
                };
                let path = format!("{scope}/{PROVIDER}");
                let items = self
                    .list(Kind::ManagedClusters, &scope, &path, &[])
                    .await?
                    .unwrap_or_default();
                match name {
                    Some(name) => items
                        .into_iter()
                        .filter(|c| text(c, "name").is_some_and(|n| n.eq_ignore_ascii_case(name)))
                        .collect(),
                    None => items,
                }
            }
        };
        let mut clusters = Vec::new();
        for node in nodes {
            match text(&node, "id").filter(|id| id.starts_with("/subscriptions/")) {
                Some(id) => {
                    self.keep(std::slice::from_ref(&node));
                    clusters.push((id.to_owned(), node));
                }
                None => self.with(|c| {
                    c.errors.push(LoadError::new(
                        format!("azure://{sub_scope}"),
                        None,
                        "a managed cluster without a resource ID was returned; not judged",
                    ))
                }),
            }
        }
        Ok(clusters)
    }

    async fn read_cluster(&self, id: &str, cluster: &Node) -> Result<(), Fatal> {
        let kubelet = cluster
            .get("properties")
            .and_then(|p| p.get("identityProfile"))
            .and_then(|p| p.get("kubeletidentity"))
            .and_then(|k| text(k, "objectId"))
            .filter(|oid| is_guid(oid));
        let subscription = id.split('/').take(3).collect::<Vec<_>>().join("/");
        let pools = format!("{id}/agentPools");
        let maintenance = format!("{id}/maintenanceConfigurations");
        let diagnostics = format!("{id}/providers/Microsoft.Insights/diagnosticSettings");
        let assignments = format!("{id}/providers/Microsoft.Authorization/roleAssignments");
        let kubelet_assignments =
            format!("{subscription}/providers/Microsoft.Authorization/roleAssignments");
        let filter = kubelet.map(|oid| format!("principalId eq '{oid}'"));
        let node_group = cluster
            .get("properties")
            .and_then(|p| text(p, "nodeResourceGroup"))
            .filter(|g| !g.is_empty() && !g.contains(['/', '?', '#']))
            .map(|g| format!("{subscription}/resourceGroups/{g}"));
        let policies = format!("{id}/providers/Microsoft.Authorization/policyAssignments");
        let (node_group_assignments, policies, gateway) = futures::join!(
            async {
                match &node_group {
                    Some(group) => {
                        let path =
                            format!("{group}/providers/Microsoft.Authorization/roleAssignments");
                        self.list(Kind::RoleAssignments, group, &path, &[]).await
                    }
                    None => Ok(None),
                }
            },
            self.list(
                Kind::PolicyAssignments,
                id,
                &policies,
                &[("$filter", "atScope()")]
            ),
            async {
                match application_gateway_of(cluster) {
                    Some(gateway) => self.read_gateway(&gateway, id).await,
                    None => Ok(()),
                }
            },
        );
        if let Some(items) = node_group_assignments? {
            self.keep_assignments(&items);
        }
        if let Some(items) = policies? {
            self.keep_assignments(&items);
        }
        gateway?;
        let (pools, maintenance, diagnostics, assignments, kubelet_assignments) = futures::join!(
            self.list(Kind::AgentPools, id, &pools, &[]),
            self.list(Kind::MaintenanceConfigurations, id, &maintenance, &[]),
            self.list(Kind::DiagnosticSettings, id, &diagnostics, &[]),
            self.list(Kind::RoleAssignments, id, &assignments, &[]),
            async {
                match &filter {
                    Some(filter) => {
                        self.list(
                            Kind::RoleAssignments,
                            &subscription,
                            &kubelet_assignments,
                            &[("$filter", filter.as_str())],
                        )
                        .await
                    }
                    None => Ok(None),
                }
            },
        );
        let key = id.to_ascii_lowercase();
        let pools = pools?;
        // The node subnets: as the pools list gives them (newer), else the cluster body.
        let subnets = node_subnets(pools.as_deref().unwrap_or_default(), cluster);
        try_join_all(subnets.iter().map(|subnet| self.read_subnet(subnet, id))).await?;
        if let Some(items) = pools {
            let found: Vec<NodePool> = items
                .iter()
                .filter_map(|item| node_pool_from_rest(item, &source_of(item, &pools_scope(id))))
                .collect();
            self.with(|c| c.clusters.entry(key.clone()).or_default().node_pools = Some(found));
        }
        if let Some(items) = maintenance? {
            self.keep(&items);
            self.with(|c| {
                c.clusters
                    .entry(key.clone())
                    .or_default()
                    .maintenance_configurations = true
            });
        }
        if let Some(items) = diagnostics? {
            self.keep(&items);
            self.with(|c| {
                c.clusters
                    .entry(key.clone())
                    .or_default()
                    .diagnostic_settings = true
            });
        }
        if let Some(items) = assignments? {
            self.keep_assignments(&items);
        }
        if let Some(items) = kubelet_assignments? {
            self.keep_assignments(&items);
            self.registries_of_kubelet(id, &items);
        }
        Ok(())
    }

    /// Registries the kubelet identity holds a role on (the registries the cluster pulls
    /// from); a role at a wider scope is a note, since which registries it covers is not
    /// read.
    fn registries_of_kubelet(&self, cluster_id: &str, assignments: &[Node]) {
        for assignment in assignments {
            let Some(scope) = assignment.get("properties").and_then(|p| text(p, "scope")) else {
                continue;
            };
            let lower = scope.to_ascii_lowercase();
            match lower.find(REGISTRY_PATH) {
                Some(at) => {
                    let name_end = scope[at + REGISTRY_PATH.len()..]
                        .find('/')
                        .map_or(scope.len(), |end| at + REGISTRY_PATH.len() + end);
                    let registry = scope[..name_end].trim_end_matches('/').to_owned();
                    self.with(|c| {
                        c.registries
                            .entry(registry.to_ascii_lowercase())
                            .or_insert(registry);
                    });
                }
                None => self.with(|c| {
                    c.notes.push(format!(
                        "Azure: the kubelet identity of {cluster_id} holds a role at {scope}, \
                         not on a registry; the registries under that scope are not read"
                    ))
                }),
            }
        }
    }

    async fn read_registry(&self, id: &str) -> Result<(), Fatal> {
        let url = self.url(Kind::Registries, id, &[]);
        let assignments = format!("{id}/providers/Microsoft.Authorization/roleAssignments");
        let (registry, assignments) = futures::join!(
            self.client.get(&url),
            self.list(Kind::RoleAssignments, id, &assignments, &[])
        );
        match registry {
            Ok(node) => {
                self.report(Kind::Registries, id, Some(1));
                self.keep(std::slice::from_ref(&node));
            }
            Err(Failure::NotFound) => self.with(|c| {
                c.notes.push(format!(
                    "Azure: registry {id} (named by a role assignment) does not exist"
                ))
            }),
            Err(failure) => self.failed(Kind::Registries, id, &failure)?,
        }
        if let Some(items) = assignments? {
            self.keep_assignments(&items);
        }
        Ok(())
    }

    fn url(&self, kind: Kind, path: &str, query: &[(&str, &str)]) -> reqwest::Url {
        let mut pairs = vec![("api-version", kind.api_version())];
        pairs.extend_from_slice(query);
        self.client.endpoint.url(path, &pairs)
    }

    /// Every item of the list at `path`; `Ok(None)` when it could not be read (an error
    /// entry is kept); `Err` when the whole read must stop.
    async fn list(
        &self,
        kind: Kind,
        scope: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Option<Vec<Node>>, Fatal> {
        match self.client.list(self.url(kind, path, query)).await {
            Ok(items) => {
                self.report(kind, scope, Some(items.len()));
                Ok(Some(items))
            }
            Err(failure) => {
                self.failed(kind, scope, &failure)?;
                Ok(None)
            }
        }
    }

    fn report(&self, kind: Kind, scope: &str, items: Option<usize>) {
        (self.progress)(ProgressEvent {
            resource_type: kind.resource_type(),
            scope: scope.to_owned(),
            items,
        });
    }

    /// Records a failed read as an error entry (and an unreadable entry); `Err` for a
    /// failure that stops everything.
    fn failed(&self, kind: Kind, scope: &str, failure: &Failure) -> Result<(), Fatal> {
        if failure.is_fatal() {
            return Err(failure_text(kind, failure));
        }
        self.report(kind, scope, None);
        let reason = failure_text(kind, failure);
        self.with(|c| {
            c.errors.push(LoadError::new(
                format!("azure://{scope}"),
                None,
                format!(
                    "cannot read {}: {reason}; {}",
                    kind.resource_type(),
                    kind.consequence()
                ),
            ));
            c.unreadable.push(UnreadableAzure {
                resource_type: kind.resource_type(),
                rule_kind: kind.rule_kind(),
                scope: scope.to_owned(),
                reason,
            });
        });
        Ok(())
    }

    /// Turns items into model resources, each located at `azure://<its id>`.
    fn keep(&self, items: &[Node]) {
        let mut found = AzureResources::default();
        for item in items {
            let source = source_of(item, "");
            if let Some(resources) = from_document(item, &source) {
                found.extend(resources);
            }
        }
        self.with(|c| c.azure.extend(found));
    }

    fn keep_assignments(&self, items: &[Node]) {
        let fresh: Vec<Node> = self.with(|c| {
            items
                .iter()
                .filter(|item| match text(item, "id") {
                    Some(id) => c.seen.insert(id.to_ascii_lowercase()),
                    None => true,
                })
                .cloned()
                .collect()
        });
        self.keep(&fresh);
    }

    /// Records that the overall timeout cut the read off.
    pub fn timed_out(&self, timeout: Duration) {
        self.with(|c| {
            c.errors.push(LoadError::new(
                "azure://",
                None,
                format!(
                    "reading Azure Resource Manager did not finish within {} s; what was not \
                     read by then is missing from the scan and its rules are not conclusive",
                    timeout.as_secs()
                ),
            ))
        });
    }

    /// The model, with each cluster's children joined and its `holds` set from what was
    /// read in full.
    pub fn finish(self) -> AzureListing {
        let mut collected = self
            .collected
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let notes = join_listed(&mut collected.azure);
        collected.notes.extend(notes);
        let notes = collected.azure.join_surroundings();
        collected.notes.extend(notes);
        for cluster in &mut collected.azure.clusters {
            let Some(id) = &cluster.id else { continue };
            let Some(reads) = collected.clusters.get_mut(&id.to_ascii_lowercase()) else {
                continue;
            };
            cluster.holds.diagnostic_settings |= reads.diagnostic_settings;
            cluster.holds.maintenance_configurations |= reads.maintenance_configurations;
            if let Some(pools) = reads.node_pools.take() {
                cluster.node_pools = pools;
            }
        }
        AzureListing {
            azure: collected.azure,
            errors: collected.errors,
            unreadable: collected.unreadable,
            notes: collected.notes,
            requests: self.client.requests(),
        }
    }
}

/// The distinct `vnetSubnetID`s of a cluster's pools: from the agent pool list when it was
/// read (REST `properties.vnetSubnetID`), else from the body's `agentPoolProfiles`.
fn node_subnets(listed: &[Node], cluster: &Node) -> Vec<String> {
    let body_pools = cluster
        .get("properties")
        .and_then(|p| p.get("agentPoolProfiles"))
        .map(Node::items)
        .unwrap_or_default();
    let subnets_of = |pools: &mut dyn Iterator<Item = &Node>| -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        for pool in pools {
            let subnet = pool
                .entries()
                .iter()
                .find(|e| e.key.eq_ignore_ascii_case("vnetSubnetID"))
                .and_then(|e| e.value.as_str())
                .filter(|s| s.starts_with("/subscriptions/"));
            if let Some(subnet) = subnet
                && !ids.iter().any(|known| known.eq_ignore_ascii_case(subnet))
            {
                ids.push(subnet.to_owned());
            }
        }
        ids
    };
    if listed.is_empty() {
        subnets_of(&mut body_pools.iter())
    } else {
        subnets_of(&mut listed.iter().filter_map(|p| p.get("properties")))
    }
}

/// The Application Gateway the cluster's AGIC add-on (`addonProfiles.ingressApplicationGateway`,
/// enabled) uses: the one AKS reports (`config.effectiveApplicationGatewayId`) or the one it
/// was given (`config.applicationGatewayId`).
fn application_gateway_of(cluster: &Node) -> Option<String> {
    let find = |node: &Node, key: &str| -> Option<Node> {
        node.entries()
            .iter()
            .find(|e| e.key.eq_ignore_ascii_case(key))
            .map(|e| e.value.clone())
    };
    let properties = cluster.get("properties")?;
    let addon = find(
        &find(properties, "addonProfiles")?,
        "ingressApplicationGateway",
    )?;
    if find(&addon, "enabled").and_then(|e| e.as_bool()) != Some(true) {
        return None;
    }
    let config = find(&addon, "config")?;
    ["effectiveApplicationGatewayId", "applicationGatewayId"]
        .iter()
        .find_map(|key| {
            find(&config, key)
                .and_then(|v| v.as_str().map(str::to_owned))
                .filter(|id| id.starts_with("/subscriptions/"))
        })
}

fn pools_scope(cluster_id: &str) -> String {
    format!("{cluster_id}/agentPools")
}

/// `azure://<id>` of a resource (or of `fallback` when it has none).
fn source_of(item: &Node, fallback: &str) -> Arc<Source> {
    let id = text(item, "id").unwrap_or(fallback);
    Arc::new(Source {
        path: format!("azure://{id}").into(),
    })
}

fn text<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::as_str)
}

fn fatal_text(failure: Failure) -> String {
    match failure {
        Failure::Unauthorized(text) | Failure::Credential(text) => text,
        other => format!("{other:?}"),
    }
}

fn failure_text(kind: Kind, failure: &Failure) -> String {
    match failure {
        Failure::Forbidden(code) => format!(
            "403 Forbidden{code}: the credential needs `{}` on this scope (the Reader role \
             has it)",
            kind.read_action()
        ),
        Failure::NotFound => "404 Not Found".to_owned(),
        Failure::Other(text) | Failure::Unauthorized(text) | Failure::Credential(text) => {
            text.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json: &str) -> Node {
        aksguard_load::json::read_json_document(json, &aksguard_load::limits::Limits::default())
            .unwrap()
    }

    const SUBNET: &str =
        "/subscriptions/s/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/a";

    #[test]
    fn node_subnets_come_from_the_pool_list_when_read_else_the_body_each_once() {
        let cluster = node(&format!(
            r#"{{"properties": {{"agentPoolProfiles": [
                {{"name": "a", "vnetSubnetID": "{SUBNET}"}},
                {{"name": "b", "vnetSubnetID": "{}"}},
                {{"name": "c", "vnetSubnetID": "not-an-id"}}, {{"name": "d"}}]}}}}"#,
            SUBNET.to_ascii_lowercase()
        ));
        assert_eq!(node_subnets(&[], &cluster), vec![SUBNET.to_owned()]);
        let listed = [node(&format!(
            r#"{{"name": "a", "properties": {{"vnetSubnetId": "{SUBNET}/../b"}}}}"#
        ))];
        assert_eq!(
            node_subnets(&listed, &cluster),
            vec![format!("{SUBNET}/../b")]
        );
        assert!(node_subnets(&[], &node(r#"{"properties": 3}"#)).is_empty());
    }

    #[test]
    fn the_gateway_is_the_enabled_agic_add_ons() {
        let gateway =
            "/subscriptions/s/resourceGroups/n/providers/Microsoft.Network/applicationGateways/g";
        let with = |enabled: &str, config: &str| {
            node(&format!(
                r#"{{"properties": {{"addonProfiles": {{"IngressApplicationGateway": {{
                "enabled": {enabled}, "config": {config}}}}}}}}}"#
            ))
        };
        let effective = format!(r#"{{"effectiveApplicationGatewayId": "{gateway}"}}"#);
        assert_eq!(
            application_gateway_of(&with("true", &effective)).as_deref(),
            Some(gateway)
        );
        let given = format!(r#"{{"applicationGatewayId": "{gateway}", "subnetCIDR": "x"}}"#);
        assert_eq!(
            application_gateway_of(&with("true", &given)).as_deref(),
            Some(gateway)
        );
        assert_eq!(application_gateway_of(&with("false", &effective)), None);
        assert_eq!(
            application_gateway_of(&with("true", r#"{"applicationGatewayName": "g"}"#)),
            None
        );
        assert_eq!(application_gateway_of(&node("{}")), None);
    }
}
