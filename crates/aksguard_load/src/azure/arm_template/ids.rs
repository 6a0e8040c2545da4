//! Resource IDs in templates: `resourceId()` and its siblings, `subscription()` and
//! `resourceGroup()`, the ID every declared resource gets, and which resource a
//! `reference(…).principalId` names.
//!
//! A template does not know the subscription or resource group it is deployed to (unless a
//! nested deployment names them), yet `resourceId('Microsoft.Network/virtualNetworks/subnets',
//! 'vnet', 'nodes')` names one subnet exactly within that deployment. While an expression is
//! evaluated, the unknown subscription or resource group is the [`SEGMENT`] marker; a final
//! value that is a resource ID keeps it as [`UNKNOWN_SEGMENT`] (which matches any one segment
//! when IDs are joined), and any other value holding it (`format('MC_{0}',
//! resourceGroup().name)`) is Unknown. Comparing or converting a value with the marker
//! (`equals`, `length`, …) is Unknown too: it would guess. Resource names must be known; a
//! `resourceId()` of an unknown name is Unknown.

use std::collections::HashMap;

use aksguard_model::azure::refs::UNKNOWN_SEGMENT;
use aksguard_model::{Entry, Node, Pos, Value};

use super::{Eval, Expr, Param, V, get_ci, is_expression, known, parse_expression, string};

/// Stands for the unknown subscription or resource group while an expression is evaluated.
/// It holds no letters, so `toLower`/`toUpper` keep it.
pub(super) const SEGMENT: &str = "\u{0}?\u{0}";

/// Why a value holding [`SEGMENT`] outside an ID is Unknown.
pub(super) const SEGMENT_REASON: &str =
    "depends on the subscription or resource group the template is deployed to";

/// Appended to an [`super::UNKNOWN_MARK`] reason when the value passed into a nested
/// deployment is a followable reference (`reference(identity).principalId`): the key follows.
pub(super) const REF_MARK: &str = "\u{0}ref=";

/// What a template is deployed to (its `$schema`, or the nested deployment's
/// `resourceGroup`/`subscriptionId`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Level {
    ResourceGroup,
    Subscription,
    /// Management group or tenant: IDs relative to them are not built.
    Other,
}

#[derive(Clone, Debug)]
pub(super) struct DeployScope {
    pub(super) level: Level,
    /// Known subscription ID / resource group name.
    pub(super) subscription: Option<String>,
    pub(super) resource_group: Option<String>,
}

impl DeployScope {
    pub(super) fn of_template(template: &Node) -> DeployScope {
        let schema = get_ci(template, "$schema")
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let level = if schema.contains("subscriptiondeploymenttemplate") {
            Level::Subscription
        } else if schema.contains("managementgroupdeploymenttemplate")
            || schema.contains("tenantdeploymenttemplate")
        {
            Level::Other
        } else {
            Level::ResourceGroup
        };
        DeployScope {
            level,
            subscription: None,
            resource_group: None,
        }
    }

    fn sub(&self) -> &str {
        self.subscription.as_deref().unwrap_or(SEGMENT)
    }

    fn rg(&self) -> &str {
        self.resource_group.as_deref().unwrap_or(SEGMENT)
    }

    /// The ID of what the template deploys to, with markers.
    fn scope_id(&self) -> Option<String> {
        match self.level {
            Level::ResourceGroup => Some(format!(
                "/subscriptions/{}/resourceGroups/{}",
                self.sub(),
                self.rg()
            )),
            Level::Subscription => Some(format!("/subscriptions/{}", self.sub())),
            Level::Other => None,
        }
    }

    /// The final ID of the deployment scope (`/subscriptions/{unknown}/resourceGroups/rg`).
    pub(super) fn final_scope_id(&self) -> Option<String> {
        self.scope_id()
            .map(|id| id.replace(SEGMENT, UNKNOWN_SEGMENT))
    }

    /// The final ID of a resource of `full_type` named `full_name` (`vnet/nodes`) deployed
    /// here, or below `parent` (an extension resource's `scope`, already final).
    pub(super) fn resource_id(
        &self,
        parent: Option<&str>,
        full_type: &str,
        full_name: &str,
    ) -> Option<String> {
        let names: Vec<&str> = full_name.split('/').collect();
        let path = provider_path(full_type, &names)?;
        let base = match parent {
            Some(parent) => parent.trim_end_matches('/').to_owned(),
            None => self.scope_id()?,
        };
        Some(format!("{base}/providers/{path}").replace(SEGMENT, UNKNOWN_SEGMENT))
    }

