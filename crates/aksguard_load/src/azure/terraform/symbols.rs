//! How a Terraform resource names another: expressions such as
//! `azurerm_user_assigned_identity.x.principal_id`, `azurerm_subnet.nodes.id`,
//! `data.azurerm_subscription.current.id` or
//! `"/subscriptions/${data.azurerm_client_config.c.subscription_id}/resourceGroups/${azurerm_resource_group.rg.name}"`
//! become [`Ref`] keys (see `aksguard_model::azure::refs`), and every resource gets the
//! [`ResourceKey`] those keys name.
//!
//! A resource's symbol is `tf:<home>#<module path><type>.<label>`, where `<home>` is the file
//! of the outermost module call for a resource of a followed module ([`Resource::caller`]),
//! else the file that declares it. A reference written at the root of a directory names the
//! declaration of its own file, or of the one sibling file declaring that address (a name
//! declared by several siblings, as in a folder of independent fixtures, is not followed).
//! One function, [`Names::symbol`], builds both sides.
//!
//! Keys, decided here:
//! - a reference to a resource the model stores with its symbol (subnet, NSG, identity,
//!   cluster, …) is that symbol, with the copy's key when the index is literal
//!   (`azurerm_subnet.s[0].id`); to another resource (a Log Analytics workspace, a registry,
//!   a private DNS zone) the ID its literal names build, else its symbol;
//! - a resource group (`azurerm_resource_group.rg.id`, `data.azurerm_resource_group.rg.id`)
//!   is `/subscriptions/{unknown}/resourceGroups/<name>` when its name resolves, else (a
//!   resource) its symbol; a subscription (`data.azurerm_subscription.x.id`, or the
//!   `subscription_id` of `data.azurerm_client_config`/`data.azurerm_subscription` in a
//!   template) is `/subscriptions/{unknown}`;
//! - another data source is the ID its literal names build, else not followed;
//! - the principal of an identity (`…user_assigned_identity.x.principal_id`, azapi
//!   `….output.properties.principalId`) is the identity's key; a cluster's
//!   `kubelet_identity[0].object_id` is its kubelet identity's key (the user-assigned identity
//!   it names, else `<cluster symbol>.kubelet_identity`);
//! - anything else (a variable without a default, a module output, a function call) is
//!   opaque: it joins nothing.

use std::collections::HashMap;
use std::sync::Arc;

use aksguard_model::azure::refs::UNKNOWN_SEGMENT;
use aksguard_model::azure::{Ref, ResourceKey};

use super::{Attr, Resource, Val, azapi};

/// What the references of one load resolve against: where root addresses are declared, the
/// IDs that literal names build, resource group names, and clusters' kubelet identities.
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Root addresses (`azurerm_subnet.nodes`, `data.azurerm_resource_group.rg`) → the files
    /// of the directory declaring them.
    declared: HashMap<String, Vec<Arc<str>>>,
    /// Literal `name`s by symbol (resource groups, VNets, …: what `x.name` references give).
    literal_names: HashMap<String, String>,
    /// IDs built from literal names (with unknown segments) by symbol.
    ids: HashMap<String, String>,
    /// A cluster's kubelet identity key by the cluster's symbol.
    kubelet: HashMap<String, String>,
    /// Outputs of followed module instances: (caller file, module path, name) → the value's
    /// expression.
    outputs: HashMap<(String, String, String), String>,
}

/// Module outputs naming outputs of other modules, followed at most this deep.
const MAX_OUTPUT_DEPTH: u32 = 8;

/// Where an expression is written: the resource's module instance and file (see
/// [`Names::symbol`]).
struct At<'a> {
    caller: Option<&'a str>,
    module: &'a str,
    file: &'a str,
    /// Module outputs followed to get here.
    depth: u32,
}

