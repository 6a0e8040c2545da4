//! Users' own admission policies, run everywhere aksguard runs (files, live clusters,
//! admission): Gatekeeper ConstraintTemplates + constraints (Rego through regorus, and
//! `K8sNativeValidation` CEL) in [`gatekeeper`], ValidatingAdmissionPolicies + bindings + params
//! (CEL through kube-cel) in [`vap`]. Their findings are first-class (`GK.<TemplateKind>`,
//! `VAP.<policy-name>`, see [`rule`]).
//!
//! The flow: [`load_policies`] reads files and directories into [`PolicyDocuments`]
//! ([`classify`]), [`PolicySet::build`] compiles them into [`PolicyEvaluator`]s (errors name
//! the file and line; the other policies still run), and [`PolicyRules`] plugs the set into
//! the scan pipeline (`aksguard_scan::ExtraRules`). `aksguard policy test` runs Gatekeeper
//! suites through the same evaluators ([`suite`]).

pub mod classify;
pub mod error;
pub mod evaluate;
pub mod gatekeeper;
mod hook;
pub mod rule;
pub mod select;
pub mod suite;
pub mod vap;

pub use classify::{PolicyDocument, PolicyDocuments, load_policies, read_documents};
pub use error::PolicyError;
pub use evaluate::{
    Operation, PolicyEvaluator, PolicySet, PolicyViolation, Review, ScanContext, Verdicts,
};
pub use hook::{PolicyRules, ScanPolicies, load_for_scan};
pub use rule::{EnforcementAction, SEVERITY_ANNOTATION};
