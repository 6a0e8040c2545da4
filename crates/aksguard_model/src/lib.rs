//! aksguard's data model. Loaders build it, rules read it, reports render what rules found.
//! Nothing here knows which file format an object came from.

pub mod azure;
pub mod compliance;
pub mod dynamic_rule;
pub mod explain_source;
pub mod finding;
pub mod fix;
pub mod inventory;
pub mod netpol;
pub mod node;
pub mod object;
pub mod pod_spec;
pub mod rbac;
pub mod resource_scope;
pub mod selector;
pub mod service;
pub mod service_account;
#[cfg(test)]
mod test_support;
pub mod vulns;
pub mod who_can;

pub use compliance::{
    ControlException, ControlResult, ControlStatus, FrameworkResult, RuleCoverage,
};
pub use dynamic_rule::{
    DynamicRule, find_dynamic_rule, intern_dynamic_rule, intern_rule_id, intern_text,
};
pub use finding::{
    Finding, Fingerprint, LoadError, Location, ObjectRef, RuleText, Severity, Suppressed,
    Suppression, SuppressionKind, fingerprint,
};
pub use fix::{FieldPath, Fix, FixSafety, IacChange, PatchOp, PathSegment, TextEdit};
pub use inventory::{Duplicate, Inventory, UNSPECIFIED_NAMESPACE};
pub use node::{CompactString, Entry, LineIndex, Node, Pos, Value};
pub use object::{Object, Source};
pub use pod_spec::{ContainerKind, ContainerView, PodSpecView};
pub use rbac::{Binding, Grant, PolicyRule, RbacGraph, Role, RoleKind, Subject};
pub use selector::LabelSelector;
pub use service_account::{DEFAULT_SERVICE_ACCOUNT, PodServiceAccount};
