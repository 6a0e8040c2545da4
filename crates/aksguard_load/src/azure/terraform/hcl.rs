//! `.tf` front end: hcl-edit parsing (byte spans → line/column) and a small evaluator for
//! literals, `var.*` (defaults and tfvars), `local.*`, conditionals and simple operators.
//! Everything else evaluates to [`Val::Unknown`] with the reason.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aksguard_model::{LineIndex, LoadError, Pos, Source};
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::Element;

use super::functions::{FAILS, binary, coerce};
use super::{Attr, Obj, Resource, Val, azapi, map, symbols};

/// Locals referring to locals: deeper chains are Unknown (also stops cycles).
const MAX_DEPTH: u32 = 16;
/// Copies read of one `count` / `for_each` resource; more load once, with the index Unknown.
pub(crate) const MAX_COPIES: usize = 100;
/// Evaluation steps per file or module instance (a Terraform configuration takes far fewer).
const MAX_STEPS: usize = 2_000_000;
/// Nesting of an azapi body read property by property.
const MAX_REST_DEPTH: u32 = 64;

/// An azapi body value: an object, a list of objects, or anything else evaluated.
enum Rest {
    Obj(Obj),
    List(Vec<Obj>),
    Attr(Val),
}

impl Rest {
    /// A resolved value as a REST value, every part at `pos`; an object whose members are
    /// partly unknown keeps the known ones.
    fn of_val(val: Val, pos: Pos) -> Rest {
        match val {
            Val::Map(entries) => Rest::Obj(obj_of_map(entries, pos)),
            Val::List(items)
                if !items.is_empty() && items.iter().all(|i| matches!(i, Val::Map(_))) =>
            {
                Rest::List(
                    items
                        .into_iter()
                        .map(|item| match item {
                            Val::Map(entries) => obj_of_map(entries, pos),
                            _ => Obj::default(),
                        })
                        .collect(),
                )
            }
            other => Rest::Attr(other),
        }
    }
}

/// A resolved map as a REST object positioned at `pos`.
pub(crate) fn obj_of_map(entries: Vec<(String, Val)>, pos: Pos) -> Obj {
    let mut out = Obj {
        pos,
        ..Obj::default()
    };
    for (key, val) in entries {
        match Rest::of_val(val, pos) {
            Rest::Obj(child) => out.blocks.push((key, child)),
            Rest::List(items) => out.lists.push((key, items)),
            Rest::Attr(val) => out.attrs.push((
                key,
                Attr {
                    val,
                    pos,
                    text: None,
                    items: Vec::new(),
                },
            )),
        }
    }
    out
}

/// One parsed `.tf` (or `.tfvars`) file.
pub(crate) struct ParsedFile {
    pub source: Arc<Source>,
    text: String,
    body: Body,
    lines: LineIndex,
    tfvars: bool,
}

impl ParsedFile {
    pub fn parse(text: &str, source: Arc<Source>) -> Result<Self, LoadError> {
        let body: Body = text.parse().map_err(|err: hcl_edit::parser::Error| {
            LoadError::new(
                source.path.to_string(),
                Some(err.location().line() as u32),
                format!("invalid HCL: {}", err.message()),
            )
        })?;
        let tfvars = source.path.ends_with(".tfvars");
        Ok(ParsedFile {
            lines: LineIndex::new(text),
            text: text.to_owned(),
            body,
            source,
            tfvars,
        })
    }

    fn pos(&self, span: Option<std::ops::Range<usize>>) -> Pos {
        span.map_or(Pos::new(1, 1), |s| self.lines.pos(&self.text, s.start))
    }

    fn text_of(&self, span: Option<std::ops::Range<usize>>) -> Option<String> {
        span.and_then(|s| self.text.get(s))
            .map(|t| t.trim().to_owned())
    }

