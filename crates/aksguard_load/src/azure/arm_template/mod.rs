//! ARM deployment templates, including the JSON `az bicep build` writes (both the classic
//! `resources` array and language version 2.0's symbolic `resources` object).
//!
//! Template expressions are evaluated only as far as is safe: `[parameters('x')]` gives the
//! parameter's `defaultValue` (or the value a nested deployment passes in), `[variables('y')]`
//! the variable (itself resolved, cycles guarded), `[[…` is a literal `[…`, and a few pure
//! functions of known values are computed (`concat`, `format`, `bool`, `not`, `equals`, `if`,
//! `and`, `or`, `empty`, `toLower`, `toUpper`, `true`, `false`, `null`, `union` of objects,
//! property and index access), and resource IDs are built (`resourceId()` and its siblings,
//! `subscription()`, `resourceGroup()`, with `{unknown}` segments for what the deployment
//! does not name: see [`ids`]).
//! Everything else (`reference()`, `resourceGroup().location`, a parameter without a
//! default, …) is Unknown: its REST path goes into [`Settings::unknown`] with the expression
//! as the reason, and no value is stored there, so no rule fires on it. A resolved value
//! keeps the position of the property in the template (where the user edits it), not of the
//! parameter or variable it came from.
//!
//! Resources read: `Microsoft.ContainerService/managedClusters` (properties, with `sku` and
//! `identity` copied in as for REST bodies), its `agentPools` and `maintenanceConfigurations`
//! children (nested `resources` or top-level `cluster/child` names),
//! `Microsoft.Insights/diagnosticSettings` scoped to a cluster (and the older
//! `managedClusters/providers/diagnosticSettings` form), `Microsoft.Authorization/
//! roleAssignments`, `Microsoft.ContainerRegistry/registries`, `Microsoft.Security/pricings`,
//! the cluster's surroundings ([`surroundings`], keyed and joined by [`keys`]), and inline
//! nested templates of `Microsoft.Resources/deployments` (how Bicep modules
//! compile). Resources marked `existing` are references, not definitions, and are skipped; a
//! resource whose `condition` is known false is skipped. Linked templates (`templateLink`) are
//! not followed. Resource `copy` loops are read as one resource (`copyIndex()` is Unknown);
//! property `copy` loops make the generated property Unknown.
//!
//! Joining children to clusters, across the whole document including nested deployments:
//! - a child nested in a cluster's `resources` joins that cluster;
//! - otherwise by the resolved cluster name (case-insensitive) in the child's name
//!   (`cluster/pool`) or `scope`;
//! - when the child's cluster reference cannot be resolved, or names a cluster when the only
//!   cluster of the document has an unresolvable name, it joins the document's cluster if
//!   there is exactly one (a template that deploys one cluster and an expression-named child
//!   almost always means that cluster); with several clusters it stays unjoined;
//! - a child naming a cluster that is not in the document (a pool added to an existing
//!   cluster) stays unjoined and is not reported: the model has no place for a cluster whose
//!   own settings are not in the scan.
//!
//! A diagnostic setting whose `condition` is unresolvable, or whose `logs` are, has
//! categories `None`. Role assignments keep `roleDefinitionId`, `principalId` and `scope`
//! resolved when fully known, otherwise as written (so a rule can still recognise the
//! role-definition GUID or the kubelet identity in the expression), with the key they
//! resolve to. A cluster's `resource_group` stays `None` (its `refs.resource_group` names the
//! deployment's resource group when a nested deployment names it).
//!
//! Translated Bicep (see `super::bicep`) is read here too, with three markers on a nested
//! template: [`SOURCE_KEY`] (a followed module's own file, where its resources are reported),
//! [`VIA_KEY`] (the calls that reached it, naming a cluster whose name does not resolve) and
//! [`FORMAT_KEY`] (an Azure Verified Module call's cluster).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use aksguard_model::azure::{
    AzureFormat, AzureResources, ContainerRegistry, DiagnosticSetting, Holds, ManagedCluster,
    NodePool, Ref, Settings,
};
use aksguard_model::{Entry, Node, Pos, Source, Value};

const CLUSTER: &str = "microsoft.containerservice/managedclusters";
const AGENT_POOL: &str = "microsoft.containerservice/managedclusters/agentpools";
const MAINTENANCE: &str = "microsoft.containerservice/managedclusters/maintenanceconfigurations";
const CLUSTER_PROVIDER_DIAGNOSTICS: &str =
    "microsoft.containerservice/managedclusters/providers/diagnosticsettings";
const DIAGNOSTICS: &str = "microsoft.insights/diagnosticsettings";
const REGISTRY: &str = "microsoft.containerregistry/registries";
const DEPLOYMENT: &str = "microsoft.resources/deployments";

mod ids;
mod keys;
mod surroundings;

/// How deep parameter/variable references may nest before we call it a cycle.
const MAX_DEPTH: usize = 32;
/// Evaluation steps per document (guards against variables that double in size).
const BUDGET: usize = 2_000_000;
/// Longest expression text quoted in a reason.
const MAX_QUOTE: usize = 120;

/// A deployment template: `$schema` naming `deploymentTemplate`, or a `resources` array (or
/// symbolic-name object) beside `parameters`, `variables` or `contentVersion`.
pub(crate) fn is_template(root: &Node) -> bool {
    if !root.is_map() {
        return false;
    }
    let schema = root
        .get("$schema")
        .and_then(Node::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("deploymenttemplate"));
    let resources = root
        .get("resources")
        .is_some_and(|r| r.is_seq() || r.is_map());
    schema
        || (resources
            && ["parameters", "variables", "contentVersion"]
                .iter()
                .any(|k| root.get(k).is_some()))
}

/// A nested template's own source file (a followed Bicep module): its resources are
/// reported at that file, not at the caller's.
pub(crate) const SOURCE_KEY: &str = "x-aksguard-source";
/// Where a nested template was called from (`main.bicep:12`): a cluster whose name cannot be
/// resolved names its caller, so clusters of one module reached by several callers differ.
pub(crate) const VIA_KEY: &str = "x-aksguard-via";
/// The form of a nested template's resources when it differs from the document's (the
/// cluster an Azure Verified Module call deploys, built from a Bicep file): a format label.
pub(crate) const FORMAT_KEY: &str = "x-aksguard-format";

/// Reads every resource of a template (and its nested deployments) into `out`.
pub(crate) fn push_template(root: &Node, source: &Arc<Source>, out: &mut AzureResources) {
    push_template_with(root, source, AzureFormat::ArmTemplate, &[], out);
}

/// A parameter value given from outside the template (a parameter file): the value, or why
/// it is unknown.
pub(crate) type GivenParam = (String, Result<Node, String>);

/// [`push_template`] for a template in another form (`format` on what it finds), with
/// parameter values from a parameter file (they win over the defaults).
pub(crate) fn push_template_with(
    root: &Node,
    source: &Arc<Source>,
    format: AzureFormat,
    given: &[GivenParam],
    out: &mut AzureResources,
) {
    let budget = Cell::new(BUDGET);
    let mut ctx = Ctx::of_template(root);
    for (name, value) in given {
        let key = name.to_ascii_lowercase();
        if !ctx.params.contains_key(&key) {
            continue;
        }
        let param = match value {
            // A parameter file's value is final: a literal `[` string stays literal.
            Ok(node) => Param::Value(reposition(escape_literal(node.clone()), Pos::default())),
            Err(reason) => Param::Unknown(reason.clone()),
        };
        ctx.params.insert(key, param);
    }
    let mut walk = Walk {
        source: source.clone(),
        format,
        via: None,
        prefix: String::new(),
        budget: &budget,
        clusters: Vec::new(),
        children: Vec::new(),
        out: AzureResources::default(),
    };
    walk.template(root, &ctx, 0);
    let Walk {
        mut clusters,
        children,
        out: mut others,
        ..
    } = walk;
    let single = (clusters.len() == 1).then_some(0);
    for (parent, child) in children {
        let index = match parent {
            Parent::Cluster(i) => Some(i),
            Parent::Named(name) => clusters
                .iter()
                .position(|c| {
                    c.key
                        .as_deref()
                        .is_some_and(|k| k.eq_ignore_ascii_case(&name))
                })
                .or_else(|| single.filter(|&i| clusters[i].key.is_none())),
            Parent::Unresolved => single,
        };
        let Some(cluster) = index.and_then(|i| clusters.get_mut(i)) else {
            continue;
        };
        match child {
            Child::Pool(pool) => cluster.cluster.node_pools.push(pool),
            Child::Diagnostics(setting) => cluster.cluster.diagnostic_settings.push(setting),
            Child::Maintenance(name) => cluster.cluster.maintenance_configurations.push(name),
        }
    }
    others
        .clusters
        .extend(clusters.into_iter().map(|c| c.cluster));
    out.extend(others);
}

