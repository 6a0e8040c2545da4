//! A template's Rego, compiled once, evaluated on any thread: each thread evaluates on its own
//! clone of the compiled engine (regorus engines are not shared between threads), made once
//! per thread and per scan context (`data.inventory` differs between scans).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use regorus::{Engine, Value};

use crate::evaluate::ScanContext;
use crate::gatekeeper::inventory;
use crate::gatekeeper::template::RegoSource;

/// Builtins Gatekeeper offers that regorus does not: a template that calls one fails to
/// compile, and the error says why.
pub const EXTERNAL_DATA: &str = "external_data";

/// A compiled template.
pub struct CompiledRego {
    /// Identifies this compilation in the per-thread engine caches.
    id: usize,
    /// The engine with the template's modules; cloned per thread.
    engine: Mutex<Engine>,
    /// `data.<package>.violation`.
    rule: String,
    /// Whether the Rego reads `data.inventory` (a referential template).
    pub referential: bool,
}

/// A message a template produced for one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegoViolation {
    pub msg: String,
}

fn next_id() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// `package a.b` of a module.
fn package_of(rego: &str) -> Option<String> {
    rego.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find_map(|l| l.strip_prefix("package "))
        .map(|p| p.trim().to_owned())
}

/// Compile errors as one line each ("file:line:col: message" as regorus reports them), with
/// the line made absolute in the template file (`first_line` is where the Rego text starts).
fn describe(error: &impl std::fmt::Display) -> String {
    error.to_string().trim().to_owned()
}

impl CompiledRego {
    /// Compiles `source` (Rego v0 unless the template declares v1). The error is the message;
    /// the caller adds the template's file and line.
    pub fn compile(source: &RegoSource, name: &str) -> Result<CompiledRego, String> {
        if source.rego.contains(EXTERNAL_DATA)
            || source.libs.iter().any(|l| l.contains(EXTERNAL_DATA))
        {
            return Err(format!(
                "the template calls `{EXTERNAL_DATA}` (Gatekeeper external data providers), which aksguard does not support"
            ));
        }
        let package = package_of(&source.rego).ok_or("the Rego has no `package` declaration")?;
        let mut engine = Engine::new();
        engine.set_rego_v0(!source.v1);
        // Gatekeeper treats a failing builtin (a bad regex, a type error) as an error.
        engine.set_strict_builtin_errors(false);
        engine
            .add_policy(format!("{name}.rego"), source.rego.clone())
            .map_err(|e| format!("Rego does not compile: {}", describe(&e)))?;
        for (i, lib) in source.libs.iter().enumerate() {
            engine
                .add_policy(format!("{name}.lib{i}.rego"), lib.clone())
                .map_err(|e| format!("Rego lib {i} does not compile: {}", describe(&e)))?;
        }
        let rule = format!("data.{package}.violation");
        // Compile-time errors regorus finds only on first evaluation (unknown functions,
        // unsafe variables) show up here, once, rather than on every object.
        engine.set_input(Value::new_object());
        if let Err(e) = engine.eval_rule(rule.clone()) {
            let text = describe(&e);
            if !is_input_dependent(&text) {
                return Err(format!("Rego does not compile: {text}"));
            }
        }
        let referential = source.rego.contains("data.inventory")
            || source.libs.iter().any(|l| l.contains("data.inventory"));
        Ok(CompiledRego {
            id: next_id(),
            engine: Mutex::new(engine),
            rule,
            referential,
        })
    }

    /// The violations of `input` (`{review, parameters}`), on this thread's engine.
    pub fn evaluate(
        &self,
        input: Value,
        context: &ScanContext,
    ) -> Result<Vec<RegoViolation>, String> {
        let context_id = if self.referential { context.id() } else { 0 };
        ENGINES.with(|engines| {
            let mut engines = engines.borrow_mut();
            let engine = match engines.get_mut(&self.id) {
                Some((id, engine)) if *id == context_id => engine,
                _ => {
                    let mut engine = self
                        .engine
                        .lock()
                        .map_err(|_| "a thread panicked while holding the compiled policy")?
                        .clone();
                    if self.referential {
                        let data = context.derived(inventory::KEY, inventory::build);
                        engine
                            .add_data((*data).clone())
                            .map_err(|e| format!("data.inventory: {e}"))?;
                    }
                    engines.insert(self.id, (context_id, engine));
                    &mut engines.get_mut(&self.id).expect("just inserted").1
                }
            };
            engine.set_input(input);
            let result = engine
                .eval_rule(self.rule.clone())
                .map_err(|e| describe(&e))?;
            Ok(violations_of(&result))
        })
    }
}

