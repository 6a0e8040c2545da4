//! Evaluates an exported expression the way the API server does for a native object, with
//! kube-cel's function library (through its `cel` re-export).
//!
//! Why not `kube_cel::VapEvaluator`: without a schema it converts the object with every map
//! key escaped (`kubernetes.io/os` becomes `kubernetes__dot__io__slash__os`), so
//! `'kubernetes.io/os' in spec.nodeSelector` and annotation look-ups never match. The API
//! server escapes only declared property names and leaves map keys (labels, annotations,
//! nodeSelector) as they are; the expressions select no property whose name needs escaping,
//! so binding the object unescaped is what the API server evaluates.

#![allow(dead_code)]

use aksguard_policy::vap::cel::to_cel;
use kube_cel::KubeCelExt;
use kube_cel::cel::{Context, Program, Value};

/// A compiled expression.
pub struct Compiled(Program);

pub fn compile(expression: &str) -> Compiled {
    Compiled(Program::compile(expression).unwrap_or_else(|e| panic!("{expression}: {e}")))
}

/// `Ok(true)` when the object is admitted, `Ok(false)` when the expression is false,
/// `Err` with the evaluation error (which `failurePolicy: Fail` turns into a denial).
pub fn admits(compiled: &Compiled, object: &serde_json::Value) -> Result<bool, String> {
    evaluate(compiled, object, None, "CREATE")
}

/// Evaluates with `object`, `oldObject` (null when `None`) and `request.operation` bound.
pub fn evaluate(
    compiled: &Compiled,
    object: &serde_json::Value,
    old_object: Option<&serde_json::Value>,
    operation: &str,
) -> Result<bool, String> {
    let mut ctx = Context::default().with_all();
    ctx.add_variable_from_value("object", to_cel(object));
    ctx.add_variable_from_value("oldObject", old_object.map_or(Value::Null, to_cel));
    ctx.add_variable_from_value(
        "request",
        to_cel(&serde_json::json!({"operation": operation})),
    );
    match compiled.0.execute(&ctx) {
        Ok(Value::Bool(allowed)) => Ok(allowed),
        Ok(other) => Err(format!("non-boolean result {other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

/// The object as the policy receives it, or why the API server rejects it first.
///
/// The API server decodes a request into its typed form and validates it before validating
/// admission runs: an object with a wrong-typed field (a map where a capability name
/// belongs, a quoted port number) never reaches a policy. Decoding into k8s-openapi's types
/// and encoding back reproduces that step: wrong types fail, unknown fields are dropped.
/// Fixtures may use older API versions; `matchPolicy: Equivalent` sends the policy the
/// object converted to the version it matches, so the version is set to that one first.
pub fn admitted_form(object: &serde_json::Value) -> Result<serde_json::Value, String> {
    use k8s_openapi::api::{apps, batch, core};
    fn round_trip<T>(
        mut object: serde_json::Value,
        api_version: &str,
    ) -> Result<serde_json::Value, String>
    where
        T: serde::de::DeserializeOwned + serde::Serialize,
    {
        object["apiVersion"] = serde_json::Value::String(api_version.to_owned());
        let typed: T = serde_json::from_value(object).map_err(|e| e.to_string())?;
        serde_json::to_value(&typed).map_err(|e| e.to_string())
    }
    let object = object.clone();
    match object["kind"].as_str().unwrap_or_default() {
        "Pod" => round_trip::<core::v1::Pod>(object, "v1"),
        "ReplicationController" => round_trip::<core::v1::ReplicationController>(object, "v1"),
        "Deployment" => round_trip::<apps::v1::Deployment>(object, "apps/v1"),
        "ReplicaSet" => round_trip::<apps::v1::ReplicaSet>(object, "apps/v1"),
        "StatefulSet" => round_trip::<apps::v1::StatefulSet>(object, "apps/v1"),
        "DaemonSet" => round_trip::<apps::v1::DaemonSet>(object, "apps/v1"),
        "Job" => round_trip::<batch::v1::Job>(object, "batch/v1"),
        "CronJob" => round_trip::<batch::v1::CronJob>(object, "batch/v1"),
        "Service" => round_trip::<core::v1::Service>(object, "v1"),
        other => Err(format!("kind {other} is not matched")),
    }
}