    fn top_blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.body
            .blocks()
            .filter(move |b| b.ident.as_str() == ident)
    }

    /// Addresses (`kind.label`) of the cluster resources declared here (azurerm clusters and
    /// azapi resources whose literal type is a managed cluster).
    pub fn cluster_addresses(&self) -> Vec<String> {
        self.top_blocks("resource")
            .filter_map(|b| {
                let (kind, name) = (label(b, 0)?, label(b, 1)?);
                let cluster = kind == map::CLUSTER
                    || (kind == azapi::RESOURCE
                        && b.body
                            .get_attribute("type")
                            .and_then(|a| a.value.as_str())
                            .is_some_and(azapi::is_cluster_type));
                cluster.then(|| format!("{kind}.{name}"))
            })
            .collect()
    }

    /// The addresses this file declares (`azurerm_subnet.nodes`, `data.azurerm_subscription.c`).
    pub fn declared_addresses(&self) -> Vec<String> {
        let resources = self
            .top_blocks("resource")
            .filter_map(|b| Some(format!("{}.{}", label(b, 0)?, label(b, 1)?)));
        let data = self
            .top_blocks("data")
            .filter_map(|b| Some(format!("data.{}.{}", label(b, 0)?, label(b, 1)?)));
        resources.chain(data).collect()
    }

    /// The `output "<name>" { value = … }` blocks: name and the value's expression text.
    pub fn outputs(&self) -> Vec<(String, String)> {
        self.top_blocks("output")
            .filter_map(|b| {
                let value = b.body.get_attribute("value")?;
                Some((label(b, 0)?.to_owned(), self.text_of(value.value.span())?))
            })
            .collect()
    }

    pub fn is_tfvars(&self) -> bool {
        self.tfvars
    }

    /// The `module` blocks of this file.
    pub fn module_blocks(&self) -> impl Iterator<Item = &Block> + '_ {
        self.top_blocks("module")
    }

    /// A block's body evaluated in `scope` (a module call's arguments).
    pub fn block_obj(&self, block: &Block, scope: &Scope) -> Obj {
        self.obj(&block.body, self.pos(block.span()), scope)
    }

    /// Where a block starts.
    pub fn block_pos(&self, block: &Block) -> Pos {
        self.pos(block.span())
    }

    /// The azurerm and azapi resources this file declares, `count`/`for_each` expanded over
    /// resolvable values (`count = 0` and empty collections leave the resource out).
    /// Data sources whose names references are followed through
    /// ([`symbols::is_read_data`]) come as resources of kind `data.<type>`.
    pub fn resources(&self, scope: &Scope, notices: &mut Vec<String>) -> Vec<Resource> {
        let mut out = Vec::new();
        let data = self
            .top_blocks("data")
            .filter(|b| label(b, 0).is_some_and(symbols::is_read_data));
        for block in self.top_blocks("resource").chain(data) {
            let (Some(kind), Some(name)) = (label(block, 0), label(block, 1)) else {
                continue;
            };
            let azapi = azapi::is_azapi(kind);
            let is_data = block.ident.as_str() == "data";
            // Resources whose IDs references name (a workspace) are read for their names.
            if !map::is_mapped(kind) && !azapi && !is_data && !symbols::is_read_data(kind) {
                continue;
            }
            let kind = &if is_data {
                format!("data.{kind}")
            } else {
                kind.to_owned()
            };
            let pos = self.pos(block.span());
            let address = format!("{kind}.{name}");
            let counted = block.body.get_attribute("count").is_some()
                || block.body.get_attribute("for_each").is_some();
            for (instance, scope) in self.instances(&block.body, scope, &address, pos, notices) {
                let mut body = self.obj(&block.body, pos, &scope);
                if azapi {
                    self.azapi_body(&block.body, &scope, &mut body);
                }
                let cluster_ref = [
                    "kubernetes_cluster_id",
                    "target_resource_id",
                    "parent_id",
                    "resource_id",
                ]
                .iter()
                .find_map(|key| block.body.get_attribute(key))
                .and_then(|a| cluster_reference(&a.value));
                out.push(Resource {
                    kind: kind.to_owned(),
                    label: name.to_owned(),
                    conditional: counted && instance.is_empty(),
                    instance,
                    module: String::new(),
                    caller: None,
                    body,
                    source: self.source.clone(),
                    cluster_ref,
                    id: None,
                    names: Default::default(),
                });
            }
        }
        out
    }

    /// The copies `count` / `for_each` make, each with its scope: `[i]` with `count.index`
    /// known, `["key"]` with `each.key`/`each.value` known. An unresolvable (or too large)
    /// count or collection gives one copy with those values Unknown, as Terraform's own
    /// address without a key.
    pub fn instances(
        &self,
        body: &Body,
        scope: &Scope,
        address: &str,
        pos: Pos,
        notices: &mut Vec<String>,
    ) -> Vec<(String, Scope)> {
        let one = || vec![(String::new(), scope.clone())];
        if let Some(count) = body.get_attribute("count") {
            let n = match scope.eval(&count.value, 0) {
                Val::Num(n) => n.trim().parse::<u64>().ok(),
                _ => None,
            };
            return match n {
                Some(n) if n <= MAX_COPIES as u64 => (0..n as usize)
                    .map(|i| (format!("[{i}]"), scope.with(Iteration::Count(i))))
                    .collect(),
                Some(n) => {
                    notices.push(format!(
                        "{}:{}: {address} has count = {n}, over the {MAX_COPIES} copies read; loaded once with count.index unknown",
                        self.source.path, pos.line
                    ));
                    one()
                }
                None => one(),
            };
        }
        if let Some(for_each) = body.get_attribute("for_each") {
            let items: Option<Vec<(String, Val)>> = match scope.eval(&for_each.value, 0) {
                Val::Map(entries) => Some(entries),
                Val::List(items) => items
                    .into_iter()
                    .map(|item| item.as_str().map(|k| (k.to_owned(), item.clone())))
                    .collect(),
                _ => None,
            };
            return match items {
                Some(items) if items.len() <= MAX_COPIES => items
                    .into_iter()
                    .map(|(key, value)| {
                        let instance = format!("[{key:?}]");
                        (instance, scope.with(Iteration::Each { key, value }))
                    })
                    .collect(),
                Some(items) => {
                    notices.push(format!(
                        "{}:{}: {address} has for_each over {} items, over the {MAX_COPIES} copies read; loaded once with each.* unknown",
                        self.source.path,
                        pos.line,
                        items.len()
                    ));
                    one()
                }
                None => one(),
            };
        }
        one()
    }

    /// An azapi resource's `body` as a positioned REST tree: the `body` block of `obj`
    /// (replacing the `body` attribute). Objects written in HCL (azapi v2) or inside
    /// `jsonencode(…)` (v1) keep each property's line; a body that comes from a variable or
    /// local is resolved as a whole and positioned at the `body` attribute.
    fn azapi_body(&self, body: &Body, scope: &Scope, obj: &mut Obj) {
        // `type = "Microsoft.X/y@${local.api_version}"`: the resource type is known even when
        // the API version is not.
        if let Some(attr) = body.get_attribute("type")
            && let Expression::StringTemplate(template) = &attr.value
            && let Some(Element::Literal(first)) = template.iter().next()
            && let Some((resource_type, _)) = first.value().split_once('@')
            && let Some((_, written)) = obj.attrs.iter_mut().rev().find(|(k, _)| k == "type")
            && matches!(written.val, Val::Unknown(_))
        {
            written.val = Val::Str(format!("{resource_type}@"));
        }
        let Some(attr) = body.get_attribute("body") else {
            return;
        };
        let pos = self.pos(attr.span());
        match self.rest(&attr.value, scope, pos, 0) {
            Rest::Obj(rest) => {
                obj.attrs.retain(|(k, _)| k != "body");
                obj.blocks.push(("body".into(), rest));
            }
            Rest::Attr(val) => {
                if let Some((_, body)) = obj.attrs.iter_mut().rev().find(|(k, _)| k == "body") {
                    body.val = match val {
                        // A body that is not an object (a list, a string that is not JSON):
                        // nothing in it can be read.
                        Val::Unknown(reason) => Val::Unknown(reason),
                        Val::Null => Val::Null,
                        _ => Val::Unknown("azapi body is not an object".into()),
                    };
                }
            }
            Rest::List(_) => {}
        }
    }

    /// One REST value: objects become [`Obj`]s (a property per attribute or block, at the
    /// line of its key), lists of objects become positioned lists, everything else an
    /// evaluated value.
    fn rest(&self, expr: &Expression, scope: &Scope, pos: Pos, depth: u32) -> Rest {
        if depth > MAX_REST_DEPTH {
            return Rest::Attr(Val::Unknown("azapi body nests too deeply".into()));
        }
        match expr {
            Expression::Parenthesis(p) => self.rest(p.inner(), scope, pos, depth + 1),
            Expression::FuncCall(call)
                if call.name.namespace.is_empty()
                    && call.name.name.as_str() == "jsonencode"
                    && call.args.len() == 1 =>
            {
                match call.args.iter().next() {
                    Some(arg) => self.rest(arg, scope, pos, depth + 1),
                    None => Rest::Attr(Val::Unknown("jsonencode without argument".into())),
                }
            }
            Expression::Conditional(c) => match scope.eval(&c.cond_expr, 0).as_bool() {
                Some(true) => self.rest(&c.true_expr, scope, pos, depth + 1),
                Some(false) => self.rest(&c.false_expr, scope, pos, depth + 1),
                None => Rest::Attr(Val::Unknown("condition is not resolvable".into())),
            },
            Expression::Object(object) => {
                let mut out = Obj {
                    pos,
                    ..Obj::default()
                };
                for (key, value) in object.iter() {
                    let name = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                        ObjectKey::Expression(e) => match scope.eval(e, 0) {
                            Val::Str(s) => s,
                            _ => {
                                return Rest::Attr(Val::Unknown(
                                    "object key is not a literal".into(),
                                ));
                            }
                        },
                    };
                    let key_pos = self.pos(key.span());
                    let expr = value.expr();
                    match self.rest(expr, scope, key_pos, depth + 1) {
                        Rest::Obj(child) => out.blocks.push((name, child)),
                        Rest::List(items) => out.lists.push((name, items)),
                        Rest::Attr(val) => out.attrs.push((
                            name,
                            Attr {
                                val,
                                pos: key_pos,
                                text: self.text_of(expr.span()),
                                items: match expr {
                                    Expression::Array(items) => {
                                        items.iter().map(|e| self.pos(e.span())).collect()
                                    }
                                    _ => Vec::new(),
                                },
                            },
                        )),
                    }
                }
                Rest::Obj(out)
            }
            Expression::Array(items)
                if !items.is_empty()
                    && items.iter().all(|i| matches!(i, Expression::Object(_))) =>
            {
                let mut out = Vec::new();
                for item in items.iter() {
                    match self.rest(item, scope, self.pos(item.span()), depth + 1) {
                        Rest::Obj(obj) => out.push(obj),
                        _ => return Rest::Attr(scope.eval(expr, 0)),
                    }
                }
                Rest::List(out)
            }
            _ => Rest::of_val(scope.eval(expr, 0), pos),
        }
    }
    fn obj(&self, body: &Body, pos: Pos, scope: &Scope) -> Obj {
        let mut obj = Obj {
            pos,
            ..Obj::default()
        };
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let val = scope.eval(&attr.value, 0);
                    obj.attrs.push((
                        attr.key.as_str().to_owned(),
                        Attr {
                            val,
                            pos: self.pos(attr.span()),
                            text: self.text_of(attr.value.span()),
                            items: match &attr.value {
                                Expression::Array(items) => {
                                    items.iter().map(|e| self.pos(e.span())).collect()
                                }
                                _ => Vec::new(),
                            },
                        },
                    ));
                }
                Structure::Block(block) => match block.ident.as_str() {
                    "dynamic" => {
                        if let Some(name) = label(block, 0) {
                            match self.dynamic_blocks(block, name, scope) {
                                Some(children) => obj
                                    .blocks
                                    .extend(children.into_iter().map(|c| (name.to_owned(), c))),
                                None => obj.dynamic.push(name.to_owned()),
                            }
                        }
                    }
                    "lifecycle" | "provisioner" | "connection" | "timeouts" => {}
                    ident => {
                        let child = self.obj(&block.body, self.pos(block.span()), scope);
                        obj.blocks.push((ident.to_owned(), child));
                    }
                },
            }
        }
        obj
    }
}

