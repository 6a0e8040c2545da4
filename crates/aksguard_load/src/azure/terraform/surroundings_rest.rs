//! The cluster's Azure surroundings written as azapi resources: the REST bodies of
//! identities, federated credentials, VNets and subnets, NSGs and rules, route tables and
//! routes, Application Gateways, WAF policies, policy assignments, alert rules and security
//! contacts → `aksguard_model::azure::surroundings`. Children name their parent by
//! `parent_id`; references inside a body (`azapi_resource.nsg.id`, `azurerm_subnet.s.id`)
//! are followed as for azurerm (see `symbols.rs`).
//!
//! What a REST body leaves out is the API's default where it is documented (alert rules and
//! policy assignments enforce); otherwise it is left Unknown.

use aksguard_model::azure::{
    AlertKind, AlertRule, ApplicationGateway, AzureFormat, AzureResources, FederatedCredential,
    Link, ManagedIdentity, NetworkSecurityGroup, PolicyAssignment, PricingExtension, Ref,
    ResourceKey, ResourceMeta, Route, RouteTable, SecurityContact, SecurityRule, Subnet, WafPolicy,
    WafSettings,
};

use aksguard_model::Pos;

use super::{Attr, Obj, Resource, Val, surroundings};

use crate::azure::resource_types as types;

/// `body.properties` of an azapi resource, when written as an object.
fn properties(resource: &Resource) -> Option<&Obj> {
    resource.body.block("body")?.block("properties")
}

/// The member at a dotted path of an object (`networkSecurityGroup.id`).
fn attr_at<'a>(obj: &'a Obj, path: &str) -> Option<&'a Attr> {
    let mut obj = obj;
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_none() {
            return obj.attr(segment);
        }
        obj = obj.block(segment)?;
    }
    None
}

fn text_at(obj: &Obj, path: &str) -> Option<String> {
    attr_at(obj, path)
        .and_then(|a| a.val.as_str())
        .map(str::to_owned)
}

