//! Azure Verified Modules (AVM) for AKS, judged from their inputs.
//!
//! Teams call the AVM managed-cluster module from Bicep
//! (`br/public:avm/res/container-service/managed-cluster:<version>`) and from Terraform
//! (`Azure/avm-res-containerservice-managedcluster/azurerm`, `version = "…"`). The module's
//! source is not in the scan, so each call is translated here, from the module's documented
//! inputs, into the `Microsoft.ContainerService/managedClusters` resource the module would
//! deploy: [`bicep`] returns an ARM template resource (the ARM evaluator resolves what the
//! caller wrote), [`terraform`] a REST-shaped body (as an `azapi_resource` would carry).
//!
//! Rules of the translation, decided here:
//! - Every value keeps the position of the input it came from (the caller's line). A default
//!   the module itself sets (where it differs from, or pins, the API default) is a Known value
//!   positioned at the module call.
//! - One table per module "era": the modules are 0.x, where a minor (or even a patch) version
//!   may rename inputs, so each table names the versions it was checked against and the
//!   version where an input or default changed. A version newer than the newest table uses
//!   that table with a note; a version older than the oldest, or unparsable, makes every
//!   setting Unknown with a note (rules never fire on Unknown).
//! - Inputs the tables do not map are listed in the notes (they may set something the rules
//!   would read, but nothing is guessed). Secrets (`serverAppSecret`, a service principal's
//!   `secret`, Windows passwords) are never copied.

pub(crate) mod bicep;
pub(crate) mod terraform;

#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::fmt;

/// The Bicep registry path of the AVM managed-cluster module (without the `br/public:` or
/// `br:mcr.microsoft.com/bicep/` prefix and the `:<version>` tag).
pub(crate) const BICEP_MODULE_PATH: &str = "avm/res/container-service/managed-cluster";

/// The Terraform registry address of the AVM managed-cluster module.
pub(crate) const TERRAFORM_MODULE_SOURCE: &str =
    "Azure/avm-res-containerservice-managedcluster/azurerm";

/// The version tag of a Bicep module reference when it names the AVM managed-cluster module:
/// `br/public:avm/res/container-service/managed-cluster:0.9.0` (public alias) or
/// `br:mcr.microsoft.com/bicep/avm/res/container-service/managed-cluster:0.9.0`.
pub(crate) fn bicep_module_version(reference: &str) -> Option<&str> {
    let rest = reference
        .strip_prefix("br/public:")
        .or_else(|| reference.strip_prefix("br:mcr.microsoft.com/bicep/"))?;
    let (path, version) = rest.rsplit_once(':')?;
    path.eq_ignore_ascii_case(BICEP_MODULE_PATH)
        .then_some(version)
}

/// True when a Terraform module `source` is the AVM managed-cluster module (with or without
/// the `registry.terraform.io/` host; names are case-insensitive in the registry).
pub(crate) fn is_terraform_module(source: &str) -> bool {
    let source = source.trim();
    let source = source
        .strip_prefix("registry.terraform.io/")
        .unwrap_or(source);
    source.eq_ignore_ascii_case(TERRAFORM_MODULE_SOURCE)
}

/// A module version `major.minor.patch` (pre-release suffixes are ignored: they sort with
/// their release, which is close enough for choosing a table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub(crate) const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// `0.9.0`, `v0.9.0`, `0.9` (patch 0), `0.9.0-preview`.
    pub(crate) fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let core = text.split(['-', '+']).next()?;
        let mut parts = core.split('.');
        let number = |part: Option<&str>| -> Option<u32> {
            let part = part?;
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse().ok())
                .flatten()
        };
        let major = number(parts.next())?;
        let minor = number(parts.next())?;
        let patch = match parts.next() {
            Some(p) => number(Some(p))?,
            None => 0,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(Version::new(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Which table serves a version: `Some((version, note))`, where the note says when a newer
/// version fell back to the newest table; `None` when no table fits.
pub(crate) fn choose(
    version: Version,
    oldest: Version,
    newest_checked: Version,
    module: &str,
) -> Result<Option<String>, String> {
    match (version.cmp(&oldest), version.cmp(&newest_checked)) {
        (Ordering::Less, _) => Err(format!(
            "{module} {version} is older than the oldest mapped version {oldest}"
        )),
        (_, Ordering::Greater) if version.major != newest_checked.major => Err(format!(
            "{module} {version} is a new major version; the newest mapped is {newest_checked}"
        )),
        (_, Ordering::Greater) => Ok(Some(format!(
            "{module} {version} is newer than the newest checked version {newest_checked}: \
             read with the table of {newest_checked}"
        ))),
        _ => Ok(None),
    }
}