impl<'a> At<'a> {
    fn of(resource: &'a Resource) -> At<'a> {
        At {
            caller: resource.caller.as_deref(),
            module: &resource.module,
            file: &resource.source.path,
            depth: 0,
        }
    }
}

/// ID shapes by azurerm type: the provider path below the resource group, with `{name}` and
/// the parent name attribute in braces.
const ID_SHAPES: &[(&str, &str)] = &[
    (
        "azurerm_subnet",
        "Microsoft.Network/virtualNetworks/{virtual_network_name}/subnets/{name}",
    ),
    (
        "azurerm_virtual_network",
        "Microsoft.Network/virtualNetworks/{name}",
    ),
    (
        "azurerm_network_security_group",
        "Microsoft.Network/networkSecurityGroups/{name}",
    ),
    (
        "azurerm_route_table",
        "Microsoft.Network/routeTables/{name}",
    ),
    (
        "azurerm_user_assigned_identity",
        "Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
    ),
    (
        "azurerm_application_gateway",
        "Microsoft.Network/applicationGateways/{name}",
    ),
    (
        "azurerm_web_application_firewall_policy",
        "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/{name}",
    ),
    (
        "azurerm_kubernetes_cluster",
        "Microsoft.ContainerService/managedClusters/{name}",
    ),
    (
        "azurerm_log_analytics_workspace",
        "Microsoft.OperationalInsights/workspaces/{name}",
    ),
    (
        "azurerm_container_registry",
        "Microsoft.ContainerRegistry/registries/{name}",
    ),
    (
        "azurerm_private_dns_zone",
        "Microsoft.Network/privateDnsZones/{name}",
    ),
    (
        "azurerm_disk_encryption_set",
        "Microsoft.Compute/diskEncryptionSets/{name}",
    ),
];

const RESOURCE_GROUP: &str = "azurerm_resource_group";

/// Resource types the model stores with their symbols (see `surroundings.rs`, `map.rs`).
fn modelled(kind: &str) -> bool {
    kind == azapi::RESOURCE
        || kind == super::map::CLUSTER
        || (super::map::is_mapped(kind)
            && ![
                RESOURCE_GROUP,
                "azurerm_container_registry",
                "azurerm_virtual_network",
            ]
            .contains(&kind))
}

/// The data sources read for their names (see [`Names::build`]).
pub(crate) fn is_read_data(kind: &str) -> bool {
    kind == RESOURCE_GROUP || ID_SHAPES.iter().any(|(k, _)| *k == kind)
}

/// One step of a reference expression.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Attr(String),
    /// A literal index: `[0]` or `["key"]`, as Terraform writes a copy's key.
    Key(String),
    /// An index that is an expression or a splat.
    Other,
}

/// `a.b[0].c["k"]` → steps; `None` when the text is not a plain traversal.
/// `jsondecode(x).y` (azapi v1 outputs) is read as `x.y`.
fn traversal(text: &str) -> Option<Vec<Step>> {
    let mut text = text.trim();
    let mut unwrapped = String::new();
    if let Some(rest) = text.strip_prefix("jsondecode(") {
        let close = rest.find(')')?;
        unwrapped = format!("{}{}", &rest[..close], &rest[close + 1..]);
    }
    if !unwrapped.is_empty() {
        text = unwrapped.as_str();
    }
    let mut steps = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut expect_name = true;
    while let Some((at, c)) = chars.next() {
        match c {
            '.' if !expect_name => expect_name = true,
            '[' => {
                let close = text[at..].find(']')? + at;
                let inner = text[at + 1..close].trim();
                steps.push(
                    if inner.chars().all(|c| c.is_ascii_digit()) && !inner.is_empty() {
                        Step::Key(format!("[{inner}]"))
                    } else if let Some(key) = inner
                        .strip_prefix('"')
                        .and_then(|k| k.strip_suffix('"'))
                        .filter(|k| !k.contains(['"', '$', '\\']))
                    {
                        Step::Key(format!("[{key:?}]"))
                    } else {
                        Step::Other
                    },
                );
                while chars.peek().is_some_and(|(i, _)| *i <= close) {
                    chars.next();
                }
                expect_name = false;
            }
            c if expect_name && (c.is_ascii_alphabetic() || c == '_') => {
                let mut name = String::from(c);
                while let Some((_, c)) = chars.peek().copied() {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                        name.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                steps.push(Step::Attr(name));
                expect_name = false;
            }
            _ => return None,
        }
    }
    (!steps.is_empty() && !expect_name).then_some(steps)
}

/// A reference split into what it names and what of it.
struct Target<'a> {
    data: bool,
    kind: &'a str,
    label: &'a str,
    /// The copy's key (`[0]`), empty when not literal.
    instance: String,
    attrs: Vec<&'a str>,
}

