//! The cluster's Azure surroundings in a template: identities and federated credentials,
//! virtual networks and subnets, NSGs and their rules, route tables and routes, Application
//! Gateways and WAF policies, policy and role assignments, alert rules, Defender security
//! contacts and pricings (with their extensions), read into the model's typed shapes.
//!
//! Every resource gets its [`super::keys`] key; ID properties become [`Ref`]s and [`Link`]s
//! (`Link::Absent` when the property is not set, `Link::Unknown` when its value cannot be
//! resolved). Children declared apart from their parent (`networkSecurityGroups/
//! securityRules`, `routeTables/routes`) go to [`aksguard_model::azure::Detached`], joined
//! once every input is loaded.

use aksguard_model::azure::{
    AlertKind, AlertRule, ApplicationGateway, DefenderPricing, FederatedCredential, Lookup,
    ManagedIdentity, NetworkSecurityGroup, PolicyAssignment, PricingExtension, Ref, ResourceMeta,
    RoleAssignment, Route, RouteTable, SecurityContact, SecurityRule, Settings, Subnet, WafPolicy,
    WafSettings,
};
use aksguard_model::{Node, Pos};

use super::keys::{flag_at, link, reference, scope_ref, text_at};
use super::{Eval, Outer, Walk, get_ci, ids, last_segment};

use crate::azure::resource_types::{
    ACTIVITY_LOG_ALERT, APP_GATEWAY, FEDERATED, IDENTITY, METRIC_ALERT, NSG, NSG_RULE, ROUTE,
    ROUTE_TABLE, SCHEDULED_QUERY, SECURITY_CONTACT, SUBNET, VNET, WAF_POLICY,
};
const POLICY_ASSIGNMENT: &str = "/policyassignments";
const ROLE_ASSIGNMENT: &str = "/roleassignments";
const PRICING: &str = "microsoft.security/pricings";

/// One resource of a template, as the walk found it.
pub(super) struct Found<'a> {
    pub(super) resource: &'a Node,
    pub(super) outer: Option<&'a Outer>,
    pub(super) full_type: &'a str,
    pub(super) full_name: &'a Result<String, String>,
    pub(super) symbol: Option<&'a str>,
}

impl Found<'_> {
    /// The resource's own name (the last segment of a child's `parent/child`).
    fn name(&self) -> String {
        match self.full_name {
            Ok(name) => last_segment(name),
            Err(written) => written.clone(),
        }
    }
}