impl ParsedFile {
    /// The blocks a `dynamic "<name>"` block generates when its `for_each` resolves (at most
    /// [`MAX_COPIES`]): one `content` per element, with the iterator (`<name>`, or the
    /// `iterator` attribute) bound to `{key, value}`. `None` when it does not resolve.
    fn dynamic_blocks(&self, block: &Block, name: &str, scope: &Scope) -> Option<Vec<Obj>> {
        let for_each = block.body.get_attribute("for_each")?;
        let content = block
            .body
            .blocks()
            .find(|b| b.ident.as_str() == "content")?;
        let iterator = match block.body.get_attribute("iterator") {
            Some(attr) => match &attr.value {
                Expression::Variable(v) => v.as_str().to_owned(),
                _ => return None,
            },
            None => name.to_owned(),
        };
        let elements: Vec<(Val, Val)> = match scope.eval(&for_each.value, 0) {
            Val::Map(entries) => entries.into_iter().map(|(k, v)| (Val::Str(k), v)).collect(),
            Val::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Val::Num(i.to_string()), v))
                .collect(),
            _ => return None,
        };
        if elements.len() > MAX_COPIES {
            return None;
        }
        let pos = self.pos(content.span());
        Some(
            elements
                .into_iter()
                .map(|(key, value)| {
                    let bound = scope.bind(
                        &iterator,
                        Val::Map(vec![("key".into(), key), ("value".into(), value)]),
                    );
                    self.obj(&content.body, pos, &bound)
                })
                .collect(),
        )
    }
}

