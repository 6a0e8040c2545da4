//! The cluster's Azure surroundings in azurerm: identities and federated credentials,
//! subnets (standalone and VNet `subnet` blocks), NSGs and their rules, route tables and
//! routes, subnet associations, Application Gateways, WAF policies, policy assignments,
//! alert rules and security contacts → `aksguard_model::azure::surroundings`. References
//! between them are followed by [`Names`] (see `symbols.rs`); the azapi forms are in
//! `surroundings_rest.rs`.
//!
//! Provider behaviour modelled here, decided from the azurerm documentation and source:
//! - a subnet declared in Terraform may get its NSG and route table from association
//!   resources anywhere in the configuration: `associations_elsewhere` is set, and its links
//!   are Absent until an association joins it;
//! - `azurerm_web_application_firewall_policy` `policy_settings` `enabled` defaults to true
//!   and `mode` to `Prevention` (also when the block is left out);
//! - alert rules are enabled unless `enabled = false`;
//! - policy assignments enforce unless `enforce = false` (v3+; v2 `enforcement_mode`).

use aksguard_model::azure::{
    AlertKind, AlertRule, ApplicationGateway, AzureFormat, AzureResources, FederatedCredential,
    Link, ManagedIdentity, NetworkSecurityGroup, PolicyAssignment, Ref, ResourceMeta, Route,
    RouteTable, SecurityContact, SecurityRule, Subnet, WafPolicy, WafSettings,
};

use super::symbols::Names;
use super::{Attr, Obj, Resource, Val};

const IDENTITY: &str = "azurerm_user_assigned_identity";
const FEDERATED: &str = "azurerm_federated_identity_credential";
const SUBNET: &str = "azurerm_subnet";
const VNET: &str = "azurerm_virtual_network";
const NSG: &str = "azurerm_network_security_group";
const NSG_RULE: &str = "azurerm_network_security_rule";
const SUBNET_NSG: &str = "azurerm_subnet_network_security_group_association";
const ROUTE_TABLE: &str = "azurerm_route_table";
const ROUTE: &str = "azurerm_route";
const SUBNET_ROUTES: &str = "azurerm_subnet_route_table_association";
const GATEWAY: &str = "azurerm_application_gateway";
const WAF_POLICY: &str = "azurerm_web_application_firewall_policy";
const CONTACT: &str = "azurerm_security_center_contact";
/// Policy assignment resources and the attribute naming their scope.
const POLICY_ASSIGNMENTS: &[(&str, &str)] = &[
    ("azurerm_subscription_policy_assignment", "subscription_id"),
    (
        "azurerm_resource_group_policy_assignment",
        "resource_group_id",
    ),
    ("azurerm_resource_policy_assignment", "resource_id"),
    (
        "azurerm_management_group_policy_assignment",
        "management_group_id",
    ),
    // v2.
    ("azurerm_policy_assignment", "scope"),
];
/// Alert rule resources.
const ALERTS: &[(&str, AlertKind)] = &[
    (
        "azurerm_monitor_scheduled_query_rules_alert",
        AlertKind::ScheduledQuery,
    ),
    (
        "azurerm_monitor_scheduled_query_rules_alert_v2",
        AlertKind::ScheduledQuery,
    ),
    ("azurerm_monitor_metric_alert", AlertKind::Metric),
    ("azurerm_monitor_activity_log_alert", AlertKind::ActivityLog),
];

/// Resource types read here (and the resource groups references name).
pub(crate) fn is_surrounding(kind: &str) -> bool {
    [
        IDENTITY,
        FEDERATED,
        SUBNET,
        VNET,
        NSG,
        NSG_RULE,
        SUBNET_NSG,
        ROUTE_TABLE,
        ROUTE,
        SUBNET_ROUTES,
        GATEWAY,
        WAF_POLICY,
        CONTACT,
        "azurerm_resource_group",
    ]
    .contains(&kind)
        || POLICY_ASSIGNMENTS.iter().any(|(k, _)| *k == kind)
        || ALERTS.iter().any(|(k, _)| *k == kind)
}

fn known_str(obj: &Obj, name: &str) -> Option<String> {
    obj.attr(name)
        .and_then(|a| a.val.as_str())
        .map(str::to_owned)
}

fn meta(resource: &Resource, format: AzureFormat) -> ResourceMeta {
    ResourceMeta {
        name: known_str(&resource.body, "name").unwrap_or_else(|| resource.placeholder()),
        key: resource.names.key(resource),
        pos: resource.body.pos,
        source: resource.source.clone(),
        format,
    }
}