impl Walk<'_> {
    fn meta(&self, found: &Found<'_>, ev: &Eval<'_>) -> ResourceMeta {
        ResourceMeta {
            name: found.name(),
            key: self.key(
                found.resource,
                ev,
                found.full_type,
                found.full_name,
                found.symbol,
            ),
            pos: found.resource.pos,
            source: self.source.clone(),
            format: self.format,
        }
    }

    /// Reads `found` when it is one of the surrounding resources; anything else is ignored.
    pub(super) fn surrounding(&mut self, found: &Found<'_>, ev: &Eval<'_>) {
        let lower = found.full_type.to_ascii_lowercase();
        match lower.as_str() {
            IDENTITY => {
                let meta = self.meta(found, ev);
                self.out.identities.push(ManagedIdentity {
                    meta,
                    principal_id: None,
                    client_id: None,
                });
            }
            FEDERATED => {
                let settings = ev.settings(found.resource, &[]);
                let credential = FederatedCredential {
                    meta: self.meta(found, ev),
                    identity: Some(self.parent_ref(found, ev, IDENTITY_TYPE)),
                    issuer: text_at(&settings, "issuer"),
                    subject: text_at(&settings, "subject"),
                };
                self.out.federated_credentials.push(credential);
            }
            VNET => self.virtual_network(found, ev),
            SUBNET => {
                let settings = ev.settings(found.resource, &[]);
                let raw = get_ci(found.resource, "properties");
                let subnet = Subnet {
                    meta: self.meta(found, ev),
                    nsg: link(ev.declared, &settings, raw, "networkSecurityGroup"),
                    route_table: link(ev.declared, &settings, raw, "routeTable"),
                    associations_elsewhere: false,
                };
                self.out.subnets.push(subnet);
            }
            NSG => {
                let settings = ev.settings(found.resource, &[]);
                let (rules, rules_unknown) = list(&settings, "securityRules", security_rule);
                let nsg = NetworkSecurityGroup {
                    meta: self.meta(found, ev),
                    rules,
                    rules_unknown,
                };
                self.out.nsgs.push(nsg);
            }
            NSG_RULE => {
                let settings = ev.settings(found.resource, &[]);
                let rule = security_rule(found.name(), found.resource.pos, &settings);
                let parent = self.parent_ref(found, ev, NSG_TYPE);
                self.out.detached.security_rules.push((parent, rule));
            }
            ROUTE_TABLE => {
                let settings = ev.settings(found.resource, &[]);
                let (routes, routes_unknown) = list(&settings, "routes", route);
                let table = RouteTable {
                    meta: self.meta(found, ev),
                    routes,
                    routes_unknown,
                };
                self.out.route_tables.push(table);
            }
            ROUTE => {
                let settings = ev.settings(found.resource, &[]);
                let route = route(found.name(), found.resource.pos, &settings);
                let parent = self.parent_ref(found, ev, ROUTE_TABLE_TYPE);
                self.out.detached.routes.push((parent, route));
            }
            APP_GATEWAY => {
                let settings = ev.settings(found.resource, &[]);
                let raw = get_ci(found.resource, "properties");
                let inline_waf = match settings.get("webApplicationFirewallConfiguration") {
                    Lookup::Known(node) => Some(WafSettings {
                        enabled: flag_at(&settings, "webApplicationFirewallConfiguration.enabled"),
                        mode: text_at(
                            &settings,
                            "webApplicationFirewallConfiguration.firewallMode",
                        ),
                        pos: Some(node.pos),
                    }),
                    _ => None,
                };
                let gateway = ApplicationGateway {
                    meta: self.meta(found, ev),
                    sku_tier: text_at(&settings, "sku.tier"),
                    inline_waf,
                    waf_policy: link(ev.declared, &settings, raw, "firewallPolicy"),
                };
                self.out.application_gateways.push(gateway);
            }
            WAF_POLICY => {
                let settings = ev.settings(found.resource, &[]);
                let state = text_at(&settings, "policySettings.state");
                let policy = WafPolicy {
                    meta: self.meta(found, ev),
                    settings: WafSettings {
                        enabled: state.map(|s| s.eq_ignore_ascii_case("Enabled")),
                        mode: text_at(&settings, "policySettings.mode"),
                        pos: settings.get("policySettings").node().map(|n| n.pos),
                    },
                };
                self.out.waf_policies.push(policy);
            }
            SCHEDULED_QUERY | METRIC_ALERT | ACTIVITY_LOG_ALERT => {
                let settings = ev.settings(found.resource, &[]);
                let kind = match lower.as_str() {
                    SCHEDULED_QUERY => AlertKind::ScheduledQuery,
                    METRIC_ALERT => AlertKind::Metric,
                    _ => AlertKind::ActivityLog,
                };
                let scopes = match settings.get("scopes") {
                    Lookup::Known(node) => {
                        let written = get_ci(found.resource, "properties")
                            .and_then(|p| get_ci(p, "scopes"))
                            .filter(|w| w.is_seq());
                        node.items()
                            .iter()
                            .enumerate()
                            .map(|(i, item)| {
                                let raw = written.and_then(|w| w.items().get(i)).unwrap_or(item);
                                reference(ev, raw)
                            })
                            .collect::<Option<Vec<Ref>>>()
                    }
                    _ => None,
                };
                // `enabled` defaults to true for scheduled-query and activity-log alerts;
                // a metric alert must state it.
                let enabled = match settings.get("enabled") {
                    Lookup::Absent if kind != AlertKind::Metric => Some(true),
                    _ => flag_at(&settings, "enabled"),
                };
                let rule = AlertRule {
                    meta: self.meta(found, ev),
                    kind,
                    scopes,
                    enabled,
                };
                self.out.alert_rules.push(rule);
            }
            SECURITY_CONTACT => {
                let settings = ev.settings(found.resource, &[]);
                let contact = SecurityContact {
                    meta: self.meta(found, ev),
                    notifies: notifies(&settings),
                };
                self.out.security_contacts.push(contact);
            }
            PRICING => {
                let settings = ev.settings(found.resource, &[]);
                let extensions = match settings.get("extensions") {
                    Lookup::Known(node) => Some(
                        node.items()
                            .iter()
                            .map(|item| PricingExtension {
                                name: get_ci(item, "name")
                                    .and_then(Node::as_str)
                                    .unwrap_or("<unnamed>")
                                    .to_owned(),
                                pos: item.pos,
                                enabled: get_ci(item, "isEnabled").and_then(|e| {
                                    e.as_bool().or_else(|| {
                                        let text = e.as_str()?;
                                        if text.eq_ignore_ascii_case("true") {
                                            Some(true)
                                        } else if text.eq_ignore_ascii_case("false") {
                                            Some(false)
                                        } else {
                                            None
                                        }
                                    })
                                }),
                            })
                            .collect(),
                    ),
                    _ => None,
                };
                self.out.pricings.push(DefenderPricing {
                    plan: found.name(),
                    pos: found.resource.pos,
                    source: self.source.clone(),
                    tier: text_at(&settings, "pricingTier"),
                    extensions,
                });
            }
            t if t.ends_with(ROLE_ASSIGNMENT) => self.role_assignment(found, ev),
            t if t.ends_with(POLICY_ASSIGNMENT) => self.policy_assignment(found, ev),
            _ => {}
        }
    }

    /// The parent a child names in its `parent/child` name (`vnet/nodes`), as a reference
    /// to the parent's ID; opaque when the name is not known.
    fn parent_ref(&self, found: &Found<'_>, ev: &Eval<'_>, parent_type: &str) -> Ref {
        match found.full_name {
            Ok(name) => match name.rsplit_once('/') {
                Some((parent, _)) => match ev.ctx.scope.resource_id(None, parent_type, parent) {
                    Some(id) => Ref::resolved(parent, id),
                    None => Ref::opaque(parent),
                },
                None => Ref::opaque(name.clone()),
            },
            // `format('{0}/{1}', <parent name>, 'child')` (Bicep's `parent:`) of a parent
            // this template declares with that name expression.
            Err(written) => match ev.declared.parent_named_by_text(written, parent_type) {
                Some(key) => Ref::resolved(written.clone(), key),
                None => Ref::opaque(written.clone()),
            },
        }
    }

    /// A virtual network's inline `subnets[]`, each a subnet keyed below the network.
    fn virtual_network(&mut self, found: &Found<'_>, ev: &Eval<'_>) {
        let settings = ev.settings(found.resource, &[]);
        let Lookup::Known(subnets) = settings.get("subnets") else {
            return;
        };
        let vnet = self.key(
            found.resource,
            ev,
            found.full_type,
            found.full_name,
            found.symbol,
        );
        let raw_list = get_ci(found.resource, "properties")
            .and_then(|p| get_ci(p, "subnets"))
            .filter(|s| s.is_seq());
        for (i, item) in subnets.items().iter().enumerate() {
            let part = settings.part(&format!("subnets[{i}]"), item.clone());
            let raw = raw_list
                .and_then(|l| l.items().get(i))
                .and_then(|r| get_ci(r, "properties"));
            let name = text_at(&part, "name").unwrap_or_else(|| "<unnamed>".into());
            let id = vnet
                .id
                .as_ref()
                .filter(|_| !name.contains(['/', '<']))
                .map(|id| format!("{id}/subnets/{name}"));
            let properties = properties_of(&part);
            self.out.subnets.push(Subnet {
                meta: ResourceMeta {
                    name,
                    key: aksguard_model::azure::ResourceKey {
                        id,
                        symbols: Vec::new(),
                    },
                    pos: item.pos,
                    source: self.source.clone(),
                    format: self.format,
                },
                nsg: link(ev.declared, &properties, raw, "networkSecurityGroup"),
                route_table: link(ev.declared, &properties, raw, "routeTable"),
                associations_elsewhere: false,
            });
        }
    }

    fn role_assignment(&mut self, found: &Found<'_>, ev: &Eval<'_>) {
        let resource = found.resource;
        let properties = get_ci(resource, "properties");
        let field = |key: &str| properties.and_then(|p| get_ci(p, key));
        // Scope: the `scope` property; else the resource the assignment is nested in or
        // named under (`registry/Microsoft.Authorization/guid` of type
        // `…/registries/providers/roleAssignments`); else the deployment's scope.
        let scope = match get_ci(resource, "scope") {
            Some(scope) => Some(scope_ref(ev, scope)),
            None => self
                .enclosing_scope(found, ev, "/providers/roleassignments")
                .or_else(|| deployment_scope(ev)),
        };
        self.out.role_assignments.push(RoleAssignment {
            pos: resource.pos,
            source: self.source.clone(),
            id: None,
            role: field("roleDefinitionId")
                .and_then(|n| ev.text_or_written(n))
                .map(|r| match r {
                    Ok(text) | Err(text) => text,
                }),
            principal: field("principalId").and_then(|n| reference(ev, n)),
            principal_name: None,
            principal_type: field("principalType")
                .and_then(|n| ev.text_or_written(n))
                .and_then(Result::ok),
            scope,
        });
    }

    /// The resource an extension resource is nested in, or named under with a
    /// `…/providers/<extension type>` type, as a reference.
    fn enclosing_scope(&self, found: &Found<'_>, ev: &Eval<'_>, suffix: &str) -> Option<Ref> {
        let full_type = found.full_type;
        let (parent_type, parent_name) = match full_type.to_ascii_lowercase().strip_suffix(suffix) {
            Some(_) => (
                &full_type[..full_type.len() - suffix.len()],
                found.full_name.as_ref().ok()?.split('/').next()?.to_owned(),
            ),
            None => {
                let outer = found.outer?;
                (outer.full_type.as_str(), outer.name.as_ref().ok()?.clone())
            }
        };
        let written = format!("{parent_type}/{parent_name}");
        Some(
            match ev.ctx.scope.resource_id(None, parent_type, &parent_name) {
                Some(id) => Ref::resolved(written, id),
                None => Ref::opaque(written),
            },
        )
    }

    fn policy_assignment(&mut self, found: &Found<'_>, ev: &Eval<'_>) {
        let settings = ev.settings(found.resource, &[]);
        let scope = match get_ci(found.resource, "scope") {
            Some(scope) => Some(scope_ref(ev, scope)),
            None => self
                .enclosing_scope(found, ev, "/providers/policyassignments")
                .or_else(|| deployment_scope(ev)),
        };
        let (effect, effect_unknown) = match settings.get("parameters.effect.value") {
            Lookup::Known(node) => (node.as_str().map(str::to_owned), node.as_str().is_none()),
            Lookup::Unknown(_) => (None, true),
            Lookup::Absent => (None, false),
        };
        let assignment = PolicyAssignment {
            meta: self.meta(found, ev),
            definition: text_at(&settings, "policyDefinitionId"),
            scope,
            effect,
            effect_unknown,
            enforcement_mode: text_at(&settings, "enforcementMode"),
        };
        self.out.policy_assignments.push(assignment);
    }
}