// ---------------------------------------------------------------------------------------
// Evaluation context and expressions

enum Param {
    /// The template's `defaultValue`, unevaluated (it may be an expression itself), or a
    /// value a nested deployment passes in, already evaluated in the outer scope by
    /// [`Eval::pass`] (literal `[` strings escaped again, unresolvable parts marked): either
    /// way it is read as a template value of the inner scope.
    Value(Node),
    Unknown(String),
}

/// Marks a value that could not be resolved in the scope that passed it into a nested
/// deployment: a string `"[\u{0}unknown:<reason>]"`, which [`Eval::eval_text`] answers as
/// Unknown with that reason. A NUL character never starts a real ARM expression; were a
/// template to hold this text, its value would only become Unknown (never a guess).
const UNKNOWN_MARK: &str = "[\u{0}unknown:";

/// Parameters and variables of one template scope (names are case-insensitive in ARM).
struct Ctx {
    params: HashMap<String, Param>,
    vars: HashMap<String, Result<Node, String>>,
    /// What the template is deployed to (for `resourceId()`, `resourceGroup()`, …).
    scope: ids::DeployScope,
}

impl Ctx {
    fn of_template(template: &Node) -> Ctx {
        let mut params = HashMap::new();
        for entry in get_ci(template, "parameters").map_or(&[][..], Node::entries) {
            let param = match get_ci(&entry.value, "defaultValue") {
                Some(default) => Param::Value(default.clone()),
                // A nullable parameter (language 2.0: its own `nullable`, or its `$ref`
                // type's) that nobody passes is null.
                None if is_nullable(template, &entry.value) => {
                    Param::Value(Node::scalar("null", true, entry.value.pos))
                }
                None => Param::Unknown(format!("parameter `{}` has no default value", entry.key)),
            };
            params.insert(entry.key.as_str().to_ascii_lowercase(), param);
        }
        let mut vars = HashMap::new();
        for entry in get_ci(template, "variables").map_or(&[][..], Node::entries) {
            if entry.key.eq_ignore_ascii_case("copy") && entry.value.is_seq() {
                for item in entry.value.items() {
                    if let Some(name) = get_ci(item, "name").and_then(Node::as_str) {
                        vars.insert(
                            name.to_ascii_lowercase(),
                            Err(format!("variable `{name}` is built by a copy loop")),
                        );
                    }
                }
                continue;
            }
            vars.insert(
                entry.key.as_str().to_ascii_lowercase(),
                Ok(entry.value.clone()),
            );
        }
        Ctx {
            params,
            vars,
            scope: ids::DeployScope::of_template(template),
        }
    }
}

/// A parameter declared `nullable`, directly or through its `$ref` to the template's
/// `definitions` (one level: what Bicep writes for `param x someType?`).
fn is_nullable(template: &Node, declaration: &Node) -> bool {
    let flag = |node: &Node| get_ci(node, "nullable").and_then(Node::as_bool) == Some(true);
    if flag(declaration) {
        return true;
    }
    let Some(reference) = get_ci(declaration, "$ref").and_then(Node::as_str) else {
        return false;
    };
    let Some(name) = reference.strip_prefix("#/definitions/") else {
        return false;
    };
    get_ci(template, "definitions")
        .and_then(|d| get_ci(d, name))
        .is_some_and(flag)
}

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Str(String),
    Int(i64),
    Ident(String),
    Call(String, Vec<Expr>),
    Prop(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
}

/// Parses the text between the outer brackets of an ARM expression.
fn parse_expression(text: &str) -> Option<Expr> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
        depth: 0,
    };
    let expr = parser.expr()?;
    parser.ws();
    (parser.at == parser.chars.len()).then_some(expr)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            self.at += 1;
        }
        (self.at > start).then(|| self.chars[start..self.at].iter().collect())
    }

    fn expr(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > 64 {
            return None;
        }
        let mut expr = self.primary()?;
        loop {
            self.ws();
            if self.peek() == Some('?') && self.chars.get(self.at + 1) == Some(&'.') {
                self.at += 1;
            }
            if self.eat('.') {
                expr = Expr::Prop(Box::new(expr), self.ident()?);
            } else if self.eat('[') {
                let index = self.expr()?;
                if !self.eat(']') {
                    return None;
                }
                expr = Expr::Index(Box::new(expr), Box::new(index));
            } else {
                break;
            }
        }
        self.depth -= 1;
        Some(expr)
    }

    fn primary(&mut self) -> Option<Expr> {
        self.ws();
        match self.peek()? {
            '\'' => {
                self.at += 1;
                let mut text = String::new();
                loop {
                    let c = self.peek()?;
                    self.at += 1;
                    if c == '\'' {
                        if self.peek() == Some('\'') {
                            self.at += 1;
                            text.push('\'');
                        } else {
                            return Some(Expr::Str(text));
                        }
                    } else {
                        text.push(c);
                    }
                }
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = self.at;
                self.at += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.at += 1;
                }
                let text: String = self.chars[start..self.at].iter().collect();
                text.parse().ok().map(Expr::Int)
            }
            _ => {
                let name = self.ident()?;
                if !self.eat('(') {
                    return Some(Expr::Ident(name));
                }
                let mut args = Vec::new();
                if self.eat(')') {
                    return Some(Expr::Call(name, args));
                }
                loop {
                    args.push(self.expr()?);
                    if self.eat(')') {
                        return Some(Expr::Call(name, args));
                    }
                    if !self.eat(',') {
                        return None;
                    }
                }
            }
        }
    }
}

/// The reason of a value marked Unknown by [`Eval::pass`] (without the key of a reference
/// it may carry, see [`ids::REF_MARK`]).
fn marked_unknown(text: &str) -> Option<&str> {
    let reason = text.strip_prefix(UNKNOWN_MARK)?.strip_suffix(']')?;
    Some(reason.split(ids::REF_MARK).next().unwrap_or(reason))
}

fn mark_unknown(why: &str, pos: Pos) -> Node {
    Node::scalar(format!("{UNKNOWN_MARK}{why}]"), false, pos)
}

/// A final string value as a template value: a literal starting with `[` is escaped again.
fn escape_literal(node: Node) -> Node {
    match node.value {
        Value::Scalar {
            ref text,
            plain: false,
        } if text.starts_with('[') => Node::scalar(format!("[{text}"), false, node.pos),
        Value::Scalar { .. } => node,
        Value::Seq(items) => Node {
            pos: node.pos,
            value: Value::Seq(items.into_iter().map(escape_literal).collect()),
        },
        Value::Map(entries) => Node {
            pos: node.pos,
            value: Value::Map(
                entries
                    .into_iter()
                    .map(|e| Entry {
                        key: e.key,
                        key_pos: e.key_pos,
                        value: escape_literal(e.value),
                    })
                    .collect(),
            ),
        },
    }
}

/// A string that is an ARM expression: `[…]`, but not the `[[…` escape.
fn is_expression(text: &str) -> bool {
    text.starts_with('[') && !text.starts_with("[[") && text.ends_with(']')
}

/// An evaluated value. `raw` containers come straight from the template and may hold
/// expressions inside; everything else is final.
enum V {
    Known {
        node: Node,
        raw: bool,
    },
    /// Unresolvable; the detail (possibly empty) says why beyond the expression itself.
    Unknown(String),
}

fn known(node: Node) -> V {
    V::Known { node, raw: false }
}

fn string(text: impl AsRef<str>) -> V {
    known(Node::scalar(text, false, Pos::default()))
}

fn boolean(b: bool) -> V {
    known(Node::scalar(
        if b { "true" } else { "false" },
        true,
        Pos::default(),
    ))
}

