//! The CEL evaluator behind ValidatingAdmissionPolicies and Gatekeeper's
//! `K8sNativeValidation` code: compile an expression once (parse + a static check of the
//! names it uses), then evaluate it against bound roots (`object`, `params`, …) and lazily
//! computed `variables`, within the API server's cost limits.
//!
//! Built on kube-cel's re-export of `cel` 0.13 (with kube-cel's Kubernetes function
//! libraries registered). Not `kube_cel::VapEvaluator`: it has no `variables`, and it
//! escapes every map key of the object (`app.kubernetes.io/name` becomes
//! `app__dot__kubernetes__dot__io__slash__name`), so label and annotation look-ups would
//! never match; the API server escapes only declared property names.
//!
//! Differences from the API server, on purpose or by necessity:
//! - cel 0.13 has no type checker. Compiling parses the expression and checks every
//!   identifier (a bound root, a declared variable, or a comprehension variable) and every
//!   function name (cel's and kube-cel's libraries); type errors surface at evaluation.
//! - cel 0.13 counts no cost while evaluating. [`estimated_cost`] bounds it instead: one
//!   unit per syntax node, a comprehension costs its body once per element, and a list we
//!   cannot see the length of has as many elements as the largest list or map in the inputs
//!   (and in the variables computed so far). That is an upper bound of cel-go's runtime
//!   cost for nested loops over the same data, and it ignores the per-character cost of
//!   string functions (`matches`, `split`…). An expression over [`PER_CALL_LIMIT`] is an
//!   error before it runs, and one evaluation (a policy's expressions for one request)
//!   stops at [`RUNTIME_BUDGET`], like the API server's `RuntimeCELCostBudget`.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use kube_cel::KubeCelExt;
use kube_cel::cel::common::ast::{EntryExpr, Expr, IdedExpr, operators};
use kube_cel::cel::objects::{Key, Map};
use kube_cel::cel::{Context, Program, Value};

/// The API server's runtime cost limit for one expression (`celconfig.PerCallLimit`).
pub const PER_CALL_LIMIT: u64 = 1_000_000;

/// The API server's runtime cost budget for one policy's evaluation of one request
/// (`celconfig.RuntimeCELCostBudget`).
pub const RUNTIME_BUDGET: u64 = 10_000_000;

/// The roots a ValidatingAdmissionPolicy expression may read (`authorizer` is refused at
/// compile time: it needs an API server).
pub const VAP_ROOTS: &[&str] = &[
    "object",
    "oldObject",
    "request",
    "params",
    "namespaceObject",
    "variables",
];

/// Functions of cel 0.13's standard context and of kube-cel's libraries. Qualified names
/// (`math.abs`, `sets.contains`) are called as `<namespace>.<name>(…)`.
const FUNCTIONS: &[&str] = &[
    // cel 0.13's built-ins.
    "contains",
    "size",
    "max",
    "min",
    "startsWith",
    "endsWith",
    "string",
    "bytes",
    "double",
    "int",
    "uint",
    "optional.none",
    "optional.of",
    "optional.ofNonZeroValue",
    "value",
    "hasValue",
    "or",
    "orValue",
    "matches",
    "duration",
    "timestamp",
    "getFullYear",
    "getMonth",
    "getDayOfYear",
    "getDayOfMonth",
    "getDate",
    "getDayOfWeek",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
    // kube-cel's Kubernetes libraries.
    "add",
    "asApproximateFloat",
    "asInteger",
    "base64.decode",
    "base64.encode",
    "charAt",
    "cidr",
    "compareTo",
    "containsCIDR",
    "containsIP",
    "distinct",
    "family",
    "find",
    "findAll",
    "first",
    "flatten",
    "format",
    "format.byte",
    "format.date",
    "format.datetime",
    "format.labelValue",
    "format.named",
    "format.qualifiedName",
    "format.uri",
    "format.uuid",
    "getEscapedPath",
    "getHost",
    "getHostname",
    "getPort",
    "getQuery",
    "getScheme",
    "indexOf",
    "ip",
    "ip.isCanonical",
    "isCIDR",
    "isGlobalUnicast",
    "isGreaterThan",
    "isIP",
    "isInteger",
    "isLessThan",
    "isLinkLocalMulticast",
    "isLinkLocalUnicast",
    "isLoopback",
    "isQuantity",
    "isSemver",
    "isSorted",
    "isURL",
    "isUnspecified",
    "join",
    "jsonpatch.escapeKey",
    "last",
    "lastIndexOf",
    "lists.range",
    "lowerAscii",
    "major",
    "masked",
    "math.abs",
    "math.bitAnd",
    "math.bitNot",
    "math.bitOr",
    "math.bitShiftLeft",
    "math.bitShiftRight",
    "math.bitXor",
    "math.ceil",
    "math.floor",
    "math.greatest",
    "math.isFinite",
    "math.isInf",
    "math.isNaN",
    "math.least",
    "math.round",
    "math.sign",
    "math.sqrt",
    "math.trunc",
    "minor",
    "patch",
    "prefixLength",
    "quantity",
    "replace",
    "reverse",
    "semver",
    "sets.contains",
    "sets.equivalent",
    "sets.intersects",
    "sign",
    "slice",
    "sort",
    "split",
    "strings.quote",
    "sub",
    "substring",
    "sum",
    "trim",
    "upperAscii",
    "url",
    "validate",
];

