//! The sink rules report into.

use aksguard_model::{ContainerView, Pos, Severity};

use crate::settings::RuleSettings;

/// One breach found by a rule, before the engine turns it into a [`aksguard_model::Finding`].
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    pub pos: Pos,
    pub message: String,
    pub container: Option<String>,
    /// Overrides the rule's default severity (e.g. POD009 for SYS_ADMIN).
    pub severity: Option<Severity>,
}

impl Violation {
    /// A breach of the object or pod as a whole (`container: null`).
    pub fn at(pos: Pos, message: impl Into<String>) -> Self {
        Violation {
            pos,
            message: message.into(),
            container: None,
            severity: None,
        }
    }

    /// A breach by one container.
    pub fn in_container(
        container: &ContainerView<'_>,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        Violation {
            container: Some(container.name().to_owned()),
            ..Violation::at(pos, message)
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

pub struct Checker<'a> {
    settings: &'a RuleSettings,
    violations: Vec<Violation>,
}

impl<'a> Checker<'a> {
    pub fn new(settings: &'a RuleSettings) -> Self {
        Checker {
            settings,
            violations: Vec::new(),
        }
    }

    pub fn settings(&self) -> &RuleSettings {
        self.settings
    }

    pub fn report(&mut self, violation: Violation) {
        self.violations.push(violation);
    }

    pub fn take(&mut self) -> Vec<Violation> {
        std::mem::take(&mut self.violations)
    }
}
