//! The cluster's Azure surroundings from `az … -o json` output and Resource Manager REST
//! bodies: user-assigned identities and their federated credentials, subnets (alone or in a
//! VNet's `subnets[]`), NSGs and their rules, route tables and their routes, Application
//! Gateways, WAF policies, policy assignments, alert rules and Defender security contacts.
//!
//! Recognised by content: the resource's `type`, or, when it has none, the type its `id`
//! names (`…/providers/Microsoft.Network/virtualNetworks/v/subnets/s` →
//! `Microsoft.Network/virtualNetworks/subnets`), case-insensitively. Both shapes are read:
//! `az` prints the properties flat beside `id` and `name`, Resource Manager nests them under
//! `properties` (and so do the rules and routes inside an NSG or route table body).
//!
//! `az` prints every property of a resource, `null` included, so a subnet without a
//! `networkSecurityGroup` (or with `null`) is known to have none ([`Link::Absent`]); a value
//! of the wrong shape is Unknown, never guessed. Standalone NSG rules and routes (`az
//! network nsg rule list`, `az network route-table route list`, REST child resources) go to
//! [`Detached`](aksguard_model::azure::Detached), joined to their parent (the prefix of
//! their `id`) once every input is loaded.

use std::sync::Arc;

use aksguard_model::azure::{
    AlertKind, AlertRule, ApplicationGateway, AzureFormat, AzureResources, FederatedCredential,
    Link, ManagedIdentity, NetworkSecurityGroup, PolicyAssignment, PricingExtension, Ref,
    ResourceKey, ResourceMeta, Route, RouteTable, SecurityContact, SecurityRule, Subnet, WafPolicy,
    WafSettings,
};
use aksguard_model::{Node, Source, Value};

use super::resource_types::{
    ACTIVITY_LOG_ALERT, APP_GATEWAY, FEDERATED, IDENTITY, METRIC_ALERT, NSG, NSG_RULE,
    POLICY_ASSIGNMENT, ROUTE, ROUTE_TABLE, SCHEDULED_QUERY, SECURITY_CONTACT, SUBNET, VNET,
    WAF_POLICY,
};

/// The resource type of `node`, lower-cased: its `type`, else the type its `id` names.
pub(crate) fn resource_type(node: &Node) -> Option<String> {
    if let Some(written) = field(node, "type").and_then(Node::as_str) {
        return Some(written.trim().to_ascii_lowercase());
    }
    type_of_id(field(node, "id")?.as_str()?)
}

/// `Microsoft.Network/virtualNetworks/subnets` from `/…/providers/Microsoft.Network/
/// virtualNetworks/v/subnets/s`: the namespace and every type segment after the last
/// `/providers/`, lower-cased; `None` when the ID names no provider resource.
pub(crate) fn type_of_id(id: &str) -> Option<String> {
    let lower = id.trim().trim_end_matches('/').to_ascii_lowercase();
    let at = lower.rfind("/providers/")?;
    let segments: Vec<&str> = lower[at + "/providers/".len()..].split('/').collect();
    if segments.len() < 3
        || segments.len().is_multiple_of(2)
        || segments.iter().any(|s| s.is_empty())
    {
        return None;
    }
    let mut path = segments[0].to_owned();
    for segment in segments[1..].iter().step_by(2) {
        path.push('/');
        path.push_str(segment);
    }
    Some(path)
}