const IDENTITY_TYPE: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
const NSG_TYPE: &str = "Microsoft.Network/networkSecurityGroups";
const ROUTE_TABLE_TYPE: &str = "Microsoft.Network/routeTables";

/// What the template deploys to, as a reference (`resourceGroup()` / `subscription()`).
fn deployment_scope(ev: &Eval<'_>) -> Option<Ref> {
    let id = ev.ctx.scope.final_scope_id()?;
    let written = match ev.ctx.scope.level {
        ids::Level::ResourceGroup => "resourceGroup()",
        _ => "subscription()",
    };
    Some(Ref::resolved(written, id))
}

fn empty() -> Node {
    Node {
        pos: Pos::default(),
        value: aksguard_model::Value::Map(Vec::new()),
    }
}

/// The `properties` of a list item as settings of their own (all Unknown when the
/// `properties` are).
fn properties_of(item: &Settings) -> Settings {
    match item.get("properties") {
        Lookup::Known(props) => item.part("properties", props.clone()),
        Lookup::Unknown(why) => {
            let mut unknown = Settings::new(empty());
            unknown.unknown.insert(String::new(), why.to_owned());
            unknown
        }
        Lookup::Absent => Settings::new(empty()),
    }
}

/// The items of a list property (`securityRules`, `routes`), each read by `read` from its
/// `name` and `properties`; the reason when the list cannot be resolved.
fn list<T>(
    settings: &Settings,
    path: &str,
    read: impl Fn(String, Pos, &Settings) -> T,
) -> (Vec<T>, Option<String>) {
    match settings.get(path) {
        Lookup::Absent => (Vec::new(), None),
        Lookup::Unknown(why) => (Vec::new(), Some(why.to_owned())),
        Lookup::Known(node) => {
            let mut out = Vec::new();
            for (i, item) in node.items().iter().enumerate() {
                let part = settings.part(&format!("{path}[{i}]"), item.clone());
                let name = text_at(&part, "name").unwrap_or_else(|| "<unnamed>".into());
                out.push(read(name, item.pos, &properties_of(&part)));
            }
            (out, None)
        }
    }
}

