//! How template resources are named ([`ResourceKey`]) and how their properties name other
//! resources ([`Ref`], [`Link`]).
//!
//! A resource's key is its ID in the deployment scope (`/subscriptions/{unknown}/
//! resourceGroups/{unknown}/providers/…` unless a nested deployment names them; below its
//! `scope` for an extension resource) when its name is known, plus symbols: its language
//! 2.0 symbolic name (`arm:<file>#<symbol>`, qualified by the nested deployments around it:
//! `arm:main.json#aks/identity`), and, when its name is an expression that cannot be
//! resolved, `arm:<file>#<type>(<name expression>)`: within one template scope, the same
//! expression names the same resource, which is how `resourceId(type, parameters('name'))`
//! and Bicep's `identity.properties.principalId` find it.

use aksguard_model::azure::refs::UNKNOWN_SEGMENT;
use aksguard_model::azure::{Link, Lookup, Ref, ResourceKey, Settings};
use aksguard_model::{Node, Value};

use super::ids::{Declared, canonical_text};
use super::{Eval, Walk, get_ci, is_expression, resource_list};

impl Walk<'_> {
    fn symbol_key(&self, symbol: &str) -> String {
        format!("arm:{}#{}{symbol}", self.source.path, self.prefix)
    }

    /// The key of a resource (see the module documentation).
    pub(super) fn key(
        &self,
        resource: &Node,
        ev: &Eval<'_>,
        full_type: &str,
        full_name: &Result<String, String>,
        symbol: Option<&str>,
    ) -> ResourceKey {
        let mut key = ResourceKey::default();
        if let Ok(name) = full_name {
            let parent = match get_ci(resource, "scope") {
                Some(scope) => match scope_id(ev, scope) {
                    Some(id) => Some(id),
                    None => return self.symbols_only(key, resource, full_type, symbol),
                },
                None => None,
            };
            key.id = ev.ctx.scope.resource_id(parent.as_deref(), full_type, name);
        }
        self.symbols_only(key, resource, full_type, symbol)
    }

    fn symbols_only(
        &self,
        mut key: ResourceKey,
        resource: &Node,
        full_type: &str,
        symbol: Option<&str>,
    ) -> ResourceKey {
        if let Some(symbol) = symbol {
            key.symbols.push(self.symbol_key(symbol));
        }
        if key.id.is_none()
            && let Some(canonical) = get_ci(resource, "name")
                .and_then(Node::as_str)
                .and_then(canonical_text)
        {
            key.symbols
                .push(self.symbol_key(&format!("{}({canonical})", full_type.to_ascii_lowercase())));
        }
        key
    }

    /// The top-level resources of a template by how expressions in it can name them.
    pub(super) fn declare(&self, template: &Node, ev: &Eval<'_>) -> Declared {
        let mut declared = Declared::default();
        for (symbol, resource) in resource_list(get_ci(template, "resources")) {
            let Some(full_type) = ev.resolved_text(get_ci(resource, "type")) else {
                continue;
            };
            let lower = full_type.to_ascii_lowercase();
            let name = get_ci(resource, "name")
                .and_then(|n| ev.text_or_written(n))
                .unwrap_or_else(|| Err(String::new()));
            let key = self.key(resource, ev, &full_type, &name, symbol);
            let best = key.id.clone().or_else(|| key.symbols.last().cloned());
            if let (Some(symbol), Some(best)) = (symbol, &best) {
                declared
                    .symbols
                    .insert(symbol.to_ascii_lowercase(), (lower.clone(), best.clone()));
            }
            if key.id.is_none()
                && let Some(canonical) = get_ci(resource, "name")
                    .and_then(Node::as_str)
                    .and_then(canonical_text)
                && let Some(generated) = key.symbols.last()
            {
                declared
                    .by_name_expression
                    .insert((lower, canonical), generated.clone());
            }
        }
        declared
    }
}

/// The final ID a `scope` property names: an ID (possibly with unknown segments), a
/// relative name (`Microsoft.ContainerService/managedClusters/aks`, as Bicep's `scope: aks`
/// compiles), or `resourceGroup()`/`subscription()` (an object with an `id`).
pub(super) fn scope_id(ev: &Eval<'_>, scope: &Node) -> Option<String> {
    let mut unknown = Vec::new();
    let value = ev.resolve(scope, "", None, 0, &mut unknown)?;
    // An object's other fields may be Unknown (`resourceGroup().name`); its `id` is enough.
    let text = match get_ci(&value, "id") {
        Some(id) => id.as_str()?,
        None if unknown.is_empty() => value.as_str()?,
        None => return None,
    };
    if text.starts_with('/') {
        Some(text.trim_end_matches('/').to_owned())
    } else {
        ev.ctx.scope.relative_id(text)
    }
}

