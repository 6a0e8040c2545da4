//! One renderer for rule documentation: `aksguard rule ID`, `aksguard rules`, and the
//! generated docs pages all come from here, from the rule's own declaration.

use std::fmt::Write;

use aksguard_rules::azure_fix::generic_command;
use aksguard_rules::{Reference, Rule, controls, peer};
use serde_json::json;

pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn text(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {} ({})", rule.id, rule.title, rule.slug);
    let _ = writeln!(
        out,
        "severity: {}   family: {}   {}",
        rule.severity,
        rule.family.title(),
        if rule.linux_only {
            "Linux pods only (Windows pods exempt)"
        } else {
            ""
        }
    );
    for (heading, body) in [
        ("What it checks", rule.checks),
        ("Why it matters", rule.rationale),
        ("Remediation", rule.remediation),
    ] {
        let _ = writeln!(out, "\n{heading}\n  {}", collapse(body));
    }
    let _ = writeln!(
        out,
        "\nFix ({})\n  {}",
        rule.fix.safety.as_str(),
        rule.fix_summary()
    );
    for command in rule.fix.commands {
        let _ = writeln!(out, "  az: {}", generic_command(command));
    }
    for (language, setting) in iac_lines(rule) {
        let _ = writeln!(out, "  {language}: {setting}");
    }
    let _ = writeln!(out, "\nReferences");
    for reference in rule.references {
        let _ = writeln!(out, "  - {}", reference_line(rule, reference));
    }
    out
}

/// The rule's IaC settings as each language writes them: `ARM/Bicep` with the property
/// path below the resource, `Terraform` with the azurerm attribute.
fn iac_lines(rule: &Rule) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    for setting in rule.fix.iac {
        if !setting.arm.is_empty() {
            lines.push((
                "ARM/Bicep",
                format!("{}: {}", setting.arm, setting.arm_value),
            ));
        }
        if !setting.terraform.is_empty() {
            lines.push((
                "Terraform",
                format!("{} = {}", setting.terraform, setting.terraform_value),
            ));
        }
    }
    lines
}

/// The `## Fix` section of a rule's docs page.
fn fix_markdown(out: &mut String, rule: &Rule) {
    let _ = writeln!(
        out,
        "## Fix\n\n{} Safety: **{}**{}.\n",
        rule.fix_summary(),
        rule.fix.safety.as_str(),
        match rule.fix.safety {
            aksguard_model::FixSafety::Manual => " (needs a human choice)",
            _ => "",
        }
    );
    if !rule.fix.commands.is_empty() {
        let _ = writeln!(
            out,
            "Findings carry the `az` command with the resource group and names filled in:\n"
        );
        let _ = writeln!(out, "```sh");
        for command in rule.fix.commands {
            let _ = writeln!(out, "{}", generic_command(command));
        }
        let _ = writeln!(out, "```\n");
    }
    let iac = iac_lines(rule);
    if !iac.is_empty() {
        let _ = writeln!(
            out,
            "In infrastructure as code (spelled for the finding's source):\n"
        );
        for (language, setting) in iac {
            let _ = writeln!(out, "- {language}: `{setting}`");
        }
        out.push('\n');
    }
}

/// A reference as the docs show it: a peer check with how it relates to the rule (same
/// meaning, narrower, broader, different unit, and what differs), anything else as written.
pub fn reference_line(rule: &Rule, reference: &Reference) -> String {
    match reference {
        Reference::Peer(check) => peer::describe(rule.id, check),
        _ => reference.to_string(),
    }
}

pub fn markdown(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}: {}\n", rule.id, rule.title);
    let _ = writeln!(
        out,
        "`{}` · severity **{}** · {}{}\n",
        rule.slug,
        rule.severity,
        rule.family.title(),
        if rule.linux_only {
            " · Linux pods only"
        } else {
            ""
        }
    );
    for (heading, body) in [
        ("What it checks", rule.checks),
        ("Why it matters", rule.rationale),
        ("Remediation", rule.remediation),
    ] {
        let _ = writeln!(out, "## {heading}\n\n{}\n", collapse(body));
    }
    fix_markdown(&mut out, rule);
    let _ = writeln!(out, "## References\n");
    for reference in rule.references {
        match reference {
            // The standard has one page; link it so the control name is one click away.
            Reference::Pss(..) => {
                let _ = writeln!(out, "- [{reference}]({})", controls::PSS_URL);
            }
            _ => {
                let _ = writeln!(out, "- {}", reference_line(rule, reference));
            }
        }
    }
    out
}

pub fn to_json(rule: &Rule) -> serde_json::Value {
    json!({
        "id": rule.id,
        "slug": rule.slug,
        "title": rule.title,
        "family": rule.family.code(),
        "severity": rule.severity,
        "linux_only": rule.linux_only,
        "checks": collapse(rule.checks),
        "rationale": collapse(rule.rationale),
        "remediation": collapse(rule.remediation),
        "references": rule.references.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "peers": peers_json(rule),
        "fix": {
            "summary": rule.fix_summary(),
            "safety": rule.fix.safety,
            "kind": rule.fix.kind(),
            "commands": rule.fix.commands.iter().map(|c| generic_command(c)).collect::<Vec<_>>(),
            "iac": rule.fix.iac.iter().map(|s| json!({
                "arm": s.arm,
                "arm_value": s.arm_value,
                "terraform": s.terraform,
                "terraform_value": s.terraform_value,
            })).collect::<Vec<_>>(),
        },
    })
}

/// The rule's peer checks with their relation, for JSON and SARIF: `tool`, `id`,
/// `equivalence` (`same`, `peer-narrower`, `peer-broader`, `different-unit`), what differs,
/// and the other rules that share the check.
pub fn peers_json(rule: &Rule) -> serde_json::Value {
    peer::peer_checks(rule.references)
        .map(|check| {
            json!({
                "tool": check.tool.name(),
                "id": check.id,
                "equivalence": check.equivalence.code(),
                "difference": collapse(check.difference),
                "together_with": peer::together_with(rule.id, check),
            })
        })
        .collect()
}

/// The `aksguard rules` table.
pub fn catalogue_table(rules: &[&Rule]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:<9} {:<8} {:<13} TITLE",
        "ID", "SEVERITY", "FAMILY", "FIX"
    );
    for rule in rules {
        let _ = writeln!(
            out,
            "{:<8} {:<9} {:<8} {:<13} {}",
            rule.id,
            rule.severity.as_str(),
            rule.family.code(),
            rule.fix.kind(),
            rule.title
        );
    }
    let _ = writeln!(
        out,
        "\n{} rules. `aksguard rule ID` explains one. FIX: `edits` when `aksguard fix` can \
         edit the source, `commands` (`az`) and `iac` for cluster settings, `manual` when it \
         needs a human choice.",
        rules.len()
    );
    out
}

/// The docs index page (a Markdown table).
pub fn catalogue_markdown(rules: &[&Rule]) -> String {
    let mut out = String::from(
        "# aksguard rules\n\nGenerated from the rule definitions by `cargo run -p xtask -- generate-docs`; do not edit.\n\n| ID | severity | fix | title |\n|---|---|---|---|\n",
    );
    for rule in rules {
        let _ = writeln!(
            out,
            "| [{}]({}.md) | {} | {} | {} |",
            rule.id,
            rule.id,
            rule.severity,
            rule.fix.kind(),
            rule.title
        );
    }
    out
}