/// Pushes `node` when it is one of the surrounding resources; false when it is none.
pub(crate) fn push(node: &Node, source: &Arc<Source>, out: &mut AzureResources) -> bool {
    if !node.is_map() {
        return false;
    }
    let Some(kind) = resource_type(node) else {
        return false;
    };
    let props = properties(node);
    match kind.as_str() {
        IDENTITY => out.identities.push(ManagedIdentity {
            meta: meta(node, source),
            principal_id: string(props, "principalId"),
            client_id: string(props, "clientId"),
        }),
        FEDERATED => out.federated_credentials.push(FederatedCredential {
            meta: meta(node, source),
            identity: id_of(node)
                .and_then(|id| parent_id(&id, "/federatedidentitycredentials/"))
                .map(Ref::literal),
            issuer: string(props, "issuer"),
            subject: string(props, "subject"),
        }),
        VNET => {
            let vnet = id_of(node);
            for subnet in field(props, "subnets").map_or(&[][..], Node::items) {
                if let Some(found) = subnet_of(subnet, vnet.as_deref(), source) {
                    out.subnets.push(found);
                }
            }
        }
        SUBNET => {
            if let Some(found) = subnet_of(node, None, source) {
                out.subnets.push(found);
            }
        }
        NSG => out.nsgs.push(nsg(node, source)),
        NSG_RULE => match id_of(node).and_then(|id| parent_id(&id, "/securityrules/")) {
            Some(parent) => out
                .detached
                .security_rules
                .push((Ref::literal(parent), security_rule(node))),
            None => return false,
        },
        ROUTE_TABLE => out.route_tables.push(route_table(node, source)),
        ROUTE => match id_of(node).and_then(|id| parent_id(&id, "/routes/")) {
            Some(parent) => out
                .detached
                .routes
                .push((Ref::literal(parent), route(node))),
            None => return false,
        },
        APP_GATEWAY => out.application_gateways.push(ApplicationGateway {
            meta: meta(node, source),
            sku_tier: field(props, "sku")
                .or_else(|| field(node, "sku"))
                .and_then(|sku| string(sku, "tier")),
            inline_waf: field(props, "webApplicationFirewallConfiguration")
                .filter(|w| !w.is_null())
                .map(|waf| WafSettings {
                    enabled: field(waf, "enabled").and_then(flag),
                    mode: string(waf, "firewallMode"),
                    pos: Some(waf.pos),
                }),
            waf_policy: link(props, "firewallPolicy"),
        }),
        WAF_POLICY => {
            let settings = field(props, "policySettings");
            out.waf_policies.push(WafPolicy {
                meta: meta(node, source),
                settings: WafSettings {
                    enabled: settings
                        .and_then(|s| field(s, "state"))
                        .and_then(
                            |state| match state.as_str()?.to_ascii_lowercase().as_str() {
                                "enabled" => Some(true),
                                "disabled" => Some(false),
                                _ => None,
                            },
                        ),
                    mode: settings.and_then(|s| string(s, "mode")),
                    pos: settings.map(|s| s.pos),
                },
            })
        }
        POLICY_ASSIGNMENT => out.policy_assignments.push(policy_assignment(node, source)),
        SCHEDULED_QUERY | METRIC_ALERT | ACTIVITY_LOG_ALERT => {
            out.alert_rules.push(alert_rule(node, &kind, source))
        }
        SECURITY_CONTACT => out.security_contacts.push(SecurityContact {
            meta: meta(node, source),
            notifies: notifies(props),
        }),
        _ => return false,
    }
    true
}

/// The extensions of a Defender plan (`extensions[]` of `az security pricing list|show` or
/// of a REST body's `properties`): `None` when the plan lists none or the list is not an
/// array (nothing is judged about them then).
pub(crate) fn pricing_extensions(pricing: &Node) -> Option<Vec<PricingExtension>> {
    let list = field(properties(pricing), "extensions").filter(|e| e.is_seq())?;
    Some(
        list.items()
            .iter()
            .filter_map(|extension| {
                Some(PricingExtension {
                    name: string(extension, "name")?,
                    pos: extension.pos,
                    enabled: field(extension, "isEnabled").and_then(flag),
                })
            })
            .collect(),
    )
}

/// `properties` of a REST body, or the node itself (`az` prints the properties flat).
fn properties(node: &Node) -> &Node {
    field(node, "properties")
        .filter(|p| p.is_map())
        .unwrap_or(node)
}

fn format_of(node: &Node) -> AzureFormat {
    if field(node, "properties").is_some_and(Node::is_map) {
        AzureFormat::ArmRest
    } else {
        AzureFormat::AzCli
    }
}

/// A key of a mapping, ignoring case (`az` and REST spell a few keys differently).
fn field<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.entries()
        .iter()
        .rev()
        .find(|e| e.key.eq_ignore_ascii_case(key))
        .map(|e| &e.value)
}