fn label(block: &Block, index: usize) -> Option<&str> {
    block.labels.get(index).map(|l| l.as_str())
}

/// `azurerm_kubernetes_cluster.<label>.id` or `azapi_resource.<label>.id` (or any attribute
/// of it, with or without an index) → `<kind>.<label>`.
pub(crate) fn cluster_reference(expr: &Expression) -> Option<String> {
    let traversal = match expr {
        Expression::Traversal(t) => t,
        Expression::Parenthesis(p) => return cluster_reference(p.inner()),
        _ => return None,
    };
    let Expression::Variable(root) = &traversal.expr else {
        return None;
    };
    let root = root.as_str();
    if root != map::CLUSTER && root != azapi::RESOURCE {
        return None;
    }
    match traversal.operators.first().map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(name)) => Some(format!("{root}.{}", name.as_str())),
        _ => None,
    }
}

/// The copy of a `count` / `for_each` resource being read.
#[derive(Clone, Debug)]
pub(crate) enum Iteration {
    Count(usize),
    Each { key: String, value: Val },
}

/// Variables and locals visible to one file (or one module instance), and the copy being
/// read. Cheap to clone: the declarations are shared.
#[derive(Clone)]
pub(crate) struct Scope {
    vars: Arc<HashMap<String, Val>>,
    locals: Arc<HashMap<String, Result<Expression, String>>>,
    iteration: Option<Iteration>,
    /// Names bound by `for` expressions and `dynamic` block iterators, innermost last.
    bound: Arc<Vec<(String, Val)>>,
    /// Evaluation steps taken with these declarations (shared by clones), so nested `for`
    /// expressions over large collections end as Unknown instead of running on.
    steps: Arc<AtomicUsize>,
}

