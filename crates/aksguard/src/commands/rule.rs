use aksguard_report::rule_doc;
use aksguard_rules::find_rule;

use crate::cli::{DocFormat, RuleArgs};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

pub fn run(args: &RuleArgs) -> u8 {
    let Some(rule) = find_rule(&args.id) else {
        eprintln!("error: no rule `{}` (see `aksguard rules`)", args.id);
        return EXIT_ERROR;
    };
    let text = match args.format {
        DocFormat::Text => rule_doc::text(rule),
        DocFormat::Markdown => rule_doc::markdown(rule),
        DocFormat::Json => {
            serde_json::to_string_pretty(&rule_doc::to_json(rule)).expect("serialises") + "\n"
        }
    };
    print!("{text}");
    EXIT_CLEAN
}