struct Eval<'a> {
    ctx: &'a Ctx,
    budget: &'a Cell<usize>,
    /// Objects and arrays read from a variable keep their own positions (Bicep, where the
    /// variable's object literal is where the user writes each setting) instead of taking
    /// the position of the property they are used at (ARM JSON).
    own_positions: bool,
    /// The resources of this template scope, for references to them.
    declared: &'a ids::Declared,
}

impl Eval<'_> {
    fn spend(&self) -> bool {
        let left = self.budget.get();
        if left == 0 {
            return false;
        }
        self.budget.set(left - 1);
        true
    }

    /// Evaluates one expression string (with its brackets).
    fn eval_text(&self, text: &str, depth: usize) -> V {
        if depth > MAX_DEPTH {
            return V::Unknown("references nest too deeply (a cycle?)".into());
        }
        if let Some(why) = marked_unknown(text) {
            return V::Unknown(why.to_owned());
        }
        match parse_expression(&text[1..text.len() - 1]) {
            Some(expr) => self.eval(&expr, depth),
            None => V::Unknown(String::new()),
        }
    }

    /// A template value as a value: expressions evaluated, `[[` unescaped, containers raw.
    fn force(&self, node: &Node, depth: usize) -> V {
        match &node.value {
            Value::Scalar { text, plain: false } if is_expression(text) => {
                self.eval_text(text, depth + 1)
            }
            Value::Scalar { text, plain: false } if text.starts_with("[[") => {
                known(Node::scalar(&text[1..], false, node.pos))
            }
            Value::Scalar { .. } => known(node.clone()),
            _ => V::Known {
                node: node.clone(),
                raw: true,
            },
        }
    }

    /// A forced value that is a scalar (its text and whether it is a JSON string).
    /// Rejects a value holding an unknown ID segment ([`ids::SEGMENT`]): comparing or
    /// converting it would guess.
    fn scalar(&self, expr: &Expr, depth: usize) -> Result<(String, bool), String> {
        let (text, quoted) = self.scalar_with_segments(expr, depth)?;
        if text.contains(ids::SEGMENT) {
            return Err(ids::SEGMENT_REASON.into());
        }
        Ok((text, quoted))
    }

    /// [`Eval::scalar`] that lets unknown ID segments through (strings being built).
    fn scalar_with_segments(&self, expr: &Expr, depth: usize) -> Result<(String, bool), String> {
        match self.eval(expr, depth) {
            V::Known { node, .. } => match node.value {
                Value::Scalar { text, plain } if !node.is_null() || !plain => {
                    Ok((text.into(), !plain))
                }
                _ => Err(String::new()),
            },
            V::Unknown(detail) => Err(detail),
        }
    }

    fn text(&self, expr: &Expr, depth: usize) -> Result<String, String> {
        self.scalar_with_segments(expr, depth).map(|(text, _)| text)
    }

    fn bool(&self, expr: &Expr, depth: usize) -> Result<bool, String> {
        match self.scalar(expr, depth)? {
            (text, false) if text == "true" => Ok(true),
            (text, false) if text == "false" => Ok(false),
            _ => Err(String::new()),
        }
    }

    fn eval(&self, expr: &Expr, depth: usize) -> V {
        if !self.spend() {
            return V::Unknown("template too large to evaluate".into());
        }
        match expr {
            Expr::Str(text) => string(text.clone()),
            Expr::Int(n) => known(Node::scalar(n.to_string(), true, Pos::default())),
            Expr::Ident(name) => match name.to_ascii_lowercase().as_str() {
                "true" => boolean(true),
                "false" => boolean(false),
                "null" => known(Node::scalar("null", true, Pos::default())),
                _ => V::Unknown(String::new()),
            },
            Expr::Prop(inner, key) => match self.eval(inner, depth) {
                V::Known { node, raw } => match get_ci(&node, key) {
                    Some(child) if raw => self.force(child, depth),
                    Some(child) => known(child.clone()),
                    None => V::Unknown(String::new()),
                },
                unknown => unknown,
            },
            Expr::Index(inner, index) => {
                let container = match self.eval(inner, depth) {
                    V::Known { node, raw } => (node, raw),
                    unknown => return unknown,
                };
                let child = match self.scalar(index, depth) {
                    Ok((text, true)) => get_ci(&container.0, &text).cloned(),
                    Ok((text, false)) => text
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| container.0.items().get(i).cloned()),
                    Err(detail) => return V::Unknown(detail),
                };
                match child {
                    Some(child) if container.1 => self.force(&child, depth),
                    Some(child) => known(child),
                    None => V::Unknown(String::new()),
                }
            }
            Expr::Call(name, args) => self.call(&name.to_ascii_lowercase(), args, depth),
        }
    }

    fn call(&self, name: &str, args: &[Expr], depth: usize) -> V {
        let result = match (name, args) {
            ("parameters", [arg]) => {
                return match self.text(arg, depth) {
                    Ok(param) => match self.ctx.params.get(&param.to_ascii_lowercase()) {
                        Some(Param::Value(node)) => self.force(node, depth),
                        Some(Param::Unknown(reason)) => V::Unknown(reason.clone()),
                        None => V::Unknown(format!("parameter `{param}` is not declared")),
                    },
                    Err(detail) => V::Unknown(detail),
                };
            }
            ("variables", [arg]) => {
                return match self.text(arg, depth) {
                    Ok(var) => match self.ctx.vars.get(&var.to_ascii_lowercase()) {
                        Some(Ok(node)) => self.force(node, depth),
                        Some(Err(reason)) => V::Unknown(reason.clone()),
                        None => V::Unknown(format!("variable `{var}` is not declared")),
                    },
                    Err(detail) => V::Unknown(detail),
                };
            }
            ("concat", _) if !args.is_empty() => self.concat(args, depth),
            ("union", _) if !args.is_empty() => self.union(args, depth),
            ("format", [pattern, rest @ ..]) => self.text(pattern, depth).and_then(|pattern| {
                let values = rest
                    .iter()
                    .map(|a| self.text(a, depth))
                    .collect::<Result<Vec<_>, _>>()?;
                format_pattern(&pattern, &values)
                    .map(string)
                    .ok_or_else(String::new)
            }),
            ("bool", [arg]) => match self.scalar(arg, depth) {
                Ok((text, _)) if text.eq_ignore_ascii_case("true") || text == "1" => {
                    Ok(boolean(true))
                }
                Ok((text, _)) if text.eq_ignore_ascii_case("false") || text == "0" => {
                    Ok(boolean(false))
                }
                Ok(_) => Err(String::new()),
                Err(detail) => Err(detail),
            },
            ("not", [arg]) => self.bool(arg, depth).map(|b| boolean(!b)),
            ("and", _) if args.len() >= 2 => args
                .iter()
                .map(|a| self.bool(a, depth))
                .collect::<Result<Vec<_>, _>>()
                .map(|all| boolean(all.iter().all(|b| *b))),
            ("or", _) if args.len() >= 2 => args
                .iter()
                .map(|a| self.bool(a, depth))
                .collect::<Result<Vec<_>, _>>()
                .map(|all| boolean(all.iter().any(|b| *b))),
            ("equals", [a, b]) => self
                .scalar(a, depth)
                .and_then(|a| Ok((a, self.scalar(b, depth)?)))
                .map(|(a, b)| boolean(comparable(a) == comparable(b))),
            ("if", [condition, then, otherwise]) => {
                return match self.bool(condition, depth) {
                    Ok(true) => self.eval(then, depth),
                    Ok(false) => self.eval(otherwise, depth),
                    Err(detail) => V::Unknown(detail),
                };
            }
            ("empty", [arg]) => match self.eval(arg, depth) {
                V::Known { node, .. } => Ok(boolean(match &node.value {
                    Value::Scalar { text, plain } => text.is_empty() || (*plain && node.is_null()),
                    Value::Seq(items) => items.is_empty(),
                    Value::Map(entries) => entries.is_empty(),
                })),
                V::Unknown(detail) => Err(detail),
            },
            ("createobject", _) if args.len().is_multiple_of(2) => args
                .chunks(2)
                .map(|pair| {
                    Ok(Entry {
                        key: self.text(&pair[0], depth)?.into(),
                        key_pos: Pos::default(),
                        value: self.value(&pair[1], depth)?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()
                .map(|entries| known(container(Value::Map(entries)))),
            ("createarray", _) => args
                .iter()
                .map(|a| self.value(a, depth))
                .collect::<Result<Vec<_>, String>>()
                .map(|items| known(container(Value::Seq(items)))),
            ("coalesce", _) if !args.is_empty() => {
                for arg in args {
                    match self.eval(arg, depth) {
                        V::Known { node, .. } if node.is_null() => {}
                        other => return other,
                    }
                }
                Ok(known(null_node()))
            }
            ("tryget", [object, keys @ ..]) if !keys.is_empty() => {
                let mut current = self.eval(object, depth);
                for key in keys {
                    let (node, raw) = match current {
                        V::Known { node, raw } => (node, raw),
                        unknown => return unknown,
                    };
                    let child = match self.scalar(key, depth) {
                        Ok((text, true)) => get_ci(&node, &text).cloned(),
                        Ok((text, false)) => text
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| node.items().get(i).cloned()),
                        Err(detail) => return V::Unknown(detail),
                    };
                    current = match child {
                        None => return known(null_node()),
                        Some(child) if raw => self.force(&child, depth),
                        Some(child) => known(child),
                    };
                }
                return current;
            }
            ("contains", [container, item]) => self.value(container, depth).and_then(|c| {
                let item = self.scalar(item, depth)?;
                ids::reject_segments(&c)?;
                Ok(boolean(match &c.value {
                    Value::Scalar { text, .. } => text.contains(item.0.as_str()),
                    Value::Seq(items) => items.iter().any(|i| {
                        scalar_of(i).is_some_and(|v| comparable(v) == comparable(item.clone()))
                    }),
                    Value::Map(entries) => {
                        entries.iter().any(|e| e.key.eq_ignore_ascii_case(&item.0))
                    }
                }))
            }),
            ("length", [arg]) => self.value(arg, depth).and_then(|v| {
                ids::reject_segments(&v)?;
                let n = match &v.value {
                    Value::Scalar { text, plain } if !*plain || !v.is_null() => {
                        text.chars().count()
                    }
                    Value::Scalar { .. } => return Err(String::new()),
                    Value::Seq(items) => items.len(),
                    Value::Map(entries) => entries.len(),
                };
                Ok(known(Node::scalar(n.to_string(), true, Pos::default())))
            }),
            ("first" | "last", [arg]) => self.value(arg, depth).and_then(|v| {
                ids::reject_segments(&v)?;
                let pick = |n: usize| {
                    if name == "first" {
                        0
                    } else {
                        n.saturating_sub(1)
                    }
                };
                match &v.value {
                    Value::Seq(items) if !items.is_empty() => {
                        Ok(known(items[pick(items.len())].clone()))
                    }
                    Value::Scalar { text, plain: false } => {
                        let chars: Vec<char> = text.chars().collect();
                        Ok(string(
                            chars
                                .get(pick(chars.len()))
                                .map(char::to_string)
                                .unwrap_or_default(),
                        ))
                    }
                    _ => Err(String::new()),
                }
            }),
            ("split", [text, delimiter]) => self.text(text, depth).and_then(|text| {
                let delimiters: Vec<String> = match self.value(delimiter, depth)? {
                    node if node.is_seq() => node
                        .items()
                        .iter()
                        .map(|d| d.as_str().map(str::to_owned).ok_or_else(String::new))
                        .collect::<Result<_, _>>()?,
                    node => vec![node.as_str().ok_or_else(String::new)?.to_owned()],
                };
                if delimiters.iter().any(String::is_empty) {
                    return Err(String::new());
                }
                let mut parts = vec![text];
                for d in &delimiters {
                    parts = parts
                        .iter()
                        .flat_map(|p| p.split(d.as_str()).map(str::to_owned))
                        .collect();
                }
                Ok(known(container(Value::Seq(
                    parts
                        .into_iter()
                        .map(|p| Node::scalar(p, false, Pos::default()))
                        .collect(),
                ))))
            }),
            ("replace", [text, old, new]) => {
                let text = self.text(text, depth);
                let old = self.text(old, depth);
                let new = self.text(new, depth);
                match (text, old, new) {
                    (Ok(t), Ok(o), Ok(n)) if !o.is_empty() => Ok(string(t.replace(&o, &n))),
                    (Err(d), _, _) | (_, Err(d), _) | (_, _, Err(d)) => Err(d),
                    _ => Err(String::new()),
                }
            }
            ("int", [arg]) => self
                .text(arg, depth)
                .and_then(|t| t.trim().parse::<i64>().map_err(|_| String::new()))
                .map(|n| known(Node::scalar(n.to_string(), true, Pos::default()))),
            ("tolower", [arg]) => self.text(arg, depth).map(|t| string(t.to_lowercase())),
            ("toupper", [arg]) => self.text(arg, depth).map(|t| string(t.to_uppercase())),
            ("true", []) => Ok(boolean(true)),
            ("null", []) => Ok(known(Node::scalar("null", true, Pos::default()))),
            ("false", []) => Ok(boolean(false)),
            (
                "resourceid"
                | "subscriptionresourceid"
                | "tenantresourceid"
                | "extensionresourceid"
                | "subscription"
                | "resourcegroup",
                _,
            ) => self.id_function(name, args, depth),
            _ => Err(String::new()),
        };
        result.unwrap_or_else(V::Unknown)
    }

    /// `union` of objects: keys of later objects win, nested objects on both sides merge. A
    /// key whose two values are not both object literals (an expression may give an object
    /// that ARM would merge) is Unknown. Arrays and anything unresolvable: Unknown.
    fn union(&self, args: &[Expr], depth: usize) -> Result<V, String> {
        let mut merged: Vec<Entry> = Vec::new();
        let mut any_raw = false;
        for arg in args {
            match self.eval(arg, depth) {
                V::Known { node, raw } if node.is_map() => {
                    any_raw |= raw;
                    if let Value::Map(entries) = node.value {
                        merge_objects(&mut merged, entries);
                    }
                }
                V::Known { node, .. } if node.is_seq() => return self.union_of_arrays(args, depth),
                V::Known { .. } => return Err("`union` of something other than objects".into()),
                V::Unknown(detail) => return Err(detail),
            }
        }
        Ok(V::Known {
            node: Node {
                pos: Pos::default(),
                value: Value::Map(merged),
            },
            raw: any_raw,
        })
    }

    /// `union` of arrays: their items in order, without repeats; Unknown when any item is.
    fn union_of_arrays(&self, args: &[Expr], depth: usize) -> Result<V, String> {
        let values = args
            .iter()
            .map(|a| self.value(a, depth))
            .collect::<Result<Vec<_>, String>>()?;
        union_of_arrays(values)
            .map(known)
            .ok_or_else(|| "`union` of an array and something else".into())
    }

    /// `concat` of scalars (a string) or of arrays (an array).
    fn concat(&self, args: &[Expr], depth: usize) -> Result<V, String> {
        let mut values = Vec::new();
        let mut any_raw = false;
        for arg in args {
            match self.eval(arg, depth) {
                V::Known { node, raw } => {
                    any_raw |= raw;
                    values.push(node);
                }
                V::Unknown(detail) => return Err(detail),
            }
        }
        if values.iter().all(Node::is_seq) {
            let items = values.into_iter().flat_map(|v| match v.value {
                Value::Seq(items) => items,
                _ => Vec::new(),
            });
            return Ok(V::Known {
                node: Node {
                    pos: Pos::default(),
                    value: Value::Seq(items.collect()),
                },
                raw: any_raw,
            });
        }
        let mut text = String::new();
        for value in &values {
            match &value.value {
                Value::Scalar { .. } if value.is_null() => {}
                Value::Scalar { text: t, .. } => text.push_str(t),
                _ => return Err(String::new()),
            }
        }
        Ok(string(text))
    }

    /// The resolved tree of a template value at `path` (dotted REST path; `[i]` for items).
    /// Unknown values are left out and recorded in `unknown`. With `at`, every node takes
    /// that position (the template property a parameter or variable was substituted into).
    fn resolve(
        &self,
        node: &Node,
        path: &str,
        at: Option<Pos>,
        depth: usize,
        unknown: &mut Vec<(String, String)>,
    ) -> Option<Node> {
        if !self.spend() {
            unknown.push((path.to_owned(), "template too large to evaluate".into()));
            return None;
        }
        let pos = at.unwrap_or(node.pos);
        match &node.value {
            Value::Scalar { text, plain: false } if is_expression(text) => {
                match self.eval_text(text, depth) {
                    V::Known { node: value, raw } if raw => {
                        let at = if self.own_positions { at } else { Some(pos) };
                        // A value from outside this template (a caller's argument, a
                        // parameter file) or computed has no position of its own
                        // (`Pos::default()`): it takes the property's.
                        self.resolve(&value, path, at, depth + 1, unknown)
                            .map(|resolved| fill_positions(resolved, pos))
                    }
                    V::Known { node: value, .. } => {
                        let mut inner = Vec::new();
                        let finished = ids::finish_at(value, path, &mut inner);
                        unknown.extend(inner.into_iter().map(|(p, why)| (p, reason(text, &why))));
                        finished.map(|value| reposition(value, pos))
                    }
                    V::Unknown(detail) => {
                        let why = match marked_unknown(text) {
                            Some(_) => detail,
                            None => reason(text, &detail),
                        };
                        unknown.push((path.to_owned(), why));
                        None
                    }
                }
            }
            Value::Scalar { text, plain: false } if text.starts_with("[[") => {
                Some(Node::scalar(&text[1..], false, pos))
            }
            Value::Scalar { text, plain } if text.contains(ids::SEGMENT) => {
                match ids::finish(Node::scalar(text.clone(), *plain, pos)) {
                    Ok(value) => Some(value),
                    Err(detail) => {
                        unknown.push((path.to_owned(), detail));
                        None
                    }
                }
            }
            Value::Scalar { text, plain } => Some(Node::scalar(text.clone(), *plain, pos)),
            Value::Map(entries) => {
                let mut generated: Vec<String> = Vec::new();
                if let Some(copy) = entries
                    .iter()
                    .rev()
                    .find(|e| e.key.eq_ignore_ascii_case("copy"))
                    .filter(|e| is_property_copy(&e.value))
                {
                    for item in copy.value.items() {
                        if let Some(name) = get_ci(item, "name").and_then(Node::as_str) {
                            unknown
                                .push((join(path, name), "ARM property copy loop (`copy`)".into()));
                            generated.push(name.to_owned());
                        }
                    }
                }
                let mut out = Vec::with_capacity(entries.len());
                for entry in entries {
                    let is_copy = !generated.is_empty() && entry.key.eq_ignore_ascii_case("copy");
                    if is_copy || generated.iter().any(|g| g.eq_ignore_ascii_case(&entry.key)) {
                        continue;
                    }
                    let child_path = join(path, &entry.key);
                    if let Some(value) = self.resolve(&entry.value, &child_path, at, depth, unknown)
                    {
                        out.push(Entry {
                            key: entry.key.clone(),
                            key_pos: at.unwrap_or(entry.key_pos),
                            value,
                        });
                    }
                }
                Some(Node {
                    pos,
                    value: Value::Map(out),
                })
            }
            Value::Seq(items) => {
                // An item that cannot be resolved makes the whole list unknown: a list with
                // an item left out would read as a different, possibly insecure, list.
                let mut inner = Vec::new();
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    match self.resolve(item, &item_path, at, depth, &mut inner) {
                        Some(value) => out.push(value),
                        None => {
                            let why = inner
                                .iter()
                                .find(|(p, _)| *p == item_path)
                                .or(inner.first())
                                .map(|(_, r)| r.clone())
                                .unwrap_or_default();
                            unknown.push((path.to_owned(), why));
                            return None;
                        }
                    }
                }
                unknown.extend(inner);
                Some(Node {
                    pos,
                    value: Value::Seq(out),
                })
            }
        }
    }

    /// A value passed into a nested deployment, evaluated in this (the outer) scope as a
    /// template value of the inner one: expressions evaluated, literal `[` strings escaped
    /// again, and what cannot be resolved marked Unknown with its reason ([`UNKNOWN_MARK`]),
    /// so an object with one unresolvable field keeps its other fields.
    fn pass(&self, node: &Node, depth: usize) -> Node {
        if !self.spend() {
            return mark_unknown("template too large to evaluate", node.pos);
        }
        match &node.value {
            Value::Scalar { text, plain: false } if is_expression(text) => {
                match self.eval_text(text, depth) {
                    V::Known {
                        node: value,
                        raw: true,
                    } => self.pass(&value, depth + 1),
                    V::Known { node: value, .. } => escape_literal(value),
                    V::Unknown(detail) => {
                        let mut why = match marked_unknown(text) {
                            Some(_) => detail,
                            None => reason(text, &detail),
                        };
                        if let Some(key) = self.identity_key(text, self.declared) {
                            why = format!("{why}{}{key}", ids::REF_MARK);
                        }
                        mark_unknown(&why, node.pos)
                    }
                }
            }
            Value::Scalar { .. } => node.clone(),
            Value::Seq(items) => Node {
                pos: node.pos,
                value: Value::Seq(items.iter().map(|i| self.pass(i, depth)).collect()),
            },
            Value::Map(entries) => Node {
                pos: node.pos,
                value: Value::Map(
                    entries
                        .iter()
                        .map(|e| Entry {
                            key: e.key.clone(),
                            key_pos: e.key_pos,
                            value: self.pass(&e.value, depth),
                        })
                        .collect(),
                ),
            },
        }
    }

    /// An argument as a final value (a raw container resolved); Unknown when any part is.
    fn value(&self, expr: &Expr, depth: usize) -> Result<Node, String> {
        match self.eval(expr, depth) {
            V::Known { node, raw: false } => Ok(node),
            V::Known { node, raw: true } => {
                let mut unknown = Vec::new();
                match self.resolve(&node, "", None, depth + 1, &mut unknown) {
                    Some(value) if unknown.is_empty() => Ok(value),
                    _ => Err(unknown
                        .into_iter()
                        .next()
                        .map(|(_, r)| r)
                        .unwrap_or_default()),
                }
            }
            V::Unknown(detail) => Err(detail),
        }
    }

    /// A resolved string, or the text as written when it cannot be resolved.
    fn text_or_written(&self, node: &Node) -> Option<Result<String, String>> {
        let mut unknown = Vec::new();
        match self.resolve(node, "", None, 0, &mut unknown) {
            Some(value) if unknown.is_empty() => value.as_str().map(|t| Ok(t.to_owned())),
            _ => node.as_str().map(|t| Err(t.to_owned())),
        }
    }

    /// A resolved string, or `None`.
    fn resolved_text(&self, node: Option<&Node>) -> Option<String> {
        node.and_then(|n| self.text_or_written(n))
            .and_then(Result::ok)
    }

    /// `properties` (plus the listed top-level keys, e.g. `sku`, `identity`) as Settings.
    fn settings(&self, resource: &Node, extra: &[&str]) -> Settings {
        let mut unknown = Vec::new();
        let mut entries = Vec::new();
        let mut pos = resource.pos;
        if let Some(properties) = get_ci(resource, "properties") {
            pos = properties.pos;
            match self.resolve(properties, "", None, 0, &mut unknown) {
                Some(Node {
                    value: Value::Map(resolved),
                    ..
                }) => entries = resolved,
                // A literal that is not an object: nothing is set.
                Some(_) => {}
                None => {
                    // The whole properties object is an unresolvable expression.
                    for (path, _) in &mut unknown {
                        path.clear();
                    }
                }
            }
        }
        for key in extra {
            if let Some(entry) = entry_ci(resource, key)
                && let Some(value) = self.resolve(&entry.value, key, None, 0, &mut unknown)
            {
                entries.push(Entry {
                    key: (*key).into(),
                    key_pos: entry.key_pos,
                    value,
                });
            }
        }
        let mut settings = Settings::new(Node {
            pos,
            value: Value::Map(entries),
        });
        settings.unknown.extend(unknown);
        settings
    }
}

/// Deep merge for `union`: `from`'s keys win; two object literals under one key merge; a key
/// whose old or new value is an ARM expression becomes an Unknown expression.
fn merge_objects(into: &mut Vec<Entry>, from: Vec<Entry>) {
    for entry in from {
        let Some(existing) = into
            .iter_mut()
            .find(|e| e.key.eq_ignore_ascii_case(&entry.key))
        else {
            into.push(entry);
            continue;
        };
        let is_expr = |n: &Node| n.as_str().is_some_and(is_expression);
        match (&mut existing.value.value, entry.value.value) {
            (Value::Map(old), Value::Map(new)) => merge_objects(old, new),
            (_, new) => {
                let old_map = existing.value.is_map();
                let old_expr = is_expr(&existing.value);
                existing.key_pos = entry.key_pos;
                existing.value = Node {
                    pos: entry.value.pos,
                    value: new,
                };
                let new_map = existing.value.is_map();
                let new_expr = is_expr(&existing.value);
                if (new_map && old_expr) || (new_expr && (old_map || old_expr)) {
                    existing.value =
                        Node::scalar("[unionOfAnExpression()]", false, existing.value.pos);
                }
            }
        }
    }
}

fn is_property_copy(node: &Node) -> bool {
    node.is_seq()
        && !node.items().is_empty()
        && node
            .items()
            .iter()
            .all(|i| get_ci(i, "name").is_some() && get_ci(i, "input").is_some())
}

/// `format('{0}/{1}', a, b)` with plain `{n}` placeholders (`{{`/`}}` escapes).
fn format_pattern(pattern: &str, values: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut index = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    index.push(c);
                }
                out.push_str(values.get(index.trim().parse::<usize>().ok()?)?);
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// A scalar as `equals` compares it: strings by exact text, other literals by value.
fn comparable(value: (String, bool)) -> (bool, String) {
    match value {
        (text, true) => (true, text),
        (text, false) => (false, text.to_ascii_lowercase()),
    }
}

fn null_node() -> Node {
    Node::scalar("null", true, Pos::default())
}

fn container(value: Value) -> Node {
    Node {
        pos: Pos::default(),
        value,
    }
}

/// A scalar's text and whether it is a string, as [`Eval::scalar`] gives it.
fn scalar_of(node: &Node) -> Option<(String, bool)> {
    match &node.value {
        Value::Scalar { text, plain } if !node.is_null() || !plain => {
            Some((text.to_string(), !plain))
        }
        _ => None,
    }
}

/// Whether two final values are equal, positions aside.
fn same_value(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Scalar { .. }, Value::Scalar { .. }) => match (scalar_of(a), scalar_of(b)) {
            (Some(x), Some(y)) => comparable(x) == comparable(y),
            (None, None) => true,
            _ => false,
        },
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|e| {
                    y.iter().any(|f| {
                        f.key.eq_ignore_ascii_case(&e.key) && same_value(&e.value, &f.value)
                    })
                })
        }
        _ => false,
    }
}