/// One security rule from its `properties`.
fn security_rule(name: String, pos: Pos, properties: &Settings) -> SecurityRule {
    SecurityRule {
        name,
        pos,
        direction: text_at(properties, "direction"),
        access: text_at(properties, "access"),
        priority: properties.get("priority").node().and_then(|n| {
            n.as_i64()
                .or_else(|| n.as_str().and_then(|t| t.trim().parse().ok()))
        }),
        protocol: text_at(properties, "protocol"),
        sources: gather(
            properties,
            &["sourceAddressPrefix", "sourceAddressPrefixes"],
            Some("sourceApplicationSecurityGroups"),
        ),
        ports: gather(
            properties,
            &["destinationPortRange", "destinationPortRanges"],
            None,
        ),
    }
}

/// The values of a single and a plural property (and the IDs of an object list), `None`
/// when any of them is unresolvable.
fn gather(properties: &Settings, paths: &[&str], ids_of: Option<&str>) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for path in paths.iter().copied().chain(ids_of) {
        match properties.get(path) {
            Lookup::Absent => {}
            Lookup::Unknown(_) => return None,
            Lookup::Known(node) if node.is_seq() => {
                for item in node.items() {
                    let text = if Some(path) == ids_of {
                        get_ci(item, "id").and_then(Node::as_str)
                    } else {
                        item.as_str()
                    };
                    out.push(text?.to_owned());
                }
            }
            Lookup::Known(node) => out.push(node.as_str()?.to_owned()),
        }
    }
    Some(out)
}

