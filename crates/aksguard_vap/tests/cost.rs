//! CEL cost: the API server stops an expression whose runtime cost passes 1,000,000
//! (`PerCallLimit`) and then applies `failurePolicy` (`Fail` here: the request is denied, so
//! an expensive object fails closed). Creating a policy checks no static estimate (its
//! `object` is dynamically typed); the type checker only adds warnings to its status.
//!
//! kube-cel has no cost model for VAP expressions (its `estimate_rule_cost` is a heuristic
//! over CRD schemas and `self`), and cel 0.13 counts no cost while evaluating. So this test
//! bounds the cost from the expression's syntax tree with cel-go's accounting in mind: one
//! unit per node evaluated, a comprehension costs its body once per element, a
//! list literal or a conditional between list literals has its known length, and every
//! other list (containers, capabilities, ports, volumes, sysctls) is assumed to hold
//! `LIST_BOUND` items. It also evaluates every expression on an object that large.

mod support;

use aksguard_rules::find_rule;
use aksguard_vap::{expression, translations};
use kube_cel::cel::Program;
use kube_cel::cel::common::ast::{EntryExpr, Expr, IdedExpr, operators};
use serde_json::json;

/// Items assumed in every list of the object: 100 containers of each kind, 100 capabilities,
/// ports, volumes and sysctls. Far above real workloads, far below what 3 MiB could hold.
const LIST_BOUND: u64 = 100;

/// The API server's runtime limit for one expression evaluation.
const PER_CALL_LIMIT: u64 = 1_000_000;

/// The number of items a comprehension over `range` visits, when the syntax tells.
fn known_length(range: &IdedExpr) -> Option<u64> {
    match &range.expr {
        Expr::List(list) => Some(list.elements.len() as u64),
        Expr::Call(call) if call.func_name == operators::CONDITIONAL && call.args.len() == 3 => {
            Some(known_length(&call.args[1])?.max(known_length(&call.args[2])?))
        }
        _ => None,
    }
}

/// An upper bound on the runtime cost of evaluating `node`.
fn cost(node: &IdedExpr) -> u64 {
    match &node.expr {
        Expr::Unspecified | Expr::Ident(_) | Expr::Literal(_) => 1,
        Expr::Select(select) => 1 + cost(&select.operand),
        Expr::Call(call) => {
            1 + call.target.as_deref().map_or(0, cost) + call.args.iter().map(cost).sum::<u64>()
        }
        Expr::List(list) => 1 + list.elements.iter().map(cost).sum::<u64>(),
        Expr::Map(map) => 1 + entries_cost(&map.entries),
        Expr::Struct(structure) => 1 + entries_cost(&structure.entries),
        Expr::Comprehension(comprehension) => {
            let items = known_length(&comprehension.iter_range).unwrap_or(LIST_BOUND);
            cost(&comprehension.iter_range)
                + cost(&comprehension.accu_init)
                + items * (cost(&comprehension.loop_cond) + cost(&comprehension.loop_step))
                + cost(&comprehension.result)
        }
    }
}

fn entries_cost(entries: &[kube_cel::cel::common::ast::IdedEntryExpr]) -> u64 {
    entries
        .iter()
        .map(|entry| match &entry.expr {
            EntryExpr::MapEntry(e) => cost(&e.key) + cost(&e.value),
            EntryExpr::StructField(f) => cost(&f.value),
        })
        .sum()
}

#[test]
fn every_expression_stays_under_the_per_call_limit_for_lists_of_a_hundred() {
    let mut worst = 0;
    for translation in translations() {
        let rule = find_rule(translation.id).unwrap();
        let program = Program::compile(&expression(rule, &translation)).unwrap();
        let estimate = cost(program.expression());
        println!(
            "{}: estimated cost {estimate} (lists of {LIST_BOUND})",
            rule.id
        );
        assert!(
            estimate < PER_CALL_LIMIT,
            "{}: estimated cost {estimate} passes the API server's limit {PER_CALL_LIMIT}",
            rule.id
        );
        worst = worst.max(estimate);
    }
    println!("highest estimate: {worst} of {PER_CALL_LIMIT}");
}

/// A Deployment with 100 containers of each kind, each adding and dropping 50 capabilities
/// and mapping 100 ports, with 100 volumes and 100 sysctls.
fn huge_deployment() -> serde_json::Value {
    let capabilities: Vec<String> = (0..50).map(|i| format!("CAP_{i}")).collect();
    let container = |kind: &str, i: usize| {
        json!({
            "name": format!("{kind}-{i}"),
            "image": "myacr.azurecr.io/app:1.0",
            "ports": (0..100).map(|p| json!({"containerPort": 8000 + p})).collect::<Vec<_>>(),
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "runAsNonRoot": true,
                "capabilities": {"add": capabilities, "drop": capabilities},
            },
        })
    };
    let containers = |kind: &str| (0..100).map(|i| container(kind, i)).collect::<Vec<_>>();
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "huge", "namespace": "shop"},
        "spec": {"template": {
            "metadata": {"annotations": (0..100).map(|i| (format!("a{i}"), json!("v"))).collect::<serde_json::Map<_, _>>()},
            "spec": {
                "initContainers": containers("init"),
                "containers": containers("app"),
                "ephemeralContainers": containers("debug"),
                "volumes": (0..100).map(|i| json!({"name": format!("v{i}"), "emptyDir": {}})).collect::<Vec<_>>(),
                "securityContext": {
                    "sysctls": (0..100).map(|_| json!({"name": "net.ipv4.tcp_syncookies", "value": "1"})).collect::<Vec<_>>(),
                },
            },
        }},
    })
}

#[test]
fn every_expression_judges_a_huge_object_without_error() {
    let object = huge_deployment();
    for translation in translations() {
        let rule = find_rule(translation.id).unwrap();
        let compiled = support::compile(&expression(rule, &translation));
        let started = std::time::Instant::now();
        let verdict = support::admits(&compiled, &object);
        let took = started.elapsed();
        println!("{}: {verdict:?} in {took:?}", rule.id);
        assert!(verdict.is_ok(), "{}: {verdict:?}", rule.id);
        assert!(
            took < std::time::Duration::from_secs(5),
            "{}: took {took:?}",
            rule.id
        );
    }
}