fn bool_at(obj: &Obj, path: &str) -> Option<bool> {
    attr_at(obj, path).and_then(|a| match &a.val {
        Val::Bool(b) => Some(*b),
        Val::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Val::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

fn meta(resource: &Resource, format: AzureFormat) -> ResourceMeta {
    ResourceMeta {
        name: resource
            .body
            .attr("name")
            .and_then(|a| a.val.as_str())
            .map_or_else(|| resource.placeholder(), str::to_owned),
        key: resource.names.key(resource),
        pos: resource.body.pos,
        source: resource.source.clone(),
        format,
    }
}

/// `{ id = … }` at `path`: linked, absent when the object is not written, unknown when the
/// body is not readable there.
fn id_link(resource: &Resource, props: Option<&Obj>, path: &str) -> Link {
    let Some(props) = props else {
        return Link::Unknown("the azapi body's properties are not readable".into());
    };
    let Some(object) = props.block(path) else {
        return match props.attr(path).map(|a| &a.val) {
            None | Some(Val::Null) => Link::Absent,
            Some(_) => Link::Unknown(format!("`{path}` is not resolvable")),
        };
    };
    match object.attr("id") {
        Some(attr) => Link::To(resource.names.resolve(resource, attr)),
        None => Link::Unknown(format!("`{path}` has no id")),
    }
}

fn parent(resource: &Resource) -> Option<Ref> {
    resource
        .body
        .attr("parent_id")
        .map(|attr| resource.names.resolve(resource, attr))
}

/// A list member of an object (`securityRules`): its items, or why they are not known.
fn list<'a>(props: Option<&'a Obj>, name: &str) -> Result<&'a [Obj], String> {
    let Some(props) = props else {
        return Err("the azapi body's properties are not readable".into());
    };
    if let Some((_, items)) = props.lists.iter().find(|(k, _)| k == name) {
        return Ok(items);
    }
    match props.attr(name).map(|a| &a.val) {
        None | Some(Val::Null) => Ok(&[]),
        Some(Val::List(items)) if items.is_empty() => Ok(&[]),
        Some(_) => Err(format!("`{name}` is not resolvable")),
    }
}

/// A REST string or list of strings (`sourceAddressPrefix` / `sourceAddressPrefixes`).
fn strings(obj: &Obj, single: &str, plural: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    if let Some(attr) = obj.attr(single) {
        match &attr.val {
            Val::Null => {}
            val => out.push(val.as_str()?.to_owned()),
        }
    }
    if let Some(attr) = obj.attr(plural) {
        match &attr.val {
            Val::Null => {}
            Val::List(items) => {
                for item in items {
                    out.push(item.as_str()?.to_owned());
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A security rule object `{name, properties: {…}}` (or a rule resource's properties).
fn security_rule(name: String, pos: Pos, props: &Obj) -> SecurityRule {
    let mut sources = strings(props, "sourceAddressPrefix", "sourceAddressPrefixes");
    if let Some(groups) = props
        .lists
        .iter()
        .find(|(k, _)| k == "sourceApplicationSecurityGroups")
    {
        let ids: Option<Vec<String>> = groups.1.iter().map(|g| text_at(g, "id")).collect();
        match (sources.as_mut(), ids) {
            (Some(list), Some(ids)) => list.extend(ids),
            _ => sources = None,
        }
    }
    SecurityRule {
        name,
        pos,
        direction: text_at(props, "direction"),
        access: text_at(props, "access"),
        priority: text_at(props, "priority").and_then(|p| p.trim().parse().ok()),
        protocol: text_at(props, "protocol"),
        sources: sources.filter(|s| !s.is_empty()),
        ports: strings(props, "destinationPortRange", "destinationPortRanges")
            .filter(|p| !p.is_empty()),
    }
}

fn route(name: String, pos: Pos, props: &Obj) -> Route {
    Route {
        name,
        pos,
        address_prefix: text_at(props, "addressPrefix"),
        next_hop_type: text_at(props, "nextHopType"),
        next_hop_ip: text_at(props, "nextHopIpAddress"),
    }
}

/// Items `{name, properties}` of a list member, read with `read`.
fn children<T>(
    props: Option<&Obj>,
    member: &str,
    read: impl Fn(String, Pos, &Obj) -> T,
) -> (Vec<T>, Option<String>) {
    match list(props, member) {
        Ok(items) => (
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let name = text_at(item, "name").unwrap_or_else(|| format!("<{member}[{i}]>"));
                    let empty = Obj {
                        pos: item.pos,
                        ..Obj::default()
                    };
                    read(name, item.pos, item.block("properties").unwrap_or(&empty))
                })
                .collect(),
            None,
        ),
        Err(reason) => (Vec::new(), Some(reason)),
    }
}

fn resource_name(resource: &Resource) -> String {
    resource
        .body
        .attr("name")
        .and_then(|a| a.val.as_str())
        .map_or_else(|| resource.placeholder(), str::to_owned)
}

/// Reads an azapi resource of a surrounding type; `false` for other types.
pub(crate) fn push(
    resource: &Resource,
    type_name: &str,
    format: AzureFormat,
    out: &mut AzureResources,
) -> bool {
    let props = properties(resource);
    match type_name {
        types::IDENTITY => out.identities.push(ManagedIdentity {
            meta: meta(resource, format),
            principal_id: None,
            client_id: None,
        }),
        types::FEDERATED => out.federated_credentials.push(FederatedCredential {
            meta: meta(resource, format),
            identity: parent(resource),
            issuer: props.and_then(|p| text_at(p, "issuer")),
            subject: props.and_then(|p| text_at(p, "subject")),
        }),
        types::SUBNET => out.subnets.push(Subnet {
            meta: meta(resource, format),
            nsg: id_link(resource, props, "networkSecurityGroup"),
            route_table: id_link(resource, props, "routeTable"),
            associations_elsewhere: false,
        }),
        types::VNET => {
            let vnet = resource.names.key(resource);
            if let Ok(items) = list(props, "subnets") {
                for item in items {
                    let Some(name) = text_at(item, "name") else {
                        continue;
                    };
                    let subnet_props = item.block("properties");
                    out.subnets.push(Subnet {
                        meta: ResourceMeta {
                            key: ResourceKey {
                                id: vnet.id.as_ref().map(|v| format!("{v}/subnets/{name}")),
                                symbols: vnet
                                    .symbols
                                    .iter()
                                    .map(|s| format!("{s}.subnet.{name}"))
                                    .collect(),
                            },
                            name,
                            pos: item.pos,
                            source: resource.source.clone(),
                            format,
                        },
                        nsg: id_link(
                            resource,
                            subnet_props.or(Some(&Obj::default())),
                            "networkSecurityGroup",
                        ),
                        route_table: id_link(
                            resource,
                            subnet_props.or(Some(&Obj::default())),
                            "routeTable",
                        ),
                        associations_elsewhere: false,
                    });
                }
            }
        }
        types::NSG => {
            let (rules, rules_unknown) = children(props, "securityRules", security_rule);
            out.nsgs.push(NetworkSecurityGroup {
                meta: meta(resource, format),
                rules,
                rules_unknown,
            });
        }
        types::NSG_RULE => {
            if let (Some(nsg), Some(props)) = (parent(resource), props) {
                out.detached.security_rules.push((
                    nsg,
                    security_rule(resource_name(resource), resource.body.pos, props),
                ));
            }
        }
        types::ROUTE_TABLE => {
            let (routes, routes_unknown) = children(props, "routes", route);
            out.route_tables.push(RouteTable {
                meta: meta(resource, format),
                routes,
                routes_unknown,
            });
        }
        types::ROUTE => {
            if let (Some(table), Some(props)) = (parent(resource), props) {
                out.detached.routes.push((
                    table,
                    route(resource_name(resource), resource.body.pos, props),
                ));
            }
        }
        types::APP_GATEWAY => out.application_gateways.push(ApplicationGateway {
            meta: meta(resource, format),
            sku_tier: props.and_then(|p| text_at(p, "sku.tier")),
            inline_waf: props
                .and_then(|p| p.block("webApplicationFirewallConfiguration"))
                .map(|waf| WafSettings {
                    enabled: bool_at(waf, "enabled"),
                    mode: text_at(waf, "firewallMode"),
                    pos: Some(waf.pos),
                }),
            waf_policy: id_link(resource, props, "firewallPolicy"),
        }),
        types::WAF_POLICY => {
            let settings = props.and_then(|p| p.block("policySettings"));
            out.waf_policies.push(WafPolicy {
                meta: meta(resource, format),
                settings: WafSettings {
                    enabled: settings
                        .and_then(|s| text_at(s, "state"))
                        .map(|s| s.eq_ignore_ascii_case("Enabled")),
                    mode: settings.and_then(|s| text_at(s, "mode")),
                    pos: settings.map(|s| s.pos),
                },
            });
        }
        types::POLICY_ASSIGNMENT => {
            let (effect, effect_unknown) = match props {
                None => (None, true),
                Some(p) => match p.block("parameters") {
                    None => match p.attr("parameters").map(|a| &a.val) {
                        None | Some(Val::Null) => (None, false),
                        Some(_) => (None, true),
                    },
                    Some(parameters) => match parameters.block("effect") {
                        None => (None, parameters.attr("effect").is_some()),
                        Some(effect) => match text_at(effect, "value") {
                            Some(value) => (Some(value), false),
                            None => (None, effect.attr("value").is_some()),
                        },
                    },
                },
            };
            out.policy_assignments.push(PolicyAssignment {
                meta: meta(resource, format),
                definition: props.and_then(|p| text_at(p, "policyDefinitionId")),
                scope: parent(resource),
                effect,
                effect_unknown,
                enforcement_mode: match props.and_then(|p| p.attr("enforcementMode")) {
                    None => props.map(|_| "Default".to_owned()),
                    Some(attr) => attr.val.as_str().map(str::to_owned),
                },
            });
        }
        types::SCHEDULED_QUERY | types::METRIC_ALERT | types::ACTIVITY_LOG_ALERT => {
            let kind = match type_name {
                types::SCHEDULED_QUERY => AlertKind::ScheduledQuery,
                types::METRIC_ALERT => AlertKind::Metric,
                _ => AlertKind::ActivityLog,
            };
            out.alert_rules.push(AlertRule {
                meta: meta(resource, format),
                kind,
                scopes: props.and_then(|p| match p.attr("scopes") {
                    Some(attr) => surroundings::list_refs(resource, attr),
                    None => Some(Vec::new()),
                }),
                enabled: props.and_then(|p| match p.attr("enabled") {
                    None => Some(true),
                    Some(_) => bool_at(p, "enabled"),
                }),
            });
        }
        types::SECURITY_CONTACT => out.security_contacts.push(SecurityContact {
            meta: meta(resource, format),
            notifies: props.and_then(contact_notifies),
        }),
        _ => return false,
    }
    true
}

/// A contact notifies when it names emails (`emails`, older `email`) or roles
/// (`notificationsByRole.roles` with `state: On`), and alert notifications are not `Off`.
fn contact_notifies(props: &Obj) -> Option<bool> {
    let off = |path: &str| text_at(props, path).is_some_and(|s| s.eq_ignore_ascii_case("Off"));
    if off("alertNotifications.state") || off("alertNotifications") {
        return Some(false);
    }
    let emails = match props.attr("emails").or_else(|| props.attr("email")) {
        None => Some(false),
        Some(attr) => attr.val.as_str().map(|e| !e.trim().is_empty()),
    };
    let roles = props.block("notificationsByRole").map(|by_role| {
        let on = text_at(by_role, "state").is_some_and(|s| s.eq_ignore_ascii_case("On"));
        on && matches!(by_role.attr("roles").map(|a| &a.val), Some(Val::List(r)) if !r.is_empty())
    });
    match (emails, roles) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), None | Some(false)) => Some(false),
        _ => None,
    }
}

/// A pricing's `extensions[] {name, isEnabled}` (`"True"`/`"False"` in REST); `None` when
/// not written or unresolvable.
pub(crate) fn pricing_extensions(resource: &Resource) -> Option<Vec<PricingExtension>> {
    let items = match list(properties(resource), "extensions") {
        Ok(items) if !items.is_empty() => items,
        _ => return None,
    };
    items
        .iter()
        .map(|item| {
            Some(PricingExtension {
                name: text_at(item, "name")?,
                pos: item.pos,
                enabled: match item.attr("isEnabled") {
                    None => None,
                    Some(_) => bool_at(item, "isEnabled"),
                },
            })
        })
        .collect()
}