/// A boolean attribute with its provider default; `None` when unresolvable.
fn flag(obj: &Obj, name: &str, default: bool) -> Option<bool> {
    match obj.attr(name).map(|a| &a.val) {
        None | Some(Val::Null) => Some(default),
        Some(val) => val.as_bool(),
    }
}

/// An optional link attribute: Absent when not written (or null).
fn link(resource: &Resource, obj: &Obj, name: &str) -> Link {
    match obj.attr(name) {
        None => Link::Absent,
        Some(attr) if matches!(attr.val, Val::Null) => Link::Absent,
        Some(attr) if attr.val.as_str() == Some("") => Link::Absent,
        Some(attr) => Link::To(resource.names.resolve(resource, attr)),
    }
}

/// One string or list of strings from a singular and a plural attribute; `None` when any
/// is unresolvable, `Some(empty)` when neither is written.
fn strings(obj: &Obj, single: &str, plural: &[&str]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    if let Some(attr) = obj.attr(single) {
        match &attr.val {
            Val::Null => {}
            Val::Str(s) if s.is_empty() => {}
            val => out.push(val.as_str()?.to_owned()),
        }
    }
    for name in plural {
        if let Some(attr) = obj.attr(name) {
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
    }
    Some(out)
}

/// An azurerm `security_rule` block (or `azurerm_network_security_rule` body) in REST terms.
fn security_rule(obj: &Obj, fallback: &str) -> SecurityRule {
    let mut sources = strings(
        obj,
        "source_address_prefix",
        &[
            "source_address_prefixes",
            "source_application_security_group_ids",
        ],
    );
    if sources.as_ref().is_some_and(Vec::is_empty) {
        // No source written: Azure rejects such a rule; nothing is known.
        sources = None;
    }
    let ports = strings(obj, "destination_port_range", &["destination_port_ranges"])
        .filter(|p| !p.is_empty());
    SecurityRule {
        name: known_str(obj, "name").unwrap_or_else(|| fallback.to_owned()),
        pos: obj.pos,
        direction: known_str(obj, "direction"),
        access: known_str(obj, "access"),
        priority: known_str(obj, "priority").and_then(|p| p.trim().parse().ok()),
        protocol: known_str(obj, "protocol"),
        sources,
        ports,
    }
}

fn route(obj: &Obj, fallback: &str) -> Route {
    Route {
        name: known_str(obj, "name").unwrap_or_else(|| fallback.to_owned()),
        pos: obj.pos,
        address_prefix: known_str(obj, "address_prefix"),
        next_hop_type: known_str(obj, "next_hop_type"),
        next_hop_ip: known_str(obj, "next_hop_in_ip_address"),
    }
}

/// Inline child blocks (`security_rule`, `route`): the list, or why it is not known (a
/// `dynamic` block, the attribute form with an expression).
fn inline<T>(obj: &Obj, name: &str, read: impl Fn(&Obj) -> T) -> (Vec<T>, Option<String>) {
    if obj.is_dynamic(name) {
        return (Vec::new(), Some(format!("`dynamic \"{name}\"` block")));
    }
    let items = obj.blocks(name).map(read).collect();
    let unknown = obj.attr(name).and_then(|attr| match &attr.val {
        Val::Null => None,
        Val::List(items) if items.is_empty() => None,
        _ => Some(format!("`{name}` is written as an expression")),
    });
    (items, unknown)
}

/// Whether a resource of `kind` is read here.
pub(crate) fn push(resource: &Resource, format: AzureFormat, out: &mut AzureResources) -> bool {
    let obj = &resource.body;
    let names: &Names = &resource.names;
    match resource.kind.as_str() {
        IDENTITY => out.identities.push(ManagedIdentity {
            meta: meta(resource, format),
            principal_id: known_str(obj, "principal_id"),
            client_id: known_str(obj, "client_id"),
        }),
        FEDERATED => {
            // v4 `user_assigned_identity_id` replaces `parent_id`.
            let identity = ["user_assigned_identity_id", "parent_id"]
                .iter()
                .find_map(|k| obj.attr(k))
                .map(|attr| names.resolve(resource, attr));
            out.federated_credentials.push(FederatedCredential {
                meta: meta(resource, format),
                identity,
                issuer: known_str(obj, "issuer"),
                subject: known_str(obj, "subject"),
            });
        }
        SUBNET => out.subnets.push(Subnet {
            meta: meta(resource, format),
            // v2 wrote the associations on the subnet.
            nsg: link(resource, obj, "network_security_group_id"),
            route_table: link(resource, obj, "route_table_id"),
            associations_elsewhere: true,
        }),
        VNET => vnet_subnets(resource, format, out),
        NSG => {
            let (rules, rules_unknown) = inline(obj, "security_rule", |b| {
                security_rule(b, "<security_rule>")
            });
            out.nsgs.push(NetworkSecurityGroup {
                meta: meta(resource, format),
                rules,
                rules_unknown,
            });
        }
        NSG_RULE => {
            let rule = security_rule(obj, &resource.placeholder());
            if let Some(nsg) = names.parent_by_name(
                resource,
                "network_security_group_name",
                "Microsoft.Network/networkSecurityGroups/{name}",
            ) {
                out.detached.security_rules.push((nsg, rule));
            }
        }
        SUBNET_NSG => {
            if let (Some(subnet), Some(nsg)) =
                (obj.attr("subnet_id"), obj.attr("network_security_group_id"))
            {
                out.detached.subnet_nsgs.push((
                    names.resolve(resource, subnet),
                    names.resolve(resource, nsg),
                ));
            }
        }
        ROUTE_TABLE => {
            let (routes, routes_unknown) = inline(obj, "route", |b| route(b, "<route>"));
            out.route_tables.push(RouteTable {
                meta: meta(resource, format),
                routes,
                routes_unknown,
            });
        }
        ROUTE => {
            let entry = route(obj, &resource.placeholder());
            if let Some(table) = names.parent_by_name(
                resource,
                "route_table_name",
                "Microsoft.Network/routeTables/{name}",
            ) {
                out.detached.routes.push((table, entry));
            }
        }
        SUBNET_ROUTES => {
            if let (Some(subnet), Some(table)) = (obj.attr("subnet_id"), obj.attr("route_table_id"))
            {
                out.detached.subnet_route_tables.push((
                    names.resolve(resource, subnet),
                    names.resolve(resource, table),
                ));
            }
        }
        GATEWAY => out
            .application_gateways
            .push(application_gateway(resource, format)),
        WAF_POLICY => out.waf_policies.push(WafPolicy {
            meta: meta(resource, format),
            settings: waf_policy_settings(obj),
        }),
        CONTACT => out.security_contacts.push(SecurityContact {
            meta: meta(resource, format),
            notifies: contact_notifies(obj),
        }),
        kind => {
            if let Some((_, scope)) = POLICY_ASSIGNMENTS.iter().find(|(k, _)| *k == kind) {
                out.policy_assignments
                    .push(policy_assignment(resource, format, scope));
            } else if let Some((_, alert)) = ALERTS.iter().find(|(k, _)| *k == kind) {
                out.alert_rules.push(alert_rule(resource, format, *alert));
            } else {
                return false;
            }
        }
    }
    true
}

/// `azurerm_virtual_network` inline `subnet { name, security_group, route_table_id }`
/// blocks: subnets keyed by the ID the VNet's literal names build.
fn vnet_subnets(resource: &Resource, format: AzureFormat, out: &mut AzureResources) {
    let vnet_key = resource.names.key(resource);
    for block in resource.body.blocks("subnet") {
        let Some(name) = known_str(block, "name") else {
            continue;
        };
        let id = vnet_key
            .id
            .as_ref()
            .map(|vnet| format!("{vnet}/subnets/{name}"));
        let symbols = vnet_key
            .symbols
            .iter()
            .map(|s| format!("{s}.subnet.{name}"))
            .collect();
        out.subnets.push(Subnet {
            meta: ResourceMeta {
                name,
                key: aksguard_model::azure::ResourceKey { id, symbols },
                pos: block.pos,
                source: resource.source.clone(),
                format,
            },
            nsg: link(resource, block, "security_group"),
            route_table: link(resource, block, "route_table_id"),
            associations_elsewhere: true,
        });
    }
}

fn application_gateway(resource: &Resource, format: AzureFormat) -> ApplicationGateway {
    let obj = &resource.body;
    let inline_waf = if obj.is_dynamic("waf_configuration") {
        Some(WafSettings::default())
    } else {
        obj.block("waf_configuration").map(|waf| WafSettings {
            enabled: waf.attr("enabled").and_then(|a| a.val.as_bool()),
            mode: known_str(waf, "firewall_mode"),
            pos: Some(waf.pos),
        })
    };
    let sku_tier = if obj.is_dynamic("sku") {
        None
    } else {
        obj.block("sku").and_then(|sku| known_str(sku, "tier"))
    };
    ApplicationGateway {
        meta: meta(resource, format),
        sku_tier,
        inline_waf,
        waf_policy: link(resource, obj, "firewall_policy_id"),
    }
}

/// `policy_settings { enabled, mode }`, with the provider defaults (enabled, Prevention).
fn waf_policy_settings(obj: &Obj) -> WafSettings {
    if obj.is_dynamic("policy_settings") {
        return WafSettings::default();
    }
    match obj.block("policy_settings") {
        Some(settings) => WafSettings {
            enabled: flag(settings, "enabled", true),
            mode: match settings.attr("mode") {
                None => Some("Prevention".to_owned()),
                Some(attr) => attr.val.as_str().map(str::to_owned),
            },
            pos: Some(settings.pos),
        },
        None => WafSettings {
            enabled: Some(true),
            mode: Some("Prevention".to_owned()),
            pos: Some(obj.pos),
        },
    }
}

/// A contact notifies when it has an email (or phone) and alert notifications are not
/// turned off.
fn contact_notifies(obj: &Obj) -> Option<bool> {
    if flag(obj, "alert_notifications", true) == Some(false) {
        return Some(false);
    }
    match obj.attr("email").map(|a| &a.val) {
        None | Some(Val::Null) => Some(false),
        Some(val) => val.as_str().map(|email| !email.trim().is_empty()),
    }
}

fn policy_assignment(resource: &Resource, format: AzureFormat, scope: &str) -> PolicyAssignment {
    let obj = &resource.body;
    let (effect, effect_unknown) = match obj.attr("parameters") {
        None => (None, false),
        Some(attr) => match parameters_effect(attr) {
            Ok(effect) => (effect, false),
            Err(()) => (None, true),
        },
    };
    let enforcement_mode = match (obj.attr("enforce"), obj.attr("enforcement_mode")) {
        (Some(attr), _) | (None, Some(attr)) => attr
            .val
            .as_bool()
            .map(|on| if on { "Default" } else { "DoNotEnforce" }.to_owned()),
        (None, None) => Some("Default".to_owned()),
    };
    PolicyAssignment {
        meta: meta(resource, format),
        definition: known_str(obj, "policy_definition_id"),
        scope: obj
            .attr(scope)
            .map(|attr| resource.names.resolve(resource, attr)),
        effect,
        effect_unknown,
        enforcement_mode,
    }
}

/// The `effect` parameter value of a `parameters` JSON string (`jsonencode(…)`, a heredoc, a
/// literal): `Ok(None)` when it sets no effect, `Err` when unresolvable.
fn parameters_effect(attr: &Attr) -> Result<Option<String>, ()> {
    let json = match (&attr.val, attr.text.as_deref()) {
        (Val::Null, _) => return Ok(None),
        (Val::Str(json), _) => json.clone(),
        (Val::Map(_), _) => return map_effect(&attr.val),
        (_, Some(text)) if text.starts_with("<<") => heredoc_body(text).ok_or(())?,
        _ => return Err(()),
    };
    let value: serde_json::Value = serde_json::from_str(&json).map_err(|_| ())?;
    let effect = value
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("effect")))
        .map(|(_, v)| v);
    match effect {
        None => Ok(None),
        Some(v) => match v.get("value").and_then(|v| v.as_str()) {
            Some(effect) => Ok(Some(effect.to_owned())),
            None => Err(()),
        },
    }
}

