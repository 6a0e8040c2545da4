//! Which ServiceAccount a pod runs as, and where that account is in the inventory.

use crate::inventory::{Inventory, UNSPECIFIED_NAMESPACE};
use crate::node::{Node, Pos};
use crate::object::Object;
use crate::pod_spec::PodSpecView;

/// The name of the ServiceAccount Kubernetes creates in every namespace.
pub const DEFAULT_SERVICE_ACCOUNT: &str = "default";

/// The ServiceAccount a pod template runs as.
#[derive(Clone, Copy, Debug)]
pub struct PodServiceAccount<'a> {
    /// The account's name; `default` when the pod names none.
    pub name: &'a str,
    /// The pod-spec field that names it (`serviceAccountName`, else the deprecated
    /// `serviceAccount`) and its node; `None` when the pod names no account.
    pub field: Option<(&'static str, &'a Node)>,
    /// The namespace key the account lives under: the workload's `metadata.namespace`, or
    /// [`UNSPECIFIED_NAMESPACE`] (an unspecified namespace is the same for both).
    pub namespace: &'a str,
}

impl<'a> PodServiceAccount<'a> {
    /// Reads a pod template the way the API server does: a non-empty `serviceAccountName`,
    /// else a non-empty deprecated `serviceAccount`, else `default`. Non-string values count
    /// as absent.
    pub fn of(pod: &PodSpecView<'a>) -> Self {
        let field = ["serviceAccountName", "serviceAccount"]
            .into_iter()
            .find_map(|key| {
                let node = pod.get(key)?;
                node.as_str().filter(|name| !name.is_empty())?;
                Some((key, node))
            });
        PodServiceAccount {
            name: field
                .and_then(|(_, node)| node.as_str())
                .unwrap_or(DEFAULT_SERVICE_ACCOUNT),
            field,
            namespace: pod
                .object
                .namespace
                .as_deref()
                .unwrap_or(UNSPECIFIED_NAMESPACE),
        }
    }

    /// True when the pod runs as its namespace's `default` account (named or implied).
    pub fn is_default(&self) -> bool {
        self.name == DEFAULT_SERVICE_ACCOUNT
    }

    /// Where to report about the account: the naming field, else the pod spec.
    pub fn pos(&self, pod: &PodSpecView<'_>) -> Pos {
        self.field.map_or(pod.spec.pos, |(_, node)| node.pos)
    }

    /// `namespace/name` for messages (`(unspecified)/name` without a namespace).
    pub fn display(&self) -> String {
        let namespace = if self.namespace == UNSPECIFIED_NAMESPACE {
            "(unspecified)"
        } else {
            self.namespace
        };
        format!("{namespace}/{}", self.name)
    }
}

impl Inventory {
    /// The ServiceAccount object a pod template runs as, when it is in the scan (same
    /// namespace key as the workload).
    pub fn pod_service_account(&self, pod: &PodSpecView<'_>) -> Option<&Object> {
        let account = PodServiceAccount::of(pod);
        self.service_account(account.namespace, account.name)
    }
}
