//! The translation itself: Bicep syntax tree → ARM template [`Node`] (see the crate doc).

use std::collections::HashMap;

use aksguard_model::{Entry, Node, Pos, Value};
use tree_sitter::Node as Syn;

use crate::{
    MAX_COPIES, MAX_NESTING, MODULE_KEY, ModuleCall, ModuleTarget, Problem, Translation, parse,
    pos_of,
};

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
/// The schemas of templates deployed above a resource group (`targetScope = …`), which is
/// what `resourceId()` and an assignment without `scope` are relative to.
const SUBSCRIPTION_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";
const MANAGEMENT_GROUP_SCHEMA: &str = "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#";
const TENANT_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#";
const DEPLOYMENT_API: &str = "2022-09-01";

/// Resource types the model reads (lower case prefixes); a syntax error inside any other
/// resource cannot change what is judged.
const READ_TYPES: &[&str] = &[
    "microsoft.containerservice/managedclusters",
    "microsoft.insights/diagnosticsettings",
    "microsoft.authorization/roleassignments",
    "microsoft.containerregistry/registries",
    "microsoft.security/pricings",
    "microsoft.resources/deployments",
    "microsoft.managedidentity/userassignedidentities",
    "microsoft.network/virtualnetworks",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/routetables",
    "microsoft.network/applicationgateways",
    "microsoft.network/applicationgatewaywebapplicationfirewallpolicies",
    "microsoft.authorization/policyassignments",
    "microsoft.insights/scheduledqueryrules",
    "microsoft.insights/metricalerts",
    "microsoft.insights/activitylogalerts",
    "microsoft.security/securitycontacts",
];

/// Translates one Bicep file. Never panics; unreadable parts are in `errors`/`notices`.
pub fn translate(text: &str) -> Translation {
    let mut translation = Translation {
        template: map(Pos::new(1, 1), Vec::new()),
        modules: Vec::new(),
        errors: Vec::new(),
        notices: Vec::new(),
    };
    let Some(trees) = parse(text) else {
        translation.errors.push(Problem {
            pos: Pos::new(1, 1),
            message: "the Bicep parser could not start".into(),
        });
        return translation;
    };
    let mut tr = Tr {
        text,
        symbols: HashMap::new(),
        hoisted: Vec::new(),
        modules: Vec::new(),
        errors: Vec::new(),
        notices: Vec::new(),
        naming: Vec::new(),
        overrides: Vec::new(),
    };
    let mut statements = Vec::new();
    for tree in &trees {
        statements.extend(tr.readable_statements(tree.root_node()));
    }
    tr.declare(&statements);
    let mut parameters = Vec::new();
    let mut variables = Vec::new();
    let mut resources = Vec::new();
    let mut schema = SCHEMA;
    for statement in &statements {
        match statement.kind() {
            "target_scope_assignment" => {
                let scope = kids(*statement)
                    .first()
                    .map(|s| tr.src(*s).trim_matches('\'').to_owned())
                    .unwrap_or_default();
                schema = match scope.as_str() {
                    "subscription" => SUBSCRIPTION_SCHEMA,
                    "managementGroup" => MANAGEMENT_GROUP_SCHEMA,
                    "tenant" => TENANT_SCHEMA,
                    _ => SCHEMA,
                };
            }
            "parameter_declaration" => parameters.extend(tr.parameter(*statement)),
            "variable_declaration" => {
                if let Some((name, name_pos, value)) = tr.variable(*statement) {
                    variables.push(Entry {
                        key: name.into(),
                        key_pos: name_pos,
                        value,
                    });
                }
            }
            "resource_declaration" => tr.resource(*statement, None, &Vec::new(), &mut resources),
            "module_declaration" => tr.module(*statement, &mut resources),
            _ => {}
        }
    }
    variables.append(&mut tr.hoisted);
    let pos = Pos::new(1, 1);
    translation.template = map(
        pos,
        vec![
            entry("$schema", pos, string(schema, pos)),
            entry("contentVersion", pos, string("1.0.0.0", pos)),
            entry("parameters", pos, map(pos, parameters)),
            entry("variables", pos, map(pos, variables)),
            entry(
                "resources",
                pos,
                Node {
                    pos,
                    value: Value::Seq(resources),
                },
            ),
        ],
    );
    translation.modules = tr.modules;
    translation.errors = tr.errors;
    translation.notices = tr.notices;
    translation
}

/// A translated expression.
#[derive(Clone, Debug)]
enum Ex {
    /// A literal: a final template node (strings escaped for ARM), possibly a container whose
    /// leaves are ARM expression strings.
    Lit(Node),
    /// ARM expression text without the brackets, and where it was written.
    Arm(String, Pos),
}

impl Ex {
    fn pos(&self) -> Pos {
        match self {
            Ex::Lit(node) => node.pos,
            Ex::Arm(_, pos) => *pos,
        }
    }

    /// The template node of this value.
    fn into_node(self) -> Node {
        match self {
            Ex::Lit(node) => node,
            Ex::Arm(text, pos) => Node::scalar(format!("[{text}]"), false, pos),
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            Ex::Lit(node) => node.as_bool(),
            Ex::Arm(..) => None,
        }
    }

    /// The literal text of a scalar literal (strings unescaped), for folding.
    fn literal_text(&self) -> Option<String> {
        match self {
            Ex::Lit(Node {
                value: Value::Scalar { text, plain },
                ..
            }) => Some(if *plain {
                text.to_string()
            } else {
                unescape_template(text).to_owned()
            }),
            _ => None,
        }
    }
}

/// A declared name of the file.
#[derive(Clone)]
enum Symbol<'t> {
    Param,
    Var(Syn<'t>),
    Resource(ResourceSym<'t>),
    Module,
}

#[derive(Clone)]
struct ResourceSym<'t> {
    full_type: String,
    api: String,
    decl: Syn<'t>,
    /// The symbol of the resource this one is declared inside.
    nested_in: Option<String>,
    looped: bool,
}

/// Loop variables in scope, innermost last.
type Env = Vec<(String, Ex)>;

/// What is done with each copy of a declaration: its body, condition and loop bindings.
type EmitCopy<'a, 't> = dyn FnMut(&mut Tr<'t>, Syn<'t>, Option<Ex>, &Env) + 'a;

struct Tr<'t> {
    text: &'t str,
    symbols: HashMap<String, Symbol<'t>>,
    /// Object and array literals used inside expressions, as generated variables.
    hoisted: Vec<Entry>,
    modules: Vec<ModuleCall>,
    errors: Vec<Problem>,
    notices: Vec<Problem>,
    /// Resource symbols whose names are being computed (cycle guard).
    naming: Vec<String>,
    /// Nodes translated as something else (see [`Tr::array_items`]), by node ID.
    overrides: Vec<(usize, Ex)>,
}

fn entry(key: &str, key_pos: Pos, value: Node) -> Entry {
    Entry {
        key: key.into(),
        key_pos,
        value,
    }
}

fn map(pos: Pos, entries: Vec<Entry>) -> Node {
    Node {
        pos,
        value: Value::Map(entries),
    }
}