    /// A relative resource name as a `scope` property may give it
    /// (`Microsoft.ContainerService/managedClusters/aks`), as a final ID.
    pub(super) fn relative_id(&self, relative: &str) -> Option<String> {
        let segments: Vec<&str> = relative.split('/').collect();
        if segments.len() < 3 || segments.len().is_multiple_of(2) || !segments[0].contains('.') {
            return None;
        }
        let types: Vec<&str> = std::iter::once(segments[0])
            .chain(segments[1..].iter().step_by(2).copied())
            .collect();
        let names: Vec<&str> = segments[2..].iter().step_by(2).copied().collect();
        self.resource_id(None, &types.join("/"), &names.join("/"))
    }
}

/// `Namespace/t1/t2` with names `n1, n2` → `Namespace/t1/n1/t2/n2`; `None` unless the counts
/// agree and every segment is known and non-empty.
fn provider_path(full_type: &str, names: &[&str]) -> Option<String> {
    let types: Vec<&str> = full_type.split('/').collect();
    if types.len() < 2
        || !types[0].contains('.')
        || names.len() != types.len() - 1
        || types.iter().chain(names).any(|s| s.is_empty())
        || names.iter().any(|n| n.contains(SEGMENT))
    {
        return None;
    }
    let mut path = types[0].to_owned();
    for (t, n) in types[1..].iter().zip(names) {
        path.push('/');
        path.push_str(t);
        path.push('/');
        path.push_str(n);
    }
    Some(path)
}

/// Whether `text` is a resource type (`Microsoft.Network/virtualNetworks/subnets`).
fn is_type(text: &str) -> bool {
    let mut segments = text.split('/');
    segments.next().is_some_and(|ns| ns.contains('.')) && segments.next().is_some()
}

/// A final value: markers inside resource IDs become [`UNKNOWN_SEGMENT`]s; a marker anywhere
/// else makes the value Unknown.
pub(super) fn finish(node: Node) -> Result<Node, String> {
    let value = match node.value {
        Value::Scalar { ref text, plain } if text.contains(SEGMENT) => {
            let is_id = text.starts_with('/')
                && text
                    .split('/')
                    .all(|segment| !segment.contains(SEGMENT) || segment == SEGMENT);
            if !is_id {
                return Err(SEGMENT_REASON.into());
            }
            Value::Scalar {
                text: text.replace(SEGMENT, UNKNOWN_SEGMENT).into(),
                plain,
            }
        }
        Value::Scalar { .. } => node.value,
        Value::Seq(items) => Value::Seq(items.into_iter().map(finish).collect::<Result<_, _>>()?),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|e| {
                    Ok(Entry {
                        key: e.key,
                        key_pos: e.key_pos,
                        value: finish(e.value)?,
                    })
                })
                .collect::<Result<_, String>>()?,
        ),
    };
    Ok(Node {
        pos: node.pos,
        value,
    })
}

/// [`finish`] where an object's fields are finished one by one: a field holding a marker
/// outside an ID is Unknown at its path (`resourceGroup()` keeps its `id` while its `name`
/// is Unknown); a list with such an item is Unknown whole, as lists are elsewhere.
pub(super) fn finish_at(
    node: Node,
    path: &str,
    unknown: &mut Vec<(String, String)>,
) -> Option<Node> {
    match node.value {
        Value::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            for entry in entries {
                let child = super::join(path, &entry.key);
                if let Some(value) = finish_at(entry.value, &child, unknown) {
                    out.push(Entry {
                        key: entry.key,
                        key_pos: entry.key_pos,
                        value,
                    });
                }
            }
            Some(Node {
                pos: node.pos,
                value: Value::Map(out),
            })
        }
        value => match finish(Node {
            pos: node.pos,
            value,
        }) {
            Ok(done) => Some(done),
            Err(why) => {
                unknown.push((path.to_owned(), why));
                None
            }
        },
    }
}

