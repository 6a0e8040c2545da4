//! The one CEL entry point for "compile these variables and validations, then evaluate them
//! against this object with these params": ValidatingAdmissionPolicies use it through
//! [`super::VapSet`], Gatekeeper templates' `K8sNativeValidation` code calls it directly.

use serde_json::Value as Json;

use super::cel::{self, CelExpr, Declarations, Evaluation};

/// A validation as written (before compiling).
#[derive(Clone, Debug, Default)]
pub struct ValidationSource {
    pub expression: String,
    pub message: Option<String>,
    pub message_expression: Option<String>,
}

/// A compile error: which part (`variables[1]`, `validations[0].messageExpression`) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ProgramError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

struct CompiledValidation {
    expression: CelExpr,
    message: Option<String>,
    message_expression: Option<CelExpr>,
}

/// Compiled match conditions, variables and validations.
pub struct CelProgram {
    match_conditions: Vec<(String, CelExpr)>,
    variables: Vec<(String, CelExpr)>,
    validations: Vec<CompiledValidation>,
}

/// One validation's result that is not a pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The expression was false: the message (from `messageExpression`, `message`, or
    /// `failed expression: …`).
    Violated { index: usize, message: String },
    /// The expression (or a variable it reads) failed; the caller applies its failure
    /// policy.
    Error { index: usize, message: String },
    /// A match condition failed (and none was false): the caller applies its failure policy.
    MatchConditionError { name: String, message: String },
}

impl CelProgram {
    /// Compiles `variables` (in order, each reading only earlier ones) and `validations`.
    /// `roots` are the names bound at evaluation (`object`, `params`, …, and `variables`);
    /// `preset_variables` are entries of `variables` the caller binds itself (Gatekeeper's
    /// `variables.params`).
    pub fn compile(
        roots: &[&str],
        preset_variables: &[&str],
        variables: &[(String, String)],
        validations: &[ValidationSource],
    ) -> Result<CelProgram, ProgramError> {
        let mut names: Vec<String> = Vec::new();
        let mut compiled_variables = Vec::new();
        for (i, (name, source)) in variables.iter().enumerate() {
            let expression = cel::compile(
                source,
                Declarations {
                    roots,
                    presets: preset_variables,
                    variables: &names,
                },
            )
            .map_err(|message| ProgramError {
                field: format!("variables[{i}] ({name})"),
                message,
            })?;
            names.push(name.clone());
            compiled_variables.push((name.clone(), expression));
        }
        let all = Declarations {
            roots,
            presets: preset_variables,
            variables: &names,
        };
        let mut compiled = Vec::new();
        for (i, v) in validations.iter().enumerate() {
            let expression = cel::compile(&v.expression, all).map_err(|message| ProgramError {
                field: format!("validations[{i}].expression"),
                message,
            })?;
            let message_expression = match &v.message_expression {
                None => None,
                Some(source) => {
                    Some(cel::compile(source, all).map_err(|message| ProgramError {
                        field: format!("validations[{i}].messageExpression"),
                        message,
                    })?)
                }
            };
            compiled.push(CompiledValidation {
                expression,
                message: v.message.clone(),
                message_expression,
            });
        }
        Ok(CelProgram {
            match_conditions: Vec::new(),
            variables: compiled_variables,
            validations: compiled,
        })
    }