/// The context holding every function, built once; evaluations bind their variables in
/// child scopes of it.
fn functions() -> &'static Context<'static> {
    static FUNCTIONS_CONTEXT: OnceLock<Context<'static>> = OnceLock::new();
    FUNCTIONS_CONTEXT.get_or_init(|| Context::default().with_all())
}

/// What an expression may name: the roots bound for it and the variables declared before
/// it (in order; a variable may read only earlier ones).
#[derive(Clone, Copy, Debug)]
pub struct Declarations<'a> {
    pub roots: &'a [&'a str],
    /// Entries of `variables` the caller binds itself (Gatekeeper's `variables.params`).
    pub presets: &'a [&'a str],
    pub variables: &'a [String],
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub struct CelExpr {
    source: Arc<str>,
    program: Arc<Program>,
    /// The declared variables (by index) this expression reads as `variables.<name>`.
    variable_refs: Vec<usize>,
    /// `variables` used other than as `variables.<name>` (all are then computed).
    reads_all_variables: bool,
    /// The roots it reads (`object`, `namespaceObject`, …).
    roots_read: Vec<String>,
}

impl CelExpr {
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the expression reads the root `name` (`namespaceObject`, `params`, …).
    pub fn reads(&self, name: &str) -> bool {
        self.roots_read.iter().any(|r| r == name)
    }

    /// The estimated cost of one evaluation when every list without a literal length has
    /// `list_bound` elements (see the module documentation).
    pub fn estimated_cost(&self, list_bound: u64) -> u64 {
        estimated_cost(self.program.expression(), list_bound)
    }
}

/// Parses `source` and checks the names it uses against `declarations`. The error says
/// what is wrong (the caller adds the file, line and field).
pub fn compile(source: &str, declarations: Declarations<'_>) -> Result<CelExpr, String> {
    if source.trim().is_empty() {
        return Err("the expression is empty".to_owned());
    }
    let program = Program::compile(source).map_err(|errors| {
        let text = errors.to_string();
        format!("does not compile: {}", text.trim())
    })?;
    let mut check = NameCheck {
        declarations,
        scopes: Vec::new(),
        variable_refs: Vec::new(),
        reads_all_variables: false,
        roots_read: Vec::new(),
        problems: Vec::new(),
    };
    check.walk(program.expression());
    if let Some(problem) = check.problems.first() {
        return Err(problem.clone());
    }
    let mut variable_refs = check.variable_refs;
    variable_refs.sort_unstable();
    variable_refs.dedup();
    Ok(CelExpr {
        source: Arc::from(source),
        program: Arc::new(program),
        variable_refs,
        reads_all_variables: check.reads_all_variables,
        roots_read: check.roots_read,
    })
}

struct NameCheck<'a> {
    declarations: Declarations<'a>,
    /// Comprehension variables in scope.
    scopes: Vec<String>,
    variable_refs: Vec<usize>,
    reads_all_variables: bool,
    roots_read: Vec<String>,
    problems: Vec<String>,
}