/// Arrays concatenated without repeats (ARM `union` of arrays); `None` unless all are arrays.
fn union_of_arrays(values: Vec<Node>) -> Option<Node> {
    if !values.iter().all(Node::is_seq) {
        return None;
    }
    let mut items: Vec<Node> = Vec::new();
    for value in values {
        let Value::Seq(list) = value.value else {
            continue;
        };
        for item in list {
            if !items.iter().any(|i| same_value(i, &item)) {
                items.push(item);
            }
        }
    }
    Some(container(Value::Seq(items)))
}

fn reason(text: &str, detail: &str) -> String {
    let quoted: String = if text.chars().count() > MAX_QUOTE {
        text.chars().take(MAX_QUOTE).chain("…".chars()).collect()
    } else {
        text.to_owned()
    };
    if detail.is_empty() {
        format!("ARM expression `{quoted}`")
    } else if detail.starts_with(&format!("ARM expression `{quoted}`")) {
        // The same expression passed down a chain of modules: say it once.
        detail.to_owned()
    } else {
        format!("ARM expression `{quoted}`: {detail}")
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// `node` with every `Pos::default()` (its own, its keys', its descendants') replaced by `pos`.
fn fill_positions(node: Node, pos: Pos) -> Node {
    let fill = |p: Pos| if p == Pos::default() { pos } else { p };
    let value = match node.value {
        Value::Scalar { .. } => node.value,
        Value::Seq(items) => {
            Value::Seq(items.into_iter().map(|i| fill_positions(i, pos)).collect())
        }
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|e| Entry {
                    key: e.key,
                    key_pos: fill(e.key_pos),
                    value: fill_positions(e.value, pos),
                })
                .collect(),
        ),
    };
    Node {
        pos: fill(node.pos),
        value,
    }
}

