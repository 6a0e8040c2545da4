use aksguard_report::rule_doc;
use aksguard_rules::all_rules;

use crate::cli::{DocFormat, RulesArgs};
use crate::commands::EXIT_CLEAN;

pub fn run(args: &RulesArgs) -> u8 {
    let rules = all_rules();
    let text = match args.format {
        DocFormat::Text => rule_doc::catalogue_table(rules),
        DocFormat::Markdown => rule_doc::catalogue_markdown(rules),
        DocFormat::Json => {
            let list: Vec<_> = rules.iter().map(|r| rule_doc::to_json(r)).collect();
            serde_json::to_string_pretty(&list).expect("serialises") + "\n"
        }
    };
    print!("{text}");
    EXIT_CLEAN
}