impl NameCheck<'_> {
    fn in_scope(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s == name)
    }

    fn identifier(&mut self, name: &str) {
        if self.in_scope(name) {
            return;
        }
        if !self.roots_read.iter().any(|r| r == name) {
            self.roots_read.push(name.to_owned());
        }
        if name == "authorizer" {
            self.problems.push(
                "`authorizer` is not supported offline (it asks the API server's authorizer)"
                    .to_owned(),
            );
        } else if name == "variables" && self.declarations.roots.contains(&"variables") {
            self.reads_all_variables = true;
        } else if !self.declarations.roots.contains(&name) {
            self.problems.push(format!(
                "undeclared reference to `{name}` (expressions may read {})",
                self.declarations.roots.join(", ")
            ));
        }
    }

    fn walk(&mut self, node: &IdedExpr) {
        match &node.expr {
            Expr::Unspecified | Expr::Literal(_) => {}
            Expr::Ident(name) => self.identifier(name),
            Expr::Select(select) => {
                if let Expr::Ident(root) = &select.operand.expr
                    && root == "variables"
                    && !self.in_scope(root)
                    && self.declarations.roots.contains(&"variables")
                {
                    if self.declarations.presets.contains(&select.field.as_str()) {
                        return;
                    }
                    match self
                        .declarations
                        .variables
                        .iter()
                        .position(|v| *v == select.field)
                    {
                        Some(index) => self.variable_refs.push(index),
                        None => self.problems.push(format!(
                            "undefined variable `variables.{}` (declared before it: {})",
                            select.field,
                            if self.declarations.variables.is_empty() {
                                "none".to_owned()
                            } else {
                                self.declarations.variables.join(", ")
                            }
                        )),
                    }
                    return;
                }
                self.walk(&select.operand);
            }
            Expr::Call(call) => {
                let name = call.func_name.as_str();
                let operator = name.starts_with('_') || name.starts_with('@') || name == "!_";
                let qualified = match call.target.as_deref().map(|t| &t.expr) {
                    Some(Expr::Ident(namespace)) if !self.in_scope(namespace) => {
                        FUNCTIONS.contains(&format!("{namespace}.{name}").as_str())
                    }
                    _ => false,
                };
                // The target and arguments first, so the innermost problem (an unknown
                // root such as `authorizer`) is the one reported.
                if !qualified && let Some(target) = call.target.as_deref() {
                    self.walk(target);
                }
                for arg in &call.args {
                    self.walk(arg);
                }
                if !operator && name != operators::INDEX && !qualified && !FUNCTIONS.contains(&name)
                {
                    self.problems
                        .push(format!("undeclared reference to function `{name}`"));
                }
            }
            Expr::List(list) => list.elements.iter().for_each(|e| self.walk(e)),
            Expr::Map(map) => self.entries(&map.entries),
            Expr::Struct(structure) => self.entries(&structure.entries),
            Expr::Comprehension(comprehension) => {
                self.walk(&comprehension.iter_range);
                self.walk(&comprehension.accu_init);
                let mut added = vec![
                    comprehension.iter_var.clone(),
                    comprehension.accu_var.clone(),
                ];
                added.extend(comprehension.iter_var2.clone());
                let depth = self.scopes.len();
                self.scopes.extend(added);
                self.walk(&comprehension.loop_cond);
                self.walk(&comprehension.loop_step);
                self.walk(&comprehension.result);
                self.scopes.truncate(depth);
            }
        }
    }

    fn entries(&mut self, entries: &[kube_cel::cel::common::ast::IdedEntryExpr]) {
        for entry in entries {
            match &entry.expr {
                EntryExpr::MapEntry(e) => {
                    self.walk(&e.key);
                    self.walk(&e.value);
                }
                EntryExpr::StructField(f) => self.walk(&f.value),
            }
        }
    }
}

/// The number of items a comprehension over `range` visits, when the syntax tells.
fn literal_length(range: &IdedExpr) -> Option<u64> {
    match &range.expr {
        Expr::List(list) => Some(list.elements.len() as u64),
        Expr::Map(map) => Some(map.entries.len() as u64),
        Expr::Call(call) if call.func_name == operators::CONDITIONAL && call.args.len() == 3 => {
            Some(literal_length(&call.args[1])?.max(literal_length(&call.args[2])?))
        }
        _ => None,
    }
}