impl Scope {
    /// The file's own declarations win; a name declared by several siblings (and not by the
    /// file) is Unknown; tfvars values override defaults.
    pub fn build(own: &ParsedFile, siblings: &[Arc<ParsedFile>]) -> Scope {
        let empty = Scope::literal();
        let mut sibling_vars: HashMap<String, Vec<Val>> = HashMap::new();
        let mut sibling_locals: HashMap<String, Vec<Expression>> = HashMap::new();
        for file in siblings.iter().filter(|f| !f.tfvars) {
            collect(file, &empty, &mut sibling_vars, &mut sibling_locals);
        }
        let mut own_vars = HashMap::new();
        let mut own_locals = HashMap::new();
        collect(own, &empty, &mut own_vars, &mut own_locals);
        let (mut vars, mut locals) = unique(sibling_vars, sibling_locals);
        for (name, mut vals) in own_vars {
            vars.insert(name, vals.remove(0));
        }
        for (name, mut exprs) in own_locals {
            locals.insert(name, Ok(exprs.remove(0)));
        }
        for file in siblings.iter().filter(|f| f.tfvars) {
            for attr in file.body.attributes() {
                let name = attr.key.as_str().to_owned();
                let val = Scope::literal().eval(&attr.value, 0);
                vars.insert(name, val);
            }
        }
        Scope {
            vars: Arc::new(vars),
            locals: Arc::new(locals),
            iteration: None,
            bound: Arc::default(),
            steps: Arc::default(),
        }
    }

