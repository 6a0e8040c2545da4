//! A finding's fix as text, the same in every human report: the table's one fix line, the
//! markdown fix cell, the HTML fix paragraph. The message states the problem; these state
//! the change, once.

use std::borrow::Cow;

use aksguard_model::{Finding, IacChange};

/// An IaC change as the language writes it: `run_command_enabled = false` in Terraform,
/// `properties.x: true` in ARM and Bicep; with the variable to change when the value comes
/// from one.
pub fn iac(change: &IacChange) -> String {
    let setting = match change.language {
        "terraform" => format!("{} = {}", change.attribute, change.value),
        _ => format!("{}: {}", change.attribute, change.value),
    };
    match &change.variable {
        Some(variable) => format!("{setting} (through variable `{variable}`)"),
        None => setting,
    }
}

/// `Terraform`, `ARM`, `Bicep`.
pub fn language(change: &IacChange) -> &'static str {
    match change.language {
        "terraform" => "Terraform",
        "bicep" => "Bicep",
        _ => "ARM",
    }
}

/// The one fix line of a finding: the fix's summary and, spelled for its source, the IaC
/// change to make (code sources) or else the `az` commands to run; the rule's remediation
/// when the fix has neither (it says more than its first sentence).
pub fn line(finding: &Finding) -> Cow<'static, str> {
    let Some(fix) = &finding.fix else {
        return Cow::Borrowed(finding.rule.remediation);
    };
    if let Some(first) = fix.iac.first() {
        let settings: Vec<String> = fix.iac.iter().map(|c| format!("`{}`", iac(c))).collect();
        return Cow::Owned(format!(
            "{} In {}: set {}.",
            fix.summary,
            language(first),
            settings.join(", ")
        ));
    }
    if !fix.commands.is_empty() {
        let commands: Vec<String> = fix.commands.iter().map(|c| format!("`{c}`")).collect();
        return Cow::Owned(format!("{} Run {}.", fix.summary, commands.join(", then ")));
    }
    Cow::Borrowed(finding.rule.remediation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraform_and_arm_are_spelled_their_own_way() {
        let mut change = IacChange {
            language: "terraform",
            attribute: "run_command_enabled".into(),
            value: "false".into(),
            variable: None,
        };
        assert_eq!(iac(&change), "run_command_enabled = false");
        change.variable = Some("run_command".into());
        assert_eq!(
            iac(&change),
            "run_command_enabled = false (through variable `run_command`)"
        );
        let arm = IacChange {
            language: "arm",
            attribute: "properties.apiServerAccessProfile.disableRunCommand".into(),
            value: "true".into(),
            variable: None,
        };
        assert_eq!(
            iac(&arm),
            "properties.apiServerAccessProfile.disableRunCommand: true"
        );
        assert_eq!(language(&arm), "ARM");
    }
}