fn target(steps: &[Step]) -> Option<Target<'_>> {
    let name = |i: usize| match steps.get(i) {
        Some(Step::Attr(n)) => Some(n.as_str()),
        _ => None,
    };
    let data = name(0)? == "data";
    let start = usize::from(data);
    let (kind, label) = (name(start)?, name(start + 1)?);
    if !(kind.starts_with("azurerm_") || kind.starts_with("azapi_")) {
        return None;
    }
    let mut rest = &steps[start + 2..];
    let mut instance = String::new();
    match rest.first() {
        Some(Step::Key(key)) => {
            instance = key.clone();
            rest = &rest[1..];
        }
        Some(Step::Other) => rest = &rest[1..],
        _ => {}
    }
    let attrs = rest
        .iter()
        .filter_map(|s| match s {
            Step::Attr(a) => Some(a.as_str()),
            _ => None,
        })
        .collect();
    Some(Target {
        data,
        kind,
        label,
        instance,
        attrs,
    })
}

impl Names {
    /// Builds the names of `resources` (every resource and read data source of the load,
    /// sibling files' included) and the addresses `declared` per file of the directory.
    pub fn build<'a>(
        resources: impl Iterator<Item = &'a Resource> + Clone,
        declared: Vec<(Arc<str>, Vec<String>)>,
    ) -> Names {
        let mut names = Names::default();
        for (file, addresses) in declared {
            for address in addresses {
                names
                    .declared
                    .entry(address)
                    .or_default()
                    .push(file.clone());
            }
        }
        // Names first: IDs are built from them (a subnet's `virtual_network_name =
        // azurerm_virtual_network.v.name`, `resource_group_name = azurerm_resource_group.rg.name`).
        for resource in resources.clone() {
            if let Some(name) = resource.body.attr("name").and_then(|a| a.val.as_str()) {
                names
                    .literal_names
                    .insert(Names::symbol(resource), name.to_owned());
            }
        }
        // Twice: a child's ID may be built from its parent's (`parent_id = azapi_resource.vnet.id`).
        for _ in 0..2 {
            for resource in resources.clone() {
                if let Some(id) = names.literal_id(resource) {
                    names.ids.insert(Names::symbol(resource), id);
                }
            }
        }
        for resource in resources {
            if resource.kind == super::map::CLUSTER
                && let Some(block) = resource.body.block("kubelet_identity")
                && let Some(attr) = block.attr("user_assigned_identity_id")
                && let Some(key) = names.resolve(resource, attr).key
            {
                names.kubelet.insert(Names::symbol(resource), key);
            }
        }
        names
    }

    /// `tf:<home>#<module path><type>.<label>` of a resource (see the module documentation).
    pub fn symbol(resource: &Resource) -> String {
        let home = resource.caller.as_deref().unwrap_or(&resource.source.path);
        format!(
            "tf:{home}#{}{}.{}",
            resource.module, resource.kind, resource.label
        )
    }

    /// The key of a resource: its symbols (with the copy's key too) and the ID its literal
    /// names build, or `id` when the source gives one (plan and state).
    pub fn key(&self, resource: &Resource) -> ResourceKey {
        let symbol = Names::symbol(resource);
        let mut symbols = vec![symbol.clone()];
        if !resource.instance.is_empty() {
            symbols.push(format!("{symbol}{}", resource.instance));
        }
        let plan_id = resource
            .body
            .attr("id")
            .and_then(|a| a.val.as_str())
            .filter(|id| id.starts_with('/'))
            .map(str::to_owned);
        ResourceKey {
            id: plan_id.or_else(|| self.ids.get(&symbol).cloned()),
            symbols,
        }
    }

    /// The symbol a root (or module) address written in `from` names; `None` when several
    /// sibling files declare it and `from`'s own file does not.
    fn symbol_for(&self, at: &At<'_>, address: &str, instance: &str) -> Option<String> {
        let home: &str = match at.caller {
            Some(caller) => caller,
            None => match self.declared.get(address) {
                Some(files) if files.iter().any(|f| **f == *at.file) => at.file,
                Some(files) if files.len() == 1 => &files[0],
                Some(files) if files.len() > 1 => return None,
                _ => at.file,
            },
        };
        Some(format!("tf:{home}#{}{address}{instance}", at.module))
    }

    /// The reference an attribute of `from` makes: a resolved value is a literal; an
    /// expression is followed as the module documentation says, else opaque.
    pub fn resolve(&self, from: &Resource, attr: &Attr) -> Ref {
        if let Some(value) = attr.val.as_str() {
            return Ref::literal(value);
        }
        let Some(text) = attr.text.as_deref() else {
            return Ref::opaque(describe(&attr.val));
        };
        match self.resolve_text(from, text) {
            Some(key) => Ref::resolved(text, key),
            None => Ref::opaque(text),
        }
    }

    /// The key an expression's text names, if it can be followed.
    pub fn resolve_text(&self, from: &Resource, text: &str) -> Option<String> {
        self.resolve_at(&At::of(from), text)
    }

    fn resolve_at(&self, at: &At<'_>, text: &str) -> Option<String> {
        let text = text.trim();
        if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            // `"${x.id}"` is `x.id`; other templates must build a whole ID.
            if let Some(only) = inner
                .strip_prefix("${")
                .and_then(|t| t.strip_suffix('}'))
                .filter(|t| !t.contains("${"))
            {
                return self.resolve_at(at, only);
            }
            return self.template(at, inner).filter(|id| id.starts_with('/'));
        }
        let steps = traversal(text)?;
        if let Some(key) = self.module_output(at, &steps) {
            return key;
        }
        let target = target(&steps)?;
        self.follow(at, &target)
    }

    /// `module.<name>[key].<output>…`: the output's value expression, followed as written in
    /// the module (`Some(None)` when it is a module output that cannot be followed).
    fn module_output(&self, at: &At<'_>, steps: &[Step]) -> Option<Option<String>> {
        let [Step::Attr(root), Step::Attr(name), rest @ ..] = steps else {
            return None;
        };
        if root != "module" {
            return None;
        }
        let (instance, rest) = match rest.first() {
            Some(Step::Key(key)) => (key.as_str(), &rest[1..]),
            _ => ("", rest),
        };
        let Some(Step::Attr(output)) = rest.first() else {
            return Some(None);
        };
        if rest.len() > 1 || at.depth >= MAX_OUTPUT_DEPTH {
            return Some(None);
        }
        let home = at.caller.unwrap_or(at.file);
        let module = format!("{}module.{name}{instance}.", at.module);
        let text = self
            .outputs
            .get(&(home.to_owned(), module.clone(), output.clone()));
        Some(text.and_then(|text| {
            let inner = At {
                caller: Some(home),
                module: &module,
                file: home,
                depth: at.depth + 1,
            };
            self.resolve_at(&inner, text)
        }))
    }

    /// Records the outputs of the module instances `caller` follows (see [`Follow`]).
    ///
    /// [`Follow`]: super::module::Follow
    pub fn add_outputs(&mut self, caller: &str, outputs: Vec<(String, String, String)>) {
        for (module, name, text) in outputs {
            self.outputs.insert((caller.to_owned(), module, name), text);
        }
    }

    fn follow(&self, at: &At<'_>, target: &Target<'_>) -> Option<String> {
        let address = if target.data {
            format!("data.{}.{}", target.kind, target.label)
        } else {
            format!("{}.{}", target.kind, target.label)
        };
        let base = self.symbol_for(at, &address, "")?;
        let symbol = self.symbol_for(at, &address, &target.instance)?;
        let attrs = target.attrs.as_slice();
        if target.data && target.kind == "azurerm_subscription" && attrs == ["id"] {
            return Some(format!("/subscriptions/{UNKNOWN_SEGMENT}"));
        }
        if target.kind == RESOURCE_GROUP && attrs == ["id"] {
            return match self.literal_names.get(&base) {
                Some(name) => Some(group_id(name)),
                None if !target.data => Some(symbol),
                None => None,
            };
        }
        if target.data {
            // A data source is not in the model: only the ID its names build can join.
            return match attrs {
                ["id"] | ["principal_id"] => self.ids.get(&base).cloned(),
                _ => None,
            };
        }
        match (target.kind, attrs) {
            // A resource the model stores carries its symbol; any other (a workspace, a
            // private DNS zone) is named by the ID its literal names build, as the settings
            // that name it hold it.
            (kind, ["id"]) if !modelled(kind) => Some(self.id_of(symbol.clone()).unwrap_or(symbol)),
            (_, ["id"]) => Some(symbol),
            ("azurerm_user_assigned_identity", ["principal_id"]) => Some(symbol),
            // azapi v2 `output.properties.principalId`, v1 `jsondecode(….output)…`.
            (azapi::RESOURCE, ["output", "properties", "principalId"]) => Some(symbol),
            (super::map::CLUSTER, ["kubelet_identity", "object_id"]) => Some(
                self.kubelet
                    .get(&base)
                    .cloned()
                    .unwrap_or_else(|| format!("{base}.kubelet_identity")),
            ),
            (super::map::CLUSTER, ["identity", "principal_id"]) => Some(format!("{base}.identity")),
            _ => None,
        }
    }

    /// A string template's value when every interpolation is a part of an ID that can be
    /// named: a subscription ID (`{unknown}`), a resource group name, an ID.
    fn template(&self, at: &At<'_>, inner: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = inner;
        while let Some(open) = rest.find("${") {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}')? + open;
            let steps = traversal(&rest[open + 2..close])?;
            let target = target(&steps)?;
            out.push_str(&self.part(at, &target)?);
            rest = &rest[close + 1..];
        }
        if rest.contains("%{") {
            return None;
        }
        out.push_str(rest);
        Some(out)
    }

    fn part(&self, at: &At<'_>, target: &Target<'_>) -> Option<String> {
        let attrs = target.attrs.as_slice();
        if target.data
            && matches!(
                target.kind,
                "azurerm_client_config" | "azurerm_subscription"
            )
            && attrs == ["subscription_id"]
        {
            return Some(UNKNOWN_SEGMENT.to_owned());
        }
        let address = if target.data {
            format!("data.{}.{}", target.kind, target.label)
        } else {
            format!("{}.{}", target.kind, target.label)
        };
        let base = self.symbol_for(at, &address, "")?;
        match attrs {
            ["name"] => self.literal_names.get(&base).cloned(),
            ["id"] => self.id_of(self.follow(at, target)?),
            _ => None,
        }
    }

    /// The literal name a `x.name` reference gives.
    fn name_reference(&self, at: &At<'_>, text: &str) -> Option<String> {
        let steps = traversal(text)?;
        let target = target(&steps)?;
        (target.attrs == ["name"]).then_some(())?;
        self.part(at, &target)
    }

    /// A followed key as a resource ID: an ID as is, a symbol as the ID its target's literal
    /// names build (`None` when they do not).
    fn id_of(&self, key: String) -> Option<String> {
        if key.starts_with('/') {
            return Some(key);
        }
        self.ids.get(&key).cloned().or_else(|| {
            // A copy's symbol (`…nodes[0]`) names the resource's ID too.
            let base = key.rsplit_once('[').map(|(b, _)| b)?;
            self.ids.get(base).cloned()
        })
    }

    /// The resource ID an attribute that names a resource holds after apply, when its
    /// expression is followed to a resource whose ID the literal names build (or to an ID):
    /// `vnet_subnet_id = azurerm_subnet.nodes.id` →
    /// `/subscriptions/{unknown}/resourceGroups/rg/providers/…/subnets/nodes`, as ARM
    /// templates give `resourceId(…)`. `None` when not followed.
    pub fn id_value(&self, from: &Resource, attr: &Attr) -> Option<String> {
        if attr.val.as_str().is_some() {
            return None;
        }
        self.id_of(self.resolve_text(from, attr.text.as_deref()?)?)
    }

    /// The resource group name `resource_group_name` of `resource` gives: literal, or a
    /// group's name by reference; `None` when not resolvable.
    pub fn group_name(&self, resource: &Resource) -> Option<String> {
        let attr = resource.body.attr("resource_group_name")?;
        if let Some(name) = attr.val.as_str() {
            return Some(name.to_owned());
        }
        let steps = traversal(attr.text.as_deref()?)?;
        let target = target(&steps)?;
        (target.kind == RESOURCE_GROUP).then_some(())?;
        self.part(&At::of(resource), &target)
    }

    /// A reference to a resource group by its name (`resource_group_name`): the group's ID
    /// when its name resolves, else the group's symbol.
    pub fn group_ref(&self, resource: &Resource) -> Option<Ref> {
        let attr = resource.body.attr("resource_group_name")?;
        if let Some(name) = self.group_name(resource) {
            let written = attr.text.clone().unwrap_or_else(|| name.clone());
            return Some(Ref::resolved(written, group_id(&name)));
        }
        let text = attr.text.as_deref()?;
        let steps = traversal(text)?;
        let target = target(&steps)?;
        if target.kind != RESOURCE_GROUP || target.data || target.attrs != ["name"] {
            return None;
        }
        let address = format!("{}.{}", target.kind, target.label);
        let symbol = self.symbol_for(&At::of(resource), &address, "")?;
        Some(Ref::resolved(text, symbol))
    }

    /// A parent named by its name attribute (`network_security_group_name`,
    /// `route_table_name`): the symbol of the resource whose `.name` is referenced, else the
    /// ID the literal names build with `shape` (`Microsoft.Network/routeTables/{name}`).
    pub fn parent_by_name(&self, from: &Resource, name_attr: &str, shape: &str) -> Option<Ref> {
        let attr = from.body.attr(name_attr)?;
        if let Some(name) = attr.val.as_str() {
            let group = self
                .group_name(from)
                .unwrap_or_else(|| UNKNOWN_SEGMENT.to_owned());
            let id = format!(
                "{}/providers/{}",
                group_id(&group),
                shape.replace("{name}", name)
            );
            return Some(Ref::resolved(name, id));
        }
        let text = attr.text.as_deref()?;
        let target = traversal(text).and_then(|steps| {
            let t = target(&steps)?;
            (!t.data && t.attrs == ["name"]).then(|| {
                self.symbol_for(
                    &At::of(from),
                    &format!("{}.{}", t.kind, t.label),
                    &t.instance,
                )
            })?
        });
        Some(match target {
            Some(symbol) => Ref::resolved(text, symbol),
            None => Ref::opaque(text),
        })
    }

    /// The ID a resource's (or data source's) literal names build.
    fn literal_id(&self, resource: &Resource) -> Option<String> {
        let kind = resource.kind.trim_start_matches("data.");
        let obj = &resource.body;
        let name = obj.attr("name")?.val.as_str()?;
        if kind == RESOURCE_GROUP {
            return Some(group_id(name));
        }
        if kind == azapi::RESOURCE {
            return self.azapi_id(resource, name);
        }
        let (_, shape) = ID_SHAPES.iter().find(|(k, _)| *k == kind)?;
        let mut path = shape.replace("{name}", name);
        while let Some(open) = path.find('{') {
            let close = path[open..].find('}')? + open;
            let attr = obj.attr(&path[open + 1..close])?;
            let value = match attr.val.as_str() {
                Some(value) => value.to_owned(),
                None => self.name_reference(&At::of(resource), attr.text.as_deref()?)?,
            };
            path.replace_range(open..=close, &value);
        }
        let group = self
            .group_name(resource)
            .unwrap_or_else(|| UNKNOWN_SEGMENT.to_owned());
        Some(format!("{}/providers/{path}", group_id(&group)))
    }

    /// An azapi resource's ID: its parent's (a literal ID or a followed reference) with its
    /// type and name.
    fn azapi_id(&self, resource: &Resource, name: &str) -> Option<String> {
        let written = resource.body.attr("type")?.val.as_str()?;
        let resource_type = written.split('@').next()?.trim();
        let parent_attr = resource.body.attr("parent_id")?;
        let parent = match parent_attr.val.as_str() {
            Some(id) => id.to_owned(),
            None => self
                .resolve_text(resource, parent_attr.text.as_deref()?)
                .filter(|k| k.starts_with('/'))?,
        };
        let parent = parent.trim_end_matches('/');
        let below_group = parent
            .to_ascii_lowercase()
            .split('/')
            .filter(|s| !s.is_empty())
            .count()
            <= 4
            && !parent.to_ascii_lowercase().contains("/providers/");
        Some(if below_group {
            format!("{parent}/providers/{resource_type}/{name}")
        } else {
            let child = resource_type.rsplit('/').next()?;
            format!("{parent}/{child}/{name}")
        })
    }
}