/// Unknown when any scalar of `node` holds a marker (it cannot be measured or searched).
pub(super) fn reject_segments(node: &Node) -> Result<(), String> {
    let holds = match &node.value {
        Value::Scalar { text, .. } => text.contains(SEGMENT),
        Value::Seq(items) => return items.iter().try_for_each(reject_segments),
        Value::Map(entries) => return entries.iter().try_for_each(|e| reject_segments(&e.value)),
    };
    if holds {
        Err(SEGMENT_REASON.into())
    } else {
        Ok(())
    }
}

fn object(entries: Vec<(&str, String)>) -> V {
    known(Node {
        pos: Pos::default(),
        value: Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| Entry {
                    key: k.into(),
                    key_pos: Pos::default(),
                    value: Node::scalar(v, false, Pos::default()),
                })
                .collect(),
        ),
    })
}

impl Eval<'_> {
    /// `resourceId`, `subscriptionResourceId`, `tenantResourceId`, `extensionResourceId`,
    /// `subscription()`, `resourceGroup()` (see the module documentation).
    pub(super) fn id_function(&self, name: &str, args: &[Expr], depth: usize) -> Result<V, String> {
        let scope = &self.ctx.scope;
        match (name, args) {
            ("subscription", []) => Ok(object(vec![
                ("id", format!("/subscriptions/{}", scope.sub())),
                ("subscriptionId", scope.sub().to_owned()),
            ])),
            ("resourcegroup", _) if args.len() <= 2 => {
                let (sub, rg) = match args {
                    [] if scope.level == Level::ResourceGroup => {
                        (scope.sub().to_owned(), scope.rg().to_owned())
                    }
                    [rg] => (scope.sub().to_owned(), self.segment(rg, depth)?),
                    [sub, rg] => (self.segment(sub, depth)?, self.segment(rg, depth)?),
                    _ => return Err(String::new()),
                };
                Ok(object(vec![
                    ("id", format!("/subscriptions/{sub}/resourceGroups/{rg}")),
                    ("name", rg),
                ]))
            }
            ("resourceid", _) => {
                let (before, full_type, names) = self.typed_args(args, depth)?;
                let base = match (before.as_slice(), &scope.level) {
                    ([], Level::ResourceGroup) => scope.scope_id().unwrap_or_default(),
                    ([], Level::Subscription) => format!("/subscriptions/{}", scope.sub()),
                    ([rg], Level::ResourceGroup | Level::Subscription) => {
                        format!("/subscriptions/{}/resourceGroups/{rg}", scope.sub())
                    }
                    ([sub, rg], _) => format!("/subscriptions/{sub}/resourceGroups/{rg}"),
                    _ => return Err(String::new()),
                };
                self.build(&base, &full_type, &names)
            }
            ("subscriptionresourceid", _) => {
                let (before, full_type, names) = self.typed_args(args, depth)?;
                let sub = match before.as_slice() {
                    [] => scope.sub().to_owned(),
                    [sub] => sub.clone(),
                    _ => return Err(String::new()),
                };
                self.build(&format!("/subscriptions/{sub}"), &full_type, &names)
            }
            ("tenantresourceid", _) => {
                let (before, full_type, names) = self.typed_args(args, depth)?;
                if !before.is_empty() {
                    return Err(String::new());
                }
                self.build("", &full_type, &names)
            }
            ("extensionresourceid", [parent, rest @ ..]) => {
                let parent = self.text(parent, depth)?;
                if !parent.starts_with('/') {
                    return Err(String::new());
                }
                let (before, full_type, names) = self.typed_args(rest, depth)?;
                if !before.is_empty() {
                    return Err(String::new());
                }
                self.build(parent.trim_end_matches('/'), &full_type, &names)
            }
            _ => Err(String::new()),
        }
    }

    /// A subscription or resource group argument: its text, or the marker when unknown.
    fn segment(&self, arg: &Expr, depth: usize) -> Result<String, String> {
        match self.text(arg, depth) {
            Ok(text) if text.contains('/') || text.is_empty() => Err(String::new()),
            Ok(text) => Ok(text),
            Err(_) => Ok(SEGMENT.to_owned()),
        }
    }

    /// The arguments before the resource type (subscription, resource group: markers when
    /// unknown), the type, and the names after it (each must be known).
    fn typed_args(
        &self,
        args: &[Expr],
        depth: usize,
    ) -> Result<(Vec<String>, String, Vec<String>), String> {
        let values: Vec<Result<String, String>> =
            args.iter().map(|a| self.text(a, depth)).collect();
        let at = values
            .iter()
            .position(|v| v.as_deref().is_ok_and(is_type))
            .ok_or_else(String::new)?;
        let before = values[..at]
            .iter()
            .map(|v| match v {
                Ok(text) if !text.contains('/') && !text.is_empty() => Ok(text.clone()),
                Ok(_) => Err(String::new()),
                Err(_) => Ok(SEGMENT.to_owned()),
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut names = Vec::new();
        for value in &values[at + 1..] {
            let name = value.clone()?;
            names.extend(name.split('/').map(str::to_owned));
        }
        let full_type = values[at].clone()?;
        Ok((before, full_type, names))
    }

    fn build(&self, base: &str, full_type: &str, names: &[String]) -> Result<V, String> {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let path = provider_path(full_type, &names).ok_or_else(String::new)?;
        Ok(string(format!("{base}/providers/{path}")))
    }
}

// ---------------------------------------------------------------------------------------
// Which resource an expression names

/// The resources one template scope declares, by how expressions can name them.
#[derive(Default)]
pub(super) struct Declared {
    /// Language 2.0 symbolic names (lower case) → (lower-case type, key).
    pub(super) symbols: HashMap<String, (String, String)>,
    /// (lower-case type, canonical name expression) → key, for resources whose name is an
    /// expression that cannot be resolved: the same expression in the same scope names the
    /// same resource.
    pub(super) by_name_expression: HashMap<(String, String), String>,
}

/// An expression in one canonical spelling (function names lower case), to compare two.
pub(super) fn canonical(expr: &Expr) -> String {
    match expr {
        Expr::Str(text) => format!("'{}'", text.replace('\'', "''")),
        Expr::Int(n) => n.to_string(),
        Expr::Ident(name) => name.to_ascii_lowercase(),
        Expr::Call(name, args) => format!(
            "{}({})",
            name.to_ascii_lowercase(),
            args.iter().map(canonical).collect::<Vec<_>>().join(", ")
        ),
        Expr::Prop(inner, key) => format!("{}.{}", canonical(inner), key.to_ascii_lowercase()),
        Expr::Index(inner, index) => format!("{}[{}]", canonical(inner), canonical(index)),
    }
}

/// The canonical expression of a written `[…]` string.
pub(super) fn canonical_text(text: &str) -> Option<String> {
    is_expression(text)
        .then(|| parse_expression(&text[1..text.len() - 1]))
        .flatten()
        .map(|e| canonical(&e))
}

const IDENTITY: &str = "microsoft.managedidentity/userassignedidentities";

/// The key a marked value passed into a nested deployment carries.
pub(super) fn marked_key(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(super::UNKNOWN_MARK)?.strip_suffix(']')?;
    Some(&rest[rest.find(REF_MARK)? + REF_MARK.len()..])
}

impl Eval<'_> {
    /// The key of the user-assigned identity whose principal (or client) ID a written value
    /// gives: `reference(<identity id or symbol>[, api][, 'Full']).principalId`,
    /// `….properties.principalId`, `….clientId`, through variables and parameters. `None`
    /// when it names anything else or cannot be followed.
    pub(super) fn identity_key(&self, written: &str, declared: &Declared) -> Option<String> {
        if let Some(key) = marked_key(written) {
            return Some(key.to_owned());
        }
        if !is_expression(written) {
            return None;
        }
        let expr = parse_expression(&written[1..written.len() - 1])?;
        self.identity_key_of(&expr, declared, 0)
    }

    fn identity_key_of(&self, expr: &Expr, declared: &Declared, depth: usize) -> Option<String> {
        if depth > super::MAX_DEPTH {
            return None;
        }
        match expr {
            Expr::Call(name, args) if args.len() == 1 => {
                let what = self.text(&args[0], depth).ok()?.to_ascii_lowercase();
                let node = match name.to_ascii_lowercase().as_str() {
                    "parameters" => match self.ctx.params.get(&what)? {
                        Param::Value(node) => node,
                        Param::Unknown(_) => return None,
                    },
                    "variables" => self.ctx.vars.get(&what)?.as_ref().ok()?,
                    _ => return None,
                };
                let text = node.as_str()?;
                if let Some(key) = marked_key(text) {
                    return Some(key.to_owned());
                }
                let inner = parse_expression(text.strip_prefix('[')?.strip_suffix(']')?)?;
                self.identity_key_of(&inner, declared, depth + 1)
            }
            Expr::Prop(inner, field) => {
                let field = field.to_ascii_lowercase();
                if field != "principalid" && field != "clientid" {
                    return None;
                }
                let target = match inner.as_ref() {
                    Expr::Prop(reference, properties)
                        if properties.eq_ignore_ascii_case("properties") =>
                    {
                        reference.as_ref()
                    }
                    other => other,
                };
                let Expr::Call(function, args) = target else {
                    return None;
                };
                if !function.eq_ignore_ascii_case("reference") || args.is_empty() {
                    return None;
                }
                self.identity_of(&args[0], declared, depth)
            }
            _ => None,
        }
    }

    /// The key of the identity `reference()`'s first argument names.
    fn identity_of(&self, target: &Expr, declared: &Declared, depth: usize) -> Option<String> {
        match self.eval(target, depth) {
            V::Known { node, .. } => {
                let text = finish(node).ok()?.as_str()?.to_owned();
                if text.starts_with('/') {
                    let lower = text.to_ascii_lowercase();
                    let at = lower.find(&format!("/providers/{IDENTITY}/"))?;
                    let name = &lower[at + IDENTITY.len() + "/providers//".len()..];
                    return (!name.is_empty() && !name.contains('/')).then_some(text);
                }
                // A language 2.0 symbolic name.
                let (kind, key) = declared.symbols.get(&text.to_ascii_lowercase())?;
                (kind == IDENTITY).then(|| key.clone())
            }
            V::Unknown(_) => declared
                .named_by(target)
                .filter(|(kind, _)| kind == IDENTITY)
                .map(|(_, key)| key),
        }
    }
}

