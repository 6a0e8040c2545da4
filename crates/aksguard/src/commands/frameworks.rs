//! `aksguard frameworks`: the compliance frameworks, their controls and the rules enforcing
//! each (derived from the rules' references by the engine).

use aksguard_engine::frameworks::frameworks;
use serde_json::json;

use crate::cli::{FrameworksArgs, FrameworksFormat};
use crate::commands::EXIT_CLEAN;

pub fn run(args: &FrameworksArgs) -> u8 {
    let text = match args.format {
        FrameworksFormat::Text => text(),
        FrameworksFormat::Json => json(),
    };
    print!("{text}");
    EXIT_CLEAN
}

fn text() -> String {
    let mut out = String::new();
    for framework in frameworks() {
        out.push_str(&format!("{}  {}\n", framework.id, framework.title));
        out.push_str(&format!("  {}\n", framework.description));
        for control in &framework.controls {
            let rules: Vec<&str> = control.rules.iter().map(|r| r.id).collect();
            out.push_str(&format!(
                "    {}: {} [{}]\n",
                control.id,
                control.title,
                rules.join(", ")
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{} frameworks. `aksguard scan --framework ID` runs one and scores it.\n",
        frameworks().len()
    ));
    out
}

fn json() -> String {
    let list: Vec<_> = frameworks()
        .iter()
        .map(|framework| {
            json!({
                "id": framework.id,
                "title": framework.title,
                "description": framework.description,
                "controls": framework.controls.iter().map(|control| json!({
                    "id": control.id,
                    "title": control.title,
                    "rules": control.rules.iter().map(|r| r.id).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&list).expect("serialises") + "\n"
}