/// `obj` with each unknown `*_id` attribute (in nested blocks too) that names a resource
/// whose ID is known (see [`Names::id_value`]) set to that ID: the cluster's settings then
/// hold the subnet, gateway or workspace ID as `az` and ARM give it.
pub(crate) fn with_ids(resource: &Resource, obj: &super::Obj) -> super::Obj {
    let mut out = obj.clone();
    fill_ids(resource, &mut out);
    out
}

fn fill_ids(resource: &Resource, obj: &mut super::Obj) {
    fill(resource, obj, &|name| name.ends_with("_id"));
}

/// [`with_ids`] for a REST body (azapi): members named `…ID`, `…Id`, `id` (and in lists of
/// objects, such as `agentPoolProfiles`).
pub(crate) fn with_rest_ids(resource: &Resource, obj: &super::Obj) -> super::Obj {
    let mut out = obj.clone();
    if let Some((_, body)) = out.blocks.iter_mut().find(|(k, _)| k == "body") {
        fill(resource, body, &|name| {
            name.ends_with("ID") || name.ends_with("Id") || name == "id"
        });
    }
    out
}

fn fill(resource: &Resource, obj: &mut super::Obj, names_id: &dyn Fn(&str) -> bool) {
    for (name, attr) in &mut obj.attrs {
        if names_id(name)
            && matches!(attr.val, Val::Unknown(_))
            && let Some(id) = resource.names.id_value(resource, attr)
        {
            attr.val = Val::Str(id);
        }
    }
    for (_, block) in &mut obj.blocks {
        fill(resource, block, names_id);
    }
    for (_, items) in &mut obj.lists {
        for item in items {
            fill(resource, item, names_id);
        }
    }
}

