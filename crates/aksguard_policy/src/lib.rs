//! Users' own admission policies, run everywhere aksguard runs (files, live clusters,
//! admission): Gatekeeper ConstraintTemplates + constraints (Rego through regorus, and
//! `K8sNativeValidation` CEL) in `gatekeeper`, ValidatingAdmissionPolicies + bindings + params
//! (CEL through kube-cel) in `vap`. Their findings are first-class (`GK.<TemplateKind>`,
//! `VAP.<policy-name>`).

pub mod vap;