/// An upper bound on the runtime cost of evaluating `node` when every list or map of
/// unknown length has `list_bound` elements.
pub fn estimated_cost(node: &IdedExpr, list_bound: u64) -> u64 {
    let cost = |n: &IdedExpr| estimated_cost(n, list_bound);
    match &node.expr {
        Expr::Unspecified | Expr::Ident(_) | Expr::Literal(_) => 1,
        Expr::Select(select) => 1 + cost(&select.operand),
        Expr::Call(call) => {
            let args: u64 = call.args.iter().map(cost).sum();
            1u64.saturating_add(call.target.as_deref().map_or(0, cost))
                .saturating_add(args)
        }
        Expr::List(list) => 1 + list.elements.iter().map(cost).sum::<u64>(),
        Expr::Map(map) => 1 + entries_cost(&map.entries, list_bound),
        Expr::Struct(structure) => 1 + entries_cost(&structure.entries, list_bound),
        Expr::Comprehension(c) => {
            let items = literal_length(&c.iter_range).unwrap_or(list_bound);
            let body = cost(&c.loop_cond).saturating_add(cost(&c.loop_step));
            cost(&c.iter_range)
                .saturating_add(cost(&c.accu_init))
                .saturating_add(items.saturating_mul(body))
                .saturating_add(cost(&c.result))
        }
    }
}

fn entries_cost(entries: &[kube_cel::cel::common::ast::IdedEntryExpr], list_bound: u64) -> u64 {
    entries
        .iter()
        .map(|entry| match &entry.expr {
            EntryExpr::MapEntry(e) => {
                estimated_cost(&e.key, list_bound) + estimated_cost(&e.value, list_bound)
            }
            EntryExpr::StructField(f) => estimated_cost(&f.value, list_bound),
        })
        .sum()
}

/// A JSON value as the API server's CEL sees it: integers as int64, other numbers as
/// double, map keys unescaped.
pub fn to_cel(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::UInt(u),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => {
            Value::List(Arc::new(items.iter().map(to_cel).collect()))
        }
        serde_json::Value::Object(entries) => {
            let map: HashMap<Key, Value> = entries
                .iter()
                .map(|(k, v)| (Key::String(Arc::new(k.clone())), to_cel(v)))
                .collect();
            Value::Map(Map { map: Arc::new(map) })
        }
    }
}

/// The largest list or map anywhere in `json`.
pub fn largest_collection(json: &serde_json::Value) -> u64 {
    match json {
        serde_json::Value::Array(items) => items
            .iter()
            .map(largest_collection)
            .fold(items.len() as u64, u64::max),
        serde_json::Value::Object(entries) => entries
            .values()
            .map(largest_collection)
            .fold(entries.len() as u64, u64::max),
        _ => 0,
    }
}

fn largest_cel_collection(value: &Value) -> u64 {
    match value {
        Value::List(items) => items
            .iter()
            .map(largest_cel_collection)
            .fold(items.len() as u64, u64::max),
        Value::Map(map) => map
            .map
            .values()
            .map(largest_cel_collection)
            .fold(map.map.len() as u64, u64::max),
        _ => 0,
    }
}

/// Why an evaluation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
}

impl EvalError {
    fn new(message: impl Into<String>) -> Self {
        EvalError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One evaluation's inputs: the roots bound by name, the variables (compiled in order,
/// computed on first use), and the cost spent so far.
pub struct Evaluation<'v> {
    scope: Context<'static>,
    variables: &'v [(String, CelExpr)],
    computed: RefCell<Vec<Option<Result<Value, EvalError>>>>,
    /// Preset entries of `variables` (Gatekeeper binds `variables.params`).
    preset_variables: Vec<(String, Value)>,
    list_bound: Cell<u64>,
    spent: Cell<u64>,
}

impl<'v> Evaluation<'v> {
    /// Binds `roots` (JSON values) and the declared `variables`.
    pub fn new(roots: &[(&str, &serde_json::Value)], variables: &'v [(String, CelExpr)]) -> Self {
        let mut scope = functions().new_inner_scope();
        let mut list_bound = 0;
        for (name, value) in roots {
            list_bound = list_bound.max(largest_collection(value));
            scope.add_variable_from_value(*name, to_cel(value));
        }
        Evaluation {
            scope,
            variables,
            computed: RefCell::new(vec![None; variables.len()]),
            preset_variables: Vec::new(),
            list_bound: Cell::new(list_bound),
            spent: Cell::new(0),
        }
    }