    /// The scope of a called module: the declarations of all its files (a name declared
    /// twice is Unknown), the caller's arguments over the variable defaults. A module's
    /// tfvars files are not read (Terraform reads them for the root module only).
    pub fn module(files: &[Arc<ParsedFile>], args: Vec<(String, Val)>) -> Scope {
        let empty = Scope::literal();
        let mut all_vars: HashMap<String, Vec<Val>> = HashMap::new();
        let mut all_locals: HashMap<String, Vec<Expression>> = HashMap::new();
        for file in files.iter().filter(|f| !f.tfvars) {
            collect(file, &empty, &mut all_vars, &mut all_locals);
        }
        let (mut vars, locals) = unique(all_vars, all_locals);
        let literal = Scope::literal();
        for (name, val) in args {
            if vars.contains_key(&name) {
                let ty = files
                    .iter()
                    .flat_map(|f| f.top_blocks("variable"))
                    .find(|b| label(b, 0) == Some(name.as_str()))
                    .and_then(|b| b.body.get_attribute("type"));
                let val = match ty {
                    Some(ty) => coerce(val, &ty.value, &literal, 0),
                    None => val,
                };
                vars.insert(name, val);
            }
        }
        Scope {
            vars: Arc::new(vars),
            locals: Arc::new(locals),
            iteration: None,
            bound: Arc::default(),
            steps: Arc::default(),
        }
    }

    /// This scope with `name` bound (a `for` variable, a `dynamic` iterator).
    pub fn bind(&self, name: &str, val: Val) -> Scope {
        let mut bound = (*self.bound).clone();
        bound.push((name.to_owned(), val));
        Scope {
            bound: Arc::new(bound),
            ..self.clone()
        }
    }