/// A non-blank scalar's text.
fn string(node: &Node, key: &str) -> Option<String> {
    field(node, key)
        .and_then(Node::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A boolean written plain (`true`) or as a string (`"True"`, as REST writes `isEnabled`).
fn flag(node: &Node) -> Option<bool> {
    node.as_bool().or_else(|| match &node.value {
        Value::Scalar { text, .. } => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

fn id_of(node: &Node) -> Option<String> {
    string(node, "id").filter(|id| id.starts_with('/'))
}

/// The ID before `/<child>/<name>` (`child` lower-cased with its slashes).
fn parent_id(id: &str, child: &str) -> Option<String> {
    let at = id.to_ascii_lowercase().rfind(child)?;
    (at > 0).then(|| id[..at].to_owned())
}

fn meta(node: &Node, source: &Arc<Source>) -> ResourceMeta {
    let id = id_of(node);
    let name = string(node, "name")
        .or_else(|| {
            id.as_deref()
                .and_then(|id| id.rsplit('/').next())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "<unnamed>".into());
    ResourceMeta {
        name,
        key: id.map(ResourceKey::from_id).unwrap_or_default(),
        pos: node.pos,
        source: source.clone(),
        format: format_of(node),
    }
}

/// A link written as `{"id": "…"}`: absent when the key is missing or `null`, Unknown when
/// it is of another shape.
fn link(props: &Node, key: &str) -> Link {
    match field(props, key) {
        None => Link::Absent,
        Some(value) if value.is_null() => Link::Absent,
        Some(value) => match string(value, "id") {
            Some(id) => Link::To(Ref::literal(id)),
            None => Link::Unknown(format!("`{key}` names no resource ID")),
        },
    }
}

/// A subnet resource, or an entry of a VNet's `subnets[]` (whose ID is the VNet's plus
/// `/subnets/<name>` when the entry has none). `None` when it has neither ID nor name.
fn subnet_of(node: &Node, vnet: Option<&str>, source: &Arc<Source>) -> Option<Subnet> {
    if !node.is_map() {
        return None;
    }
    let mut meta = meta(node, source);
    if meta.key.id.is_none() {
        let (vnet, name) = (vnet?, string(node, "name")?);
        meta.key = ResourceKey::from_id(format!("{vnet}/subnets/{name}"));
    }
    let props = properties(node);
    Some(Subnet {
        meta,
        nsg: link(props, "networkSecurityGroup"),
        route_table: link(props, "routeTable"),
        associations_elsewhere: false,
    })
}

/// The children a resource lists inline (`securityRules`, `routes`): absent or `null` is
/// none; a value that is not a list leaves the list unknown (the reason is returned).
fn inline_children<T>(
    props: &Node,
    key: &str,
    what: &str,
    read: impl Fn(&Node) -> T,
) -> (Vec<T>, Option<String>) {
    match field(props, key) {
        None => (Vec::new(), None),
        Some(list) if list.is_null() => (Vec::new(), None),
        Some(list) if list.is_seq() => (
            list.items()
                .iter()
                .filter(|c| c.is_map())
                .map(read)
                .collect(),
            None,
        ),
        Some(_) => (Vec::new(), Some(format!("`{key}` is not a list of {what}"))),
    }
}

fn nsg(node: &Node, source: &Arc<Source>) -> NetworkSecurityGroup {
    // Only `securityRules`: the default rules Azure adds (`defaultSecurityRules`) allow
    // inbound from the VNet and the load balancer only, never from the Internet.
    let (rules, rules_unknown) =
        inline_children(properties(node), "securityRules", "rules", security_rule);
    NetworkSecurityGroup {
        meta: meta(node, source),
        rules,
        rules_unknown,
    }
}

/// A list of values from `<singular>` and `<plural>` (`sourceAddressPrefix`,
/// `sourceAddressPrefixes`): `None` when either is of another shape.
fn one_or_many(props: &Node, singular: &str, plural: &str) -> Option<Vec<String>> {
    let mut values = Vec::new();
    if let Some(one) = field(props, singular).filter(|v| !v.is_null()) {
        values.push(one.as_str()?.trim().to_owned());
    }
    if let Some(many) = field(props, plural).filter(|v| !v.is_null()) {
        if !many.is_seq() {
            return None;
        }
        for item in many.items() {
            values.push(item.as_str()?.trim().to_owned());
        }
    }
    values.retain(|v| !v.is_empty());
    Some(values)
}

fn security_rule(node: &Node) -> SecurityRule {
    let props = properties(node);
    let mut sources = one_or_many(props, "sourceAddressPrefix", "sourceAddressPrefixes");
    // An application security group source is kept as its ID.
    if let (Some(list), Some(groups)) = (
        sources.as_mut(),
        field(props, "sourceApplicationSecurityGroups").filter(|g| g.is_seq()),
    ) {
        list.extend(groups.items().iter().filter_map(|g| string(g, "id")));
    }
    SecurityRule {
        name: string(node, "name").unwrap_or_else(|| "<unnamed>".into()),
        pos: node.pos,
        direction: string(props, "direction"),
        access: string(props, "access"),
        priority: field(props, "priority").and_then(Node::as_i64),
        protocol: string(props, "protocol"),
        sources,
        ports: one_or_many(props, "destinationPortRange", "destinationPortRanges"),
    }
}

fn route_table(node: &Node, source: &Arc<Source>) -> RouteTable {
    let (routes, routes_unknown) = inline_children(properties(node), "routes", "routes", route);
    RouteTable {
        meta: meta(node, source),
        routes,
        routes_unknown,
    }
}

fn route(node: &Node) -> Route {
    let props = properties(node);
    Route {
        name: string(node, "name").unwrap_or_else(|| "<unnamed>".into()),
        pos: node.pos,
        address_prefix: string(props, "addressPrefix"),
        next_hop_type: string(props, "nextHopType"),
        next_hop_ip: string(props, "nextHopIpAddress"),
    }
}

fn policy_assignment(node: &Node, source: &Arc<Source>) -> PolicyAssignment {
    let props = properties(node);
    // `parameters.effect.value`; a parameter of another shape is Unknown.
    let effect = field(props, "parameters")
        .filter(|p| !p.is_null())
        .map(
            |parameters| match field(parameters, "effect").filter(|e| !e.is_null()) {
                None => Ok(None),
                Some(effect) => field(effect, "value")
                    .and_then(Node::as_str)
                    .map(|v| Some(v.trim().to_owned()))
                    .ok_or(()),
            },
        )
        .unwrap_or(Ok(None));
    PolicyAssignment {
        meta: meta(node, source),
        definition: string(props, "policyDefinitionId"),
        scope: string(props, "scope").map(Ref::literal),
        effect_unknown: effect.is_err(),
        effect: effect.ok().flatten(),
        enforcement_mode: string(props, "enforcementMode"),
    }
}

fn alert_rule(node: &Node, kind: &str, source: &Arc<Source>) -> AlertRule {
    let props = properties(node);
    let scopes = match field(props, "scopes") {
        Some(list) if list.is_seq() => list
            .items()
            .iter()
            .map(|s| s.as_str().map(|s| Ref::literal(s.trim())))
            .collect::<Option<Vec<Ref>>>(),
        _ => None,
    };
    AlertRule {
        meta: meta(node, source),
        kind: match kind {
            SCHEDULED_QUERY => AlertKind::ScheduledQuery,
            METRIC_ALERT => AlertKind::Metric,
            _ => AlertKind::ActivityLog,
        },
        scopes,
        enabled: field(props, "enabled").and_then(flag),
    }
}

/// Whether a security contact names anyone to notify: an email address, or roles with
/// `notificationsByRole.state` `On`; not when the contact is switched off (`isEnabled:
/// false`, `alertNotifications.state: Off`). `None` when a value is of another shape.
fn notifies(props: &Node) -> Option<bool> {
    if field(props, "isEnabled").and_then(flag) == Some(false)
        || field(props, "alertNotifications")
            .and_then(|a| string(a, "state"))
            .is_some_and(|s| s.eq_ignore_ascii_case("Off"))
    {
        return Some(false);
    }
    let emails = match ["emails", "email"]
        .iter()
        .find_map(|key| field(props, key).filter(|v| !v.is_null()))
    {
        None => Some(false),
        Some(value) => value
            .as_str()
            .map(|v| v.split(';').any(|e| !e.trim().is_empty())),
    };
    let roles = match field(props, "notificationsByRole").filter(|v| !v.is_null()) {
        None => Some(false),
        Some(by_role) => match (string(by_role, "state"), field(by_role, "roles")) {
            (Some(state), _) if state.eq_ignore_ascii_case("Off") => Some(false),
            (Some(state), Some(roles)) if state.eq_ignore_ascii_case("On") && roles.is_seq() => {
                Some(!roles.items().is_empty())
            }
            _ => None,
        },
    };
    match (emails, roles) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::yaml::parse_documents;

    fn load(text: &str) -> AzureResources {
        let root = parse_documents(text, 1, &Limits::default())
            .unwrap()
            .remove(0)
            .unwrap();
        let source = Arc::new(Source {
            path: "s.json".into(),
        });
        super::super::from_document(&root, &source).unwrap_or_default()
    }

    const RG: &str = "/subscriptions/0000/resourceGroups/rg";

    #[test]
    fn types_come_from_type_or_from_the_id() {
        assert_eq!(
            type_of_id(&format!(
                "{RG}/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
            ))
            .as_deref(),
            Some(SUBNET)
        );
        assert_eq!(
            type_of_id("/subscriptions/0000/providers/Microsoft.Security/pricings/Containers")
                .as_deref(),
            Some("microsoft.security/pricings")
        );
        assert_eq!(type_of_id(RG), None);
        assert_eq!(type_of_id("/providers/Microsoft.Network"), None);
        assert_eq!(type_of_id("/x/providers/A/b/c/d"), None);
        // No `type`: the id decides.
        let azure = load(&format!(
            r#"{{"id": "{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app",
            "principalId": "p1", "clientId": "c1"}}"#
        ));
        assert_eq!(azure.identities.len(), 1);
    }

    #[test]
    fn identities_in_az_and_rest_shapes() {
        let id = format!("{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app");
        let az = load(&format!(
            r#"[{{"id": "{id}", "name": "app", "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "principalId": "p1", "clientId": "c1", "tenantId": "t"}}]"#
        ));
        let rest = load(&format!(
            r#"{{"value": [{{"id": "{id}", "name": "app", "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "properties": {{"principalId": "p1", "clientId": "c1"}}}}]}}"#
        ));
        for (azure, format) in [(az, AzureFormat::AzCli), (rest, AzureFormat::ArmRest)] {
            let identity = &azure.identities[0];
            assert_eq!(identity.meta.name, "app");
            assert_eq!(identity.meta.format, format);
            assert_eq!(identity.meta.key.id.as_deref(), Some(id.as_str()));
            assert_eq!(identity.principal_id.as_deref(), Some("p1"));
            assert_eq!(identity.client_id.as_deref(), Some("c1"));
        }
        let unknown = load(&format!(
            r#"{{"id": "{id}", "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "principalId": {{"x": 1}}, "clientId": null}}"#
        ));
        assert_eq!(unknown.identities[0].principal_id, None);
        assert_eq!(unknown.identities[0].client_id, None);
    }

    #[test]
    fn federated_credentials_name_their_identity() {
        let identity =
            format!("{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app");
        for text in [
            format!(
                r#"[{{"id": "{identity}/federatedIdentityCredentials/fic", "name": "fic",
                "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                "issuer": "https://oidc.example/", "subject": "system:serviceaccount:ns:sa",
                "audiences": ["api://AzureADTokenExchange"]}}]"#
            ),
            format!(
                r#"{{"id": "{identity}/federatedIdentityCredentials/fic", "name": "fic",
                "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                "properties": {{"issuer": "https://oidc.example/", "subject": "system:serviceaccount:ns:sa"}}}}"#
            ),
        ] {
            let azure = load(&text);
            let credential = &azure.federated_credentials[0];
            assert_eq!(
                credential.identity.as_ref().and_then(Ref::id),
                Some(identity.as_str())
            );
            assert_eq!(credential.issuer.as_deref(), Some("https://oidc.example/"));
            assert_eq!(
                credential.subject.as_deref(),
                Some("system:serviceaccount:ns:sa")
            );
        }
    }

    #[test]
    fn subnets_alone_and_inside_a_vnet_link_their_nsg_and_route_table() {
        let vnet = format!("{RG}/providers/Microsoft.Network/virtualNetworks/v");
        let nsg = format!("{RG}/providers/Microsoft.Network/networkSecurityGroups/n");
        let az = load(&format!(
            r#"[{{"id": "{vnet}/subnets/nodes", "name": "nodes",
            "type": "Microsoft.Network/virtualNetworks/subnets",
            "networkSecurityGroup": {{"id": "{nsg}", "resourceGroup": "rg"}}, "routeTable": null}},
            {{"id": "{vnet}/subnets/pods", "name": "pods", "type": "Microsoft.Network/virtualNetworks/subnets",
            "networkSecurityGroup": "somewhere"}}]"#
        ));
        assert_eq!(az.subnets.len(), 2);
        assert_eq!(
            az.subnets[0].nsg.target().and_then(Ref::id),
            Some(nsg.as_str())
        );
        assert_eq!(az.subnets[0].route_table, Link::Absent);
        assert!(matches!(az.subnets[1].nsg, Link::Unknown(_)));
        assert_eq!(az.subnets[1].route_table, Link::Absent);
        assert_eq!(az.subnets[0].meta.format, AzureFormat::AzCli);

        // `az network vnet show` (flat) and a REST VNet (`properties.subnets[].properties`).
        let rest = load(&format!(
            r#"{{"id": "{vnet}", "name": "v", "type": "Microsoft.Network/virtualNetworks",
            "properties": {{"addressSpace": {{"addressPrefixes": ["10.0.0.0/8"]}}, "subnets": [
              {{"id": "{vnet}/subnets/nodes", "name": "nodes", "properties": {{
                "addressPrefix": "10.1.0.0/16", "routeTable": {{"id": "{RG}/providers/Microsoft.Network/routeTables/rt"}}}}}},
              {{"name": "noid", "properties": {{}}}}, "junk"]}}}}"#
        ));
        assert_eq!(rest.subnets.len(), 2);
        assert_eq!(rest.subnets[0].nsg, Link::Absent);
        assert!(rest.subnets[0].route_table.target().is_some());
        assert_eq!(
            rest.subnets[1].meta.key.id.as_deref(),
            Some(format!("{vnet}/subnets/noid").as_str())
        );
        assert_eq!(rest.subnets[0].meta.format, AzureFormat::ArmRest);
        let flat = load(&format!(
            r#"{{"id": "{vnet}", "name": "v", "type": "Microsoft.Network/virtualNetworks",
            "subnets": [{{"id": "{vnet}/subnets/nodes", "name": "nodes", "networkSecurityGroup": {{"id": "{nsg}"}}}}]}}"#
        ));
        assert!(flat.subnets[0].nsg.target().is_some());
    }

    const NSG_ID: &str =
        "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n";

    #[test]
    fn nsg_rules_in_both_shapes_and_default_rules_are_left_out() {
        let az = load(&format!(
            r#"{{"id": "{NSG_ID}", "name": "n", "type": "Microsoft.Network/networkSecurityGroups",
            "securityRules": [{{"name": "ssh", "access": "Allow", "direction": "Inbound", "priority": 100,
              "protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourceAddressPrefixes": [],
              "destinationPortRange": "22", "destinationPortRanges": []}}],
            "defaultSecurityRules": [{{"name": "AllowVnetInBound", "access": "Allow", "direction": "Inbound",
              "sourceAddressPrefix": "VirtualNetwork", "destinationPortRange": "*"}}]}}"#
        ));
        let rest = load(&format!(
            r#"{{"id": "{NSG_ID}", "name": "n", "type": "Microsoft.Network/networkSecurityGroups",
            "properties": {{"securityRules": [{{"name": "ssh", "properties": {{"access": "Allow",
              "direction": "Inbound", "priority": 100, "protocol": "Tcp",
              "sourceAddressPrefixes": ["Internet"], "destinationPortRanges": ["22"]}}}}]}}}}"#
        ));
        for azure in [az, rest] {
            let nsg = &azure.nsgs[0];
            assert_eq!(nsg.rules.len(), 1);
            assert_eq!(nsg.rules_unknown, None);
            let rule = &nsg.rules[0];
            assert_eq!(rule.name, "ssh");
            assert_eq!(rule.direction.as_deref(), Some("Inbound"));
            assert_eq!(rule.access.as_deref(), Some("Allow"));
            assert_eq!(rule.priority, Some(100));
            assert_eq!(rule.protocol.as_deref(), Some("Tcp"));
            assert_eq!(rule.sources, Some(vec!["Internet".to_owned()]));
            assert_eq!(rule.ports, Some(vec!["22".to_owned()]));
        }
        let odd = load(&format!(
            r#"{{"id": "{NSG_ID}", "type": "Microsoft.Network/networkSecurityGroups",
            "securityRules": [{{"name": "x", "sourceAddressPrefix": ["a"], "destinationPortRanges": "22",
              "priority": "high"}}]}}"#
        ));
        let rule = &odd.nsgs[0].rules[0];
        assert_eq!((rule.sources.clone(), rule.ports.clone()), (None, None));
        assert_eq!(rule.priority, None);
        let unknown = load(&format!(
            r#"{{"id": "{NSG_ID}", "type": "Microsoft.Network/networkSecurityGroups", "securityRules": "x"}}"#
        ));
        assert!(unknown.nsgs[0].rules_unknown.is_some());
    }

    #[test]
    fn standalone_rules_and_routes_join_their_parents() {
        let table = format!("{RG}/providers/Microsoft.Network/routeTables/rt");
        let mut azure = load(&format!(
            r#"[{{"id": "{NSG_ID}", "type": "Microsoft.Network/networkSecurityGroups", "securityRules": []}},
            {{"id": "{NSG_ID}/securityRules/rdp", "name": "rdp", "type": "Microsoft.Network/networkSecurityGroups/securityRules",
              "access": "Allow", "direction": "Inbound", "sourceAddressPrefix": "*", "destinationPortRange": "3389"}},
            {{"id": "{table}", "type": "Microsoft.Network/routeTables", "properties": {{"routes": [
              {{"name": "default", "properties": {{"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                "nextHopIpAddress": "10.0.0.4"}}}}]}}}},
            {{"id": "{table}/routes/internet", "name": "internet", "addressPrefix": "1.2.3.0/24", "nextHopType": "Internet"}},
            {{"id": "{RG}/providers/Microsoft.Network/routeTables/gone/routes/r", "nextHopType": "Internet"}}]"#
        ));
        assert_eq!(azure.detached.security_rules.len(), 1);
        assert_eq!(azure.detached.routes.len(), 2);
        let notes = azure.join_surroundings();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(azure.nsgs[0].rules[0].name, "rdp");
        assert_eq!(azure.nsgs[0].rules[0].ports, Some(vec!["3389".to_owned()]));
        let routes = &azure.route_tables[0].routes;
        assert_eq!(routes.len(), 2);
        assert_eq!(routes[0].next_hop_type.as_deref(), Some("VirtualAppliance"));
        assert_eq!(routes[0].next_hop_ip.as_deref(), Some("10.0.0.4"));
        assert_eq!(routes[1].address_prefix.as_deref(), Some("1.2.3.0/24"));
    }

    #[test]
    fn application_gateways_and_waf_policies() {
        let policy = format!(
            "{RG}/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/waf"
        );
        let azure = load(&format!(
            r#"[{{"id": "{RG}/providers/Microsoft.Network/applicationGateways/agw", "name": "agw",
              "type": "Microsoft.Network/applicationGateways",
              "sku": {{"name": "WAF_v2", "tier": "WAF_v2", "capacity": 2}},
              "webApplicationFirewallConfiguration": {{"enabled": true, "firewallMode": "Detection"}},
              "firewallPolicy": {{"id": "{policy}"}}}},
            {{"id": "{RG}/providers/Microsoft.Network/applicationGateways/std", "name": "std",
              "type": "Microsoft.Network/applicationGateways",
              "properties": {{"sku": {{"tier": "Standard_v2"}}, "firewallPolicy": null}}}},
            {{"id": "{policy}", "name": "waf", "type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
              "policySettings": {{"state": "Enabled", "mode": "Prevention"}}}},
            {{"id": "{policy}2", "type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
              "properties": {{"policySettings": {{"state": "Disabled", "mode": "Detection"}}}}}},
            {{"id": "{policy}3", "type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
              "properties": {{"policySettings": {{"state": 7}}}}}}]"#
        ));
        let gateway = &azure.application_gateways[0];
        assert_eq!(gateway.sku_tier.as_deref(), Some("WAF_v2"));
        let waf = gateway.inline_waf.as_ref().unwrap();
        assert_eq!(
            (waf.enabled, waf.mode.as_deref()),
            (Some(true), Some("Detection"))
        );
        assert_eq!(
            gateway.waf_policy.target().and_then(Ref::id),
            Some(policy.as_str())
        );
        let standard = &azure.application_gateways[1];
        assert_eq!(standard.sku_tier.as_deref(), Some("Standard_v2"));
        assert_eq!(standard.waf_policy, Link::Absent);
        assert!(standard.inline_waf.is_none());
        let settings: Vec<(Option<bool>, Option<&str>)> = azure
            .waf_policies
            .iter()
            .map(|p| (p.settings.enabled, p.settings.mode.as_deref()))
            .collect();
        assert_eq!(
            settings,
            vec![
                (Some(true), Some("Prevention")),
                (Some(false), Some("Detection")),
                (None, None)
            ]
        );
    }

    #[test]
    fn policy_assignments_with_effect_scope_and_enforcement() {
        let azure = load(&format!(
            r#"[{{"id": "{RG}/providers/Microsoft.Authorization/policyAssignments/baseline", "name": "baseline",
              "type": "Microsoft.Authorization/policyAssignments",
              "policyDefinitionId": "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d",
              "scope": "{RG}", "enforcementMode": "Default",
              "parameters": {{"effect": {{"value": "Deny"}}}}}},
            {{"id": "{RG}/providers/Microsoft.Authorization/policyAssignments/plain",
              "type": "Microsoft.Authorization/policyAssignments",
              "properties": {{"policyDefinitionId": "/x", "scope": "{RG}", "parameters": {{}}, "enforcementMode": "DoNotEnforce"}}}},
            {{"id": "{RG}/providers/Microsoft.Authorization/policyAssignments/odd",
              "type": "Microsoft.Authorization/policyAssignments",
              "parameters": {{"effect": {{"value": ["Deny"]}}}}}}]"#
        ));
        let [baseline, plain, odd] = &azure.policy_assignments[..] else {
            panic!("{:?}", azure.policy_assignments);
        };
        assert!(baseline.definition.as_deref().unwrap().ends_with("647d"));
        assert_eq!(baseline.scope.as_ref().and_then(Ref::id), Some(RG));
        assert_eq!(
            (baseline.effect.as_deref(), baseline.effect_unknown),
            (Some("Deny"), false)
        );
        assert_eq!(baseline.enforcement_mode.as_deref(), Some("Default"));
        assert_eq!(
            (plain.effect.as_deref(), plain.effect_unknown),
            (None, false)
        );
        assert_eq!(plain.enforcement_mode.as_deref(), Some("DoNotEnforce"));
        assert_eq!((odd.effect.as_deref(), odd.effect_unknown), (None, true));
        assert_eq!(odd.definition, None);
    }

    #[test]
    fn alert_rules_of_each_kind() {
        let cluster = format!("{RG}/providers/Microsoft.ContainerService/managedClusters/c1");
        let azure = load(&format!(
            r#"{{"value": [
            {{"id": "{RG}/providers/Microsoft.Insights/scheduledQueryRules/q", "type": "Microsoft.Insights/scheduledQueryRules",
              "scopes": ["{cluster}"], "enabled": true}},
            {{"id": "{RG}/providers/Microsoft.Insights/metricAlerts/m", "type": "Microsoft.Insights/metricAlerts",
              "properties": {{"scopes": ["{cluster}"], "enabled": false}}}},
            {{"id": "{RG}/providers/microsoft.insights/activityLogAlerts/a", "type": "Microsoft.Insights/ActivityLogAlerts",
              "properties": {{"scopes": ["/subscriptions/0000"], "enabled": "true"}}}},
            {{"id": "{RG}/providers/Microsoft.Insights/metricAlerts/x", "type": "Microsoft.Insights/metricAlerts",
              "scopes": "{cluster}", "enabled": "sometimes"}}]}}"#
        ));
        let rules: Vec<(AlertKind, Option<usize>, Option<bool>)> = azure
            .alert_rules
            .iter()
            .map(|r| (r.kind, r.scopes.as_ref().map(Vec::len), r.enabled))
            .collect();
        assert_eq!(
            rules,
            vec![
                (AlertKind::ScheduledQuery, Some(1), Some(true)),
                (AlertKind::Metric, Some(1), Some(false)),
                (AlertKind::ActivityLog, Some(1), Some(true)),
                (AlertKind::Metric, None, None),
            ]
        );
        assert_eq!(
            azure.alert_rules[0].scopes.as_ref().unwrap()[0].id(),
            Some(cluster.as_str())
        );
    }

    #[test]
    fn security_contacts_notify_by_email_or_role() {
        let contact = |properties: &str| {
            load(&format!(
                r#"{{"id": "/subscriptions/0000/providers/Microsoft.Security/securityContacts/default",
                "name": "default", "type": "Microsoft.Security/securityContacts", "properties": {properties}}}"#
            ))
            .security_contacts[0]
                .notifies
        };
        assert_eq!(
            contact(r#"{"emails": "sec@example.com;ops@example.com"}"#),
            Some(true)
        );
        assert_eq!(contact(r#"{"email": "sec@example.com"}"#), Some(true));
        assert_eq!(
            contact(
                r#"{"emails": "", "notificationsByRole": {"state": "On", "roles": ["Owner"]}}"#
            ),
            Some(true)
        );
        assert_eq!(
            contact(
                r#"{"emails": "", "notificationsByRole": {"state": "Off", "roles": ["Owner"]}}"#
            ),
            Some(false)
        );
        assert_eq!(
            contact(r#"{"emails": "a@b.c", "alertNotifications": {"state": "Off"}}"#),
            Some(false)
        );
        assert_eq!(
            contact(r#"{"emails": "a@b.c", "isEnabled": false}"#),
            Some(false)
        );
        assert_eq!(contact("{}"), Some(false));
        assert_eq!(contact(r#"{"emails": ["a@b.c"]}"#), None);
        assert_eq!(
            contact(r#"{"notificationsByRole": {"state": "On", "roles": "Owner"}}"#),
            None
        );
    }

    #[test]
    fn pricing_extensions_from_list_and_envelope() {
        let flat = load(
            r#"{"value": [{"id": "/subscriptions/0000/providers/Microsoft.Security/pricings/Containers",
            "name": "Containers", "type": "Microsoft.Security/pricings", "pricingTier": "Standard",
            "extensions": [{"name": "ContainerSensor", "isEnabled": "True"},
              {"name": "ContainerRegistriesVulnerabilityAssessments", "isEnabled": "False"},
              {"name": "AgentlessDiscoveryForKubernetes", "isEnabled": true},
              {"name": "Odd", "isEnabled": "maybe"}, {"isEnabled": "True"}]}]}"#,
        );
        let pricing = &flat.pricings[0];
        assert_eq!(pricing.tier.as_deref(), Some("Standard"));
        let extensions: Vec<(&str, Option<bool>)> = pricing
            .extensions
            .as_ref()
            .unwrap()
            .iter()
            .map(|e| (e.name.as_str(), e.enabled))
            .collect();
        assert_eq!(
            extensions,
            vec![
                ("ContainerSensor", Some(true)),
                ("ContainerRegistriesVulnerabilityAssessments", Some(false)),
                ("AgentlessDiscoveryForKubernetes", Some(true)),
                ("Odd", None),
            ]
        );
        let rest = load(
            r#"{"id": "/subscriptions/0000/providers/Microsoft.Security/pricings/Containers",
            "name": "Containers", "type": "Microsoft.Security/pricings",
            "properties": {"pricingTier": "Free"}}"#,
        );
        assert_eq!(rest.pricings[0].extensions, None);
        let odd = load(
            r#"{"id": "/subscriptions/0000/providers/Microsoft.Security/pricings/Containers",
            "type": "Microsoft.Security/pricings", "properties": {"extensions": "x"}}"#,
        );
        assert_eq!(odd.pricings[0].extensions, None);
    }

    #[test]
    fn malformed_documents_never_panic_and_unknown_types_are_ignored() {
        for text in [
            r#"{"type": "Microsoft.Network/virtualNetworks/subnets"}"#,
            r#"{"type": "Microsoft.Network/networkSecurityGroups/securityRules", "name": "x"}"#,
            r#"{"type": "Microsoft.Network/routeTables/routes", "id": "x"}"#,
            r#"{"type": "Microsoft.Network/virtualNetworks", "subnets": 5}"#,
            r#"{"type": "Microsoft.Network/networkSecurityGroups", "properties": [1]}"#,
            r#"{"type": ["x"], "id": 3}"#,
            r#"[1, "two", null, {"id": "/subscriptions/0000/providers/"}]"#,
            r#"{"type": "Microsoft.Web/sites", "name": "app"}"#,
        ] {
            let azure = load(text);
            assert!(
                azure.subnets.is_empty()
                    && azure.detached.is_empty()
                    && azure.identities.is_empty(),
                "{text}"
            );
        }
        // An NSG whose body is of the wrong shape is still an NSG (named, no rules known).
        let azure =
            load(r#"{"type": "Microsoft.Network/networkSecurityGroups", "properties": [1]}"#);
        assert_eq!(azure.nsgs[0].meta.name, "<unnamed>");
    }
}