/// Plan JSON keeps `parameters` as the JSON string; an object value (azapi) is read as is.
fn map_effect(val: &Val) -> Result<Option<String>, ()> {
    let Val::Map(entries) = val else {
        return Err(());
    };
    match entries
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("effect"))
    {
        None => Ok(None),
        Some((_, Val::Map(effect))) => match effect.iter().find(|(k, _)| k == "value") {
            Some((_, v)) => v.as_str().map(|s| Some(s.to_owned())).ok_or(()),
            None => Err(()),
        },
        Some(_) => Err(()),
    }
}

/// The text of a heredoc without interpolations (`<<PARAMS … PARAMS`).
fn heredoc_body(text: &str) -> Option<String> {
    let (first, rest) = text.split_once('\n')?;
    let delimiter = first
        .trim_start_matches("<<")
        .trim_start_matches('-')
        .trim();
    let body = rest.trim_end().strip_suffix(delimiter)?.trim_end();
    (!body.contains("${") && !body.contains("%{")).then(|| body.to_owned())
}

fn alert_rule(resource: &Resource, format: AzureFormat, kind: AlertKind) -> AlertRule {
    let obj = &resource.body;
    // v1 scheduled query alerts watch their `data_source_id`.
    let scopes = match obj.attr("scopes") {
        Some(attr) => list_refs(resource, attr),
        None => obj
            .attr("data_source_id")
            .map(|attr| vec![resource.names.resolve(resource, attr)]),
    };
    AlertRule {
        meta: meta(resource, format),
        kind,
        scopes,
        enabled: flag(obj, "enabled", true),
    }
}

