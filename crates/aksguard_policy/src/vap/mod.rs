//! ValidatingAdmissionPolicies (CEL): policies, bindings and params read from manifests
//! ([`spec`]), the requests they select ([`matching`]), the decision for one object
//! ([`evaluate`]), the CEL evaluator itself ([`cel`], [`program`], shared with Gatekeeper's
//! `K8sNativeValidation`), and the `aksguard policy test` suites for VAPs ([`suite`]).

pub mod cel;
pub mod evaluate;
pub mod matching;
pub mod program;
pub mod spec;
pub mod suite;

pub use evaluate::{AuditNote, Cause, Decision, Outcome, Param, Request, VapSet};
pub use program::{CelProgram, Failure, ProgramError, ValidationSource};
pub use spec::{Action, Binding, FailurePolicy, Policy};