    /// Compiles a Gatekeeper `K8sNativeValidation` `source` (`variables`, `validations`,
    /// `matchConditions`, as in a ValidatingAdmissionPolicy's spec).
    pub fn compile_source(
        roots: &[&str],
        preset_variables: &[&str],
        source: &Json,
    ) -> Result<CelProgram, ProgramError> {
        let field_error = |field: String, message: &str| ProgramError {
            field,
            message: message.to_owned(),
        };
        let list = |name: &str| -> Result<Vec<Json>, ProgramError> {
            match source.get(name) {
                None | Some(Json::Null) => Ok(Vec::new()),
                Some(Json::Array(items)) => Ok(items.clone()),
                Some(_) => Err(field_error(name.to_owned(), "expected a list")),
            }
        };
        let text = |item: &Json, field: &str, at: String| -> Result<Option<String>, ProgramError> {
            match item.get(field) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(field_error(format!("{at}.{field}"), "expected a string")),
            }
        };
        let required = |item: &Json, field: &str, at: String| -> Result<String, ProgramError> {
            text(item, field, at.clone())?
                .ok_or_else(|| field_error(format!("{at}.{field}"), "is required"))
        };
        let mut variables = Vec::new();
        for (i, v) in list("variables")?.iter().enumerate() {
            variables.push((
                required(v, "name", format!("variables[{i}]"))?,
                required(v, "expression", format!("variables[{i}]"))?,
            ));
        }
        let mut validations = Vec::new();
        for (i, v) in list("validations")?.iter().enumerate() {
            let at = format!("validations[{i}]");
            validations.push(ValidationSource {
                expression: required(v, "expression", at.clone())?,
                message: text(v, "message", at.clone())?,
                message_expression: text(v, "messageExpression", at)?,
            });
        }
        if validations.is_empty() {
            return Err(field_error(
                "validations".to_owned(),
                "must list at least one validation",
            ));
        }
        let mut program = CelProgram::compile(roots, preset_variables, &variables, &validations)?;
        let condition_roots: Vec<&str> = roots
            .iter()
            .copied()
            .filter(|r| *r != "variables")
            .collect();
        for (i, c) in list("matchConditions")?.iter().enumerate() {
            let at = format!("matchConditions[{i}]");
            let name = required(c, "name", at.clone())?;
            let expression = cel::compile(
                &required(c, "expression", at.clone())?,
                Declarations {
                    roots: &condition_roots,
                    presets: &[],
                    variables: &[],
                },
            )
            .map_err(|message| ProgramError {
                field: format!("{at}.expression"),
                message,
            })?;
            program.match_conditions.push((name, expression));
        }
        Ok(program)
    }

    /// Evaluates every validation against `roots` (JSON values by name) with
    /// `preset_variables` bound in `variables`; returns the ones that did not pass.
    pub fn evaluate(
        &self,
        roots: &[(&str, &Json)],
        preset_variables: &[(&str, &Json)],
    ) -> Vec<Failure> {
        let evaluation = self.evaluation(roots, preset_variables);
        let mut condition_error = None;
        for (name, condition) in &self.match_conditions {
            match evaluation.evaluate_bool(condition) {
                Ok(true) => {}
                Ok(false) => return Vec::new(),
                Err(e) => {
                    condition_error.get_or_insert(Failure::MatchConditionError {
                        name: name.clone(),
                        message: e.message,
                    });
                }
            }
        }
        if let Some(error) = condition_error {
            return vec![error];
        }
        let mut failures = Vec::new();
        for (index, v) in self.validations.iter().enumerate() {
            match evaluation.evaluate_bool(&v.expression) {
                Ok(true) => {}
                Ok(false) => {
                    let message = v
                        .message_expression
                        .as_ref()
                        .and_then(|m| evaluation.evaluate_string(m).ok().flatten())
                        .map(|m| m.trim().to_owned())
                        .filter(|m| !m.is_empty() && !m.contains('\n'))
                        .or_else(|| v.message.clone())
                        .unwrap_or_else(|| {
                            format!("failed expression: {}", v.expression.source().trim())
                        });
                    failures.push(Failure::Violated { index, message });
                }
                Err(e) => failures.push(Failure::Error {
                    index,
                    message: format!(
                        "expression '{}' resulted in error: {e}",
                        v.expression.source().trim()
                    ),
                }),
            }
        }
        failures
    }

    fn evaluation<'s>(
        &'s self,
        roots: &[(&str, &Json)],
        preset_variables: &[(&str, &Json)],
    ) -> Evaluation<'s> {
        let mut evaluation = Evaluation::new(roots, &self.variables);
        for (name, value) in preset_variables {
            evaluation.preset_variable(name, value);
        }
        evaluation
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Gatekeeper's `K8sNativeValidation` shape: `variables.params` preset by the caller,
    /// the template's own variables reading it.
    #[test]
    fn compiles_once_and_evaluates_with_preset_variables() {
        let roots = [
            "object",
            "oldObject",
            "request",
            "params",
            "namespaceObject",
            "variables",
        ];
        let program = CelProgram::compile(
            &roots,
            &["params"],
            &[("labels".to_owned(), "has(variables.params.labels) ? variables.params.labels : []".to_owned())],
            &[ValidationSource {
                expression: "variables.labels.all(l, l in object.metadata.labels)".to_owned(),
                message: None,
                message_expression: Some("'missing labels: ' + variables.labels.filter(l, !(l in object.metadata.labels)).join(', ')".to_owned()),
            }],
        )
        .unwrap();
        let object = json!({"metadata": {"labels": {"team": "a"}}});
        let params = json!({"labels": ["team", "owner"]});
        let failures = program.evaluate(&[("object", &object)], &[("params", &params)]);
        assert_eq!(
            failures,
            [Failure::Violated {
                index: 0,
                message: "missing labels: owner".to_owned()
            }]
        );
        let satisfied = json!({"labels": ["team"]});
        assert!(
            program
                .evaluate(&[("object", &object)], &[("params", &satisfied)])
                .is_empty()
        );
        let missing = program.evaluate(&[], &[("params", &params)]);
        assert!(matches!(&missing[0], Failure::Error { .. }), "{missing:?}");
        let error = CelProgram::compile(
            &roots,
            &[],
            &[],
            &[ValidationSource {
                expression: "variables.params.x".to_owned(),
                ..Default::default()
            }],
        )
        .err()
        .unwrap();
        assert_eq!(error.field, "validations[0].expression");
    }
}
