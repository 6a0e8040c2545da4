//! Running the `aksguard` binary against the local Resource Manager of `aksguard_arm::fake`,
//! shared by the `--azure` test files.

// Each test binary that includes this module uses a part of it.
#![allow(dead_code)]

use aksguard_arm::fake::FakeArm;
use assert_cmd::Command;
use serde_json::Value;

/// The binary with only the credential and endpoint given here in its environment: every
/// variable a credential could come from is removed, so a developer's own login never leaks
/// into a test.
pub fn aksguard(arm: Option<&FakeArm>, token: &str) -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.env("NO_COLOR", "1").env("AKSGUARD_AS_OF", "2026-12-01");
    for var in [
        "AKSGUARD_ARM_TOKEN",
        "AKSGUARD_ARM_ENDPOINT",
        "AKSGUARD_ARM_MANAGED_IDENTITY",
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "MSI_ENDPOINT",
    ] {
        cmd.env_remove(var);
    }
    if let Some(arm) = arm {
        cmd.env("AKSGUARD_ARM_ENDPOINT", arm.endpoint())
            .env("AKSGUARD_ARM_TOKEN", token);
    }
    cmd
}

pub struct Scan {
    pub code: Option<i32>,
    pub report: Value,
    pub stdout: String,
    pub stderr: String,
}

/// `scan --no-config --format json ARGS…`, bounded at two minutes.
pub fn scan(mut cmd: Command, args: &[&str]) -> Scan {
    let output = cmd
        .args(["scan", "--no-config", "--format", "json"])
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    Scan {
        code: output.status.code(),
        report: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