/// The references of a list attribute, element by element (a literal list of references
/// or IDs); `None` when the list itself is an expression.
pub(crate) fn list_refs(resource: &Resource, attr: &Attr) -> Option<Vec<Ref>> {
    let items = match &attr.val {
        Val::List(items) => items,
        Val::Null => return Some(Vec::new()),
        _ => return None,
    };
    let texts = attr.text.as_deref().map(list_elements);
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let text = texts.as_ref().and_then(|t| t.get(i)).cloned();
            let element = Attr {
                val: item.clone(),
                pos: attr.items.get(i).copied().unwrap_or(attr.pos),
                text,
                items: Vec::new(),
            };
            match (&element.val, &element.text) {
                (Val::Unknown(_), None) => None,
                _ => Some(resource.names.resolve(resource, &element)),
            }
        })
        .collect()
}

/// `[a, b.c, "d"]` → the element texts (top-level commas only).
fn list_elements(text: &str) -> Vec<String> {
    let Some(inner) = text
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let bytes = inner.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => quoted = !quoted,
            b'[' | b'(' | b'{' if !quoted => depth += 1,
            b']' | b')' | b'}' if !quoted => depth -= 1,
            b',' if !quoted && depth == 0 => {
                out.push(inner[start..i].trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = inner[start..].trim();
    if !last.is_empty() {
        out.push(last.to_owned());
    }
    out
}

/// A Defender plan's extensions as azurerm applies them: for a Standard plan, each
/// `extension` block is enabled, and every extension the service knows that the
/// configuration leaves out is disabled (the provider sends `isEnabled = False` for it).
/// `None` for other tiers, a `dynamic` block or an unresolvable name.
pub(crate) fn pricing_extensions(
    obj: &Obj,
    tier: Option<&str>,
    plan: &str,
) -> Option<Vec<aksguard_model::azure::PricingExtension>> {
    use aksguard_model::azure::PricingExtension;
    // The Containers plan's extensions that azurerm turns off when a Standard plan's
    // configuration does not list them: it sends every extension the service reports and
    // the configuration leaves out with `isEnabled = False` (its documentation: "If an
    // extension is not defined, it will not be enabled"; hashicorp/terraform-provider-azurerm
    // issue 27338 shows a second apply turning such an extension off).
    const CONTAINERS_EXTENSIONS: &[&str] = &[
        "ContainerRegistriesVulnerabilityAssessments",
        "ContainerSensor",
        "AgentlessDiscoveryForKubernetes",
    ];
    if !tier.is_some_and(|t| t.eq_ignore_ascii_case("Standard")) || obj.is_dynamic("extension") {
        return None;
    }
    let mut out = Vec::new();
    for block in obj.blocks("extension") {
        let name = known_str(block, "name")?;
        out.push(PricingExtension {
            name,
            pos: block.pos,
            enabled: Some(true),
        });
    }
    if let Some(attr) = obj.attr("extension") {
        // Plan JSON with no extension: `extension = []`; anything else is not read.
        match &attr.val {
            Val::List(items) if items.is_empty() => {}
            Val::Null => {}
            _ => return None,
        }
    }
    if plan.eq_ignore_ascii_case("Containers") {
        for name in CONTAINERS_EXTENSIONS {
            if !out.iter().any(|e| e.name.eq_ignore_ascii_case(name)) {
                out.push(PricingExtension {
                    name: (*name).to_owned(),
                    pos: obj.pos,
                    enabled: Some(false),
                });
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_elements_split_at_top_level_commas() {
        assert_eq!(
            list_elements(r#"[azurerm_kubernetes_cluster.aks.id, "a,b", f(x, y)]"#),
            vec![
                "azurerm_kubernetes_cluster.aks.id".to_owned(),
                r#""a,b""#.to_owned(),
                "f(x, y)".to_owned()
            ]
        );
        assert!(list_elements("var.scopes").is_empty());
    }

    #[test]
    fn heredoc_parameters_are_read_without_interpolations() {
        assert_eq!(
            heredoc_body("<<PARAMS\n{\"effect\": {\"value\": \"Deny\"}}\nPARAMS").as_deref(),
            Some("{\"effect\": {\"value\": \"Deny\"}}")
        );
        assert_eq!(heredoc_body("<<P\n{\"a\": \"${var.x}\"}\nP"), None);
    }
}