    fn bound_value(&self, name: &str) -> Option<&Val> {
        self.bound
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// This scope reading one copy of a `count` / `for_each` resource or module.
    pub fn with(&self, iteration: Iteration) -> Scope {
        Scope {
            iteration: Some(iteration),
            ..self.clone()
        }
    }

    fn literal() -> Scope {
        Scope {
            vars: Arc::default(),
            locals: Arc::default(),
            iteration: None,
            bound: Arc::default(),
            steps: Arc::default(),
        }
    }

    pub fn eval(&self, expr: &Expression, depth: u32) -> Val {
        if self.steps.fetch_add(1, Ordering::Relaxed) > MAX_STEPS {
            return Val::Unknown("too much to evaluate".into());
        }
        match expr {
            Expression::Null(_) => Val::Null,
            Expression::Bool(b) => Val::Bool(*b.value()),
            Expression::Number(n) => Val::Num(n.value().to_string()),
            Expression::String(s) => Val::Str(s.value().clone()),
            Expression::Array(items) => {
                Val::List(items.iter().map(|e| self.eval(e, depth)).collect())
            }
            Expression::Object(object) => {
                let mut entries = Vec::new();
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                        ObjectKey::Expression(e) => match self.eval(e, depth) {
                            Val::Str(s) => s,
                            _ => return Val::Unknown("object key is not a literal".into()),
                        },
                    };
                    entries.push((key, self.eval(value.expr(), depth)));
                }
                Val::Map(entries)
            }
            Expression::StringTemplate(template) => {
                let mut out = String::new();
                for element in template.iter() {
                    match element {
                        Element::Literal(text) => out.push_str(text.value()),
                        Element::Interpolation(i) => match self.eval(&i.expr, depth) {
                            Val::Str(s) | Val::Num(s) => out.push_str(&s),
                            Val::Bool(b) => out.push_str(&b.to_string()),
                            Val::Unknown(reason) => return Val::Unknown(reason),
                            _ => return Val::Unknown("template interpolates a collection".into()),
                        },
                        Element::Directive(_) => {
                            return Val::Unknown("template directive".into());
                        }
                    }
                }
                Val::Str(out)
            }
            Expression::HeredocTemplate(_) => Val::Unknown("heredoc template".into()),
            Expression::Parenthesis(p) => self.eval(p.inner(), depth),
            Expression::Variable(v) => match self.bound_value(v.as_str()) {
                Some(val) => val.clone(),
                None => Val::Unknown(format!("`{}` is not resolvable", v.as_str())),
            },
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    return Val::Unknown("traversal of an expression".into());
                };
                let root = root.as_str();
                if let Some(val) = self.bound_value(root) {
                    return t
                        .operators
                        .iter()
                        .map(|o| o.value())
                        .try_fold(val.clone(), |v, op| step(v, op, self, depth))
                        .unwrap_or_else(|| {
                            Val::Unknown(format!("{FAILS}{root} has no such element"))
                        });
                }
                let mut ops = t.operators.iter().map(|o| o.value());
                let (base, name) = match (root, ops.next()) {
                    ("var", Some(TraversalOperator::GetAttr(name))) => {
                        let name = name.as_str();
                        let val = self.vars.get(name).cloned().unwrap_or_else(|| {
                            Val::Unknown(format!("var.{name} is not declared in this module"))
                        });
                        (val, format!("var.{name}"))
                    }
                    ("local", Some(TraversalOperator::GetAttr(name))) => {
                        let name = name.as_str();
                        let val = match self.locals.get(name) {
                            Some(Ok(_)) if depth >= MAX_DEPTH => {
                                Val::Unknown(format!("local.{name} nests too deeply"))
                            }
                            Some(Ok(expr)) => self.eval(expr, depth + 1),
                            Some(Err(reason)) => Val::Unknown(reason.clone()),
                            None => Val::Unknown(format!("local.{name} is not declared")),
                        };
                        (val, format!("local.{name}"))
                    }
                    ("count", Some(TraversalOperator::GetAttr(name)))
                        if name.as_str() == "index" =>
                    {
                        match &self.iteration {
                            Some(Iteration::Count(i)) => {
                                (Val::Num(i.to_string()), "count.index".to_owned())
                            }
                            _ => {
                                return Val::Unknown(
                                    "`count.index` is not resolvable (count is not)".into(),
                                );
                            }
                        }
                    }
                    ("each", Some(TraversalOperator::GetAttr(name)))
                        if matches!(name.as_str(), "key" | "value") =>
                    {
                        match (&self.iteration, name.as_str()) {
                            (Some(Iteration::Each { key, .. }), "key") => {
                                (Val::Str(key.clone()), "each.key".to_owned())
                            }
                            (Some(Iteration::Each { value, .. }), _) => {
                                (value.clone(), "each.value".to_owned())
                            }
                            _ => {
                                return Val::Unknown(format!(
                                    "`each.{}` is not resolvable (for_each is not)",
                                    name.as_str()
                                ));
                            }
                        }
                    }
                    _ => {
                        let path = traversal_text(root, &t.operators);
                        return Val::Unknown(format!("`{path}` is known only at apply time"));
                    }
                };
                let base = match base {
                    Val::Unknown(reason) if reason.contains("no default") => {
                        return Val::Unknown(reason);
                    }
                    other => other,
                };
                ops.try_fold(base, |val, op| step(val, op, self, depth))
                    .unwrap_or_else(|| Val::Unknown(format!("{FAILS}{name} has no such element")))
            }
            Expression::Conditional(c) => match self.eval(&c.cond_expr, depth).as_bool() {
                Some(true) => self.eval(&c.true_expr, depth),
                Some(false) => self.eval(&c.false_expr, depth),
                None => Val::Unknown("condition is not resolvable".into()),
            },
            Expression::UnaryOp(op) => match (op.operator.value(), self.eval(&op.expr, depth)) {
                (UnaryOperator::Not, v) if v.as_bool().is_some() => {
                    Val::Bool(!v.as_bool().unwrap_or_default())
                }
                (UnaryOperator::Neg, Val::Num(n)) => Val::Num(format!("-{n}")),
                (_, Val::Unknown(reason)) => Val::Unknown(reason),
                _ => Val::Unknown("operator on a non-literal".into()),
            },
            Expression::BinaryOp(op) => {
                let lhs = self.eval(&op.lhs_expr, depth);
                let rhs = self.eval(&op.rhs_expr, depth);
                binary(*op.operator.value(), lhs, rhs)
            }
            Expression::FuncCall(call) => self.call(call, depth),
            Expression::ForExpr(f) => self.for_expr(f, depth),
        }
    }
}