fn reposition(node: Node, pos: Pos) -> Node {
    let value = match node.value {
        Value::Scalar { .. } => node.value,
        Value::Seq(items) => Value::Seq(items.into_iter().map(|i| reposition(i, pos)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|e| Entry {
                    key: e.key,
                    key_pos: pos,
                    value: reposition(e.value, pos),
                })
                .collect(),
        ),
    };
    Node { pos, value }
}

fn entry_ci<'a>(node: &'a Node, key: &str) -> Option<&'a Entry> {
    node.entries()
        .iter()
        .rev()
        .find(|e| e.key.eq_ignore_ascii_case(key))
}

fn get_ci<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    entry_ci(node, key).map(|e| &e.value)
}

// ---------------------------------------------------------------------------------------
// Resources

/// Which cluster a child resource belongs to.
enum Parent {
    /// Nested in this cluster's `resources`.
    Cluster(usize),
    /// Names a cluster (resolved).
    Named(String),
    /// Refers to a cluster through an expression that cannot be resolved.
    Unresolved,
}

enum Child {
    Pool(NodePool),
    Diagnostics(DiagnosticSetting),
    Maintenance(String),
}

struct FoundCluster {
    cluster: ManagedCluster,
    /// The resolved name; `None` when the name is an unresolvable expression.
    key: Option<String>,
}