/// `/subscriptions/{unknown}/resourceGroups/<name>`.
fn group_id(name: &str) -> String {
    format!("/subscriptions/{UNKNOWN_SEGMENT}/resourceGroups/{name}")
}

fn describe(val: &Val) -> String {
    match val {
        Val::Unknown(reason) => reason.clone(),
        _ => "not a reference".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversals_split_into_steps() {
        assert_eq!(
            traversal("azurerm_subnet.nodes[0].id"),
            Some(vec![
                Step::Attr("azurerm_subnet".into()),
                Step::Attr("nodes".into()),
                Step::Key("[0]".into()),
                Step::Attr("id".into()),
            ])
        );
        assert_eq!(
            traversal(r#"azurerm_subnet.nodes["a"].id"#).map(|s| s[2].clone()),
            Some(Step::Key(r#"["a"]"#.into()))
        );
        assert_eq!(
            traversal("azurerm_subnet.nodes[count.index].id").map(|s| s[2].clone()),
            Some(Step::Other)
        );
        assert_eq!(
            traversal("jsondecode(azapi_resource.x.output).properties.principalId")
                .map(|s| s.len()),
            Some(5)
        );
        assert_eq!(traversal("merge(a, b)"), None);
        assert_eq!(traversal("a.b + 1"), None);
        assert_eq!(traversal("a."), None);
    }
}