/// A string literal as a template node: a leading `[` that ARM would read as an expression
/// is escaped as `[[`.
fn string(text: &str, pos: Pos) -> Node {
    if text.starts_with('[') && (text.ends_with(']') || text.starts_with("[[")) {
        Node::scalar(format!("[{text}"), false, pos)
    } else {
        Node::scalar(text, false, pos)
    }
}

/// A literal string node's text as written in Bicep (the `[[` escape undone).
fn unescape_template(text: &str) -> &str {
    if text.starts_with("[[") {
        &text[1..]
    } else {
        text
    }
}

/// A template node as an expression value: an ARM expression string becomes ARM text again.
fn node_ex(node: Node) -> Ex {
    if let Value::Scalar { text, plain: false } = &node.value
        && text.starts_with('[')
        && !text.starts_with("[[")
        && text.ends_with(']')
    {
        return Ex::Arm(text[1..text.len() - 1].to_owned(), node.pos);
    }
    Ex::Lit(node)
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The named children of a syntax node, comments left out (syntax errors kept: tree-sitter
/// may mark them extra too).
fn kids<'t>(node: Syn<'t>) -> Vec<Syn<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| !n.is_extra() || n.is_error())
        .collect()
}

/// The named child after the `=` token of a declaration.
fn after_equals<'t>(node: Syn<'t>) -> Option<Syn<'t>> {
    let mut cursor = node.walk();
    let mut seen = false;
    for child in node.children(&mut cursor) {
        if seen && child.is_named() && !child.is_extra() {
            return Some(child);
        }
        if child.kind() == "=" {
            seen = true;
        }
    }
    None
}

fn has_token(node: Syn<'_>, token: &str) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .any(|c| !c.is_named() && c.kind() == token)
}

/// `Microsoft.X/y@2024-01-01` → (`Microsoft.X/y`, `2024-01-01`).
fn split_type(written: &str) -> (String, String) {
    match written.split_once('@') {
        Some((t, api)) => (t.to_owned(), api.to_owned()),
        None => (written.to_owned(), String::new()),
    }
}

fn is_relative_type(resource_type: &str) -> bool {
    !resource_type
        .split('/')
        .next()
        .is_some_and(|namespace| namespace.contains('.'))
}