/// The enclosing resource of a nested one.
struct Outer {
    full_type: String,
    name: Result<String, String>,
    cluster: Option<usize>,
}

struct Walk<'s> {
    /// The file of the template being walked (a followed module's own file).
    source: Arc<Source>,
    format: AzureFormat,
    /// The caller of the module being walked (see [`VIA_KEY`]).
    via: Option<String>,
    /// The nested deployments around the template being walked (`aks/`), which qualify its
    /// symbols.
    prefix: String,
    budget: &'s Cell<usize>,
    clusters: Vec<FoundCluster>,
    children: Vec<(Parent, Child)>,
    out: AzureResources,
}

/// The resources of a template: a classic array or a language-2.0 symbolic-name object.
/// Each with its symbolic name in language 2.0.
fn resource_list(node: Option<&Node>) -> Vec<(Option<&str>, &Node)> {
    match node {
        Some(n) if n.is_seq() => n.items().iter().map(|r| (None, r)).collect(),
        Some(n) if n.is_map() => n
            .entries()
            .iter()
            .map(|e| (Some(e.key.as_str()), &e.value))
            .collect(),
        _ => Vec::new(),
    }
}

/// The name of the cluster an ARM resource ID or relative ID points at.
fn cluster_in_id(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let at = lower.find(CLUSTER)? + CLUSTER.len();
    let rest = id[at..].strip_prefix('/')?;
    let name = rest.split('/').next()?;
    (!name.is_empty()).then(|| name.to_owned())
}

fn last_segment(name: &str) -> String {
    name.rsplit('/').next().unwrap_or(name).to_owned()
}