    /// Adds an entry to `variables` that is not computed from an expression.
    pub fn preset_variable(&mut self, name: &str, value: &serde_json::Value) {
        self.list_bound
            .set(self.list_bound.get().max(largest_collection(value)));
        self.preset_variables.push((name.to_owned(), to_cel(value)));
    }

    /// The cost charged so far.
    pub fn spent(&self) -> u64 {
        self.spent.get()
    }

    fn charge(&self, expr: &CelExpr) -> Result<(), EvalError> {
        let cost = expr.estimated_cost(self.list_bound.get().max(1));
        if cost > PER_CALL_LIMIT {
            return Err(EvalError::new(format!(
                "operation cancelled: actual cost limit exceeded (estimated cost {cost} passes \
                 the per-expression limit {PER_CALL_LIMIT} for lists of up to {} items)",
                self.list_bound.get()
            )));
        }
        let spent = self.spent.get().saturating_add(cost);
        self.spent.set(spent);
        if spent > RUNTIME_BUDGET {
            return Err(EvalError::new(format!(
                "validation failed due to running out of cost budget, no further validation \
                 rules will be run (estimated cost {spent} passes the budget {RUNTIME_BUDGET})"
            )));
        }
        Ok(())
    }

    fn variable(&self, index: usize) -> Result<Value, EvalError> {
        if let Some(done) = &self.computed.borrow()[index] {
            return done.clone();
        }
        let (name, expr) = &self.variables[index];
        let result = self
            .run(expr)
            .map_err(|e| EvalError::new(format!("variable `{name}`: {}", e.message)));
        if let Ok(value) = &result {
            self.list_bound
                .set(self.list_bound.get().max(largest_cel_collection(value)));
        }
        self.computed.borrow_mut()[index] = Some(result.clone());
        result
    }

    /// Evaluates `expr`, computing the variables it reads first.
    pub fn evaluate(&self, expr: &CelExpr) -> Result<Value, EvalError> {
        self.run(expr)
    }