impl<'t> Tr<'t> {
    fn src(&self, node: Syn<'_>) -> &'t str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    fn pos(&self, node: Syn<'_>) -> Pos {
        pos_of(self.text, node)
    }

    fn error(&mut self, node: Syn<'_>, message: impl Into<String>) {
        let pos = self.pos(node);
        self.errors.push(Problem {
            pos,
            message: message.into(),
        });
    }

    fn notice(&mut self, node: Syn<'_>, message: impl Into<String>) {
        let pos = self.pos(node);
        self.notices.push(Problem {
            pos,
            message: message.into(),
        });
    }

    // -----------------------------------------------------------------------------------
    // Statements

    /// The top-level statements without syntax errors; each one with an error is reported
    /// (an error when it could change what is judged, else a notice) and skipped.
    fn readable_statements(&mut self, root: Syn<'t>) -> Vec<Syn<'t>> {
        let mut out = Vec::new();
        let statements = kids(root);
        for (i, statement) in statements.iter().copied().enumerate() {
            if !statement.has_error() {
                out.push(statement);
                continue;
            }
            // A stray token right after an `output` on the same line (the grammar does not
            // read a trailing `!` non-null assertion) belongs to that output.
            let previous = i.checked_sub(1).map(|p| statements[p]);
            let output_tail = statement.kind() == "ERROR"
                && previous.is_some_and(|p| {
                    p.kind() == "output_declaration"
                        && p.end_position().row == statement.start_position().row
                });
            let where_ = first_error(statement).unwrap_or(statement);
            let at = self.pos(where_);
            let what = match statement.kind() {
                "ERROR" => None,
                kind => Some(kind.trim_end_matches("_declaration").replace('_', " ")),
            };
            let what = if output_tail {
                Some("output".to_owned())
            } else {
                what
            };
            let harmless = output_tail
                || match statement.kind() {
                    "output_declaration"
                    | "metadata_declaration"
                    | "type_declaration"
                    | "user_defined_function"
                    | "import_statement"
                    | "import_functionality"
                    | "import_with_statement"
                    | "assert_statement"
                    | "test_block" => true,
                    "resource_declaration" => kids(statement)
                        .into_iter()
                        .find(|k| k.kind() == "string")
                        .map(|t| split_type(self.src(t).trim_matches('\'')).0)
                        .is_some_and(|t| {
                            let lower = t.to_ascii_lowercase();
                            !READ_TYPES.iter().any(|r| lower.starts_with(r))
                                && !lower.ends_with("/roleassignments")
                        }),
                    _ => false,
                };
            let message = match &what {
                Some(what) => format!(
                    "line {}, column {}: Bicep syntax the parser cannot read; this {what} statement is skipped",
                    at.line, at.col
                ),
                None => format!(
                    "line {}, column {}: Bicep syntax the parser cannot read; skipped",
                    at.line, at.col
                ),
            };
            if harmless {
                self.notices.push(Problem { pos: at, message });
            } else {
                self.errors.push(Problem { pos: at, message });
            }
        }
        out
    }

    /// Records every declared name first: Bicep declarations may be used before they appear.
    fn declare(&mut self, statements: &[Syn<'t>]) {
        for statement in statements {
            let Some(name) = kids(*statement)
                .into_iter()
                .find(|k| k.kind() == "identifier")
            else {
                continue;
            };
            let name = self.src(name).to_owned();
            match statement.kind() {
                "parameter_declaration" => {
                    self.symbols.insert(name, Symbol::Param);
                }
                "variable_declaration" => {
                    if let Some(value) = after_equals(*statement) {
                        self.symbols.insert(name, Symbol::Var(value));
                    }
                }
                "module_declaration" => {
                    self.symbols.insert(name, Symbol::Module);
                }
                "resource_declaration" => self.declare_resource(*statement, None, 0),
                _ => {}
            }
        }
    }

    fn declare_resource(&mut self, decl: Syn<'t>, outer: Option<(&str, &str)>, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        let parts = kids(decl);
        let (Some(name), Some(type_node)) = (
            parts.iter().find(|k| k.kind() == "identifier"),
            parts.iter().find(|k| k.kind() == "string"),
        ) else {
            return;
        };
        let symbol = self.src(*name).to_owned();
        let (written_type, api) = split_type(self.src(*type_node).trim_matches('\''));
        let full_type = match outer {
            Some((_, outer_type)) if is_relative_type(&written_type) => {
                format!("{outer_type}/{written_type}")
            }
            _ => written_type,
        };
        let body = parts.iter().find_map(|k| match k.kind() {
            "object" => Some(*k),
            "if_statement" | "for_statement" => resource_body(*k),
            _ => None,
        });
        let looped = parts.iter().any(|k| k.kind() == "for_statement");
        self.symbols.insert(
            symbol.clone(),
            Symbol::Resource(ResourceSym {
                full_type: full_type.clone(),
                api,
                decl,
                nested_in: outer.map(|(s, _)| s.to_owned()),
                looped,
            }),
        );
        // Nested resources are named by their simple symbol within the parent's body.
        if let Some(body) = body {
            for property in kids(body) {
                for child in kids(property) {
                    if child.kind() == "resource_declaration" {
                        self.declare_resource(child, Some((&symbol, &full_type)), depth + 1);
                    }
                }
            }
        }
    }

    fn parameter(&mut self, decl: Syn<'t>) -> Option<Entry> {
        let parts = kids(decl);
        let name = parts.iter().find(|k| k.kind() == "identifier")?;
        let type_text = parts
            .iter()
            .skip_while(|k| k.kind() != "identifier")
            .nth(1)
            .map(|t| self.src(*t).to_owned())
            .unwrap_or_default();
        let pos = self.pos(decl);
        let mut entries = vec![entry("type", pos, string(&type_text, pos))];
        if let Some(default) = after_equals(decl) {
            let value = self.ex(default, &Vec::new(), 0).into_node();
            entries.push(entry("defaultValue", value.pos, value));
        }
        Some(entry(self.src(*name), self.pos(*name), map(pos, entries)))
    }

    fn variable(&mut self, decl: Syn<'t>) -> Option<(String, Pos, Node)> {
        let parts = kids(decl);
        let name = parts.iter().find(|k| k.kind() == "identifier")?;
        let value = after_equals(decl)?;
        let node = self.ex(value, &Vec::new(), 0).into_node();
        Some((self.src(*name).to_owned(), self.pos(*name), node))
    }

    // -----------------------------------------------------------------------------------
    // Resources and modules

    /// Translates one resource declaration (each copy of a loop) into `out`.
    fn resource(
        &mut self,
        decl: Syn<'t>,
        outer: Option<&ResourceSym<'t>>,
        env: &Env,
        out: &mut Vec<Node>,
    ) {
        let parts = kids(decl);
        let (Some(name), Some(type_node)) = (
            parts.iter().find(|k| k.kind() == "identifier"),
            parts.iter().find(|k| k.kind() == "string"),
        ) else {
            self.error(
                decl,
                "a resource declaration without a symbol or type; skipped",
            );
            return;
        };
        let symbol = self.src(*name).to_owned();
        let Some(Symbol::Resource(sym)) = self.symbols.get(&symbol).cloned() else {
            return;
        };
        // Nested declarations deeper than the declared ones (a name reused at a deeper
        // level) are not followed: the syntax tree may be arbitrarily deep.
        if nesting_depth(&self.symbols, &sym) > MAX_NESTING {
            self.error(decl, "resource declarations nest too deeply; skipped");
            return;
        }
        let (written_type, _) = split_type(self.src(*type_node).trim_matches('\''));
        let existing = has_token(decl, "existing");
        let Some(value) = parts
            .iter()
            .find(|k| matches!(k.kind(), "object" | "if_statement" | "for_statement"))
        else {
            self.error(decl, format!("resource `{symbol}` has no body; skipped"));
            return;
        };
        let shape = ResourceShape {
            sym: &sym,
            written_type: &written_type,
            existing,
            outer,
        };
        self.each_copy(*value, env, &mut |tr, body, condition, env| {
            if let Some(node) = tr.resource_copy(&shape, body, condition, env) {
                out.push(node);
            }
        });
    }

    /// Calls `emit` for each copy of a declaration's value (`{…}`, `if (…) {…}` or a `for`
    /// loop of either) with its condition and loop bindings.
    fn each_copy(&mut self, value: Syn<'t>, env: &Env, emit: &mut EmitCopy<'_, 't>) {
        match value.kind() {
            "object" => emit(self, value, None, env),
            "if_statement" => {
                let parts = kids(value);
                let (Some(condition), Some(body)) = (
                    parts
                        .iter()
                        .find(|k| k.kind() == "parenthesized_expression"),
                    parts.iter().find(|k| k.kind() == "object"),
                ) else {
                    return;
                };
                let condition = self.ex(*condition, env, 0);
                emit(self, *body, Some(condition), env);
            }
            "for_statement" => {
                let Some(body) = value.child_by_field_name("body") else {
                    return;
                };
                for copy_env in self.loop_copies(value, env) {
                    self.each_copy(body, &copy_env, emit);
                }
            }
            _ => {}
        }
    }

    /// The environments of each copy of a `for` loop: one per item of a literal list (at
    /// most [`MAX_COPIES`]), else one with the loop variables Unknown.
    fn loop_copies(&mut self, for_statement: Syn<'t>, env: &Env) -> Vec<Env> {
        let (item_var, index_var) = self.loop_variables(for_statement);
        let iterable = kids(for_statement).into_iter().find(|k| {
            Some(k.id())
                != for_statement
                    .child_by_field_name("initializer")
                    .map(|n| n.id())
                && Some(k.id()) != for_statement.child_by_field_name("body").map(|n| n.id())
                && k.kind() != "for_loop_parameters"
        });
        let items = iterable.and_then(|i| self.literal_items(i, env));
        let mut copies = Vec::new();
        match items {
            Some(items) if items.len() <= MAX_COPIES => {
                for (i, item) in items.into_iter().enumerate() {
                    let mut copy = env.clone();
                    if let Some(var) = &item_var {
                        copy.push((var.clone(), item.clone()));
                    }
                    if let Some(var) = &index_var {
                        let pos = item.pos();
                        copy.push((var.clone(), Ex::Lit(Node::scalar(i.to_string(), true, pos))));
                    }
                    copies.push(copy);
                }
            }
            other => {
                if let Some(items) = other {
                    self.notice(
                        for_statement,
                        format!(
                            "a loop over {} items (more than {MAX_COPIES}) is read once, with its loop variable unknown",
                            items.len()
                        ),
                    );
                }
                let pos = self.pos(for_statement);
                let mut copy = env.clone();
                for var in item_var.iter().chain(index_var.iter()) {
                    copy.push((
                        var.clone(),
                        Ex::Arm(format!("bicepLoopVariable('{var}')"), pos),
                    ));
                }
                copies.push(copy);
            }
        }
        copies
    }

    fn loop_variables(&self, for_statement: Syn<'t>) -> (Option<String>, Option<String>) {
        let Some(init) = for_statement
            .child_by_field_name("initializer")
            .or_else(|| {
                kids(for_statement)
                    .into_iter()
                    .find(|k| k.kind() == "for_loop_parameters")
            })
        else {
            return (None, None);
        };
        if init.kind() == "for_loop_parameters" {
            let parts = kids(init);
            let var = parts
                .iter()
                .find(|k| k.kind() == "loop_variable")
                .map(|k| self.src(*k).to_owned());
            let index = parts
                .iter()
                .find(|k| k.kind() == "loop_enumerator")
                .map(|k| self.src(*k).to_owned());
            (var, index)
        } else {
            (Some(self.src(init).to_owned()), None)
        }
    }

    /// The items of a literal list: an array literal, `range()` of literal numbers, or a
    /// variable holding one of those.
    fn literal_items(&mut self, iterable: Syn<'t>, env: &Env) -> Option<Vec<Ex>> {
        let mut node = iterable;
        for _ in 0..MAX_NESTING {
            if node.kind() == "identifier" && !env.iter().any(|(n, _)| n == self.src(node)) {
                if let Some(Symbol::Var(value)) = self.symbols.get(self.src(node)) {
                    node = *value;
                    continue;
                }
                return None;
            }
            break;
        }
        match self.ex(node, env, 0) {
            Ex::Lit(Node {
                value: Value::Seq(items),
                ..
            }) => Some(items.into_iter().map(node_ex).collect()),
            _ => None,
        }
    }

    fn resource_copy(
        &mut self,
        shape: &ResourceShape<'_, 't>,
        body: Syn<'t>,
        condition: Option<Ex>,
        env: &Env,
    ) -> Option<Node> {
        let sym = shape.sym;
        let pos = self.pos(sym.decl);
        let mut entries = Vec::new();
        let mut nested = Vec::new();
        let mut own_name = None;
        let mut parent_name = None;
        let mut full_type = if shape.outer.is_some() {
            shape.written_type.to_owned()
        } else {
            sym.full_type.clone()
        };
        for property in kids(body) {
            let parts = kids(property);
            if let Some(child) = parts.iter().find(|k| k.kind() == "resource_declaration") {
                self.resource(*child, Some(sym), env, &mut nested);
                continue;
            }
            let Some((key, key_pos, value)) = self.property_parts(property) else {
                continue;
            };
            match key.as_str() {
                "name" => own_name = Some(self.ex(value, env, 0)),
                "dependsOn" => {}
                "parent" => {
                    if let Some(parent) = self.symbol_resource(value, env) {
                        full_type = sym.full_type.clone();
                        parent_name = Some(self.resource_name(&parent));
                    }
                }
                "scope" => {
                    let scope = match self.symbol_resource(value, env) {
                        Some(target) => {
                            let target_name = self.resource_name(&target);
                            let target_type = match self.symbols.get(&target) {
                                Some(Symbol::Resource(t)) => t.full_type.clone(),
                                _ => String::new(),
                            };
                            self.join_names(
                                Ex::Lit(string(&target_type, key_pos)),
                                target_name,
                                key_pos,
                            )
                        }
                        None => self.ex(value, env, 0),
                    };
                    entries.push(entry("scope", key_pos, scope.into_node()));
                }
                _ => {
                    let value = self.ex(value, env, 0).into_node();
                    entries.push(entry(&key, key_pos, value));
                }
            }
        }
        let name = match (parent_name, own_name) {
            (Some(parent), Some(own)) => {
                let at = own.pos();
                self.join_names(parent, own, at)
            }
            (_, Some(own)) => own,
            (_, None) => Ex::Lit(string("<unnamed>", pos)),
        };
        let mut head = vec![
            entry("type", pos, string(&full_type, pos)),
            entry("apiVersion", pos, string(&sym.api, pos)),
            entry("name", name.pos(), name.into_node()),
        ];
        if shape.existing {
            head.push(entry("existing", pos, Node::scalar("true", true, pos)));
        }
        if let Some(condition) = condition {
            head.push(entry("condition", condition.pos(), condition.into_node()));
        }
        head.append(&mut entries);
        if !nested.is_empty() {
            head.push(entry(
                "resources",
                pos,
                Node {
                    pos,
                    value: Value::Seq(nested),
                },
            ));
        }
        Some(map(pos, head))
    }

    /// `a/b` from two names: a literal when both are known literals, else `format()`.
    fn join_names(&mut self, first: Ex, second: Ex, pos: Pos) -> Ex {
        if let (Some(a), Some(b)) = (first.literal_text(), second.literal_text()) {
            return Ex::Lit(string(&format!("{a}/{b}"), pos));
        }
        let a = self.arm(first);
        let b = self.arm(second);
        Ex::Arm(format!("format('{{0}}/{{1}}', {a}, {b})"), pos)
    }

    /// The resource symbol an expression names (`aks`), if it is one.
    fn symbol_resource(&self, value: Syn<'t>, env: &Env) -> Option<String> {
        // `vnet::nodes`: a nested resource, declared under its own simple symbol.
        if value.kind() == "resource_expression" {
            let last = kids(value)
                .into_iter()
                .rev()
                .find(|k| k.kind() == "identifier")?;
            let name = self.src(last);
            return matches!(self.symbols.get(name), Some(Symbol::Resource(_)))
                .then(|| name.to_owned());
        }
        if value.kind() != "identifier" {
            return None;
        }
        let name = self.src(value);
        if env.iter().any(|(n, _)| n == name) {
            return None;
        }
        matches!(self.symbols.get(name), Some(Symbol::Resource(_))).then(|| name.to_owned())
    }

    /// The full name of a resource symbol (`cluster/pool` for children).
    fn resource_name(&mut self, symbol: &str) -> Ex {
        let Some(Symbol::Resource(sym)) = self.symbols.get(symbol).cloned() else {
            return Ex::Arm("unknownResource()".into(), Pos::default());
        };
        let pos = self.pos(sym.decl);
        if self.naming.iter().any(|s| s == symbol) || self.naming.len() > MAX_NESTING {
            return Ex::Arm(format!("resourceNameCycle('{symbol}')"), pos);
        }
        if sym.looped {
            return Ex::Arm(format!("bicepLoopResourceName('{symbol}')"), pos);
        }
        self.naming.push(symbol.to_owned());
        let body = kids(sym.decl).into_iter().find_map(|k| match k.kind() {
            "object" => Some(k),
            "if_statement" | "for_statement" => resource_body(k),
            _ => None,
        });
        let mut own = None;
        let mut parent = sym.nested_in.clone();
        for property in body.map(kids).unwrap_or_default() {
            let Some((key, _, value)) = self.property_parts(property) else {
                continue;
            };
            match key.as_str() {
                "name" => own = Some(self.ex(value, &Vec::new(), 0)),
                "parent" => {
                    if let Some(p) = self.symbol_resource(value, &Vec::new()) {
                        parent = Some(p);
                    }
                }
                _ => {}
            }
        }
        let own = own.unwrap_or_else(|| Ex::Lit(string("<unnamed>", pos)));
        let name = match parent {
            Some(parent) => {
                let parent_name = self.resource_name(&parent);
                self.join_names(parent_name, own, pos)
            }
            None => own,
        };
        self.naming.pop();
        name
    }

    fn resource_id(&mut self, symbol: &str, pos: Pos) -> String {
        let full_type = match self.symbols.get(symbol) {
            Some(Symbol::Resource(sym)) => sym.full_type.clone(),
            _ => String::new(),
        };
        let name = self.resource_name(symbol);
        let name = self.arm(name);
        let _ = pos;
        let (function, args) = match self.declared_scope(symbol) {
            Some((DeclaredScope::ResourceGroup, args)) => ("resourceId", args),
            Some((DeclaredScope::Subscription, args)) => ("subscriptionResourceId", args),
            Some((DeclaredScope::Tenant, _)) => ("tenantResourceId", Vec::new()),
            None => ("resourceId", Vec::new()),
        };
        let before: String = args.iter().map(|a| format!("{a}, ")).collect();
        format!("{function}({before}{}, {name})", quote(&full_type))
    }

    /// Where a resource declared with `scope: resourceGroup(…)`, `subscription(…)` or
    /// `tenant()` lives (an `existing` resource elsewhere: a built-in policy definition, an
    /// identity in another group), with the function's arguments; itself or through the
    /// resource it is declared in or under (`parent:`).
    fn declared_scope(&mut self, symbol: &str) -> Option<(DeclaredScope, Vec<String>)> {
        let mut current = symbol.to_owned();
        for _ in 0..=MAX_NESTING {
            let Some(Symbol::Resource(sym)) = self.symbols.get(&current).cloned() else {
                return None;
            };
            let body = kids(sym.decl).into_iter().find_map(|k| match k.kind() {
                "object" => Some(k),
                "if_statement" | "for_statement" => resource_body(k),
                _ => None,
            });
            let mut parent = sym.nested_in.clone();
            for property in body.map(kids).unwrap_or_default() {
                let Some((key, _, value)) = self.property_parts(property) else {
                    continue;
                };
                match key.as_str() {
                    "scope" => {
                        let function = (value.kind() == "call_expression")
                            .then(|| value.child_by_field_name("function"))
                            .flatten()
                            .map(|f| self.src(f).trim_start_matches("az.").to_owned());
                        let args: Vec<Syn<'t>> = value
                            .child_by_field_name("arguments")
                            .map(kids)
                            .unwrap_or_default();
                        let scope = match function.as_deref() {
                            Some("resourceGroup") if !args.is_empty() => {
                                DeclaredScope::ResourceGroup
                            }
                            Some("subscription") => DeclaredScope::Subscription,
                            Some("tenant") => DeclaredScope::Tenant,
                            _ => return None,
                        };
                        if self.naming.contains(&current) || self.naming.len() > MAX_NESTING {
                            return None;
                        }
                        // The arguments may name resources in turn: guarded as names are.
                        self.naming.push(current.clone());
                        let args = args
                            .into_iter()
                            .map(|a| {
                                let value = self.ex(a, &Vec::new(), 0);
                                self.arm(value)
                            })
                            .collect();
                        self.naming.pop();
                        return Some((scope, args));
                    }
                    "parent" => {
                        if let Some(p) = self.symbol_resource(value, &Vec::new()) {
                            parent = Some(p);
                        }
                    }
                    _ => {}
                }
            }
            current = parent?;
        }
        None
    }

    fn module(&mut self, decl: Syn<'t>, out: &mut Vec<Node>) {
        let parts = kids(decl);
        let (Some(name), Some(path)) = (
            parts.iter().find(|k| k.kind() == "identifier"),
            parts.iter().find(|k| k.kind() == "string"),
        ) else {
            self.error(
                decl,
                "a module declaration without a symbol or path; skipped",
            );
            return;
        };
        let symbol = self.src(*name).to_owned();
        let written = match self.ex(*path, &Vec::new(), 0).literal_text() {
            Some(text) => text,
            None => {
                self.error(
                    *path,
                    format!("module `{symbol}`: the path is not a literal string; not read"),
                );
                return;
            }
        };
        let target = if written.starts_with("br:")
            || written.starts_with("br/")
            || written.starts_with("ts:")
            || written.starts_with("ts/")
        {
            ModuleTarget::Registry(written)
        } else {
            ModuleTarget::Local(written)
        };
        let index = self.modules.len();
        let path_pos = self.pos(*path);
        self.modules.push(ModuleCall {
            symbol: symbol.clone(),
            target,
            pos: path_pos,
        });
        let Some(value) = parts
            .iter()
            .find(|k| matches!(k.kind(), "object" | "if_statement" | "for_statement"))
        else {
            self.error(decl, format!("module `{symbol}` has no body; skipped"));
            return;
        };
        let pos = self.pos(decl);
        self.each_copy(*value, &Vec::new(), &mut |tr, body, condition, env| {
            let mut name = Ex::Lit(string(&symbol, pos));
            let mut parameters = Vec::new();
            let mut target = Vec::new();
            for property in kids(body) {
                let Some((key, key_pos, value)) = tr.property_parts(property) else {
                    continue;
                };
                match key.as_str() {
                    "name" => name = tr.ex(value, env, 0),
                    "scope" => target = tr.module_scope(value, env, key_pos),
                    "params" if value.kind() == "object" => {
                        for param in kids(value) {
                            if let Some((pkey, pkey_pos, pvalue)) = tr.property_parts(param) {
                                let node = tr.ex(pvalue, env, 0).into_node();
                                let at = node.pos;
                                parameters.push(entry(
                                    &pkey,
                                    pkey_pos,
                                    map(at, vec![entry("value", at, node)]),
                                ));
                            }
                        }
                    }
                    "params" => {
                        tr.error(
                            value,
                            format!("module `{symbol}`: `params` is not an object literal; its parameters are unknown"),
                        );
                        let _ = key_pos;
                    }
                    _ => {}
                }
            }
            let mut head = vec![
                entry("type", pos, string("Microsoft.Resources/deployments", pos)),
                entry("apiVersion", pos, string(DEPLOYMENT_API, pos)),
                entry("name", name.pos(), name.into_node()),
            ];
            if let Some(condition) = condition {
                head.push(entry("condition", condition.pos(), condition.into_node()));
            }
            head.append(&mut target);
            head.push(entry(
                "properties",
                pos,
                map(
                    pos,
                    vec![
                        entry(
                            "expressionEvaluationOptions",
                            pos,
                            map(pos, vec![entry("scope", pos, string("inner", pos))]),
                        ),
                        entry("mode", pos, string("Incremental", pos)),
                        entry("parameters", pos, map(pos, parameters)),
                    ],
                ),
            ));
            head.push(entry(
                MODULE_KEY,
                path_pos,
                Node::scalar(index.to_string(), true, path_pos),
            ));
            out.push(map(pos, head));
        });
    }

    /// Where a module deploys (`scope:`), as the deployment resource's `subscriptionId` and
    /// `resourceGroup`: `resourceGroup([sub, ]name)`, `subscription(id)`; the deployment
    /// scope's own `resourceGroup()`/`subscription()` add nothing. Any other scope (an
    /// `existing` resource group's symbol) makes the resource group unknown rather than
    /// the caller's.
    fn module_scope(&mut self, value: Syn<'t>, env: &Env, pos: Pos) -> Vec<Entry> {
        let function = (value.kind() == "call_expression")
            .then(|| value.child_by_field_name("function"))
            .flatten()
            .map(|f| match f.kind() {
                "member_expression" => f
                    .child_by_field_name("property")
                    .map(|p| self.src(p))
                    .unwrap_or(""),
                _ => self.src(f),
            });
        let args: Vec<Syn<'t>> = value
            .child_by_field_name("arguments")
            .map(kids)
            .unwrap_or_default();
        let arg = |tr: &mut Self, i: usize| tr.ex(args[i], env, 0).into_node();
        match (function, args.len()) {
            (Some("resourceGroup" | "subscription"), 0) => Vec::new(),
            (Some("resourceGroup"), 1) => vec![entry("resourceGroup", pos, arg(self, 0))],
            (Some("resourceGroup"), 2) => vec![
                entry("subscriptionId", pos, arg(self, 0)),
                entry("resourceGroup", pos, arg(self, 1)),
            ],
            (Some("subscription"), 1) => vec![entry("subscriptionId", pos, arg(self, 0))],
            _ => vec![entry(
                "resourceGroup",
                pos,
                Node::scalar("[bicepModuleScope()]", false, pos),
            )],
        }
    }

    /// An object property's key (unquoted), key position and value syntax.
    fn property_parts(&self, property: Syn<'t>) -> Option<(String, Pos, Syn<'t>)> {
        if property.kind() != "object_property" {
            return None;
        }
        let parts = kids(property);
        let key = parts.first()?;
        let value = parts.get(1..)?.last()?;
        let text = self.src(*key);
        let key_text = if key.kind() == "string" {
            text.trim_matches('\'').to_owned()
        } else {
            text.to_owned()
        };
        Some((key_text, self.pos(*key), *value))
    }

    // -----------------------------------------------------------------------------------
    // Expressions

    /// ARM expression text of a value (object and array literals become generated
    /// variables).
    fn arm(&mut self, ex: Ex) -> String {
        match ex {
            Ex::Arm(text, _) => text,
            Ex::Lit(node) => match &node.value {
                Value::Scalar { text, plain: false } => quote(unescape_template(text)),
                Value::Scalar { text, plain: true } => match text.as_str() {
                    "true" => "true()".into(),
                    "false" => "false()".into(),
                    "null" => "null()".into(),
                    number => number.to_owned(),
                },
                _ => {
                    let name = format!("$bicepLiteral{}", self.hoisted.len() + 1);
                    let text = format!("variables({})", quote(&name));
                    self.hoisted.push(entry(&name, node.pos, node));
                    text
                }
            },
        }
    }

    fn ex(&mut self, n: Syn<'t>, env: &Env, depth: usize) -> Ex {
        let pos = self.pos(n);
        if let Some((_, replaced)) = self.overrides.iter().find(|(id, _)| *id == n.id()) {
            return replaced.clone();
        }
        if depth > MAX_NESTING {
            return Ex::Arm("bicepNestedTooDeeply()".into(), pos);
        }
        let d = depth + 1;
        match n.kind() {
            "string" => self.string_ex(n, env, d),
            "number" => Ex::Lit(Node::scalar(self.src(n), true, pos)),
            "boolean" => Ex::Lit(Node::scalar(self.src(n), true, pos)),
            "null" => Ex::Lit(Node::scalar("null", true, pos)),
            "object" => {
                let mut entries = Vec::new();
                for property in kids(n) {
                    if let Some((key, key_pos, value)) = self.property_parts(property) {
                        if value.kind() == "resource_declaration" {
                            continue;
                        }
                        let value = self.ex(value, env, d).into_node();
                        entries.push(entry(&key, key_pos, value));
                    }
                }
                Ex::Lit(map(pos, entries))
            }
            "array" => {
                let items: Vec<Syn<'t>> = kids(n)
                    .into_iter()
                    .filter(|k| k.kind() != "decorators")
                    .collect();
                let items = self.array_items(&items, env, d);
                Ex::Lit(Node {
                    pos,
                    value: Value::Seq(items),
                })
            }
            "parenthesized_expression" => match kids(n).first() {
                Some(inner) => self.ex(*inner, env, d),
                None => Ex::Arm("bicepEmpty()".into(), pos),
            },
            "identifier" => self.identifier(n, env, pos),
            "resource_expression" => match self.symbol_resource(n, env) {
                Some(symbol) => Ex::Arm(self.resource_id(&symbol, pos), pos),
                None => Ex::Arm("bicepUnsupported('resource_expression')".into(), pos),
            },
            "member_expression" => self.member(n, env, d, pos),
            "subscript_expression" => {
                let (Some(object), Some(index)) = (
                    n.child_by_field_name("object"),
                    n.child_by_field_name("index"),
                ) else {
                    return Ex::Arm("bicepUnreadable()".into(), pos);
                };
                let object = self.ex(object, env, d);
                let index = self.ex(index, env, d);
                if let Ex::Lit(container) = &object {
                    let found = match (&container.value, index.literal_text()) {
                        (Value::Seq(items), Some(i)) if index_is_number(&index) => {
                            i.parse::<usize>().ok().and_then(|i| items.get(i).cloned())
                        }
                        (Value::Map(entries), Some(key)) => entries
                            .iter()
                            .rev()
                            .find(|e| e.key.eq_ignore_ascii_case(&key))
                            .map(|e| e.value.clone()),
                        _ => None,
                    };
                    if let Some(found) = found {
                        return node_ex(found);
                    }
                }
                let object = self.arm(object);
                let index = self.arm(index);
                Ex::Arm(format!("{object}[{index}]"), pos)
            }
            "call_expression" => self.call(n, env, d, pos),
            "ternary_expression" => {
                let (Some(c), Some(a), Some(b)) = (
                    n.child_by_field_name("condition"),
                    n.child_by_field_name("consequence"),
                    n.child_by_field_name("alternative"),
                ) else {
                    return Ex::Arm("bicepUnreadable()".into(), pos);
                };
                let condition = self.ex(c, env, d);
                match condition.as_bool() {
                    Some(true) => self.ex(a, env, d),
                    Some(false) => self.ex(b, env, d),
                    None => {
                        let c = self.arm(condition);
                        let a = self.ex(a, env, d);
                        let a = self.arm(a);
                        let b = self.ex(b, env, d);
                        let b = self.arm(b);
                        Ex::Arm(format!("if({c}, {a}, {b})"), pos)
                    }
                }
            }
            "binary_expression" => self.binary(n, env, d, pos),
            "unary_expression" => {
                let operator = n
                    .child_by_field_name("operator")
                    .map(|o| self.src(o))
                    .unwrap_or("");
                let Some(argument) = n.child_by_field_name("argument") else {
                    return Ex::Arm("bicepUnreadable()".into(), pos);
                };
                let value = self.ex(argument, env, d);
                match operator {
                    "!" => match value.as_bool() {
                        Some(b) => {
                            Ex::Lit(Node::scalar(if b { "false" } else { "true" }, true, pos))
                        }
                        None => {
                            let inner = self.arm(value);
                            Ex::Arm(format!("not({inner})"), pos)
                        }
                    },
                    "-" => match &value {
                        Ex::Lit(node) if index_is_number(&value) => {
                            let text = node.as_str().unwrap_or("0");
                            let negated = text
                                .strip_prefix('-')
                                .map_or_else(|| format!("-{text}"), str::to_owned);
                            Ex::Lit(Node::scalar(negated, true, pos))
                        }
                        _ => {
                            let inner = self.arm(value);
                            Ex::Arm(format!("sub(0, {inner})"), pos)
                        }
                    },
                    _ => value,
                }
            }
            "for_statement" => {
                let Some(body) = n.child_by_field_name("body") else {
                    return Ex::Arm("bicepUnreadable()".into(), pos);
                };
                if body.kind() == "if_statement" {
                    return Ex::Arm("bicepFilteredLoop()".into(), pos);
                }
                let copies = self.loop_copies(n, env);
                let literal = copies
                    .first()
                    .is_some_and(|c| !matches!(c.last(), Some((_, Ex::Arm(t, _))) if t.starts_with("bicepLoopVariable(")));
                if !literal {
                    return Ex::Arm("bicepLoopOverUnknownList()".into(), pos);
                }
                let items = copies
                    .iter()
                    .map(|copy| self.ex(body, copy, d).into_node())
                    .collect();
                Ex::Lit(Node {
                    pos,
                    value: Value::Seq(items),
                })
            }
            "lambda_expression" => Ex::Arm("lambda()".into(), pos),
            kind => Ex::Arm(format!("bicepUnsupported('{kind}')"), pos),
        }
    }

    /// The items of a multi-line array. The grammar splits some items of an array that is an
    /// object property's value in two, without a syntax error: `resourceGroup().id` becomes
    /// `resourceGroup` and `().id`, `resourceId('t', 'n')` becomes `resourceId` and
    /// `('t', 'n')`, `f(x)[0]` becomes `f(x)` and `[0]`. Items are separated
    /// by a comma or a newline, so two that touch are one: they are joined again (a call of
    /// no arguments, an index), and any other touching pair is Unknown rather than misread.
    fn array_items(&mut self, items: &[Syn<'t>], env: &Env, depth: usize) -> Vec<Node> {
        let mut out: Vec<Node> = Vec::new();
        let mut i = 0;
        while i < items.len() {
            let item = items[i];
            let pos = self.pos(item);
            let next = items
                .get(i + 1)
                .copied()
                .filter(|next| next.start_byte() == item.end_byte());
            let Some(next) = next else {
                let value = self.ex(item, env, depth).into_node();
                out.push(value);
                i += 1;
                continue;
            };
            if item.kind() == "identifier"
                && let Some(arguments) = leftmost(next).filter(|l| {
                    l.kind() == "parenthesized_expression" && l.start_byte() == item.end_byte()
                })
            {
                // `name(args…)` then whatever the grammar read after it (`.id`).
                let args: Vec<String> = kids(arguments)
                    .into_iter()
                    .map(|a| {
                        let value = self.ex(a, env, depth);
                        self.arm(value)
                    })
                    .collect();
                let call = Ex::Arm(format!("{}({})", self.src(item), args.join(", ")), pos);
                self.overrides.push((arguments.id(), call));
                let value = self.ex(next, env, depth);
                self.overrides.pop();
                out.push(value.into_node());
            } else if next.kind() == "array" && kids(next).len() == 1 {
                let object = self.ex(item, env, depth);
                let object = self.arm(object);
                let index = self.ex(kids(next)[0], env, depth);
                let index = self.arm(index);
                out.push(Ex::Arm(format!("{object}[{index}]"), pos).into_node());
            } else {
                out.push(Ex::Arm("bicepUnreadableArrayItem()".into(), pos).into_node());
            }
            i += 2;
        }
        out
    }

    fn identifier(&mut self, n: Syn<'t>, env: &Env, pos: Pos) -> Ex {
        let name = self.src(n);
        if let Some((_, value)) = env.iter().rev().find(|(v, _)| v == name) {
            return value.clone();
        }
        match self.symbols.get(name) {
            Some(Symbol::Param) => Ex::Arm(format!("parameters({})", quote(name)), pos),
            Some(Symbol::Var(_)) => Ex::Arm(format!("variables({})", quote(name)), pos),
            Some(Symbol::Resource(_)) => {
                let name = name.to_owned();
                Ex::Arm(self.resource_id(&name, pos), pos)
            }
            Some(Symbol::Module) => Ex::Arm(format!("reference({})", quote(name)), pos),
            None => Ex::Arm(format!("bicepUndeclared({})", quote(name)), pos),
        }
    }

    fn member(&mut self, n: Syn<'t>, env: &Env, depth: usize, pos: Pos) -> Ex {
        let (Some(object), Some(property)) = (
            n.child_by_field_name("object"),
            n.child_by_field_name("property"),
        ) else {
            return Ex::Arm("bicepUnreadable()".into(), pos);
        };
        let property = self.src(property).to_owned();
        // A resource's own properties: its name is known, the rest is deployment output.
        if let Some(symbol) = self.symbol_resource(object, env) {
            return match property.as_str() {
                "name" => self.resource_name(&symbol),
                "id" => Ex::Arm(self.resource_id(&symbol, pos), pos),
                "type" => match self.symbols.get(&symbol) {
                    Some(Symbol::Resource(sym)) => Ex::Lit(string(&sym.full_type.clone(), pos)),
                    _ => Ex::Arm("bicepUnreadable()".into(), pos),
                },
                "properties" => {
                    let id = self.resource_id(&symbol, pos);
                    Ex::Arm(format!("reference({id})"), pos)
                }
                other => {
                    let id = self.resource_id(&symbol, pos);
                    Ex::Arm(format!("reference({id}, 'full').{other}"), pos)
                }
            };
        }
        let object = self.ex(object, env, depth);
        if let Ex::Lit(Node {
            value: Value::Map(entries),
            ..
        }) = &object
            && let Some(found) = entries
                .iter()
                .rev()
                .find(|e| e.key.eq_ignore_ascii_case(&property))
        {
            return node_ex(found.value.clone());
        }
        let object = self.arm(object);
        Ex::Arm(format!("{object}.{property}"), pos)
    }

    fn call(&mut self, n: Syn<'t>, env: &Env, depth: usize, pos: Pos) -> Ex {
        let Some(function) = n.child_by_field_name("function") else {
            return Ex::Arm("bicepUnreadable()".into(), pos);
        };
        // `az.resourceGroup()`, `sys.concat()`: the namespace is dropped.
        let name = match function.kind() {
            "member_expression" => function
                .child_by_field_name("property")
                .map(|p| self.src(p))
                .unwrap_or(""),
            _ => self.src(function),
        }
        .to_owned();
        let args: Vec<Syn<'t>> = n
            .child_by_field_name("arguments")
            .map(kids)
            .unwrap_or_default();
        if name == "any" && args.len() == 1 {
            return self.ex(args[0], env, depth);
        }
        let values: Vec<Ex> = args.iter().map(|a| self.ex(*a, env, depth)).collect();
        if name == "range"
            && let [start, count] = values.as_slice()
            && let (Some(start), Some(count)) = (
                start.literal_text().and_then(|t| t.parse::<i64>().ok()),
                count.literal_text().and_then(|t| t.parse::<i64>().ok()),
            )
            && (0..=MAX_COPIES as i64 * 10).contains(&count)
        {
            let items = (start..start.saturating_add(count))
                .map(|i| Node::scalar(i.to_string(), true, pos))
                .collect();
            return Ex::Lit(Node {
                pos,
                value: Value::Seq(items),
            });
        }
        let texts: Vec<String> = values.into_iter().map(|v| self.arm(v)).collect();
        let name = if name.chars().all(|c| c.is_alphanumeric() || c == '_') && !name.is_empty() {
            name
        } else {
            "bicepFunction".into()
        };
        Ex::Arm(format!("{name}({})", texts.join(", ")), pos)
    }

    fn binary(&mut self, n: Syn<'t>, env: &Env, depth: usize, pos: Pos) -> Ex {
        let (Some(left), Some(right)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            return Ex::Arm("bicepUnreadable()".into(), pos);
        };
        let operator = n
            .child_by_field_name("operator")
            .map(|o| self.src(o).to_owned())
            .or_else(|| {
                let mut cursor = n.walk();
                n.children(&mut cursor)
                    .find(|c| !c.is_named())
                    .map(|c| self.src(c).to_owned())
            })
            .unwrap_or_default();
        let left = self.ex(left, env, depth);
        let right = self.ex(right, env, depth);
        let a = self.arm(left);
        let b = self.arm(right);
        let text = match operator.as_str() {
            "==" => format!("equals({a}, {b})"),
            "!=" => format!("not(equals({a}, {b}))"),
            "=~" => format!("equals(toLower({a}), toLower({b}))"),
            "!~" => format!("not(equals(toLower({a}), toLower({b})))"),
            "&&" => format!("and({a}, {b})"),
            "||" => format!("or({a}, {b})"),
            "??" => format!("coalesce({a}, {b})"),
            "<" => format!("less({a}, {b})"),
            "<=" => format!("lessOrEquals({a}, {b})"),
            ">" => format!("greater({a}, {b})"),
            ">=" => format!("greaterOrEquals({a}, {b})"),
            "+" => format!("add({a}, {b})"),
            "-" => format!("sub({a}, {b})"),
            "*" => format!("mul({a}, {b})"),
            "/" => format!("div({a}, {b})"),
            "%" => format!("mod({a}, {b})"),
            _ => format!("bicepOperator({a}, {b})"),
        };
        Ex::Arm(text, pos)
    }

    /// A string literal: multi-line `'''…'''` as written, else escapes decoded and
    /// interpolations folded in when known, or `format()`.
    fn string_ex(&mut self, n: Syn<'t>, env: &Env, depth: usize) -> Ex {
        let pos = self.pos(n);
        let raw = self.src(n);
        if let Some(inner) = raw.strip_prefix("'''") {
            let inner = inner.strip_suffix("'''").unwrap_or(inner);
            // A newline right after the opening quotes is not part of the value.
            let inner = inner
                .strip_prefix("\r\n")
                .or_else(|| inner.strip_prefix('\n'))
                .unwrap_or(inner);
            return Ex::Lit(string(inner, pos));
        }
        enum Part {
            Text(String),
            Value(Ex),
        }
        let mut parts: Vec<Part> = Vec::new();
        let push_text = |parts: &mut Vec<Part>, text: &str| match parts.last_mut() {
            Some(Part::Text(t)) => t.push_str(text),
            _ => parts.push(Part::Text(text.to_owned())),
        };
        // The text between the quotes, decoded here (whatever way the grammar splits it into
        // content and escape nodes), with each interpolation translated.
        let inner_start = n.start_byte() + 1;
        let inner_end = n.end_byte().saturating_sub(1).max(inner_start);
        let mut at = inner_start;
        for child in kids(n).into_iter().filter(|k| k.kind() == "interpolation") {
            let literal = self.text.get(at..child.start_byte()).unwrap_or("");
            push_text(&mut parts, &unescape_all(literal));
            at = child.end_byte();
            let value = match kids(child).first() {
                Some(inner) => self.ex(*inner, env, depth),
                None => Ex::Arm("bicepEmpty()".into(), pos),
            };
            match value.literal_text() {
                Some(text) if !matches!(&value, Ex::Lit(node) if node.is_null()) => {
                    push_text(&mut parts, &text);
                }
                _ => parts.push(Part::Value(value)),
            }
        }
        let literal = self.text.get(at..inner_end).unwrap_or("");
        push_text(&mut parts, &unescape_all(literal));
        if parts.iter().all(|p| matches!(p, Part::Text(_))) {
            let text: String = parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.as_str(),
                    Part::Value(_) => "",
                })
                .collect();
            return Ex::Lit(string(&text, pos));
        }
        let mut pattern = String::new();
        let mut args = Vec::new();
        for part in parts {
            match part {
                Part::Text(t) => pattern.push_str(&t.replace('{', "{{").replace('}', "}}")),
                Part::Value(value) => {
                    pattern.push_str(&format!("{{{}}}", args.len()));
                    args.push(self.arm(value));
                }
            }
        }
        Ex::Arm(
            format!("format({}, {})", quote(&pattern), args.join(", ")),
            pos,
        )
    }
}

/// How many resources `sym` is declared inside (bounded: the chain is followed at most
/// `MAX_NESTING + 1` steps, so a cycle of names cannot loop).
fn nesting_depth(symbols: &HashMap<String, Symbol<'_>>, sym: &ResourceSym<'_>) -> usize {
    let mut depth = 0;
    let mut outer = sym.nested_in.clone();
    while let Some(name) = outer {
        depth += 1;
        if depth > MAX_NESTING {
            break;
        }
        outer = match symbols.get(&name) {
            Some(Symbol::Resource(parent)) => parent.nested_in.clone(),
            _ => None,
        };
    }
    depth
}

/// What an `existing` resource's `scope:` function names.
#[derive(Clone, Copy)]
enum DeclaredScope {
    ResourceGroup,
    Subscription,
    Tenant,
}

struct ResourceShape<'a, 't> {
    sym: &'a ResourceSym<'t>,
    written_type: &'a str,
    existing: bool,
    outer: Option<&'a ResourceSym<'t>>,
}

fn index_is_number(ex: &Ex) -> bool {
    matches!(ex, Ex::Lit(Node { value: Value::Scalar { text, plain: true }, .. })
        if text.parse::<f64>().is_ok())
}

/// The object of a resource or module value: `{…}`, `if (…) {…}`, `[for …: {…}]`.
fn resource_body(node: Syn<'_>) -> Option<Syn<'_>> {
    match node.kind() {
        "object" => Some(node),
        "if_statement" => kids(node).into_iter().find(|k| k.kind() == "object"),
        "for_statement" => node.child_by_field_name("body").and_then(resource_body),
        _ => None,
    }
}

/// The innermost left operand of an expression (`(x)` of `(x).a[0]`), at most
/// [`MAX_NESTING`] steps down.
fn leftmost(node: Syn<'_>) -> Option<Syn<'_>> {
    let mut node = node;
    for _ in 0..MAX_NESTING {
        let inner = match node.kind() {
            "member_expression" | "subscript_expression" => node.child_by_field_name("object"),
            "call_expression" => node.child_by_field_name("function"),
            _ => return Some(node),
        };
        node = inner?;
    }
    None
}

/// The first ERROR or MISSING node under `node` (iterative: trees may be deep).
fn first_error(node: Syn<'_>) -> Option<Syn<'_>> {
    let mut stack = vec![node];
    let mut best: Option<Syn<'_>> = None;
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            if best.is_none_or(|b| n.start_byte() < b.start_byte()) {
                best = Some(n);
            }
            continue;
        }
        if n.has_error() {
            let mut cursor = n.walk();
            stack.extend(n.children(&mut cursor));
        }
    }
    best
}

/// Bicep string text with its escapes (`\\`, `\'`, `\n`, `\r`, `\t`, `\$`, `\u{…}`) decoded.
fn unescape_all(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') if chars.peek() == Some(&'{') => {
                chars.next();
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(decoded) => out.push(decoded),
                    None => out.push('\u{FFFD}'),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
