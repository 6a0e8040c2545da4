//! The rule catalogue. Each rule is one file declaring its metadata and check once; the
//! registry, `aksguard rules`, `aksguard rule ID`, docs and SARIF metadata all read it.
//! Rules see only the model, never loaders or reports.

pub mod azure_fix;
pub mod checker;
pub mod clock;
pub mod controls;
mod guides;
pub mod meta;
pub mod needs;
pub mod peer;
pub mod registry;
pub mod settings;

mod acr;
mod cluster;
mod identity;
mod image;
mod namespace;
mod network;
mod patch;
mod pod;
mod rbac;
mod reliability;
mod secret;
#[cfg(test)]
mod test_azure;

pub use checker::{Checker, ReportedOn, Violation, object_ref};
pub use meta::{Check, Family, IacSetting, Reference, Rule, RuleFix};
pub use namespace::SYSTEM_NAMESPACES;
pub use needs::{Needs, Target};
pub use peer::{Equivalence, PeerCheck, PeerTool};
pub use registry::{all_rules, find_rule};
pub use settings::{AzureRuleSettings, RuleSettings};

/// Image vulnerability reports matched to containers (IMG005, `scan --vulns`).
pub mod vulns {
    pub use crate::image::fixable_vulnerabilities::raised as raised_severity;
    pub use crate::image::vulns::{ImageMatch, IndexedImage, VulnIndex};
    /// IMG005's ID, for the pipeline's exposure raise and coverage.
    pub const RULE_ID: &str = "IMG005";
}

/// The value sets the Pod Security rules compare against (capabilities, volume types,
/// sysctls, SELinux types), for translations of the rules that must not drift from them.
pub mod pod_value_sets {
    pub use crate::pod::{
        BASELINE_CAPABILITIES, RESTRICTED_VOLUME_TYPES, SAFE_SYSCTLS, SELINUX_TYPES,
    };
}