thread_local! {
    /// Per thread: compiled template id → (scan context id, engine clone).
    static ENGINES: RefCell<HashMap<usize, (u64, Engine)>> = RefCell::new(HashMap::new());
}

/// Evaluation errors that come from the (empty) trial input rather than the Rego itself.
fn is_input_dependent(error: &str) -> bool {
    !(error.contains("undefined function")
        || error.contains("unknown function")
        || error.contains("is unsafe")
        || error.contains("not found")
        || error.contains("could not find"))
}

/// The `msg` of each member of `violation` (a set of objects; undefined: none).
fn violations_of(result: &Value) -> Vec<RegoViolation> {
    let members: Vec<&Value> = match result {
        Value::Set(set) => set.iter().collect(),
        Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    members
        .into_iter()
        .map(|member| RegoViolation {
            msg: match &member[&Value::from("msg")] {
                Value::String(text) => text.to_string(),
                Value::Undefined => String::new(),
                other => other.to_string(),
            },
        })
        .collect()
}

/// `{"review": review, "parameters": parameters}`, sharing both values.
pub fn input(review: &Value, parameters: &Value) -> Value {
    let mut map = BTreeMap::new();
    map.insert(Value::from("review"), review.clone());
    map.insert(Value::from("parameters"), parameters.clone());
    Value::from(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(rego: &str) -> RegoSource {
        RegoSource {
            rego: rego.to_owned(),
            libs: Vec::new(),
            v1: false,
        }
    }

    #[test]
    fn v0_templates_compile_and_report_messages() {
        let compiled = CompiledRego::compile(
            &source(
                "package k8sdemo\nviolation[{\"msg\": msg}] {\n  input.review.object.spec.hostNetwork\n  msg := sprintf(\"%v uses the host network\", [input.review.object.metadata.name])\n}\n",
            ),
            "demo",
        )
        .unwrap();
        let review = Value::from(serde_json::json!({
            "object": {"metadata": {"name": "web"}, "spec": {"hostNetwork": true}}
        }));
        let found = compiled
            .evaluate(
                input(&review, &Value::new_object()),
                &ScanContext::default(),
            )
            .unwrap();
        assert_eq!(
            found,
            vec![RegoViolation {
                msg: "web uses the host network".into()
            }]
        );
        let clean = Value::from(serde_json::json!({"object": {"spec": {}}}));
        let found = compiled
            .evaluate(input(&clean, &Value::new_object()), &ScanContext::default())
            .unwrap();
        assert!(found.is_empty());
    }

    #[test]
    fn syntax_errors_unknown_functions_and_external_data_fail_to_compile() {
        let bad = CompiledRego::compile(
            &source("package x\nviolation[{\"msg\": m}] {\n  m := \n}\n"),
            "bad",
        );
        assert!(bad.err().unwrap().contains("does not compile"));
        let unknown = CompiledRego::compile(
            &source("package x\nviolation[{\"msg\": m}] {\n  m := no_such_builtin(1)\n}\n"),
            "unknown",
        );
        assert!(unknown.is_err());
        let external = CompiledRego::compile(
            &source(
                "package x\nviolation[{\"msg\": m}] {\n  r := external_data({\"provider\": \"p\", \"keys\": []})\n  m := \"x\"\n}\n",
            ),
            "ext",
        );
        assert!(external.err().unwrap().contains("does not support"));
    }

    #[test]
    fn v1_templates_need_the_v1_syntax() {
        let mut v1 =
            source("package x\nviolation contains {\"msg\": \"always\"} if {\n  true\n}\n");
        v1.v1 = true;
        let compiled = CompiledRego::compile(&v1, "v1").unwrap();
        let found = compiled
            .evaluate(
                input(&Value::new_object(), &Value::new_object()),
                &ScanContext::default(),
            )
            .unwrap();
        assert_eq!(found.len(), 1);
    }
}