impl Walk<'_> {
    fn template(&mut self, template: &Node, ctx: &Ctx, depth: usize) {
        let own_source = get_ci(template, SOURCE_KEY)
            .and_then(Node::as_str)
            .map(|path| Arc::new(Source { path: path.into() }));
        let own_format = get_ci(template, FORMAT_KEY)
            .and_then(Node::as_str)
            .and_then(|label| {
                [
                    AzureFormat::AvmBicep,
                    AzureFormat::Bicep,
                    AzureFormat::ArmTemplate,
                ]
                .into_iter()
                .find(|f| f.label() == label)
            });
        let saved_format = own_format.map(|f| std::mem::replace(&mut self.format, f));
        let saved = own_source.map(|own| {
            let via = get_ci(template, VIA_KEY)
                .and_then(Node::as_str)
                .map(str::to_owned);
            (
                std::mem::replace(&mut self.source, own),
                std::mem::replace(&mut self.via, via),
            )
        });
        let nothing = ids::Declared::default();
        let probe = Eval {
            ctx,
            budget: self.budget,
            own_positions: self.format == AzureFormat::Bicep,
            declared: &nothing,
        };
        let declared = self.declare(template, &probe);
        let ev = Eval {
            declared: &declared,
            ..probe
        };
        for (symbol, resource) in resource_list(get_ci(template, "resources")) {
            self.resource(resource, &ev, None, symbol, depth);
        }
        if let Some((source, via)) = saved {
            self.source = source;
            self.via = via;
        }
        if let Some(format) = saved_format {
            self.format = format;
        }
    }

    fn resource(
        &mut self,
        resource: &Node,
        ev: &Eval<'_>,
        outer: Option<&Outer>,
        symbol: Option<&str>,
        depth: usize,
    ) {
        if !resource.is_map() || get_ci(resource, "existing").and_then(Node::as_bool) == Some(true)
        {
            return;
        }
        let mut conditional = false;
        if let Some(condition) = get_ci(resource, "condition") {
            let mut unknown = Vec::new();
            match ev
                .resolve(condition, "condition", None, 0, &mut unknown)
                .and_then(|n| n.as_bool())
            {
                Some(false) => return,
                Some(true) => {}
                None => conditional = true,
            }
        }
        // A copy loop over nothing (`length(parameters('pools'))` of an empty array) deploys
        // nothing; any other loop is read as one resource.
        if let Some(count) = get_ci(resource, "copy").and_then(|c| get_ci(c, "count")) {
            let mut unknown = Vec::new();
            let count = ev.resolve(count, "copy.count", None, 0, &mut unknown);
            if count.as_ref().and_then(Node::as_i64) == Some(0) {
                return;
            }
        }
        let Some(written_type) = ev.resolved_text(get_ci(resource, "type")) else {
            return;
        };
        let relative = !written_type
            .split('/')
            .next()
            .is_some_and(|namespace| namespace.contains('.'));
        let full_type = match outer {
            Some(outer) if relative => format!("{}/{written_type}", outer.full_type),
            _ => written_type,
        };
        let lower_type = full_type.to_ascii_lowercase();
        let name = get_ci(resource, "name")
            .and_then(|n| ev.text_or_written(n))
            .unwrap_or_else(|| Err("<unnamed>".into()));
        // The full name of a nested child (`cluster/pool`), as a top-level one would write it.
        let full_name = match (outer, &name) {
            (Some(outer), Ok(own)) if relative => match &outer.name {
                Ok(parent) => Ok(format!("{parent}/{own}")),
                Err(written) => Err(written.clone()),
            },
            _ => name.clone(),
        };
        let nested_cluster = outer.and_then(|o| o.cluster);
        let display = |n: &Result<String, String>| match n {
            Ok(text) | Err(text) => text.clone(),
        };
        let mut cluster_index = None;
        match lower_type.as_str() {
            CLUSTER => {
                cluster_index = Some(self.clusters.len());
                let shown = match (&name, &self.via) {
                    (Err(written), Some(via)) => format!("{written} (module called at {via})"),
                    _ => display(&name),
                };
                let mut cluster = self.cluster(resource, ev, shown);
                let key = self.key(resource, ev, &full_type, &full_name, symbol);
                cluster.refs.symbols = key.symbols;
                // Only a resource group the deployment names: an unknown one would match
                // every resource group a scope names.
                cluster.refs.resource_group = ev.ctx.scope.final_scope_id().and_then(|id| {
                    (ev.ctx.scope.level == ids::Level::ResourceGroup
                        && ev.ctx.scope.resource_group.is_some())
                    .then(|| Ref::resolved("resourceGroup()", id))
                });
                self.clusters.push(FoundCluster {
                    cluster,
                    key: name.clone().ok(),
                });
            }
            AGENT_POOL => {
                let settings = ev.settings(resource, &[]);
                let pool = NodePool {
                    name: match &name {
                        Ok(n) => last_segment(n),
                        Err(written) => written.clone(),
                    },
                    pos: resource.pos,
                    source: self.source.clone(),
                    settings,
                };
                let parent = parent_by_name(nested_cluster, &full_name);
                if let Some(parent) = parent {
                    self.children.push((parent, Child::Pool(pool)));
                }
            }
            MAINTENANCE => {
                let parent = parent_by_name(nested_cluster, &full_name);
                if let Some(parent) = parent {
                    let config = match &name {
                        Ok(n) => last_segment(n),
                        Err(written) => written.clone(),
                    };
                    self.children.push((parent, Child::Maintenance(config)));
                }
            }
            CLUSTER_PROVIDER_DIAGNOSTICS | DIAGNOSTICS => {
                let parent = if lower_type == CLUSTER_PROVIDER_DIAGNOSTICS {
                    parent_by_name(nested_cluster, &full_name)
                } else if let Some(scope) = get_ci(resource, "scope") {
                    scope_parent(scope, ev)
                } else {
                    nested_cluster.map(Parent::Cluster)
                };
                if let Some(parent) = parent {
                    let setting = self.diagnostics(resource, ev, &name, conditional);
                    self.children.push((parent, Child::Diagnostics(setting)));
                }
            }
            REGISTRY => {
                let settings = ev.settings(resource, &["sku", "identity"]);
                self.out.registries.push(ContainerRegistry {
                    name: display(&name),
                    pos: resource.pos,
                    source: self.source.clone(),
                    format: self.format,
                    settings,
                });
            }
            DEPLOYMENT => self.deployment(resource, ev, &full_name, depth),
            _ => {
                let found = surroundings::Found {
                    resource,
                    outer,
                    full_type: &full_type,
                    full_name: &full_name,
                    symbol,
                };
                self.surrounding(&found, ev);
            }
        }
        let children = resource_list(get_ci(resource, "resources"));
        if !children.is_empty() {
            let this = Outer {
                full_type,
                name: full_name,
                cluster: cluster_index,
            };
            for (_, child) in children {
                self.resource(child, ev, Some(&this), None, depth);
            }
        }
    }

    fn cluster(&self, resource: &Node, ev: &Eval<'_>, name: String) -> ManagedCluster {
        let mut settings = ev.settings(resource, &["sku", "identity"]);
        move_preview_ranges(&mut settings);
        let pools_key = settings
            .root
            .entries()
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case("agentPoolProfiles"))
            .map(|e| e.key.clone());
        let written_pools = get_ci(resource, "properties")
            .and_then(|p| get_ci(p, "agentPoolProfiles"))
            .map_or(&[][..], Node::items);
        let node_pools = settings
            .get("agentPoolProfiles")
            .node()
            .map_or(&[][..], Node::items)
            .iter()
            .enumerate()
            .filter(|(_, pool)| pool.is_map())
            .map(|(i, pool)| {
                let pool_settings = match &pools_key {
                    Some(key) => settings.part(&format!("{key}[{i}]"), pool.clone()),
                    None => Settings::new(pool.clone()),
                };
                let name = get_ci(pool, "name")
                    .and_then(Node::as_str)
                    .map(str::to_owned)
                    .or_else(|| {
                        written_pools
                            .get(i)
                            .and_then(|p| get_ci(p, "name"))
                            .and_then(Node::as_str)
                            .map(str::to_owned)
                    })
                    .unwrap_or_else(|| "<unnamed>".into());
                NodePool {
                    name,
                    pos: pool.pos,
                    source: self.source.clone(),
                    settings: pool_settings,
                }
            })
            .collect();
        ManagedCluster {
            name,
            id: None,
            resource_group: None,
            location: ev.resolved_text(get_ci(resource, "location")),
            pos: resource.pos,
            source: self.source.clone(),
            format: self.format,
            settings,
            node_pools,
            diagnostic_settings: Vec::new(),
            maintenance_configurations: Vec::new(),
            refs: Default::default(),
            holds: Holds::EVERYTHING,
        }
    }

    fn diagnostics(
        &self,
        resource: &Node,
        ev: &Eval<'_>,
        name: &Result<String, String>,
        conditional: bool,
    ) -> DiagnosticSetting {
        let settings = ev.settings(resource, &[]);
        let logs_unknown = settings.unknown.keys().any(|p| {
            p.is_empty()
                || p.eq_ignore_ascii_case("logs")
                || p.to_ascii_lowercase().starts_with("logs[")
        });
        let categories = if conditional || logs_unknown {
            None
        } else {
            let mut categories = Some(Vec::new());
            for log in settings.get("logs").node().map_or(&[][..], Node::items) {
                let enabled = get_ci(log, "enabled").and_then(Node::as_bool);
                let category = get_ci(log, "category")
                    .or_else(|| get_ci(log, "categoryGroup"))
                    .and_then(Node::as_str);
                match (enabled, category) {
                    (Some(false), _) => {}
                    (Some(true), Some(category)) => {
                        if let Some(list) = categories.as_mut() {
                            list.push(category.to_ascii_lowercase());
                        }
                    }
                    _ => categories = None,
                }
            }
            categories
        };
        DiagnosticSetting {
            name: match name {
                Ok(n) => last_segment(n),
                Err(written) => written.clone(),
            },
            pos: resource.pos,
            source: self.source.clone(),
            categories,
        }
    }

    /// A `Microsoft.Resources/deployments` with an inline template (a compiled Bicep module).
    ///
    /// Scope (`expressionEvaluationOptions.scope`, any case): `inner` evaluates the nested
    /// template with its own parameters, bound to `properties.parameters` values evaluated
    /// here, in the outer scope, or to their defaults; `outer` or absent evaluates it with
    /// the outer scope's parameters and variables (the nested template's own are not used).
    /// A `template` that is an expression (Bicep's `loadJsonContent`, compiled to
    /// `[variables('$fxv#0')]`) is evaluated here into the template to deploy, whose
    /// expressions then read its own parameters, as with `inner`. A known-false
    /// `condition` was handled by the caller; a copy loop whose count is known to be zero
    /// deploys nothing.
    fn deployment(
        &mut self,
        resource: &Node,
        ev: &Eval<'_>,
        name: &Result<String, String>,
        depth: usize,
    ) {
        if depth >= 8 {
            return;
        }
        let Some(properties) = get_ci(resource, "properties") else {
            return;
        };
        let Some(written) = get_ci(properties, "template") else {
            return;
        };
        let from_expression;
        let template = match &written.value {
            Value::Map(_) => written,
            Value::Scalar { text, plain: false } if is_expression(text) => {
                let mut unknown = Vec::new();
                match ev.resolve(written, "template", None, 0, &mut unknown) {
                    Some(node) if node.is_map() && unknown.is_empty() => {
                        from_expression = node;
                        &from_expression
                    }
                    _ => return,
                }
            }
            _ => return,
        };
        let inner = !std::ptr::eq(template, written)
            || get_ci(properties, "expressionEvaluationOptions")
                .and_then(|o| get_ci(o, "scope"))
                .and_then(Node::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        // Symbols of the nested template are its own: `arm:<file>#<deployment>/<symbol>`.
        let prefix = format!(
            "{}{}/",
            self.prefix,
            match name {
                Ok(text) | Err(text) => text,
            }
        );
        let outer_prefix = std::mem::replace(&mut self.prefix, prefix);
        if !inner {
            // Outer scope: the nested template reads the parent's parameters and variables.
            self.template(template, ev.ctx, depth + 1);
            self.prefix = outer_prefix;
            return;
        }
        let mut ctx = Ctx::of_template(template);
        ctx.scope = ev.ctx.scope.clone();
        if let Some(group) = get_ci(resource, "resourceGroup") {
            ctx.scope.level = ids::Level::ResourceGroup;
            ctx.scope.resource_group = ev.resolved_text(Some(group));
        }
        if let Some(subscription) = get_ci(resource, "subscriptionId") {
            ctx.scope.subscription = ev.resolved_text(Some(subscription));
            if get_ci(resource, "resourceGroup").is_none() {
                ctx.scope.level = ids::Level::Subscription;
                ctx.scope.resource_group = None;
            }
        }
        for entry in get_ci(properties, "parameters").map_or(&[][..], Node::entries) {
            let key = entry.key.as_str().to_ascii_lowercase();
            // `{"value": …}`, or an expression giving that object (Bicep compiles a
            // conditional argument to `[if(c, createObject('value', a), createObject(…))]`).
            let passed = ev.pass(&entry.value, 0);
            let param = match (
                get_ci(&passed, "value"),
                passed.as_str().and_then(marked_unknown),
            ) {
                // Placed where the module uses it, not where the caller wrote it.
                (Some(value), _) => Param::Value(reposition(value.clone(), Pos::default())),
                (None, Some(why)) => Param::Unknown(why.to_owned()),
                (None, None) => Param::Unknown(format!(
                    "parameter `{}` is passed by reference (Key Vault)",
                    entry.key
                )),
            };
            ctx.params.insert(key, param);
        }
        self.template(template, &ctx, depth + 1);
        self.prefix = outer_prefix;
    }
}