fn route(name: String, pos: Pos, properties: &Settings) -> Route {
    Route {
        name,
        pos,
        address_prefix: text_at(properties, "addressPrefix"),
        next_hop_type: text_at(properties, "nextHopType"),
        next_hop_ip: text_at(properties, "nextHopIpAddress"),
    }
}

/// Whether a security contact names anyone: `emails` (or the older `email`), or roles
/// notified by `notificationsByRole`; `None` when that cannot be resolved.
fn notifies(settings: &Settings) -> Option<bool> {
    let mut unknown = false;
    for path in ["emails", "email"] {
        match settings.get(path) {
            Lookup::Known(node) if node.as_str().is_some_and(|t| !t.trim().is_empty()) => {
                return Some(true);
            }
            Lookup::Unknown(_) => unknown = true,
            _ => {}
        }
    }
    let state = settings.get("notificationsByRole.state");
    let roles = settings.get("notificationsByRole.roles");
    match (state, roles) {
        (Lookup::Known(state), Lookup::Known(roles))
            if state.as_str().is_some_and(|s| s.eq_ignore_ascii_case("On"))
                && !roles.items().is_empty() =>
        {
            return Some(true);
        }
        (Lookup::Unknown(_), _) | (_, Lookup::Unknown(_)) => unknown = true,
        _ => {}
    }
    (!unknown).then_some(false)
}
