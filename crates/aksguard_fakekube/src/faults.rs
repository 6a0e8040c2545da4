//! Injected faults: forbidden resources, expired continue tokens, throttling, stalls,
//! malformed pages and a bearer token that stops being accepted. Configured in Rust by tests
//! and from a JSON or TOML file by the binary (`--faults FILE`). Resources are named as kubectl
//! does: `pods`, `deployments.apps`.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// All faults of a server. The default injects none.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Resources whose list and get answer 403 Forbidden.
    pub forbidden: Vec<String>,
    /// Continue tokens that answer 410 Gone.
    pub expire: Vec<Expire>,
    /// Requests that answer 429 with `Retry-After`.
    pub throttle: Vec<Throttle>,
    /// Requests that answer late or never.
    pub stall: Vec<Stall>,
    /// Pages whose body is cut off mid-JSON.
    pub malformed: Vec<Malformed>,
    /// After this many accepted requests, the token is refused (401), as when it expires.
    pub unauthorized_after: Option<u32>,
}

/// The request for page `page` (2 = the first with a continue token) of `resource` answers
/// 410 Gone (`reason: Expired`): once, or every time when `always`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expire {
    pub resource: String,
    pub page: u32,
    #[serde(default)]
    pub always: bool,
}

/// The first `first` requests (of `resource`, or of anything when absent: a storm) answer 429
/// with `Retry-After: retry_after_seconds`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    #[serde(default)]
    pub resource: Option<String>,
    pub first: u32,
    #[serde(default = "one")]
    pub retry_after_seconds: u32,
}

fn one() -> u32 {
    1
}

/// Requests (of `resource`, or all when absent) answer after `delay_ms`, or never when absent.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Stall {
    #[serde(default)]
    pub resource: Option<String>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

/// Page `page` (1 = the first) of `resource` is sent cut off: invalid JSON with status 200.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Malformed {
    pub resource: String,
    pub page: u32,
}

impl Faults {
    /// Reads a faults file: TOML when it ends in `.toml`, JSON otherwise.
    pub fn from_file(path: &Path) -> Result<Faults, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if path.extension().is_some_and(|e| e == "toml") {
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
        } else {
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_read_from_toml_and_json_and_reject_unknown_keys() {
        let dir = std::env::temp_dir().join(format!("fakekube-faults-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let toml_path = dir.join("f.toml");
        std::fs::write(
            &toml_path,
            "forbidden = [\"deployments.apps\"]\n[[throttle]]\nfirst = 3\n[[expire]]\nresource = \"pods\"\npage = 2\n",
        )
        .unwrap();
        let faults = Faults::from_file(&toml_path).unwrap();
        assert_eq!(faults.forbidden, ["deployments.apps"]);
        assert_eq!(faults.throttle[0].retry_after_seconds, 1);
        assert!(!faults.expire[0].always);
        let json_path = dir.join("f.json");
        std::fs::write(&json_path, r#"{"forbiden": ["pods"]}"#).unwrap();
        let error = Faults::from_file(&json_path).unwrap_err();
        assert!(error.contains("forbiden"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