    fn run(&self, expr: &CelExpr) -> Result<Value, EvalError> {
        let needed: Vec<usize> = if expr.reads_all_variables {
            (0..self.variables.len()).collect()
        } else {
            expr.variable_refs.clone()
        };
        let mut entries: HashMap<Key, Value> = self
            .preset_variables
            .iter()
            .map(|(name, value)| (Key::String(Arc::new(name.clone())), value.clone()))
            .collect();
        // A variable that failed is left out: reading it is then an error where the
        // expression reads it, which `||` / `&&` absorb like cel-go's lazy variables do
        // when the other side decides.
        let mut failed = None;
        for index in needed {
            match self.variable(index) {
                Ok(value) => {
                    entries.insert(
                        Key::String(Arc::new(self.variables[index].0.clone())),
                        value,
                    );
                }
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        self.charge(expr)?;
        let mut scope = self.scope.new_inner_scope();
        scope.add_variable_from_value(
            "variables",
            Value::Map(Map {
                map: Arc::new(entries),
            }),
        );
        expr.program.execute(&scope).map_err(|e| match failed {
            // The expression failed, most likely on the variable: say why it did.
            Some(variable_error) => variable_error,
            None => EvalError::new(e.to_string()),
        })
    }

    /// Evaluates a boolean expression.
    pub fn evaluate_bool(&self, expr: &CelExpr) -> Result<bool, EvalError> {
        match self.evaluate(expr)? {
            Value::Bool(b) => Ok(b),
            other => Err(EvalError::new(format!(
                "expected a bool, got {}",
                type_name(&other)
            ))),
        }
    }

    /// Evaluates an expression that must give a string (or null, as `None`).
    pub fn evaluate_string(&self, expr: &CelExpr) -> Result<Option<String>, EvalError> {
        match self.evaluate(expr)? {
            Value::String(s) => Ok(Some(s.to_string())),
            Value::Null => Ok(None),
            other => Err(EvalError::new(format!(
                "expected a string, got {}",
                type_name(&other)
            ))),
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::List(_) => "list",
        Value::Map(_) => "map",
        Value::Int(_) => "int",
        Value::UInt(_) => "uint",
        Value::Float(_) => "double",
        Value::String(_) => "string",
        Value::Bytes(_) => "bytes",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        _ => "a value of another type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn declare<'a>(variables: &'a [String]) -> Declarations<'a> {
        Declarations {
            roots: VAP_ROOTS,
            presets: &[],
            variables,
        }
    }

    #[test]
    fn undeclared_names_and_functions_and_authorizer_are_compile_errors() {
        let none: Vec<String> = Vec::new();
        let err = compile("objekt.spec == 1", declare(&none)).unwrap_err();
        assert!(err.contains("`objekt`"), "{err}");
        let err = compile("object.spec.nosuch()", declare(&none)).unwrap_err();
        assert!(err.contains("`nosuch`"), "{err}");
        let err = compile(
            "authorizer.group('').resource('pods').check('get').allowed()",
            declare(&none),
        )
        .unwrap_err();
        assert!(err.contains("authorizer"), "{err}");
        let err = compile("variables.later", declare(&none)).unwrap_err();
        assert!(err.contains("variables.later"), "{err}");
        assert!(
            compile("object.spec.(", declare(&none))
                .unwrap_err()
                .contains("does not compile")
        );
        let ok = compile(
            "object.spec.containers.all(c, c.name.lowerAscii().startsWith('a')) && math.abs(-1) == 1 && sets.contains([1], [1]) && base64.encode(b'a') != ''",
            declare(&none),
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn variables_are_computed_only_when_read_and_errors_stay_with_them() {
        let names = vec!["broken".to_owned(), "name".to_owned()];
        let broken = compile("object.nosuch.field", declare(&names[..0])).unwrap();
        let name = compile("object.metadata.name", declare(&names[..1])).unwrap();
        let variables = vec![(names[0].clone(), broken), (names[1].clone(), name)];
        let object =
            json!({"metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "x"}}});
        let evaluation = Evaluation::new(&[("object", &object)], &variables);
        let reads_name = compile("variables.name == 'web'", declare(&names)).unwrap();
        assert_eq!(evaluation.evaluate_bool(&reads_name), Ok(true));
        assert!(
            evaluation.computed.borrow()[0].is_none(),
            "the unread variable stayed lazy"
        );
        let reads_broken = compile("variables.broken == 1", declare(&names)).unwrap();
        let err = evaluation.evaluate_bool(&reads_broken).unwrap_err();
        assert!(err.message.contains("variable `broken`"), "{err}");
        let label = compile(
            "object.metadata.labels['app.kubernetes.io/name'] == 'x'",
            declare(&names),
        )
        .unwrap();
        assert_eq!(evaluation.evaluate_bool(&label), Ok(true));
    }

    #[test]
    fn an_expression_over_the_per_call_limit_is_an_error() {
        let none: Vec<String> = Vec::new();
        let nested = compile(
            "object.items.all(a, object.items.all(b, object.items.all(c, a + b + c >= 0)))",
            declare(&none),
        )
        .unwrap();
        let small = json!({"items": (0..10).collect::<Vec<_>>()});
        assert_eq!(
            Evaluation::new(&[("object", &small)], &[]).evaluate_bool(&nested),
            Ok(true)
        );
        let large = json!({"items": (0..200).collect::<Vec<_>>()});
        let err = Evaluation::new(&[("object", &large)], &[])
            .evaluate_bool(&nested)
            .unwrap_err();
        assert!(err.message.contains("cost limit exceeded"), "{err}");
    }

    #[test]
    fn the_runtime_budget_is_shared_by_one_evaluations_expressions() {
        let none: Vec<String> = Vec::new();
        let pair = compile(
            "object.items.all(a, object.items.all(b, a + b >= 0))",
            declare(&none),
        )
        .unwrap();
        let object = json!({"items": (0..300).collect::<Vec<_>>()});
        let evaluation = Evaluation::new(&[("object", &object)], &[]);
        let mut outcomes = Vec::new();
        for _ in 0..40 {
            outcomes.push(evaluation.evaluate_bool(&pair));
        }
        assert_eq!(outcomes[0], Ok(true));
        let last = outcomes.last().unwrap().clone().unwrap_err();
        assert!(last.message.contains("cost budget"), "{last}");
    }
}
