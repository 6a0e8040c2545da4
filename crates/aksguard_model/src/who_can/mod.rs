//! "Who can VERB RESOURCE?" over the RBAC objects of an inventory, like kubectl-who-can but
//! over manifests: a [`Question`] (a parsed [`Target`] and a [`Scope`]) goes in, a typed
//! [`Answer`] (the grants, and the bindings whose role is unknown) comes out. Rendering the
//! answer is the report crate's job; nothing here prints.

mod query;
mod target;

pub use query::{Access, Answer, Question, Scope, UnknownBinding, answer};
pub use target::{Target, TargetError};
