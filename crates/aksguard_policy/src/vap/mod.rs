//! ValidatingAdmissionPolicies, their bindings and params, and the CEL evaluator that
//! Gatekeeper templates' `K8sNativeValidation` code also runs through.
//!
//! OWNED BY i17-cel: this file is the seam only (what `PolicySet::build` and the Gatekeeper
//! module call); i17-cel replaces the bodies.

use crate::classify::PolicyDocuments;
use crate::error::PolicyError;
use crate::evaluate::PolicyEvaluator;
use crate::gatekeeper::TemplateCel;

/// Compiles the VAPs and bindings of `documents` (params are among `documents.others`).
pub fn build(documents: &PolicyDocuments) -> (Vec<Box<dyn PolicyEvaluator>>, Vec<PolicyError>) {
    let errors = documents
        .vaps
        .iter()
        .chain(&documents.bindings)
        .map(|doc| {
            doc.error(
                "",
                format!(
                    "{} {}: ValidatingAdmissionPolicies are not supported by this build yet",
                    doc.object.kind,
                    doc.name()
                ),
            )
        })
        .collect();
    (Vec::new(), errors)
}

/// Compiles a Gatekeeper template's `K8sNativeValidation` source (`spec.targets[].code[]` with
/// `engine: K8sNativeValidation`: `variables`, `validations`, `matchConditions`); `template`
/// is the template document, for errors naming its file and line.
pub fn compile_template_cel(
    template: &crate::classify::PolicyDocument,
    _source: &serde_json::Value,
) -> Result<Box<dyn TemplateCel>, PolicyError> {
    Err(template.error(
        "spec.targets",
        "K8sNativeValidation (CEL) code is not supported by this build yet and the template has no Rego",
    ))
}
