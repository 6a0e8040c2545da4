//! The engine: which rules run (selection) and running them over a scan's objects.

pub mod coverage;
pub mod frameworks;
pub mod run;
pub mod select;
pub mod suppress;

pub use coverage::rule_coverage;
pub use frameworks::{
    Framework, ScanResults, UnknownFramework, assess, assess_all, select_framework,
};
pub use run::{Evaluation, evaluate, sort_findings};
pub use select::{SelectError, is_policy_selector, policy_rule_id, select_rules};
pub use suppress::{
    Exception, IGNORE_ANNOTATION, Pattern, apply_annotations, apply_baseline, apply_exceptions,
    apply_severity_overrides, sort_suppressed,
};
