//! How the catalogue's findings are fixed, counted from the rule definitions (issue 15's
//! coverage target): rules whose fix `aksguard fix` may apply (safety `safe` or `review`),
//! rules whose findings carry `az` commands, rules with IaC changes. Every AKS/ACR rule has
//! an `az` command or an IaC change; `tests/fixtures.rs` checks the same of every finding.

use aksguard_model::FixSafety;
use aksguard_rules::{Family, all_rules};

#[test]
fn every_rule_has_a_fix_summary_and_every_azure_rule_a_command_or_iac_change() {
    let rules = all_rules();
    let count = |keep: &dyn Fn(&&&aksguard_rules::Rule) -> bool| rules.iter().filter(keep).count();
    let safe = count(&|r| r.fix.safety == FixSafety::Safe);
    let review = count(&|r| r.fix.safety == FixSafety::Review);
    let manual = count(&|r| r.fix.safety == FixSafety::Manual);
    let commands = count(&|r| !r.fix.commands.is_empty());
    let iac = count(&|r| !r.fix.iac.is_empty());
    let azure: Vec<_> = rules
        .iter()
        .filter(|r| matches!(r.family, Family::Cluster | Family::Registry))
        .collect();
    println!(
        "{} rules: {safe} safe + {review} review (automatic candidates), {manual} manual; \
         {commands} with az commands, {iac} with IaC changes; {} AKS/ACR rules",
        rules.len(),
        azure.len()
    );
    assert_eq!(safe + review + manual, rules.len());
    let missing: Vec<&str> = azure
        .iter()
        .filter(|r| r.fix.commands.is_empty() && r.fix.iac.is_empty())
        .map(|r| r.id)
        .collect();
    assert!(
        missing.is_empty(),
        "AKS/ACR rules without a command or IaC change: {missing:?}"
    );
    assert_eq!(azure.len(), 54, "48 AKS and 6 ACR rules");
    // Commands and IaC are cluster settings: no workload rule has them.
    assert_eq!(
        commands,
        azure.iter().filter(|r| !r.fix.commands.is_empty()).count()
    );
    for rule in rules {
        let summary = rule.fix_summary();
        if std::env::var_os("AKSGUARD_PRINT_FIX_SUMMARIES").is_some() {
            println!("{} [{}] {summary}", rule.id, rule.fix.kind());
        }
        if std::env::var_os("AKSGUARD_PRINT_FIX_SUMMARIES").is_some() {
            continue;
        }
        assert!(
            summary.ends_with('.') && summary.len() <= 200 && !summary.contains("  "),
            "{}: fix summary is not one short sentence: {summary:?}",
            rule.id
        );
        for template in rule.fix.commands {
            assert!(template.starts_with("az "), "{}: {template}", rule.id);
        }
    }
}
