//! The seam for rules that are not compiled into aksguard (users' Gatekeeper templates and
//! ValidatingAdmissionPolicies, `aksguard_policy`). Their engines (regorus, CEL) are heavy, so
//! the pipeline knows them only through this trait; the CLI and the webhook plug one in.

use aksguard_model::{Finding, Inventory, LoadError, Object};

/// Extra per-object rules run by the pipeline beside the built-in ones. Their findings go
/// through the same severity overrides, minimum severity, annotations, exceptions and
/// baselines as the built-in rules' (their rule IDs are interned, see
/// `aksguard_model::dynamic_rule`).
pub trait ExtraRules: Send + Sync {
    /// Findings on `object` that need nothing else, called on any thread while the object
    /// still has its bulk (before `Object::shed_bulk`). An implementation that needs the
    /// whole scan to judge an object (namespace selectors, referential policies) keeps what
    /// it needs here and judges it in [`ExtraRules::finish`].
    fn on_object(&self, object: &Object) -> Vec<Finding>;

    /// The rest, once every object is in `inventory` (whose objects may have shed their
    /// bulk), with the errors met while judging (an evaluation that failed names the policy
    /// and the object: never a silent pass).
    fn finish(&self, inventory: &Inventory) -> (Vec<Finding>, Vec<LoadError>);
}

/// The admission request the webhook judges an object for, as users' policies read it
/// (Gatekeeper's `input.review`, a VAP's `request` and `oldObject`). A file scan has none:
/// its policies see a `CREATE` of the object without a requester.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AdmissionRequest {
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: String,
    /// The request's `name` (empty when the server generates it), when given.
    pub name: Option<String>,
    /// The request's `namespace`, when given.
    pub namespace: Option<String>,
    /// `userInfo` as the API server sent it (`username`, `uid`, `groups`, `extra`).
    pub user_info: serde_json::Value,
    /// The object before the change (UPDATE), when the request carries it.
    pub old_object: Option<serde_json::Value>,
    pub dry_run: bool,
}

/// Makes the extra rules of one scan: a server (the webhook) judges many scans with one
/// loaded policy set, and each scan's [`ExtraRules`] keeps that scan's state and sees the
/// admission request it judges (`None`: judged like a scanned file).
pub type ExtraRulesFactory = std::sync::Arc<
    dyn Fn(Option<&AdmissionRequest>) -> std::sync::Arc<dyn ExtraRules> + Send + Sync,
>;