impl Declared {
    /// `resourceId('<type>', <unresolvable name>)`: the resource of this scope declared
    /// with that very name expression, as (lower-case type, key).
    pub(super) fn named_by(&self, expr: &Expr) -> Option<(String, String)> {
        let Expr::Call(function, args) = expr else {
            return None;
        };
        if !function.eq_ignore_ascii_case("resourceId") {
            return None;
        }
        let [Expr::Str(kind), name] = args.as_slice() else {
            return None;
        };
        let kind = kind.to_ascii_lowercase();
        let key = self
            .by_name_expression
            .get(&(kind.clone(), canonical(name)))?
            .clone();
        Some((kind, key))
    }

    /// A `scope` Bicep compiles from `scope: x` when `x`'s name is an unresolvable
    /// expression (`format('{0}/{1}', '<type>', <name>)`), or a `resourceId(…)`: the
    /// resource declared with that name expression, as (lower-case type, key).
    pub(super) fn scope_named_by_text(&self, written: &str) -> Option<(String, String)> {
        if !is_expression(written) {
            return None;
        }
        let expr = parse_expression(&written[1..written.len() - 1])?;
        if let Expr::Call(function, args) = &expr
            && function.eq_ignore_ascii_case("format")
            && let [Expr::Str(pattern), Expr::Str(kind), name] = args.as_slice()
            && pattern == "{0}/{1}"
        {
            let kind = kind.to_ascii_lowercase();
            let key = self
                .by_name_expression
                .get(&(kind.clone(), canonical(name)))?
                .clone();
            return Some((kind, key));
        }
        self.named_by(&expr)
    }

    /// The parent a child's unresolvable full name `format('{0}/{1}', <parent name>, …)`
    /// names, when this template declares a `parent_type` with that name expression.
    pub(super) fn parent_named_by_text(&self, written: &str, parent_type: &str) -> Option<String> {
        if !is_expression(written) {
            return None;
        }
        let Expr::Call(function, args) = parse_expression(&written[1..written.len() - 1])? else {
            return None;
        };
        let [Expr::Str(pattern), parent, _] = args.as_slice() else {
            return None;
        };
        if !function.eq_ignore_ascii_case("format") || pattern != "{0}/{1}" {
            return None;
        }
        self.by_name_expression
            .get(&(parent_type.to_ascii_lowercase(), canonical(parent)))
            .cloned()
    }

    /// [`Declared::named_by`] of a written `[resourceId(…)]`.
    pub(super) fn named_by_text(&self, written: &str) -> Option<(String, String)> {
        if !is_expression(written) {
            return None;
        }
        self.named_by(&parse_expression(&written[1..written.len() - 1])?)
    }
}