/// Applies one traversal step to a resolved value; `None` when the element is missing.
fn step(val: Val, op: &TraversalOperator, scope: &Scope, depth: u32) -> Option<Val> {
    if let Val::Unknown(reason) = val {
        return Some(Val::Unknown(reason));
    }
    match op {
        TraversalOperator::GetAttr(name) => match val {
            Val::Map(entries) => entries
                .into_iter()
                .rev()
                .find(|(k, _)| k == name.as_str())
                .map(|(_, v)| v),
            _ => None,
        },
        TraversalOperator::Index(index) => match (val, scope.eval(index, depth)) {
            (_, Val::Unknown(reason)) => Some(Val::Unknown(reason)),
            (Val::List(items), Val::Num(n)) => n
                .parse::<usize>()
                .ok()
                .and_then(|i| items.into_iter().nth(i)),
            (Val::Map(entries), Val::Str(key)) => entries
                .into_iter()
                .rev()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v),
            _ => None,
        },
        TraversalOperator::LegacyIndex(i) => match val {
            Val::List(items) => items.into_iter().nth(*i.value() as usize),
            _ => None,
        },
        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
            Some(Val::Unknown("splat expression is not evaluated".into()))
        }
    }
}

fn traversal_text(root: &str, ops: &[hcl_edit::Decorated<TraversalOperator>]) -> String {
    let mut out = root.to_owned();
    for op in ops {
        match op.value() {
            TraversalOperator::GetAttr(name) => {
                out.push('.');
                out.push_str(name.as_str());
            }
            TraversalOperator::LegacyIndex(i) => out.push_str(&format!("[{}]", i.value())),
            _ => out.push_str("[…]"),
        }
    }
    out
}

/// Declarations by name: a name declared more than once is Unknown.
#[allow(clippy::type_complexity)]
fn unique(
    vars: HashMap<String, Vec<Val>>,
    locals: HashMap<String, Vec<Expression>>,
) -> (
    HashMap<String, Val>,
    HashMap<String, Result<Expression, String>>,
) {
    let vars = vars
        .into_iter()
        .map(|(name, mut vals)| {
            let val = if vals.len() == 1 {
                vals.remove(0)
            } else {
                Val::Unknown(format!("var.{name} is declared in several files"))
            };
            (name, val)
        })
        .collect();
    let locals = locals
        .into_iter()
        .map(|(name, mut exprs)| {
            let expr = if exprs.len() == 1 {
                Ok(exprs.remove(0))
            } else {
                Err(format!("local.{name} is declared in several files"))
            };
            (name, expr)
        })
        .collect();
    (vars, locals)
}

/// Collects `variable` defaults and `locals` of one file.
fn collect(
    file: &ParsedFile,
    literal: &Scope,
    vars: &mut HashMap<String, Vec<Val>>,
    locals: &mut HashMap<String, Vec<Expression>>,
) {
    for block in file.top_blocks("variable") {
        let Some(name) = label(block, 0) else {
            continue;
        };
        let val = match block.body.get_attribute("default") {
            Some(default) => match block.body.get_attribute("type") {
                Some(ty) => coerce(literal.eval(&default.value, 0), &ty.value, literal, 0),
                None => literal.eval(&default.value, 0),
            },
            None => Val::Unknown(format!("var.{name} has no default (set at plan time)")),
        };
        vars.entry(name.to_owned()).or_default().push(val);
    }
    for block in file.top_blocks("locals") {
        for attr in block.body.attributes() {
            locals
                .entry(attr.key.as_str().to_owned())
                .or_default()
                .push(attr.value.clone());
        }
    }
}