/// Preview API versions before 2019-08-01 (e.g. 2019-02-01; templates pin theirs) held the
/// authorized IP ranges at `properties.apiServerAuthorizedIPRanges`; current REST shape is
/// `apiServerAccessProfile.authorizedIPRanges`, so the old property answers for the new one.
fn move_preview_ranges(settings: &mut Settings) {
    const OLD: &str = "apiServerAuthorizedIPRanges";
    const NEW: &str = "apiServerAccessProfile.authorizedIPRanges";
    if !settings.get(NEW).is_absent() {
        return;
    }
    if let Some(reason) = settings
        .unknown
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(OLD))
        .map(|(_, r)| r.clone())
    {
        settings.unknown.insert(NEW.into(), reason);
        return;
    }
    let Value::Map(entries) = &mut settings.root.value else {
        return;
    };
    let Some(old) = entries
        .iter()
        .rev()
        .find(|e| e.key.eq_ignore_ascii_case(OLD))
        .cloned()
    else {
        return;
    };
    let ranges = Entry {
        key: "authorizedIPRanges".into(),
        key_pos: old.key_pos,
        value: old.value.clone(),
    };
    match entries
        .iter_mut()
        .rev()
        .find(|e| e.key.eq_ignore_ascii_case("apiServerAccessProfile"))
    {
        Some(profile) => {
            if let Value::Map(inner) = &mut profile.value.value {
                inner.push(ranges);
            }
        }
        None => entries.push(Entry {
            key: "apiServerAccessProfile".into(),
            key_pos: old.key_pos,
            value: Node {
                pos: old.value.pos,
                value: Value::Map(vec![ranges]),
            },
        }),
    }
}

/// A child's cluster by its own nesting or the first segment of its full name.
fn parent_by_name(nested: Option<usize>, full_name: &Result<String, String>) -> Option<Parent> {
    if let Some(index) = nested {
        return Some(Parent::Cluster(index));
    }
    match full_name {
        Ok(name) => {
            let (cluster, _) = name.split_once('/')?;
            Some(Parent::Named(cluster.to_owned()))
        }
        Err(_) => Some(Parent::Unresolved),
    }
}

/// The cluster an extension resource's `scope` points at; `None` when it is not a cluster.
fn scope_parent(scope: &Node, ev: &Eval<'_>) -> Option<Parent> {
    match ev.text_or_written(scope)? {
        Ok(text) => cluster_in_id(&text).map(Parent::Named),
        Err(written) => {
            if is_expression(&written)
                && let Some(Expr::Call(name, args)) =
                    parse_expression(&written[1..written.len() - 1])
                && name.eq_ignore_ascii_case("resourceId")
                && let Some(Expr::Str(kind)) = args.iter().find(|a| matches!(a, Expr::Str(_)))
            {
                if !kind.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters") {
                    return None;
                }
                return Some(match args.last().map(|a| ev.text(a, 0)) {
                    Some(Ok(cluster)) => Parent::Named(cluster),
                    _ => Parent::Unresolved,
                });
            }
            written
                .to_ascii_lowercase()
                .contains("managedclusters")
                .then_some(Parent::Unresolved)
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_surroundings;
