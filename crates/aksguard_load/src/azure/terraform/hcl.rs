//! `.tf` front end: hcl-edit parsing (byte spans → line/column) and a small evaluator for
//! literals, `var.*` (defaults and tfvars), `local.*`, conditionals and simple operators.
//! Everything else evaluates to [`Val::Unknown`] with the reason.

use std::collections::HashMap;
use std::sync::Arc;

use aksguard_model::{LoadError, Pos, Source};
use hcl_edit::Span;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::Element;

use super::{Attr, Obj, Resource, Val, map};

/// Locals referring to locals: deeper chains are Unknown (also stops cycles).
const MAX_DEPTH: u32 = 16;

/// Byte offsets → 1-based line and character column.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn pos(&self, text: &str, offset: usize) -> Pos {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = text
            .get(start..offset.min(text.len()))
            .map_or(0, |s| s.chars().count());
        Pos::new(line as u32, col as u32 + 1)
    }
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

    /// Labels of the `azurerm_kubernetes_cluster` resources declared here.
    pub fn cluster_labels(&self) -> Vec<String> {
        self.top_blocks("resource")
            .filter(|b| label(b, 0) == Some(map::CLUSTER))
            .filter_map(|b| label(b, 1).map(str::to_owned))
            .collect()
    }

    /// The azurerm resources this file declares (those with `count = 0` left out).
    pub fn resources(&self, scope: &Scope) -> Vec<Resource> {
        let mut out = Vec::new();
        for block in self.top_blocks("resource") {
            let (Some(kind), Some(name)) = (label(block, 0), label(block, 1)) else {
                continue;
            };
            if !map::is_mapped(kind) {
                continue;
            }
            let body = self.obj(&block.body, self.pos(block.span()), scope);
            if body
                .attr("count")
                .and_then(|a| a.val.as_str())
                .is_some_and(|n| n == "0")
            {
                continue;
            }
            let cluster_ref = ["kubernetes_cluster_id", "target_resource_id"]
                .iter()
                .find_map(|key| block.body.get_attribute(key))
                .and_then(|a| cluster_reference(&a.value));
            out.push(Resource {
                kind: kind.to_owned(),
                label: name.to_owned(),
                module: String::new(),
                body,
                source: self.source.clone(),
                cluster_ref,
                id: None,
            });
        }
        out
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
                            obj.dynamic.push(name.to_owned());
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

fn label(block: &Block, index: usize) -> Option<&str> {
    block.labels.get(index).map(|l| l.as_str())
}

/// `azurerm_kubernetes_cluster.<label>.id` (or any attribute of it) → `<label>`.
fn cluster_reference(expr: &Expression) -> Option<String> {
    let traversal = match expr {
        Expression::Traversal(t) => t,
        Expression::Parenthesis(p) => return cluster_reference(p.inner()),
        _ => return None,
    };
    let Expression::Variable(root) = &traversal.expr else {
        return None;
    };
    if root.as_str() != map::CLUSTER {
        return None;
    }
    match traversal.operators.first().map(|o| o.value()) {
        Some(TraversalOperator::GetAttr(name)) => Some(name.as_str().to_owned()),
        _ => None,
    }
}

/// Variables and locals visible to one file.
pub(crate) struct Scope {
    vars: HashMap<String, Val>,
    locals: HashMap<String, Result<Expression, String>>,
}

impl Scope {
    /// The file's own declarations win; a name declared by several siblings (and not by the
    /// file) is Unknown; tfvars values override defaults.
    pub fn build(own: &ParsedFile, siblings: &[Arc<ParsedFile>]) -> Scope {
        let empty = Scope {
            vars: HashMap::new(),
            locals: HashMap::new(),
        };
        let mut sibling_vars: HashMap<String, Vec<Val>> = HashMap::new();
        let mut sibling_locals: HashMap<String, Vec<Expression>> = HashMap::new();
        for file in siblings.iter().filter(|f| !f.tfvars) {
            collect(file, &empty, &mut sibling_vars, &mut sibling_locals);
        }
        let mut own_vars = HashMap::new();
        let mut own_locals = HashMap::new();
        collect(own, &empty, &mut own_vars, &mut own_locals);
        let mut scope = empty;
        for (name, mut vals) in sibling_vars {
            let val = if vals.len() == 1 {
                vals.remove(0)
            } else {
                Val::Unknown(format!("var.{name} is declared in several files"))
            };
            scope.vars.insert(name, val);
        }
        for (name, mut exprs) in sibling_locals {
            let expr = if exprs.len() == 1 {
                Ok(exprs.remove(0))
            } else {
                Err(format!("local.{name} is declared in several files"))
            };
            scope.locals.insert(name, expr);
        }
        for (name, mut vals) in own_vars {
            scope.vars.insert(name, vals.remove(0));
        }
        for (name, mut exprs) in own_locals {
            scope.locals.insert(name, Ok(exprs.remove(0)));
        }
        for file in siblings.iter().filter(|f| f.tfvars) {
            for attr in file.body.attributes() {
                let name = attr.key.as_str().to_owned();
                let val = Scope::literal().eval(&attr.value, 0);
                scope.vars.insert(name, val);
            }
        }
        scope
    }

    fn literal() -> Scope {
        Scope {
            vars: HashMap::new(),
            locals: HashMap::new(),
        }
    }

    pub fn eval(&self, expr: &Expression, depth: u32) -> Val {
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
            Expression::Variable(v) => Val::Unknown(format!("`{}` is not resolvable", v.as_str())),
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    return Val::Unknown("traversal of an expression".into());
                };
                let mut ops = t.operators.iter().map(|o| o.value());
                let root = root.as_str();
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
                    .unwrap_or_else(|| Val::Unknown(format!("{name} has no such element")))
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
                if let Some(reason) = lhs.unknown_reason().or(rhs.unknown_reason()) {
                    return Val::Unknown(reason.to_owned());
                }
                match (op.operator.value(), lhs.as_bool(), rhs.as_bool()) {
                    (BinaryOperator::Eq, _, _) => Val::Bool(lhs == rhs),
                    (BinaryOperator::NotEq, _, _) => Val::Bool(lhs != rhs),
                    (BinaryOperator::And, Some(a), Some(b)) => Val::Bool(a && b),
                    (BinaryOperator::Or, Some(a), Some(b)) => Val::Bool(a || b),
                    _ => Val::Unknown("arithmetic or comparison is not evaluated".into()),
                }
            }
            Expression::FuncCall(call) => Val::Unknown(format!(
                "function call `{}(…)` is not evaluated",
                call.name.name.as_str()
            )),
            Expression::ForExpr(_) => Val::Unknown("`for` expression is not evaluated".into()),
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
            Some(default) => literal.eval(&default.value, 0),
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
