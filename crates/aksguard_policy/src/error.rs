//! A policy that cannot run: a Rego module that does not compile, CEL that does not
//! type-check, a constraint whose template is missing, a binding without its policy, an
//! evaluation that failed. Always reported with where it is, never skipped in silence.

use aksguard_model::LoadError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError {
    /// The file the policy came from, or the object under review for evaluation errors.
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
}

impl PolicyError {
    pub fn new(path: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        PolicyError {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl From<PolicyError> for LoadError {
    fn from(error: PolicyError) -> LoadError {
        LoadError::new(error.path, error.line, error.message)
    }
}