/// A reference written at `node` (an ID property, a principal ID): resolved, with its key;
/// the key of the identity a `reference(…).principalId` names; or opaque.
pub(super) fn reference(ev: &Eval<'_>, node: &Node) -> Option<Ref> {
    match ev.text_or_written(node)? {
        Ok(text) => Some(resolved(node, text)),
        Err(written) => Some(match ev.identity_key(&written, ev.declared) {
            Some(key) => Ref::resolved(written, key),
            None => Ref::opaque(written),
        }),
    }
}

/// A resolved value as a reference: an ID (kept as written when it has unknown segments, so
/// messages show the expression rather than `{unknown}`), or a literal value (a GUID).
fn resolved(node: &Node, text: String) -> Ref {
    let written = node.as_str().filter(|w| is_expression(w));
    match written {
        Some(written) if text.contains(UNKNOWN_SEGMENT) => Ref::resolved(written, text),
        _ if text.starts_with('/') || !text.contains(['/', ':', '#']) => Ref::literal(text),
        _ => Ref::opaque(text),
    }
}

/// A scope as a reference: [`scope_id`], else opaque; shown resolved when fully known, else
/// as written.
pub(super) fn scope_ref(ev: &Eval<'_>, node: &Node) -> Ref {
    let shown = match ev.text_or_written(node) {
        Some(Ok(text)) if !text.contains(UNKNOWN_SEGMENT) => text,
        _ => node
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| "<expression>".into()),
    };
    match scope_id(ev, node) {
        Some(id) => Ref::resolved(shown, id),
        None => match ev.declared.scope_named_by_text(&shown) {
            Some((_, key)) => Ref::resolved(shown, key),
            None => Ref::opaque(shown),
        },
    }
}

/// The node at a dotted path with `[i]` items, in a raw (template) tree.
fn raw_at<'n>(node: &'n Node, path: &str) -> Option<&'n Node> {
    let mut node = node;
    for segment in path.split('.') {
        let (key, index) = match segment.split_once('[') {
            Some((key, rest)) => (key, rest.strip_suffix(']')?.parse::<usize>().ok()),
            None => (segment, None),
        };
        node = get_ci(node, key)?;
        if let Some(i) = index {
            node = node.items().get(i)?;
        }
    }
    Some(node)
}

/// A link property (`networkSecurityGroup`, `routeTable`, `firewallPolicy`: an object with
/// an `id`) of resolved `settings`, `raw` being the same part of the template as written
/// (for the expression a reference shows).
pub(super) fn link(
    declared: &Declared,
    settings: &Settings,
    raw: Option<&Node>,
    path: &str,
) -> Link {
    match settings.get(path) {
        Lookup::Absent => Link::Absent,
        Lookup::Unknown(why) => Link::Unknown(why.to_owned()),
        Lookup::Known(_) => {
            let id_path = format!("{path}.id");
            match settings.get(&id_path) {
                Lookup::Known(node) => match node.as_str() {
                    Some(text) if text.starts_with('/') => {
                        let written = raw.and_then(|r| raw_at(r, &id_path)).unwrap_or(node);
                        Link::To(resolved(written, text.to_owned()))
                    }
                    _ => Link::Unknown(format!("`{id_path}` is not a resource ID")),
                },
                Lookup::Unknown(why) => {
                    // `resourceId(type, <unresolvable name>)` of a resource this template
                    // declares with that very name expression.
                    let written = raw.and_then(|r| raw_at(r, &id_path)).and_then(Node::as_str);
                    match written.and_then(|w| Some((w, declared.named_by_text(w)?))) {
                        Some((w, (_, key))) => Link::To(Ref::resolved(w, key)),
                        None => Link::Unknown(why.to_owned()),
                    }
                }
                Lookup::Absent => Link::Unknown(format!("`{path}` has no `id`")),
            }
        }
    }
}

/// A resolved string at `path`, or `None` (absent or unknown).
pub(super) fn text_at(settings: &Settings, path: &str) -> Option<String> {
    settings.get(path).as_str().map(str::to_owned)
}

/// A boolean at `path`, also from the strings `"True"`/`"False"` REST bodies use.
pub(super) fn flag_at(settings: &Settings, path: &str) -> Option<bool> {
    let node = settings.get(path).node()?;
    node.as_bool().or_else(|| match &node.value {
        Value::Scalar { text, .. } if text.eq_ignore_ascii_case("true") => Some(true),
        Value::Scalar { text, .. } if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}
